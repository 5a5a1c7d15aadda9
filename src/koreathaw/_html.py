"""Text from the data, made safe to show: the library's one escaping layer.

Every text the library puts into HTML (a map's popups, tooltips, legend and
title; a widget's event card and lists) goes through :func:`escape_html`, which
is MarkupSafe's ``escape`` (the escaping Jinja, and so Folium, use) plus the
three characters that mean something inside a JavaScript template string.
:func:`js_string` makes a JavaScript string literal of HTML we escaped, for an
inline ``<script>``. This module imports nothing of the library (it is the
lowest one) and loads MarkupSafe only when something is escaped.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

__all__ = ["escape_html", "is_missing", "as_text", "js_string"]

# After MarkupSafe: ` $ \ are harmless in HTML but start a substitution or an
# escape inside the JavaScript template strings (`...`) of Folium's own popups.
_TEMPLATE_CHARS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def is_missing(value: Any) -> bool:
    """Return whether a cell is missing: None, NaN, NaT or ``pd.NA``.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(""), is_missing([1])
    (True, True, False, False)
    """
    if value is None:
        return True
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_text(value: Any) -> str:
    """Return a cell as plain text: '' for a missing value, a Timestamp as YYYY-MM-DD.

    Examples
    --------
    >>> as_text(pd.Timestamp("2018-04-27")), as_text(None), as_text(3)
    ('2018-04-27', '', '3')
    """
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def escape_html(text: Any) -> str:
    """Return ``text`` as HTML that shows it literally, safe in any map or widget.

    Escapes ``& < > " '`` as MarkupSafe does (the escaping of Jinja and
    Folium), and also the backtick, ``$`` and the backslash, which mean
    something inside the JavaScript template strings that Folium's own popups
    and tooltips use. ``None`` and missing values become an empty string.

    Examples
    --------
    >>> escape_html("<script>alert('hi')</script>")
    '&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;'
    >>> escape_html("`${x}` \\\\ $5")
    '&#96;&#36;{x}&#96; &#92; &#36;5'
    >>> escape_html(None)
    ''
    """
    if is_missing(text):
        return ""
    from markupsafe import escape

    return str(escape(str(text))).translate(_TEMPLATE_CHARS)


def js_string(text: str) -> str:
    """Return ``text`` as a JavaScript string literal that is safe inside an inline ``<script>``.

    JSON, with ``</`` and ``<!--`` broken up so the HTML parser cannot end the
    script early; shorter than escaping every ``<`` as Jinja's ``tojson`` does
    (a map of ten thousand popups is mostly ``<`` and ``>``).

    Examples
    --------
    >>> print(js_string("<b>it's</b> </script>"))
    "<b>it's<\\/b> <\\/script>"
    """
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "\\u003c!--")
