"""Student content rendered as untrusted on Formgrader's submission pages and the feedback pages.

nbgrader renders both pages with nbconvert's ``HTMLExporter`` (templates
``formgrade`` and ``feedback``), which puts a student's markdown and every
rich output into the page as it is: a ``<script>``, an ``onerror`` or a
``javascript:`` link from a submission runs with the instructor's Jupyter
session. The course's ``assignments/nbgrader_config.py`` plugs in, for that
exporter only (JupyterLab's own *Export as HTML* reads the server's config,
not nbgrader's):

* :func:`clean_html` - an allowlist sanitiser (bleach, as nbconvert's own
  ``clean_html``, but keeping what grading needs: tables of DataFrames,
  images as PNG/JPEG/GIF data, code highlighting, text). Scripts, styles and
  forms go with their content; an ``<iframe>``, ``<object>``, ``<embed>`` or
  inline ``<svg>`` becomes a short note; event handlers, ids, ``data-*``
  attributes and classes the page's own scripts use are dropped; links keep
  only ``http``, ``https``, ``mailto`` and ``#`` addresses (a ``javascript:``
  or ``data:`` link is left as plain text); images only ``data:image/...``.
* :func:`markdown2html` - the exporter's markdown filter, cleaned: every
  markdown cell (the course's too: a student can forge a cell's metadata, so
  none is trusted by it) and every instructor comment.
* :class:`UntrustedOutputs` - a preprocessor for code outputs: only plain
  mimetypes are kept (no JavaScript, widgets or plugin data), HTML is cleaned,
  an output that embeds a page (a folium map is an ``<iframe srcdoc>`` full of
  script) is replaced by a note, output metadata keeps only numeric sizes and
  alt text (nbconvert writes ``width={{ ... }}`` unquoted), the notebook's
  widget state goes, and the student's id and names in the page's resources
  are HTML-escaped (nbconvert's templates do not escape).
* :func:`install_formgrader_autoescape` - turns on Jinja autoescaping for
  Formgrader's own pages (manage students, gradebook lists), which print the
  student id and URL parts unescaped.

The pages' Content-Security-Policy is in ``templates/mathjax.html.j2``.
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode

from koreathaw_grading.compat import guarded

#: What an embedded page (iframe, object, embed) or an inline SVG drawing becomes.
NOTE = ("[{what} not shown here: it could run the student's code in your browser. "
        "It is in the student's notebook.]")
EMBED_NOTE = NOTE.format(what="an embedded page (a map, a widget, another site)")
SVG_NOTE = NOTE.format(what="an inline SVG drawing")

#: Tags kept (everything else is removed, its text kept, unless dropped below).
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "wbr",
})
#: Removed with everything inside them.
DROPPED_WITH_CONTENT = ("script", "style", "template", "noscript", "noembed", "noframes", "textarea",
                        "select", "title", "xmp", "plaintext", "head", "meta", "link", "base")
#: Replaced by :data:`EMBED_NOTE`.
EMBEDS = ("iframe", "frame", "frameset", "object", "embed", "applet", "portal", "fencedframe")
#: Attributes kept on any kept tag (``class`` is filtered token by token, ``style`` by property).
GLOBAL_ATTRIBUTES = frozenset({"class", "title", "lang", "dir", "style", "align"})
TAG_ATTRIBUTES = {
    "a": {"href"}, "img": {"src", "alt", "width", "height"}, "abbr": {"title"},
    "table": {"border"}, "td": {"colspan", "rowspan", "valign"}, "th": {"colspan", "rowspan", "valign", "scope"},
    "col": {"span"}, "colgroup": {"span"}, "ol": {"start", "type"}, "li": {"value"}, "details": {"open"},
}
#: CSS properties kept in a ``style`` attribute: colours and text, nothing that moves or covers the page.
CSS_PROPERTIES = frozenset({
    "color", "background-color", "text-align", "font-weight", "font-style", "text-decoration",
    "vertical-align", "white-space", "border", "border-collapse", "padding",
})
#: Classes kept: code highlighting (pygments' short names), DataFrames, markdown anchors.
KEPT_CLASSES = frozenset({"highlight", "dataframe", "anchor-link"})
_HIGHLIGHT_CLASS = re.compile(r"^hl-[a-z0-9_+-]+$")
#: Output mimetypes kept; anything else (JavaScript, widgets, plugin data) is dropped.
KEPT_MIMETYPES = ("text/plain", "text/html", "text/markdown", "text/latex",
                  "image/png", "image/jpeg", "image/gif", "image/svg+xml")
_LINK = re.compile(r"^(?:https?:|mailto:|#)", re.I)
_IMAGE_DATA = re.compile(r"^data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,[a-z0-9+/=]*$", re.I)
_EMBED = re.compile(r"<\s*(?:" + "|".join(EMBEDS) + r")\b", re.I)
_SIZE = re.compile(r"^\d{1,5}(?:\.\d+)?$")


def _pygments_classes() -> frozenset[str]:
    from pygments.token import STANDARD_TYPES

    return frozenset(name for name in STANDARD_TYPES.values() if name)


def class_allowed(name: str) -> bool:
    """True for a class that only styles code or tables (never one the page's scripts look for)."""
    return name in KEPT_CLASSES or name in _pygments_classes() or bool(_HIGHLIGHT_CLASS.match(name))


def _plain(value: str) -> str:
    """A URL as a browser reads it: no control characters or spaces anywhere."""
    return re.sub(r"[\x00-\x20\x7f]", "", value)


def attribute_allowed(tag: str, name: str, value: str) -> bool:
    """The allowlist of attributes (bleach's callable): no event handler, id, ``data-*`` or odd URL."""
    if name == "href":
        return tag == "a" and bool(_LINK.match(_plain(value)))
    if name == "src":
        return tag == "img" and bool(_IMAGE_DATA.match(_plain(value)))
    if name in ("width", "height"):
        return bool(_SIZE.match(value.strip()))
    return name in GLOBAL_ATTRIBUTES or name in TAG_ATTRIBUTES.get(tag, ())


def _filters() -> list[Any]:
    from bleach.html5lib_shim import Filter

    class KeepClasses(Filter):  # type: ignore[misc]
        """Drop every class but :func:`class_allowed` ones, and images left without an address."""

        def __iter__(self):
            for token in super().__iter__():
                data = token.get("data") if token["type"] in ("StartTag", "EmptyTag") else None
                if token.get("name") == "img" and (None, "src") not in (data or {}):
                    continue  # its address was refused: no broken image
                if data and (None, "class") in data:
                    kept = [c for c in str(data[(None, "class")]).split() if class_allowed(c)]
                    if kept:
                        data[(None, "class")] = " ".join(kept)
                    else:
                        del data[(None, "class")]
                yield token

    return [KeepClasses]


def _drop_active(html: str) -> str:
    """Remove scripts and styles with their content; embeds and inline SVG become a note."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(DROPPED_WITH_CONTENT):
        tag.decompose()
    for names, note in ((EMBEDS, EMBED_NOTE), (("svg",), SVG_NOTE)):
        for tag in soup.find_all(names):
            replacement = soup.new_tag("em")
            replacement.string = note
            tag.replace_with(replacement)
    return str(soup)


def clean_html(html: Any) -> str:
    """``html`` with only the allowlisted tags, attributes, classes, styles and addresses.

    Safe to put into a page as it is, whatever ``html`` holds: the result is what
    bleach (html5lib, the browser's parsing rules) serialises from the allowlist.
    """
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    text = html.decode() if isinstance(html, bytes) else str(html)
    if not text.strip():
        return text
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=attribute_allowed,
        protocols={"http", "https", "mailto", "data"},
        strip=True,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(allowed_css_properties=CSS_PROPERTIES),
        filters=_filters(),
    )
    return cleaner.clean(_drop_active(text))


def _pass_context(function: Any) -> Any:
    from jinja2 import pass_context

    return pass_context(function)


@_pass_context
def markdown2html(context: Any, source: str) -> str:
    """nbconvert's ``HTMLExporter.markdown2html`` (attachments, math, highlighting), then :func:`clean_html`."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    cell = context.get("cell", {}) or {}
    attachments = cell.get("attachments", {}) if hasattr(cell, "get") else {}
    path = context.get("resources", {}).get("metadata", {}).get("path", "")
    renderer = IPythonRenderer(escape=False, attachments=attachments, embed_images=False, path=path,
                               anchor_link_text="¶", exclude_anchor_links=False)
    return clean_html(MarkdownWithMath(renderer=renderer).render(source))


def _is_size(value: Any) -> bool:
    """A number of pixels: an int or float (not a bool), or a string of digits."""
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) or isinstance(value, str) and bool(_SIZE.match(value))


def _metadata(metadata: Any) -> dict[str, Any]:
    """Output metadata reduced to what the templates may print: numeric sizes, alt text, unconfined."""
    kept: dict[str, Any] = {}
    for mime, meta in (metadata or {}).items():
        if mime not in KEPT_MIMETYPES or not isinstance(meta, dict):
            continue
        entry = {key: meta[key] for key in ("width", "height") if _is_size(meta.get(key))}
        if isinstance(meta.get("alt"), str):
            entry["alt"] = meta["alt"]
        if meta.get("unconfined") is True:
            entry["unconfined"] = True
        if entry:
            kept[mime] = entry
    return kept


def safe_output(output: Any) -> NotebookNode:
    """One code output as it may be shown: plain mimetypes only, HTML cleaned, embedded pages a note."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return output
    data = {mime: value for mime, value in (output.get("data") or {}).items() if mime in KEPT_MIMETYPES}
    dropped = sorted(set(output.get("data") or {}) - set(data))
    if "text/html" in data:
        html = "".join(data["text/html"]) if isinstance(data["text/html"], list) else str(data["text/html"])
        data["text/html"] = f"<p><em>{EMBED_NOTE}</em></p>" if _EMBED.search(html) else clean_html(html)
    if not data:
        data["text/plain"] = f"[output not shown: {', '.join(dropped)} (it would run in your browser)]"
    result = NotebookNode(output)
    result["data"] = NotebookNode(data)
    result["metadata"] = NotebookNode(_metadata(output.get("metadata")))
    return result


#: Formgrader's page resources printed by nbgrader's template without escaping.
ESCAPED_RESOURCES = ("student", "first_name", "last_name", "notebook_path")


class UntrustedOutputs(Preprocessor):
    """Make a submission's outputs, widget state and names safe to render (see the module's docstring)."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        from markupsafe import escape

        nb.metadata.pop("widgets", None)
        for key in ESCAPED_RESOURCES:
            if isinstance(resources.get(key), str):
                resources[key] = str(escape(resources[key]))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        from markupsafe import escape

        if cell.get("cell_type") == "code":
            cell.outputs = [safe_output(out) for out in cell.get("outputs", [])]
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
            meta["grade_id"] = str(escape(meta["grade_id"]))  # printed into id="..." by the templates
        return cell, resources


