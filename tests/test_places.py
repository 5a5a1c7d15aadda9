"""Tests for the gazetteer and distances (koreathaw.places)."""

from __future__ import annotations

import pytest

import koreathaw as kt


def test_load_places_core_places():
    """The places the course is about are all in the gazetteer, Korean ones with Hangul."""
    places = kt.load_places()
    for place_id in ("panmunjom", "kaesong", "pyeongchang", "geneva", "beijing", "seoul", "pyongyang"):
        assert place_id in places.index
    for place_id in ("panmunjom", "kaesong", "pyeongchang", "seoul", "pyongyang"):
        assert places.loc[place_id, "name_hangul"]


def test_load_places_variants_are_lists():
    """Variants come back as lists of spellings."""
    places = kt.load_places()
    assert "PyeongChang" in places.loc["pyeongchang", "variants"]
    assert all(isinstance(v, list) for v in places["variants"])


def test_load_places_outside_country(data_copy):
    """Swapped latitude and longitude are caught by the country's bounds."""
    line = data_copy.set_cell("places", "geneva", "latitude", "6.1432")
    data_copy.set_cell("places", "geneva", "longitude", "46.2044")
    with pytest.raises(kt.DataError, match=rf"places\.csv, line {line} \(geneva\), column 'latitude': \(6\.1432, 46\.2044\) lies outside CHE"):
        kt.load_places()


def test_load_places_unknown_country(data_copy):
    """A country with no bounds is named, with where to add it."""
    data_copy.set_cell("places", "geneva", "country", "FRA")
    with pytest.raises(kt.DataError, match=r"no bounding box for country 'FRA'"):
        kt.load_places()


def test_load_places_bad_country_code(data_copy):
    """Country codes are ISO alpha-3, not names or FIPS."""
    data_copy.set_cell("places", "geneva", "country", "SZ")
    with pytest.raises(kt.DataError, match=r"'SZ' does not match the pattern"):
        kt.load_places()


def test_distance_km_seoul_pyongyang():
    """Seoul to Pyongyang is about 195 km as the crow flies."""
    places = kt.load_places()
    seoul, pyongyang = places.loc["seoul"], places.loc["pyongyang"]
    km = kt.distance_km(seoul["latitude"], seoul["longitude"], pyongyang["latitude"], pyongyang["longitude"])
    assert 190 < km < 200


def test_distance_km_symmetric_and_zero():
    """Distance is symmetric and zero from a point to itself."""
    assert kt.distance_km(46.2, 6.1, 39.9, 116.4) == pytest.approx(kt.distance_km(39.9, 116.4, 46.2, 6.1))
    assert kt.distance_km(37.0, 127.0, 37.0, 127.0) == 0


def test_distance_km_agrees_with_law_of_cosines():
    """Haversine agrees with the spherical law of cosines, computed independently here."""
    import math

    lat1, lon1, lat2, lon2 = map(math.radians, (46.2044, 6.1432, 39.9042, 116.4074))
    central = math.acos(math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1))
    assert kt.distance_km(46.2044, 6.1432, 39.9042, 116.4074) == pytest.approx(6371.0088 * central, rel=1e-9)


@pytest.mark.parametrize("args", [(91, 0, 0, 0), (0, 181, 0, 0), (float("nan"), 0, 0, 0)])
def test_distance_km_impossible_coordinate(args):
    """Impossible coordinates raise a ValueError naming the argument."""
    with pytest.raises(ValueError, match="is not a valid coordinate"):
        kt.distance_km(*args)


@pytest.mark.parametrize("bad", ["37.5", None, "a"])
def test_distance_km_names_a_coordinate_that_is_not_a_number(bad):
    with pytest.raises(TypeError, match=r"lon2 must be a number of degrees"):
        kt.distance_km(37.5, 126.9, 39.0, bad)


def test_distance_km_catches_swapped_korean_coordinates():
    """A Korean place with latitude and longitude swapped has a 'latitude' near 127: refused, naming it."""
    seoul = kt.load_places().loc["seoul"]
    with pytest.raises(ValueError, match=r"lat1=.* is not a valid coordinate"):
        kt.distance_km(seoul["longitude"], seoul["latitude"], 39.0392, 125.7625)


def test_distance_km_cannot_catch_every_swap():
    """Geneva swapped (6 N, 46 E) is a real point: no error, a different distance -- as the docstring says."""
    geneva = kt.load_places().loc["geneva"]
    right = kt.distance_km(geneva["latitude"], geneva["longitude"], 39.0392, 125.7625)
    swapped = kt.distance_km(geneva["longitude"], geneva["latitude"], 39.0392, 125.7625)
    assert abs(swapped - right) > 100
    assert "only when the longitude lies" in kt.distance_km.__doc__
