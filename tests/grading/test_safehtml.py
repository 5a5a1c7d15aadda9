"""The sanitiser of Formgrader's and the feedback pages (koreathaw_grading.safehtml), and their policy.

Fast: no server, no browser. ``tests/browser/test_lab_untrusted.py`` proves the same
payloads harmless in Chromium on the real pages.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.notebooknode import NotebookNode, from_dict

from koreathaw_grading import safehtml
from koreathaw_grading.feedback import page_text, template_path
from koreathaw_grading.safehtml import EMBED_NOTE, clean_html, csp_hash, inline_code, safe_output

REPO = Path(__file__).resolve().parents[2]

#: What a hostile student puts into markdown or an HTML output (the ones found in issue 14, and friends).
PAYLOADS = [
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt&#x3A;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<form action="/api/contents"><input name="x"><button formaction="javascript:alert(1)">go</button></form>',
    '<base href="http://example.invalid/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<div onmouseover="alert(1)" style="position:fixed;top:0">x</div>',
    '<body onload="alert(1)">',
    '<details open ontoggle="alert(1)"><summary>s</summary></details>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<img src="javascript:alert(1)"><img src="data:text/html;base64,PHNjcmlwdD4=">',
    '<div id="base_url" data-toggle="collapse" data-target="#x" class="tabbable score navbar-fixed-top">x</div>',
    '<style>body{display:none}</style><link rel="stylesheet" href="http://example.invalid/x.css">',
]

#: Anything that could run, load or submit, or be found by the page's own scripts.
DANGER = re.compile(r"<\s*/?\s*(script|iframe|object|embed|form|base|meta|link|svg|style|input|button)\b|\son\w+\s*="
                    r"|javascript:|vbscript:|data:text|\sid=|data-|tabbable|score|navbar|position", re.I)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_clean_html_leaves_nothing_active(payload):
    """Every payload comes out with no script, handler, embed, form, odd URL, id or page class."""
    cleaned = clean_html(payload)
    assert not DANGER.search(cleaned), cleaned


def test_clean_html_keeps_what_grading_needs():
    """A DataFrame's table, a PNG, code highlighting, links to the web and text stay as they were."""
    import pandas as pd

    table = pd.DataFrame({"event_id": ["E001", "E003"], "year": [2018, 2018]}).to_html()
    cleaned = clean_html(table)
    assert '<table border="1" class="dataframe">' in cleaned and "<th>event_id</th>" in cleaned
    assert page_text(cleaned) == page_text(table)
    png = '<img alt="a chart" src="data:image/png;base64,iVBORw0KGgo=" width="300">'
    assert clean_html(png) == png
    code = '<div class="highlight hl-python"><pre><span class="k">def</span> <span class="nf">f</span></pre></div>'
    assert clean_html(code) == code
    link = '<p><a href="https://www.example.org/a">an article</a> and <a href="#top">up</a></p>'
    assert clean_html(link) == link
    assert clean_html("<p>x &lt; y &amp; <b>bold</b> $a&lt;b$</p>") == "<p>x &lt; y &amp; <b>bold</b> $a&lt;b$</p>"
    assert clean_html(b"<p>bytes</p>") == "<p>bytes</p>" and clean_html("  ") == "  "


def test_clean_html_replaces_embeds_with_a_note_and_neutralises_links():
    """An iframe becomes the note; a javascript: link keeps its text but is no link."""
    assert EMBED_NOTE in clean_html('<iframe src="https://example.org"></iframe>')
    assert clean_html('<a href="javascript:alert(1)">read me</a>') == "<a>read me</a>"
    assert clean_html('<p style="color: red; position: fixed">x</p>') == '<p style="color: red;">x</p>'


def _markdown(source: str, cell: dict | None = None) -> str:
    return safehtml.markdown2html({"cell": cell or {}, "resources": {}}, source)


def test_markdown2html_neutralises_markdown_links_and_html():
    """Markdown syntax can make a javascript: link too (mistune keeps it): the filter removes it."""
    html = _markdown("[click](javascript:alert(1)) and [ok](https://example.org) <img src=x onerror=alert(1)>\n\n"
                     "# Heading\n\n```python\ndef f(): pass\n```\n\n$x < y$ and $$\\frac{a}{b}$$")
    assert not DANGER.search(html), html
    assert "<a>click</a>" in html and '<a href="https://example.org">ok</a>' in html
    assert '<span class="k">def</span>' in html and "$x &lt; y$" in html and "\\frac{a}{b}" in html


def test_markdown2html_keeps_image_attachments():
    """An attached PNG (how a pasted image is stored) stays, as data."""
    cell = {"attachments": {"dot.png": {"image/png": "iVBORw0KGgo="}}}
    html = _markdown("![a dot](attachment:dot.png)", cell)
    assert '<img alt="a dot" src="data:image/png;base64,iVBORw0KGgo=">' in html


