"""Sphinx configuration of the course website (``make site`` -> ``site/``).

The source folder is the repository itself, narrowed to the pages of the site:
``course/*.md`` and the lessons ``notebooks/NN-*.ipynb`` (read in place, never
copied into git). The home page is the syllabus; the table of contents is made
from whatever lessons and course pages exist (``_ext/koreathaw_site.py``).

Everything a page loads comes from this checkout: the widget manager, MathJax
and the theme are served from ``site/_static``; the maps carry Leaflet inline.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))

project = "The Korean Thaw, 2018–2021"
author = "The Korean Thaw course maintainers"
copyright = "the course maintainers; code MIT, tables CC BY 4.0, article texts their publishers'"
language = "en"

extensions = ["myst_nb", "koreathaw_site"]

# -- what is read ------------------------------------------------------------
# Only the course's pages; every other top-level folder is pruned (so Sphinx does
# not walk .venv/ or site/).
SITE_FOLDERS = {"course", "notebooks"}
root_doc = "course/syllabus"
include_patterns = ["course/*.md", "notebooks/[0-9][0-9]-*.ipynb"]
exclude_patterns = sorted(
    [p.name for p in REPO.iterdir() if p.name not in SITE_FOLDERS]
    + ["course/README.md", "**/.ipynb_checkpoints"]
)

# -- lessons: executed at build time -----------------------------------------------
# The lessons are stored without outputs; myst-nb runs every one with the course
# kernel at every build (a cache keyed on the notebook alone would keep outputs
# made by an older library or older data).
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True  # a lesson that fails (except cells tagged raises-exception) fails the build
nb_execution_show_tb = True
nb_merge_streams = True
nb_output_stderr = "remove-warn"
nb_kernel_rgx_aliases = {".*": "koreathaw"}

# Widgets: the state nbclient stored is embedded in each page; the manager that
# draws it is the course's copy (website/vendor/, from npm), not a CDN.
nb_ipywidgets_js = {
    "html-manager/embed.js": {},
}

myst_enable_extensions = ["deflist", "colon_fence"]
myst_heading_anchors = 3

# -- HTML ----------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "The Korean Thaw, 2018–2021"
templates_path = ["_templates"]
# The book theme's sidebar, with the site's name inside a landmark.
html_sidebars = {"**": ["koreathaw-brand.html", "icon-links.html", "search-button-field.html", "sbt-sidebar-nav.html"]}
html_static_path = ["_static", "vendor"]
html_css_files = ["koreathaw-site.css"]
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "launch_buttons": {},
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
# Light by default (the maps and widgets are drawn for a light page).
html_context = {"default_mode": "light"}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
# MathJax from the course's copy (only pages with mathematics load it).
mathjax_path = "mathjax/tex-mml-chtml.js"
