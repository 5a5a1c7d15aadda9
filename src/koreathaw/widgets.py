"""Interactive widgets for the lessons: step through events, search articles, map a date range.

Each function returns an ordinary ipywidgets box that displays itself in
JupyterLab. The parts that matter are attributes of the box, so a test (or a
curious student) can drive a widget from code and read what it shows::

    stepper = timeline_stepper()
    stepper.slider.value = "E008"      # choose an event by its id
    stepper.info.value                 # the HTML now shown: date, title, quote ...

Every text that comes from the data (titles, quotes, names, notes) is
HTML-escaped (:func:`koreathaw.escape_html`, the library's one escaping layer) before it is
shown, so an event titled ``<script>`` is shown as
text and runs nothing.

Nothing here waits for a user: a widget renders and the cell finishes, so the
lessons run unattended under nbval and nbgrader (``NBGRADER_EXECUTION``) alike.
ipywidgets (and folium, through :mod:`koreathaw.maps`) are imported inside the
functions, so ``import koreathaw`` does not import them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from koreathaw import _args
from koreathaw._html import escape_html, is_missing
from koreathaw.events import check_event_table, load_events

__all__ = ["timeline_stepper", "article_explorer", "date_range_map", "event_html"]

_MAP_HEIGHT = "320px"


def _check_events(events: pd.DataFrame | None) -> pd.DataFrame:
    """Return the event table to use, in date order: the course's, or ``events`` after a check."""
    if events is None:
        return load_events()
    check_event_table(events, ("event_id", "title", "category", "place_name", "latitude", "longitude"))
    if events.empty:
        raise ValueError("the events table is empty: there is nothing to show")
    return events.sort_index(kind="stable")


def _format_date(start: pd.Timestamp, end: Any) -> str:
    text = f"{start:%Y-%m-%d} ({start:%A})"
    if not is_missing(end) and pd.Timestamp(end) != start:
        days = (pd.Timestamp(end) - start).days + 1
        text = f"{start:%Y-%m-%d} to {pd.Timestamp(end):%Y-%m-%d} ({days} days)"
    return text


def event_html(event: pd.Series, date: pd.Timestamp | None = None, articles: pd.DataFrame | None = None) -> str:
    """Return one event as a small HTML card: date, title, category, place, quote, source.

    Every value is HTML-escaped.

    Parameters
    ----------
    event : pandas.Series
        One row of :func:`koreathaw.load_events` (its ``name`` is the date).
    date : pandas.Timestamp, optional
        The event's start date, if ``event.name`` does not hold it.
    articles : pandas.DataFrame, optional
        The table of :func:`koreathaw.load_articles`, to name the quoted
        article (loaded when needed).

    Examples
    --------
    >>> import koreathaw as kt
    >>> events = kt.load_events()
    >>> card = event_html(events[events["event_id"] == "E008"].iloc[0])
    >>> "Geneva" in card and "2018-03-27" in card
    True
    """
    start = pd.Timestamp(event.name if date is None else date)
    rows = [
        ("Date", escape_html(_format_date(start, event.get("end_date")))),
        ("Category", escape_html(event.get("category"))),
        ("Place", escape_html(event.get("place_name")) + (f" ({escape_html(event.get('country'))})" if not is_missing(event.get("country")) else "")),
    ]
    if not is_missing(event.get("verification")):
        rows.append(("Verification", escape_html(event.get("verification"))))
    parts = [
        '<div class="koreathaw-event">',
        f'<h3 style="margin:0.2em 0">{escape_html(event.get("title"))}</h3>',
        f'<p style="margin:0;color:#555">{escape_html(event.get("event_id"))}</p>',
        '<table style="margin:0.3em 0">',
        *(f'<tr><th style="text-align:left;padding-right:1em">{k}</th><td style="text-align:left">{v}</td></tr>' for k, v in rows),
        "</table>",
    ]
    article_id = event.get("article_id")
    if not is_missing(event.get("quote")):
        parts.append(f'<blockquote style="margin:0.3em 0 0.3em 1em;font-style:italic">&ldquo;{escape_html(event.get("quote"))}&rdquo;</blockquote>')
    if not is_missing(article_id):
        if articles is None:
            from koreathaw.corpus import load_articles

            articles = load_articles()
        if article_id in articles.index:
            art = articles.loc[article_id]
            outlet = art["outlet"]
            when = pd.Timestamp(art["publication_date"])
            parts.append(
                f"<p>Article: <b>{escape_html(art['title'])}</b> ({escape_html(article_id)}; outlet: {escape_html(outlet)}; "
                f"published {when:%Y-%m-%d}, {escape_html(art['date_basis'])})</p>"
            )
        else:
            parts.append(f"<p>Article: {escape_html(article_id)}</p>")
    if not is_missing(event.get("source_url")):
        parts.append(f"<p>Source: {escape_html(event.get('source_url'))}</p>")
    parts.append("</div>")
    return "\n".join(parts)


