"""Figures that say what they show: a matplotlib figure as an image with alt text.

A chart drawn in a notebook reaches its reader as a picture; a reader who
cannot see it needs a sentence saying what it shows, the *alt text*. A plain
matplotlib figure has none. :func:`figure_image` renders a figure once, as PNG,
and returns an object that every front end shows with its alt text:

* JupyterLab, ``nbconvert --to html`` and a Sphinx/myst-nb website render its
  HTML, an ``<img>`` whose ``alt`` attribute is the sentence;
* a plain-text front end (a terminal, a screen reader reading the text output)
  shows ``Figure: <the sentence>``;
* formats without HTML (PDF) take its PNG.

The figure is closed after rendering, so matplotlib's inline backend does not
show it a second time, without alt text.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from koreathaw._html import escape_html

__all__ = ["FigureImage", "figure_image"]

#: Fewer words than this cannot say what a chart shows ("A bar chart." is not alt text).
MIN_ALT_WORDS = 8


class FigureImage:
    """A rendered figure with its alt text; shows itself in a notebook.

    Attributes
    ----------
    png : bytes
        The figure as a PNG image.
    alt : str
        What the figure shows, in words.
    """

    def __init__(self, png: bytes, alt: str) -> None:
        self.png = png
        self.alt = alt

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (f'<img src="data:image/png;base64,{data}" alt="{escape_html(self.alt)}" '
                'style="max-width: 100%; height: auto;">')

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return f"Figure: {self.alt}"


def figure_image(figure: Any, alt: str, *, dpi: int = 100) -> FigureImage:
    """Return ``figure`` rendered as an image that carries ``alt`` as its alt text.

    Make the chart with matplotlib as usual, then end the cell with
    ``kt.figure_image(fig, alt="...")``: the figure appears once, with its
    description attached for readers who cannot see it.

    Parameters
    ----------
    figure : matplotlib Figure or Axes
        The chart (an Axes stands for the figure it is drawn on).
    alt : str
        What the figure shows, as a sentence: the kind of chart, what is on its
        axes and what a reader should notice. At least eight words.
    dpi : int, default 100
        Resolution of the image.

    Raises
    ------
    TypeError
        If ``figure`` is not a matplotlib figure or axes, or ``alt`` is not text.
    ValueError
        If ``alt`` is too short to say what the figure shows.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2))
    >>> _ = fig.subplots().bar(["2018", "2019"], [3, 1])
    >>> img = figure_image(fig, alt="Bar chart of events per year: three in 2018, one in 2019.")
    >>> img
    Figure: Bar chart of events per year: three in 2018, one in 2019.
    >>> 'alt="Bar chart of events per year' in img._repr_html_()
    True
    >>> img.png[:4] == b"\\x89PNG"
    True
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(figure, Axes):
        figure = figure.figure
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure or Axes (from plt.subplots()), not {type(figure).__name__}")
    if not isinstance(alt, str):
        raise TypeError(f"alt must be text: a sentence saying what the figure shows, not {type(alt).__name__}")
    alt = " ".join(alt.split())
    if len(alt.split()) < MIN_ALT_WORDS:
        raise ValueError(f"alt text {alt!r} is too short to say what the figure shows: write a sentence of at least "
                         f"{MIN_ALT_WORDS} words (the kind of chart, its axes, what to notice)")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    _close(figure)
    return FigureImage(buffer.getvalue(), alt)


def _close(figure: Any) -> None:
    """Close ``figure`` in pyplot (if pyplot manages it), so the inline backend does not show it again."""
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(figure)
