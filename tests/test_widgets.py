"""Tests for koreathaw.widgets: drive each widget from code and check what it shows."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pandas as pd
import pytest

import koreathaw as kt
from koreathaw.widgets import article_explorer, date_range_map, event_html, timeline_stepper


@pytest.fixture(scope="module")
def events():
    return kt.load_events()


@pytest.fixture()
def crafted(events):
    """The event table with E008's title, quote and place name replaced by markup."""
    table = events.copy()
    row = table["event_id"] == "E008"
    table.loc[row, "title"] = "<script>alert('x')</script> & `tick`"
    table.loc[row, "quote"] = 'He said "<b>peace</b>"'
    table.loc[row, "place_name"] = "<img src=x onerror=alert(1)>"
    return table


def test_import_koreathaw_does_not_import_ipywidgets():
    """`import koreathaw` (and koreathaw.widgets itself) leave ipywidgets unimported."""
    code = "import sys, koreathaw, koreathaw.widgets; print('ipywidgets' in sys.modules, 'folium' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_timeline_stepper_starts_at_first_event(events):
    """The stepper opens on the earliest event, with Prev disabled."""
    stepper = timeline_stepper(events, show_map=False)
    first = events.iloc[0]
    assert stepper.slider.value == first["event_id"]
    assert first["title"] in html.unescape(stepper.info.value)
    assert stepper.prev_button.disabled and not stepper.next_button.disabled
    assert stepper.position.value == f"event 1 of {len(events)}"


def test_timeline_stepper_slider_shows_chosen_event(events):
    """Moving the slider to E008 shows its date, title, place, quote and article."""
    stepper = timeline_stepper(events, show_map=False)
    stepper.slider.value = "E008"
    shown = stepper.info.value
    assert "2018-03-27" in shown
    assert "Geneva" in shown
    assert "Swiss wine" in shown
    assert "ipu-toast" in shown
    assert "talks" in shown


def test_timeline_stepper_labels_are_dates_in_order(events):
    """The slider's labels are the events' dates, in date order."""
    stepper = timeline_stepper(events, show_map=False)
    labels = [label for label, _ in stepper.slider.options]
    dates = [label.split(" · ")[0] for label in labels]
    assert dates == sorted(dates)
    assert labels[0].startswith(f"{events.index[0]:%Y-%m-%d}")


def test_timeline_stepper_buttons_step(events):
    """Next and Prev move one event along, and stop at the ends."""
    stepper = timeline_stepper(events, show_map=False)
    ids = events["event_id"].tolist()
    stepper.next_button.click()
    assert stepper.slider.value == ids[1]
    stepper.prev_button.click()
    stepper.prev_button.click()
    assert stepper.slider.value == ids[0]
    stepper.slider.value = ids[-1]
    assert stepper.next_button.disabled
    stepper.next_button.click()
    assert stepper.slider.value == ids[-1]


def test_timeline_stepper_escapes_markup(crafted):
    """A <script> title, an HTML quote and an <img> place show as text."""
    stepper = timeline_stepper(crafted, show_map=False)
    stepper.slider.value = "E008"
    shown = stepper.info.value
    assert "<script>" not in shown and "<img" not in shown and "<b>peace" not in shown
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#96;tick&#96;" in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "&#34;&lt;b&gt;peace&lt;/b&gt;&#34;" in shown


def test_timeline_stepper_map_changes_with_event(events):
    """The map panel is filled and changes when another event is chosen."""
    stepper = timeline_stepper(events)
    first = stepper.map.value
    assert first
    stepper.slider.value = "E008"
    assert stepper.map.value and stepper.map.value != first


def inner_map_document(panel_html: str) -> str:
    """Return the HTML document inside the map panel's iframe (its srcdoc, unescaped once)."""
    found = re.search(r'<iframe[^>]*srcdoc="([^"]*)"', panel_html)
    assert found, "the map panel holds no iframe with a srcdoc"
    return html.unescape(found.group(1))


def test_timeline_stepper_map_is_offline_leaflet_iframe(events):
    """The map is an iframe holding Leaflet itself: nothing fetched from the network or from files."""
    stepper = timeline_stepper(events)
    inner = inner_map_document(stepper.map.value)
    assert "L.map(" in inner or "L.map (" in inner
    # inline assets: no script or stylesheet is fetched, neither from the network nor from a
    # relative path (which would not resolve inside an iframe's srcdoc)
    assert not re.search(r"<script[^>]+src=", inner)
    assert not re.search(r"<link[^>]+href=", inner)


def test_timeline_stepper_map_escapes_markup(crafted):
    """Inside the map's document, a crafted title and place show as text, never as markup."""
    stepper = timeline_stepper(crafted)
    stepper.slider.value = "E008"
    inner = inner_map_document(stepper.map.value)
    assert "<script>alert" not in inner
    assert "<img src=x" not in inner
    # the title reaches the map escaped (as an HTML entity, possibly inside a JSON string)
    assert "&lt;script&gt;" in inner or "\\u0026lt;script\\u0026gt;" in inner


def test_timeline_stepper_accepts_a_subset(events):
    """A part of the table (events_between) gives a stepper over that part only."""
    subset = kt.events_between(events, "2018-03-01", "2018-03-31")
    stepper = timeline_stepper(subset, show_map=False)
    assert [v for _, v in stepper.slider.options] == subset["event_id"].tolist()