def test_the_course_markdown_loses_no_text():
    """Every markdown cell of every assignment reads the same cleaned (the course's content is sanitised too)."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    checked = 0
    for path in sorted((REPO / "assignments" / "source").glob("*/*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            raw = MarkdownWithMath(renderer=IPythonRenderer(escape=False, anchor_link_text="¶")).render(cell.source)
            assert page_text(_markdown(cell.source, cell)) == page_text(raw), (path.name, cell.source[:80])
            checked += 1
    assert checked >= 8


def _output(data: dict, **meta) -> NotebookNode:
    return from_dict({"output_type": "display_data", "data": data, "metadata": meta})


def test_safe_output_drops_javascript_and_widgets():
    """Only plain mimetypes stay; an output left with nothing says what was dropped."""
    out = safe_output(_output({"application/javascript": "alert(1)", "text/plain": "<IPython.Javascript>"}))
    assert dict(out.data) == {"text/plain": "<IPython.Javascript>"}
    out = safe_output(_output({"application/vnd.jupyter.widget-view+json": {"model_id": "x"}}))
    assert list(out.data) == ["text/plain"] and "widget-view" in out.data["text/plain"]
    stream = from_dict({"output_type": "stream", "name": "stdout", "text": "<script>"})
    assert safe_output(stream) is stream


def test_safe_output_shows_a_note_for_a_folium_map():
    """A folium map is an iframe full of script: the whole output becomes the note."""
    import folium

    html = folium.Map(location=[39.0, 126.0], zoom_start=5, tiles=None)._repr_html_()
    assert "srcdoc" in html
    out = safe_output(_output({"text/html": html, "text/plain": "<folium.folium.Map>"}))
    assert EMBED_NOTE in out.data["text/html"] and "srcdoc" not in out.data["text/html"]


def test_safe_output_keeps_only_harmless_metadata():
    """nbconvert prints width= unquoted: only numbers pass; 'isolated' (an iframe) and file names go."""
    out = safe_output(_output({"image/png": "iVBORw0KGgo=", "text/html": ["<b>a</b>", "<i>b</i>"]},
                              **{"image/png": {"width": "1 onerror=alert(1)", "height": 20, "alt": "a dot",
                                               "unconfined": True, "filenames": "x"},
                                 "text/html": {"isolated": True}, "application/javascript": {"x": 1}}))
    assert dict(out.metadata) == {"image/png": {"height": 20, "alt": "a dot", "unconfined": True}}
    assert out.data["text/html"] == "<b>a</b><i>b</i>"
    assert safehtml._is_size("300") and not safehtml._is_size(True) and not safehtml._is_size("1 x")


def test_untrusted_outputs_escapes_names_and_drops_widget_state():
    """The student id and names go into the page unescaped by nbgrader's template: escaped here."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    code = nbformat.v4.new_code_cell("x", outputs=[_output({"text/html": "<script>alert(1)</script><b>b</b>"})])
    code.metadata["nbgrader"] = {"grade_id": 'a"><img src=x onerror=alert(1)>', "grade": True}
    nb.cells = [code, nbformat.v4.new_markdown_cell("m")]
    resources = {"student": "<img src=x onerror=alert(1)>", "last_name": "O'Neil & co", "first_name": None}
    nb, resources = safehtml.UntrustedOutputs().preprocess(nb, resources)
    assert "widgets" not in nb.metadata
    assert resources["student"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert resources["last_name"] == "O&#39;Neil &amp; co" and resources["first_name"] is None
    assert nb.cells[0].outputs[0].data["text/html"] == "<b>b</b>"
    assert nb.cells[0].metadata.nbgrader.grade_id == "a&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"


# --------------------------------------------------------------------------- the policy


def _policy(html: str) -> str:
    from bs4 import BeautifulSoup

    metas = BeautifulSoup(html, "html.parser").find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert len(metas) == 1, "one Content-Security-Policy <meta> expected"
    return str(metas[0]["content"])


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """Formgrade and feedback pages of a submission, rendered with the course's config and this checkout's macro."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    macros = tmp_path_factory.mktemp("templates")
    for name in ("formgrade", "feedback"):
        (macros / name).mkdir()
        shutil.copy2(template_path(), macros / name / "mathjax.html.j2")
    nb = nbformat.read(str(REPO / "assignments" / "source" / "a4-synthesis" / "a4-synthesis.ipynb"), as_version=4)
    nb.cells.insert(2, nbformat.v4.new_markdown_cell(PAYLOADS[0] + "[x](javascript:alert(1))"))
    nb.cells.insert(2, nbformat.v4.new_code_cell("x", outputs=[_output({"text/html": "".join(PAYLOADS)})]))
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata.nbgrader.score = 1.0
    rendered = {}
    for name in ("formgrade", "feedback"):
        config = Config()
        for key, value in safehtml.exporter_config().items():
            setattr(config.HTMLExporter, key, value)
        config.HTMLExporter.template_name = name
        config.HTMLExporter.extra_template_basedirs = [str(macros), handlers.template_path]
        config.HTMLExporter.extra_template_paths = [str(Path(handlers.static_path, "node_modules/bootstrap/dist/css"))]
        resources = {"base_url": "/hub/user/x", "submission_id": "s1", "notebook_id": "a4-synthesis",
                     "assignment_id": "a4-synthesis", "index": 0, "total": 1, "student": "<b>kt</b>",
                     "last_name": None, "first_name": None, "notebook_path": "autograded/kt/a4/a4.ipynb",
                     "nbgrader": {"notebook": "a4-synthesis", "score": 1, "max_score": 9, "late_penalty": 0}}
        rendered[name], _ = HTMLExporter(config=config).from_notebook_node(nb, resources=resources)
    return rendered


@pytest.mark.parametrize("name", ["formgrade", "feedback"])
def test_every_inline_script_on_the_pages_is_allowed_by_hash(pages, name):
    """No 'unsafe-inline' or eval: each inline script and handler after the policy is listed by its hash.

    Fails on an nbgrader whose formgrade template's inline code changed (compat.TESTED):
    recompute the hashes in templates/mathjax.html.j2 after checking the new code.
    """
    html = pages[name]
    policy = _policy(html)
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in policy and "default-src 'none'" in policy
    for directive in ("base-uri 'none'", "form-action 'none'", "frame-src 'none'", "object-src 'none'"):
        assert directive in policy
    code = inline_code(html)
    missing = [snippet[:80] for snippet in code if csp_hash(snippet) not in script_src]
    assert code and missing == [], f"inline code on the {name} page the policy blocks: {missing}"


def test_the_policy_lists_exactly_the_code_it_needs(pages):
    """No stale hash: every hash in the policy belongs to inline code of one of the two pages."""
    script_src = next(d for d in _policy(pages["formgrade"]).split(";") if d.strip().startswith("script-src"))
    listed = set(re.findall(r"'sha256-[^']+'", script_src))
    needed = {csp_hash(code) for html in pages.values() for code in inline_code(html)}
    assert listed == needed
    assert "toggle_name(true);" in inline_code(pages["formgrade"])  # nbgrader's name toggle, allowed by hash
    # nothing inline on a feedback page comes before the policy (on Formgrader's: nbgrader's page variables)
    assert inline_code(pages["feedback"], after_policy=False) == inline_code(pages["feedback"])


def test_formgrade_page_escapes_the_student_id_and_drops_the_payloads(pages):
    """The navigation bar shows the student id as text; the notebook carries no payload."""
    html = pages["formgrade"]
    assert "&lt;b&gt;kt&lt;/b&gt;" in html and "<b>kt</b>" not in html
    notebook = html.split('id="notebook-container"', 1)[1]
    assert "The event table cites" in notebook and EMBED_NOTE in notebook
    for active in ("<script", "onerror", "javascript:", "<iframe", "<svg", "<form", "<object", "<embed", "<base"):
        assert active not in notebook, active


# --------------------------------------------------------------------------- Formgrader's own pages


def test_formgrader_autoescape_is_installed_once_and_escapes(monkeypatch):
    """The wrapped init_tornado_settings turns autoescape on; nbgrader's page then shows an HTML id as text."""
    from jinja2 import Environment, FileSystemLoader
    from nbgrader.server_extensions.formgrader import handlers
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    def original(self, webapp):
        webapp.settings["nbgrader_jinja2_env"] = Environment(loader=FileSystemLoader([handlers.template_path]))

    monkeypatch.setattr(FormgradeExtension, "init_tornado_settings", original)
    safehtml.install_formgrader_autoescape()
    patched = FormgradeExtension.init_tornado_settings
    safehtml.install_formgrader_autoescape()
    assert FormgradeExtension.init_tornado_settings is patched and patched._koreathaw

    class WebApp:
        settings: dict = {}

    patched(None, WebApp)
    env = WebApp.settings["nbgrader_jinja2_env"]
    page = env.get_template("manage_students_assignments.tpl").render(student_id="<img src=x onerror=alert(1)>",
                                                                      base_url="")
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_formgrader_autoescape_skips_an_untested_nbgrader(monkeypatch):
    """On another nbgrader version the page patch is not applied, with a warning."""
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    def original(self, webapp):
        pass

    monkeypatch.setattr(FormgradeExtension, "init_tornado_settings", original)
    monkeypatch.setattr(safehtml, "guarded", lambda patch: False)
    safehtml.install_formgrader_autoescape()
    assert FormgradeExtension.init_tornado_settings is original


def test_course_config_plugs_the_sanitiser_into_the_html_exporter():
    """assignments/nbgrader_config.py sets the exporter's preprocessor, filters and sanitize_html."""
    from traitlets.config import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO / "assignments")).load_config()
    html = config.HTMLExporter
    assert html.preprocessors == [safehtml.UntrustedOutputs] and html.sanitize_html is True
    assert html.filters["markdown2html"] is safehtml.markdown2html and html.filters["clean_html"] is clean_html
    assert "template_name" not in html  # nbgrader picks formgrade / feedback itself
