"""Tests of koreathaw._html: the library's one escaping layer, used by the maps and the widgets alike."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import markupsafe
import pandas as pd
import pytest

import koreathaw as kt
from koreathaw._html import as_text, escape_html, is_missing, js_string

SRC = Path(kt.__file__).resolve().parent
HOSTILE = "Kim's `${alert(1)}` \"talks\" </script><script>alert('x')</script> <img src=x onerror=alert(2)> \\ & $5"


def test_escape_html_escapes_quotes_backticks_and_template_characters():
    """escape_html leaves no character that HTML or a JS template string would interpret."""
    out = escape_html(HOSTILE)
    for bad in "<>\"'`$\\":
        assert bad not in out
    assert html.unescape(out) == HOSTILE


def test_escape_html_is_markupsafe_plus_template_characters():
    """The HTML part is exactly MarkupSafe's escaping (Jinja's, Folium's); only ` $ \\ are added."""
    text = "<b>Moon & Kim's \"talks\"</b>"
    assert escape_html(text) == str(markupsafe.escape(text))
    assert escape_html("`$\\") == "&#96;&#36;&#92;"


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, pd.NaT])
def test_missing_values_escape_to_nothing(value):
    """A missing cell shows as nothing, never as 'nan' or 'None'."""
    assert is_missing(value)
    assert escape_html(value) == "" and as_text(value) == ""


def test_js_string_cannot_close_the_script():
    """A JavaScript literal of escaped HTML has no '</' or '<!--' and reads back as the same text."""
    text = "<b>x</b></script><!-- y -->"
    literal = js_string(text)
    assert "</" not in literal and "<!--" not in literal
    assert json.loads(literal) == text


def test_widgets_and_maps_escape_with_the_same_function():
    """One escaping layer: no module of the library escapes HTML by itself (html.escape or its own replace)."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name == "_html.py":
            continue
        if re.search(r"\bhtml\.escape\(|import html\b|&#96;|&lt;", text):
            offenders.append(path.relative_to(SRC).as_posix())
    assert offenders == [], f"these modules escape HTML themselves instead of koreathaw._html: {offenders}"


def test_widget_card_and_map_popup_escape_a_title_alike():
    """The same hostile title comes out the same in a widget's event card and in a map's popup."""
    from koreathaw.widgets import event_html

    events = kt.load_events().iloc[:1].copy()
    events.iloc[0, events.columns.get_loc("title")] = HOSTILE
    card = event_html(events.iloc[0])
    page = kt.events_map(events).get_root().render()
    popups = [json.loads(s) for s in re.findall(r'\.bindPopup\(("(?:[^"\\]|\\.)*")', page)]
    assert escape_html(HOSTILE) in card
    assert any(escape_html(HOSTILE) in p for p in popups)