def exporter_config() -> dict[str, Any]:
    """The ``HTMLExporter`` settings for nbgrader's config (``c.HTMLExporter.update(...)``)."""
    return {
        "preprocessors": [UntrustedOutputs],
        "filters": {"markdown2html": markdown2html, "clean_html": clean_html},
        "sanitize_html": True,         # the templates pass HTML and markdown outputs through clean_html
        "skip_svg_encoding": False,    # an SVG output is shown as <img src="data:...">: its scripts never run
        "embed_images": False,
    }


def _is_script(tag: Any) -> bool:
    kind = (tag.get("type") or "text/javascript").lower()
    return tag.name == "script" and not tag.get("src") and kind in ("text/javascript", "module", "application/javascript")


def inline_code(html: str, after_policy: bool = True) -> list[str]:
    """The inline scripts and event handlers of a page (those after its CSP <meta> if ``after_policy``).

    What a Content-Security-Policy without 'unsafe-inline' must allow by hash for
    the page to work (``tests/grading/test_safehtml.py``).
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    found, governed = [], not after_policy
    for tag in soup.find_all(True):
        if tag.name == "meta" and str(tag.get("http-equiv", "")).lower() == "content-security-policy":
            governed = True
        if not governed:
            continue
        if _is_script(tag):
            found.append(tag.string or "")
        found.extend(str(value) for name, value in tag.attrs.items() if name.lower().startswith("on"))
    return found


def csp_hash(code: str) -> str:
    """The CSP source that allows exactly ``code`` (an inline script or handler)."""
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"


def install_formgrader_autoescape() -> None:
    """Make Formgrader's own pages (not the submission page) escape what they print.

    nbgrader 0.9.6 renders ``manage_students``, the gradebook lists and their
    student pages with a Jinja environment without autoescaping: a student id
    that is HTML, or one typed into the page's address, ran as script there.
    The environment is made in ``FormgradeExtension.init_tornado_settings``,
    after the course config (this call) is read; it is switched to autoescape.
    """
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    method = FormgradeExtension.init_tornado_settings
    if getattr(method, "_koreathaw", False) or not guarded("FormgradeExtension.init_tornado_settings"):
        return

    def init_tornado_settings(self: Any, webapp: Any) -> None:
        method(self, webapp)
        env = webapp.settings.get("nbgrader_jinja2_env")
        if env is not None:
            env.autoescape = True

    init_tornado_settings._koreathaw = True  # type: ignore[attr-defined]
    FormgradeExtension.init_tornado_settings = init_tornado_settings  # type: ignore[method-assign]