def _map_html(subset: pd.DataFrame, events: pd.DataFrame | None = None, start: Any = None, end: Any = None) -> str:
    """Return the HTML of a map of ``subset``: an iframe holding an offline Leaflet map.

    With ``events``, ``start`` and ``end``, draws :func:`koreathaw.maps.subset_map`
    (the view fits all of ``events``, so it does not jump as the range
    changes); otherwise :func:`koreathaw.maps.events_map` of ``subset``.
    """
    if subset.empty:
        return "<p><i>No event in this range: nothing to map.</i></p>"
    from koreathaw import maps

    if events is not None:
        fmap = maps.subset_map(events, start=start, end=end)
    else:
        # a view of some 600 km around the events, so a single event is seen in its region
        lat, lon = subset["latitude"], subset["longitude"]
        bounds = ((float(lat.min()) - 2.5, float(lon.min()) - 3.5), (float(lat.max()) + 2.5, float(lon.max()) + 3.5))
        first = subset.iloc[0]
        title = f"{subset.index[0]:%Y-%m-%d} · {first.get('place_name', '')}" if len(subset) == 1 else None
        fmap = maps.events_map(subset, bounds=bounds, title=title)
    return fmap._repr_html_()


def timeline_stepper(events: pd.DataFrame | None = None, *, show_map: bool = True):
    """Return a widget that steps through the events in date order.

    A slider labelled with each event's date and id, with Prev and Next
    buttons, chooses one event; the panel below shows its date, title,
    category, place, quote and article, and a map of where it happened.

    Parameters
    ----------
    events : pandas.DataFrame, optional
        An event table from :func:`koreathaw.load_events` (or a part of it,
        e.g. from :func:`koreathaw.events_between`); the whole table by
        default.
    show_map : bool, default True
        Draw the map of the chosen event (turn it off for a lighter widget).

    Returns
    -------
    ipywidgets.VBox
        The widget. Its parts: ``slider`` (an ``ipywidgets.SelectionSlider``
        whose ``value`` is an ``event_id``), ``prev_button`` and
        ``next_button``, ``info`` (an ``ipywidgets.HTML`` with the event card)
        and ``map`` (an ``ipywidgets.HTML`` with the map).

    Raises
    ------
    ValueError
        If ``events`` is empty or is not an event table.

    Examples
    --------
    >>> stepper = timeline_stepper(show_map=False)
    >>> stepper.slider.value
    'E001'
    >>> stepper.slider.value = "E008"
    >>> "Swiss wine" in stepper.info.value
    True
    >>> stepper.prev_button.click()
    >>> stepper.slider.value
    'E007'
    """
    import ipywidgets as widgets

    from koreathaw.corpus import load_articles

    table = _check_events(events)
    _args.flag(show_map, "show_map")

    articles = load_articles()
    ids = table["event_id"].tolist()
    if len(set(ids)) != len(ids):
        raise ValueError("events has duplicate event_id values; each event needs its own id")
    options = [(f"{date:%Y-%m-%d} · {eid}", eid) for date, eid in zip(table.index, ids)]
    # One row that reads at any width: the slider takes the room left by the buttons, but never
    # less than its label, a short track and the whole readout ("2018-03-26 · E007") need; when
    # the row is narrower than that, "event 15 of 84" moves to a line of its own.
    slider = widgets.SelectionSlider(
        options=options, value=ids[0], description="Event", style={"description_width": "initial"},
        continuous_update=False, layout=widgets.Layout(flex="1 1 auto", width="auto", min_width="340px"),
    )
    prev_button = widgets.Button(description="◀ Prev", tooltip="previous event",
                                 layout=widgets.Layout(width="90px", flex="0 0 auto"))
    next_button = widgets.Button(description="Next ▶", tooltip="next event",
                                 layout=widgets.Layout(width="90px", flex="0 0 auto", margin="0 0 0 8px"))
    position = widgets.HTML(layout=widgets.Layout(flex="0 0 auto", margin="0 0 0 8px"))
    info = widgets.HTML()
    map_view = widgets.HTML(layout=widgets.Layout(min_height=_MAP_HEIGHT if show_map else "0px"))

    def show(eid: str) -> None:
        i = ids.index(eid)
        row = table.iloc[i]
        position.value = f"event {i + 1} of {len(ids)}"
        info.value = event_html(row, date=table.index[i], articles=articles)
        if show_map:
            map_view.value = _map_html(table.iloc[[i]])
        prev_button.disabled = i == 0
        next_button.disabled = i == len(ids) - 1

    def step(offset: int) -> None:
        i = ids.index(slider.value) + offset
        if 0 <= i < len(ids):
            slider.value = ids[i]

    slider.observe(lambda change: show(change["new"]), names="value")
    prev_button.on_click(lambda _button: step(-1))
    next_button.on_click(lambda _button: step(+1))
    show(ids[0])

    row = widgets.HBox([prev_button, slider, next_button, position],
                       layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
    box = widgets.VBox([row, info, map_view])
    box.slider, box.prev_button, box.next_button = slider, prev_button, next_button
    box.position, box.info, box.map = position, info, map_view
    return box


def article_explorer(articles: pd.DataFrame | None = None, term: str = "sanctions", width: int = 40):
    """Return a widget to search one article, or all, for a term in context.

    Choose an article from the dropdown and type a word or phrase: the panel
    shows how often it occurs in the article's body and each occurrence with
    its context (keyword in context, :func:`koreathaw.kwic`).

    Parameters
    ----------
    articles : pandas.DataFrame, optional
        The table of :func:`koreathaw.load_articles` (the default).
    term : str, default "sanctions"
        The term to search for at first.
    width : int, default 40
        Characters of context shown on each side.

    Returns
    -------
    ipywidgets.VBox
        The widget. Its parts: ``dropdown`` (value: an ``article_id``, or
        ``"all"``), ``text`` (the term), ``count`` (an ``ipywidgets.HTML``
        with the number of matches; the number itself is in
        ``box.n_matches``) and ``lines`` (an ``ipywidgets.HTML`` with the
        keyword-in-context lines).

    Examples
    --------
    >>> explorer = article_explorer()
    >>> explorer.dropdown.value = "warm-climate"
    >>> explorer.n_matches
    4
    >>> explorer.text.value = "Swiss wine"
    >>> explorer.dropdown.value = "ipu-toast"
    >>> explorer.n_matches
    1
    """
    import ipywidgets as widgets

    from koreathaw.corpus import kwic, load_articles

    table = load_articles() if articles is None else articles
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"articles must be a pandas DataFrame such as koreathaw.load_articles(), "
                        f"not {_args.given(table)}")
    if "body" not in table.columns or table.empty:
        raise ValueError("articles must be a non-empty table from koreathaw.load_articles() (with its 'body')")
    _args.text(term, "term", "sanctions")
    _args.whole_number(width, "width")
    options = [("All articles", "all")] + [
        (f"{row.title} ({pd.Timestamp(row.publication_date):%Y-%m-%d})", aid) for aid, row in zip(table.index, table.itertuples())
    ]
    dropdown = widgets.Dropdown(options=options, value="all", description="Article", layout=widgets.Layout(width="90%"))
    text = widgets.Text(value=term, description="Term", placeholder="a word or phrase", continuous_update=False)
    count = widgets.HTML()
    lines = widgets.HTML()
    box = widgets.VBox([dropdown, text, count, lines])
    box.n_matches = 0

    def update(_change: Any = None) -> None:
        wanted = text.value.strip()
        if not wanted:
            box.n_matches = 0
            count.value = "<p><i>Type a word or phrase to search for.</i></p>"
            lines.value = ""
            return
        subset = table if dropdown.value == "all" else table.loc[[dropdown.value]]
        found = kwic(wanted, subset, width=width)
        box.n_matches = len(found)
        where = f"all {len(table)} articles" if dropdown.value == "all" else escape_html(table.loc[dropdown.value, "title"])
        plural = "" if len(found) == 1 else "s"
        count.value = f"<p><b>{len(found)}</b> occurrence{plural} of <b>{escape_html(wanted)}</b> in {where}</p>"
        rows = "".join(
            f'<tr><td style="color:#595959;padding-right:1em">{escape_html(r.article_id)}</td>'
            f'<td style="text-align:right;white-space:pre">{escape_html(r.left)}</td>'
            f'<td style="text-align:center"><b>{escape_html(r.match)}</b></td>'
            f'<td style="text-align:left;white-space:pre">{escape_html(r.right)}</td></tr>'
            for r in found.itertuples()
        )
        lines.value = f'<table style="font-family:monospace">{rows}</table>' if rows else ""

    dropdown.observe(update, names="value")
    text.observe(update, names="value")
    update()
    box.dropdown, box.text, box.count, box.lines = dropdown, text, count, lines
    return box


