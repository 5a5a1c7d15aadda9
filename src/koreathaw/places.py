"""The gazetteer: where the thaw happened.

:func:`load_places` reads ``data/places.csv`` and checks every row: a known
country code, coordinates that are possible at all, and coordinates that lie
inside the country the row names (a rough bounding box per country, enough to
catch swapped or mistyped latitude and longitude).
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path

import pandas as pd

from koreathaw._files import frame as table_frame
from koreathaw._files import read_records
from koreathaw.errors import DataError

__all__ = ["load_places", "distance_km", "COUNTRY_BOUNDS"]

#: Rough bounding boxes (south, west, north, east) of the countries the course
#: uses, in decimal degrees. A place must lie inside the box of its country.
COUNTRY_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "KOR": (33.0, 124.5, 38.7, 131.0),
    "PRK": (37.6, 124.1, 43.1, 130.8),
    "CHN": (18.0, 73.0, 53.6, 135.1),
    "CHE": (45.8, 5.9, 47.9, 10.5),
    "SGP": (1.15, 103.6, 1.48, 104.1),
    "VNM": (8.4, 102.1, 23.4, 109.5),
    "USA": (18.9, -171.8, 71.4, -66.9),
    "RUS": (41.2, 19.6, 81.9, 180.0),
    "JPN": (24.0, 122.9, 45.6, 145.9),
    "SWE": (55.3, 11.0, 69.1, 24.2),
    "FIN": (59.8, 20.5, 70.1, 31.6),
}


def load_places(root: Path | None = None) -> pd.DataFrame:
    """Return the gazetteer as a table indexed by ``place_id``.

    Columns: ``name``, ``name_hangul``, ``variants`` (a list of other
    spellings), ``country`` (ISO 3166 alpha-3), ``latitude``, ``longitude``
    (WGS84), ``precision`` (site, city, region or country), ``note`` and
    ``source``.

    Parameters
    ----------
    root : Path, optional
        A data folder other than the course's (see :func:`koreathaw.data_dir`).

    Raises
    ------
    DataError
        If the file is missing or malformed, or a point lies outside its
        country.

    Examples
    --------
    >>> places = load_places()
    >>> places.loc["panmunjom", "name_hangul"]
    '판문점'
    >>> bool(places.loc["geneva", "country"] == "CHE")
    True
    """
    frame = table_frame("places", place_records(root), root)
    frame["variants"] = frame["variants"].map(lambda v: [s.strip() for s in v.split(";")] if v else [])
    for col in ("name_hangul", "note"):
        frame[col] = frame[col].fillna("")
    return frame.set_index("place_id")


def place_records(root: Path | None = None) -> list[dict]:
    """Return the checked rows of places.csv (each point inside its country's box)."""
    path, rows = read_records("places", root)
    for row in rows:
        country = row["country"]
        if country not in COUNTRY_BOUNDS:
            raise DataError(path, f"no bounding box for country {country!r}; add it to koreathaw.places.COUNTRY_BOUNDS",
                            line=row["_line"], column="country", row_id=row["place_id"])
        south, west, north, east = COUNTRY_BOUNDS[country]
        lat, lon = row["latitude"], row["longitude"]
        if not (south <= lat <= north and west <= lon <= east):
            raise DataError(path, f"({lat}, {lon}) lies outside {country} (lat {south}..{north}, lon {west}..{east}); "
                            "are latitude and longitude swapped or mistyped?",
                            line=row["_line"], column="latitude", row_id=row["place_id"])
    return rows


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points, in kilometres.

    Uses the haversine formula on a sphere of radius 6371.0088 km (the mean
    Earth radius), which is within about 0.5 % of the true distance.

    Raises
    ------
    TypeError
        If a coordinate is not a number; the message names it (``lat1`` ...).
    ValueError
        If a coordinate is impossible: a latitude beyond ±90, a longitude
        beyond ±180, NaN.

    Notes
    -----
    Swapped latitude and longitude are caught only when the longitude lies
    beyond ±90, so that it cannot be a latitude: every place in Korea (near
    127° E) is caught, but Geneva (46° N, 6° E) swapped is another point
    that exists, near the Horn of Africa, and gives a wrong distance without
    an error. The function cannot tell; check which number is which.

    Examples
    --------
    >>> round(distance_km(37.5665, 126.9780, 39.0392, 125.7625))
    195
    >>> distance_km(126.9780, 37.5665, 39.0392, 125.7625)  # Seoul swapped
    Traceback (most recent call last):
    ...
    ValueError: lat1=126.978 is not a valid coordinate (must lie within ±90)
    >>> round(distance_km(6.1432, 46.2044, 39.0392, 125.7625))  # Geneva swapped: no error
    8677
    """
    for name, value, bound in (("lat1", lat1, 90), ("lat2", lat2, 90), ("lon1", lon1, 180), ("lon2", lon2, 180)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number of degrees, not {value!r}")
        if not -bound <= value <= bound or math.isnan(value):
            raise ValueError(f"{name}={value} is not a valid coordinate (must lie within ±{bound})")
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))