def test_timeline_stepper_rejects_empty_table(events):
    """An empty table is refused with a message naming the problem."""
    with pytest.raises(ValueError, match="empty"):
        timeline_stepper(events.iloc[0:0])


def test_timeline_stepper_rejects_wrong_table():
    """A table that is not an event table is refused with a message naming the columns."""
    with pytest.raises(ValueError, match="missing the columns"):
        timeline_stepper(pd.DataFrame({"a": [1]}))
    with pytest.raises(TypeError):
        timeline_stepper([1, 2, 3])


def test_event_html_shows_end_date_and_duration(events):
    """A multi-day event shows its first and last day and its length."""
    olympics = events[events["event_id"] == "E004"].iloc[0]
    card = event_html(olympics)
    assert "2018-02-09 to 2018-02-25 (17 days)" in card


def test_article_explorer_counts_term_in_article():
    """Choosing an article and a term shows the count of that term in its body."""
    explorer = article_explorer()
    explorer.text.value = "sanctions"
    explorer.dropdown.value = "warm-climate"
    expected = int(kt.term_counts(["sanctions"]).loc["warm-climate", "sanctions"])
    assert explorer.n_matches == expected == 4
    assert "<b>4</b> occurrences" in explorer.count.value
    assert explorer.lines.value.count("<tr>") == 4


def test_article_explorer_all_articles_matches_kwic():
    """'All articles' shows every keyword-in-context line of the corpus."""
    explorer = article_explorer()
    explorer.text.value = "denuclearization"
    assert explorer.dropdown.value == "all"
    assert explorer.n_matches == len(kt.kwic("denuclearization"))
    assert "liaison-meeting" in explorer.lines.value


def test_article_explorer_phrase_and_singular():
    """A phrase found once is reported as one occurrence."""
    explorer = article_explorer(term="Swiss wine")
    explorer.dropdown.value = "ipu-toast"
    assert explorer.n_matches == 1
    assert "<b>1</b> occurrence of" in explorer.count.value
    assert "<b>Swiss wine</b>" in explorer.lines.value


def test_article_explorer_empty_term_asks_for_one():
    """An empty term shows a prompt, not an error."""
    explorer = article_explorer()
    explorer.text.value = "   "
    assert explorer.n_matches == 0
    assert "Type a word" in explorer.count.value
    assert explorer.lines.value == ""


def test_article_explorer_escapes_term():
    """A term with markup is shown as text."""
    explorer = article_explorer()
    explorer.text.value = "<i>peace</i>"
    assert "<i>peace</i>" not in explorer.count.value
    assert "&lt;i&gt;peace&lt;/i&gt;" in explorer.count.value


def test_date_range_map_starts_with_everything(events):
    """At first the range covers every month and every event."""
    widget = date_range_map(events, show_map=False)
    assert len(widget.subset) == len(events)
    assert widget.slider.value[0] == events.index.min().to_period("M")
    assert widget.slider.value[1] == events.index.max().to_period("M")


def test_date_range_map_narrows_to_months(events):
    """Choosing March 2018 shows the Beijing and Geneva events only of that month."""
    widget = date_range_map(events)
    march = pd.Period("2018-03", "M")
    widget.slider.value = (march, march)
    expected = kt.events_between(events, "2018-03-01", "2018-03-31")
    assert widget.subset["event_id"].tolist() == expected["event_id"].tolist()
    assert {"E007", "E008"} <= set(widget.subset["event_id"])
    assert "from March 2018 to March 2018" in widget.summary.value
    assert widget.map.value


def test_date_range_map_includes_last_day_of_month(events):
    """An event on the last day of the last month chosen is included."""
    table = events.copy()
    table.index = table.index.where(table["event_id"] != "E008", pd.Timestamp("2018-04-30"))
    table = table.sort_index()
    widget = date_range_map(table, show_map=False)
    april = pd.Period("2018-04", "M")
    widget.slider.value = (april, april)
    assert "E008" in set(widget.subset["event_id"])


def test_date_range_map_empty_range_says_so(events):
    """A range with no events says so instead of drawing an empty map."""
    table = events.iloc[[0, -1]]  # the first and the last event: every month between is empty
    widget = date_range_map(table)
    empty = table.index[0].to_period("M") + 1
    assert empty < table.index[-1].to_period("M")
    widget.slider.value = (empty, empty)
    assert len(widget.subset) == 0
    assert "<b>0</b> events" in widget.summary.value
    assert "nothing to map" in widget.map.value


def kt_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _contrast_on_white(hex_colour: str) -> float:
    """WCAG contrast ratio of a #rgb / #rrggbb colour on white."""
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_widget_text_colours_are_readable(events):
    """Every text colour the widgets set has a contrast of at least 4.5:1 on white (WCAG AA)."""
    explorer = article_explorer(term="peace")
    stepper = timeline_stepper(events, show_map=False)
    shown = explorer.lines.value + explorer.count.value + stepper.info.value
    colours = re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b", shown)
    assert colours, "no text colour found: the test would prove nothing"
    assert _contrast_on_white("#777") < 4.5 <= _contrast_on_white("#595959")  # the check itself tells them apart
    for colour in set(colours):
        assert _contrast_on_white(colour) >= 4.5, f"{colour} on white is {_contrast_on_white(colour):.2f}:1"