def date_range_map(events: pd.DataFrame | None = None, *, show_map: bool = True):
    """Return a widget that maps the events of a range of months.

    A range slider over the months from the first event to the last chooses
    a period; the panel lists the events that start in it and maps them
    with :func:`koreathaw.maps.subset_map` (the view stays on all the events,
    so the map does not jump as the range changes).

    Parameters
    ----------
    events : pandas.DataFrame, optional
        An event table from :func:`koreathaw.load_events` (the default).
    show_map : bool, default True
        Draw the map (turn it off for a lighter widget).

    Returns
    -------
    ipywidgets.VBox
        The widget. Its parts: ``slider`` (an
        ``ipywidgets.SelectionRangeSlider`` whose ``value`` is a pair of
        months, each a :class:`pandas.Period`), ``summary`` (an
        ``ipywidgets.HTML`` listing the events in range), ``map`` (an
        ``ipywidgets.HTML`` with the map) and ``subset`` (the events in
        range, a DataFrame).

    Examples
    --------
    >>> import pandas as pd
    >>> w = date_range_map(show_map=False)
    >>> w.slider.value = (pd.Period("2018-03", "M"), pd.Period("2018-03", "M"))
    >>> "E008" in set(w.subset["event_id"])
    True
    >>> "Geneva" in w.summary.value
    True
    """
    import ipywidgets as widgets

    from koreathaw.events import events_between

    table = _check_events(events)
    _args.flag(show_map, "show_map")
    months = pd.period_range(table.index.min().to_period("M"), table.index.max().to_period("M"), freq="M")
    options = [(f"{m:%b %Y}", m) for m in months]
    slider = widgets.SelectionRangeSlider(
        options=options, index=(0, len(months) - 1), description="Months",
        continuous_update=False, layout=widgets.Layout(width="90%"),
    )
    summary = widgets.HTML()
    map_view = widgets.HTML(layout=widgets.Layout(min_height=_MAP_HEIGHT if show_map else "0px"))
    box = widgets.VBox([slider, summary, map_view])

    def update(_change: Any = None) -> None:
        first, last = slider.value
        subset = events_between(table, first.start_time, last.end_time.normalize())
        box.subset = subset
        plural = "" if len(subset) == 1 else "s"
        items = "".join(
            f"<li>{date:%Y-%m-%d} · {escape_html(row.event_id)} · {escape_html(row.title)} ({escape_html(row.place_name)})</li>"
            for date, row in zip(subset.index, subset.itertuples())
        )
        summary.value = (f"<p><b>{len(subset)}</b> event{plural} from {first:%B %Y} to {last:%B %Y}</p>"
                         f'<ul style="max-height:10em;overflow:auto" tabindex="0" aria-label="Events in range">{items}</ul>')
        if show_map:
            map_view.value = _map_html(subset, table, first.start_time, last.end_time.normalize())

    slider.observe(update, names="value")
    update()
    box.slider, box.summary, box.map = slider, summary, map_view
    return box
