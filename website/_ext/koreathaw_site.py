"""Sphinx extension of the course website: table of contents, alt text, home page.

* The table of contents is made from what exists: every lesson
  ``notebooks/NN-*.ipynb`` in order, then the course pages (the student guide,
  submitting, the glossary when it exists, then any other ``course/*.md``). It is
  appended, hidden, to the home page (the syllabus) as it is read; no file changes.
* Every figure a lesson draws gets a text alternative. An author's own (myst-nb's
  cell metadata ``mystnb: {image: {alt: ...}}``) is kept; otherwise the alt text
  names what the code above the figure titles it (``set_title``, ``suptitle``,
  axis labels, given as string literals), else the sentence before the code.
* Pages: empty table header cells (pandas' corner cell) become plain cells; a widget
  drawn from its saved state gets a line saying that its controls need a kernel.
* ``site/index.html`` leads to the home page, so the site opens from its folder.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path
from typing import Any

from docutils import nodes

#: Course pages shown first, in this order; any other course/*.md follows by name.
COURSE_ORDER = ["course/student-guide", "course/submitting", "course/glossary"]
LESSON_RE = re.compile(r"^notebooks/\d\d-[^/]+$")


def site_pages(found_docs: set[str], root_doc: str) -> tuple[list[str], list[str]]:
    """Return (lessons in number order, course pages in reading order) among ``found_docs``."""
    lessons = sorted(d for d in found_docs if LESSON_RE.match(d))
    course = [d for d in found_docs if d.startswith("course/") and d != root_doc]
    ordered = [d for d in COURSE_ORDER if d in course]
    ordered += sorted(d for d in course if d not in ordered)
    return lessons, ordered


def toctree_markdown(lessons: list[str], course: list[str]) -> str:
    """The hidden toctrees (MyST) appended to the home page."""
    def tree(caption: str, docs: list[str]) -> str:
        entries = "\n".join(f"/{d}" for d in docs)
        return f"\n\n```{{toctree}}\n:hidden:\n:caption: {caption}\n:maxdepth: 1\n\n{entries}\n```\n"

    text = ""
    if lessons:
        text += tree("Lessons", lessons)
    if course:
        text += tree("The course", course)
    return text


def _on_source_read(app: Any, docname: str, source: list[str]) -> None:
    if docname != app.config.root_doc:
        return
    lessons, course = site_pages(set(app.env.found_docs), app.config.root_doc)
    source[0] = source[0] + toctree_markdown(lessons, course)


# --------------------------------------------------------------------------- alt text

_TITLE_CALLS = {"set_title": "title", "suptitle": "title", "title": "title",
                "set_xlabel": "horizontal axis", "xlabel": "horizontal axis",
                "set_ylabel": "vertical axis", "ylabel": "vertical axis"}


def figure_text(code: str) -> dict[str, list[str]]:
    """Return the literal titles and axis labels that ``code`` gives a matplotlib figure.

    >>> figure_text('ax.set_title("Events by year")\\nax.set_ylabel("events")')
    {'title': ['Events by year'], 'vertical axis': ['events']}
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    found: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        kind = _TITLE_CALLS.get(node.func.attr)
        if kind and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            text = node.args[0].value.strip()
            if text and text not in found.get(kind, []):
                found.setdefault(kind, []).append(text)
    return found


def alt_text(code: str, before: str) -> str:
    """A text alternative for a figure drawn by ``code``, after the prose ``before``."""
    parts = figure_text(code)
    if parts.get("title"):
        text = "Figure: " + "; ".join(parts["title"]) + "."
        for kind in ("horizontal axis", "vertical axis"):
            if parts.get(kind):
                text += f" {kind.capitalize()}: {'; '.join(parts[kind])}."
        return text
    sentence = re.split(r"(?<=[.:!?])\s", before.strip())[0] if before.strip() else ""
    return f"Figure drawn by the code above. {sentence}".strip()


