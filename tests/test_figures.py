"""Figures with alt text (koreathaw.figures): shown once, as an image whose alt says what it shows."""

from __future__ import annotations

import base64
import re

import pytest

import koreathaw as kt

ALT = "Bar chart of the number of events per year, from 2018 to 2021: the first year is the busiest."


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["2018", "2019"], [3, 1])
    return plt, fig, ax


def test_html_is_an_image_with_the_alt_text():
    """JupyterLab, nbconvert and myst-nb render the HTML: an <img> with the alt attribute, PNG inline."""
    _, fig, _ = _figure()
    html = kt.figure_image(fig, ALT)._repr_html_()
    match = re.fullmatch(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)" style="[^"]*">', html)
    assert match, html[:200]
    assert match.group(2) == ALT
    assert base64.b64decode(match.group(1))[:4] == b"\x89PNG"


def test_plain_text_and_png_carry_it_too():
    """A text front end reads 'Figure: <alt>'; formats without HTML take the PNG."""
    _, fig, _ = _figure()
    image = kt.figure_image(fig, ALT)
    assert repr(image) == f"Figure: {ALT}"
    assert image._repr_png_()[:4] == b"\x89PNG" and image.alt == ALT


def test_alt_text_is_escaped():
    """Quotes and angle brackets in the alt text cannot break the <img> tag."""
    _, fig, _ = _figure()
    html = kt.figure_image(fig, 'Bar chart of "events" <per> year, with the first year & the last marked')._repr_html_()
    assert 'alt="Bar chart of &#34;events&#34; &lt;per&gt; year, with the first year &amp; the last marked"' in html


def test_the_figure_is_closed_so_it_shows_once():
    """After rendering, pyplot no longer holds the figure: the inline backend will not show it again without alt."""
    plt, fig, ax = _figure()
    assert plt.fignum_exists(fig.number)
    kt.figure_image(ax, ALT)
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("alt, error", [(None, TypeError), ("", ValueError), ("A bar chart.", ValueError)])
def test_alt_text_must_say_something(alt, error):
    _, fig, _ = _figure()
    with pytest.raises(error, match="alt"):
        kt.figure_image(fig, alt)


def test_only_matplotlib_figures():
    with pytest.raises(TypeError, match="matplotlib Figure or Axes"):
        kt.figure_image("a chart", ALT)