def _cell_code(cell: nodes.Element) -> str:
    for block in cell.findall(nodes.literal_block):
        if any(isinstance(p, nodes.Element) and "cell_input" in p.get("classes", []) for p in _parents(block)):
            return block.astext()
    return ""


def _parents(node: nodes.Node) -> list[nodes.Node]:
    out = []
    while node.parent is not None:
        node = node.parent
        out.append(node)
    return out


def _text_before(cell: nodes.Element) -> str:
    """The last paragraph before ``cell`` in reading order (the sentence that announces it)."""
    node: nodes.Node | None = cell
    while node is not None and node.parent is not None:
        siblings = node.parent.children
        for previous in reversed(siblings[: siblings.index(node)]):
            paragraphs = list(previous.findall(nodes.paragraph)) if isinstance(previous, nodes.Element) else []
            if isinstance(previous, nodes.paragraph):
                paragraphs = [previous]
            if paragraphs:
                return paragraphs[-1].astext()
        node = node.parent
    return ""


def _on_doctree_read(app: Any, doctree: nodes.document) -> None:
    _fix_outputs(doctree)
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        cell = next((p for p in _parents(image) if "cell" in p.get("classes", [])), None)
        if cell is None:
            continue
        image["alt"] = alt_text(_cell_code(cell), _text_before(cell))


# --------------------------------------------------------------------------- outputs

_EMPTY_TH = re.compile(r"<th(\s[^>]*)?>\s*(?:&nbsp;|&#160;|<p>\s*</p>)?\s*</th>")
WIDGET_VIEW = 'type="application/vnd.jupyter.widget-view+json"'
WIDGET_NOTE = ('<p class="koreathaw-widget-note"><strong>Interactive widget</strong>, shown as the lesson '
               "left it: its controls need Python, so run the lesson in JupyterLab to use them.</p>")


def empty_headers_to_cells(text: str) -> str:
    """Turn empty ``<th>`` cells (a pandas table's corner, its index-name row) into ``<td>``.

    An empty header cell heads nothing; screen readers announce it as a blank
    header (axe: empty-table-header).

    >>> empty_headers_to_cells('<tr><th></th><th>title</th><th class="blank">&nbsp;</th><th class="head"><p></p></th></tr>')
    '<tr><td></td><th>title</th><td class="blank"></td><td class="head"></td></tr>'
    """
    return _EMPTY_TH.sub(lambda m: f"<td{m.group(1) or ''}></td>", text)


def _on_page_context(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if "body" in context:
        context["body"] = empty_headers_to_cells(context["body"])


def _fix_outputs(doctree: nodes.document) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if raw.get("format") != "html":
            continue
        if WIDGET_VIEW in raw.astext():
            raw.parent.insert(raw.parent.index(raw), nodes.raw(WIDGET_NOTE, WIDGET_NOTE, format="html"))


# --------------------------------------------------------------------------- home


def _on_build_finished(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = app.builder.get_target_uri(app.config.root_doc)
    title = html.escape(app.config.html_title or app.config.project)
    page = f"""<!DOCTYPE html>
<html lang="{html.escape(app.config.language or 'en')}">
<head><meta charset="utf-8"><title>{title}</title>
<meta http-equiv="refresh" content="0; url={html.escape(target)}"></head>
<body><main><p><a href="{html.escape(target)}">{title}: the syllabus and the lessons</a></p></main></body>
</html>
"""
    if target != "index.html":
        Path(app.outdir, "index.html").write_text(page, encoding="utf-8")


def _on_builder_inited(app: Any) -> None:
    """Write the lessons' images beside the doctrees (myst-nb puts them beside the output folder,
    which for ``site/`` is the repository's top)."""
    config = getattr(app.env, "mystnb_config", None)
    if config is not None:
        folder = Path(app.doctreedir).parent / "jupyter_execute"
        app.env.mystnb_config = config.copy(output_folder=str(folder.resolve()))


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited, priority=900)
    app.add_js_file("koreathaw-widgets.js")
    app.add_js_file("koreathaw-search.js")
    app.connect("source-read", _on_source_read)
    app.connect("doctree-read", _on_doctree_read)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
