"""Values as data out of the sandbox: every type the assignments return comes back the same (sandbox.codec)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

import koreathaw as kt
from koreathaw_grading.sandbox.codec import MAX_DEPTH, CodecError, Opaque, decode, encode


def roundtrip(value):
    """Through JSON text, as it travels."""
    return decode(json.loads(json.dumps(encode(value), allow_nan=False)))


@pytest.mark.parametrize("loader", [kt.load_events, kt.load_articles, kt.load_places, kt.load_names])
def test_course_tables_come_back_identical(loader):
    """Every course table: same index, columns, dtypes (categories, datetimes, strings) and values."""
    table = loader()
    pd.testing.assert_frame_equal(roundtrip(table), table, check_exact=True, check_index_type=True,
                                  check_column_type=True, check_freq=True)


SCALARS = [0, -5, 2**70, 1.5, float("inf"), "x", "", None, True, False, b"\x00\xff", 1 + 2j,
           dt.date(2020, 1, 2), dt.datetime(2020, 1, 2, 3, 4, 5, 6), dt.timedelta(days=3, seconds=5),
           np.int64(5), np.int32(-2), np.float32(1.5), np.float64(2.25), np.bool_(True), np.datetime64("2020-01-01"),
           pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-01 12:00", tz="Asia/Seoul"), pd.Timedelta(days=2)]


@pytest.mark.parametrize("value", SCALARS, ids=lambda v: type(v).__name__)
def test_scalars_keep_their_type_and_value(value):
    """An int stays an int and an np.int64 an np.int64: isinstance checks in tests see the real type."""
    back = roundtrip(value)
    assert type(back) is type(value) and back == value


def test_missing_values_come_back_as_themselves():
    """NaN, NaT and NA survive."""
    assert np.isnan(roundtrip(float("nan")))
    assert roundtrip(pd.NaT) is pd.NaT and roundtrip(pd.NA) is pd.NA


@pytest.mark.parametrize("value", [(1, "a"), [1, [2, (3,)]], {"a": 1, 2: (3,)}, {1, 2}, frozenset([3])],
                         ids=lambda v: type(v).__name__)
def test_containers_keep_their_type(value):
    """Tuples stay tuples (``longest_gap`` returns one), dict keys keep their types."""
    back = roundtrip(value)
    assert type(back) is type(value) and back == value


@pytest.mark.parametrize("value", [
    pd.Series([1, 2], index=["a", "b"], name="n"),
    pd.Series(["x", None], dtype="str"),
    pd.Series([1, None], dtype="Int64"),
    pd.Series([True, None], dtype="boolean"),
    pd.Series([1.0, None]),
    pd.Series(pd.Categorical(["a", "b", "a"], categories=["b", "a"], ordered=True)),
    pd.Series([pd.Timestamp("2020-01-01"), pd.NaT]),
    pd.Series(pd.to_datetime(["2020-01-01"]).tz_localize("UTC")),
    pd.Series([pd.Timedelta(1, "D")]),
    pd.Series([1, "a", None], dtype=object),
    pd.Series({"2018-01": 2, "2018-03": 2}),
], ids=lambda s: str(s.dtype))
def test_series_keep_dtype_index_and_name(value):
    """A Series comes back equal in every respect pandas checks."""
    pd.testing.assert_series_equal(roundtrip(value), value, check_exact=True)


def test_frames_and_indexes_keep_their_shape():
    """Duplicate columns, a named DatetimeIndex with a frequency, a MultiIndex, a RangeIndex with a step."""
    frame = pd.DataFrame([[1, "x"], [2, "y"]], columns=["a", "a"], index=pd.Index(["p", "q"], name="id"))
    pd.testing.assert_frame_equal(roundtrip(frame), frame)
    days = pd.date_range("2020-01-01", periods=3, freq="D", name="date")
    back = roundtrip(days)
    pd.testing.assert_index_equal(back, days, exact=True)
    assert back.freq == days.freq
    multi = pd.MultiIndex.from_tuples([(1, "a"), (2, "b")], names=["x", "y"])
    pd.testing.assert_index_equal(roundtrip(multi), multi, exact=True)
    pd.testing.assert_index_equal(roundtrip(pd.RangeIndex(2, 10, 3, name="r")), pd.RangeIndex(2, 10, 3, name="r"),
                                  exact=True)


def test_arrays_keep_shape_and_dtype():
    """A 2-d integer array and an object array."""
    grid = np.arange(6).reshape(2, 3)
    back = roundtrip(grid)
    assert back.dtype == grid.dtype and back.shape == grid.shape and (back == grid).all()
    mixed = np.array([1, "a", None], dtype=object)
    assert list(roundtrip(mixed)) == [1, "a", None]


def test_a_folium_map_comes_back_as_a_map_with_its_markers():
    """a3-mapping's tests walk a map's children for markers and read their locations."""
    import folium

    m = kt.blank_map()
    folium.Marker([37.9559, 126.6771], tooltip="Panmunjom").add_to(folium.FeatureGroup().add_to(m))
    back = roundtrip(m)
    assert isinstance(back, folium.Map)

    def markers(element):
        found = []
        for child in element._children.values():
            if isinstance(child, folium.Marker):
                found.append(child)
            found.extend(markers(child))
        return found

    assert [tuple(k.location) for k in markers(back)] == [(37.9559, 126.6771)]


def test_a_subclass_of_a_folium_class_comes_back_as_that_class():
    """A student's own Marker subclass is rebuilt as folium.Marker (its first folium base)."""
    import folium

    class MyMarker(folium.Marker):
        pass

    back = roundtrip(MyMarker([1.0, 2.0]))
    assert type(back) is folium.Marker and list(back.location) == [1.0, 2.0]


def test_unknown_objects_come_back_opaque_and_equal_nothing():
    """An object of the student's own class is not rebuilt: it equals nothing, so a test on it fails."""

    class Anything:
        def __eq__(self, other):
            return True

    back = roundtrip(Anything())
    assert isinstance(back, Opaque) and back != 4 and back != back.__class__
    assert "Anything" in repr(back)


def test_a_value_that_contains_itself_is_opaque_inside():
    """A list containing itself is carried, the inner reference as opaque."""
    loop = [1]
    loop.append(loop)
    back = roundtrip(loop)
    assert back[0] == 1 and isinstance(back[1], Opaque)


def test_too_deep_nesting_is_refused():
    """Nesting past the limit is an error, not a crash of the grader."""
    deep: list = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(CodecError, match="too large or too deeply nested"):
        encode(deep)


@pytest.mark.parametrize("data", [
    {"$": "nonsense"}, {"$": "float", "v": "1.5"}, {"v": 1}, [1, 2], {"$": "dict", "v": [[1]]},
    {"$": "element", "mro": ["os.system"], "attrs": {}, "children": []},
    {"$": "element", "mro": ["folium.folium.Map"], "attrs": {"__class__": 1}, "children": []},
    {"$": "frame", "index": {"$": "index", "kind": "range", "names": [None], "range": [0, 1, 1]},
     "columns": {"$": "index", "kind": "range", "names": [None], "range": [0, 2, 1]},
     "data": [{"dtype": "int64", "v": [1]}]},
    {"$": "frame", "index": {"$": "index", "kind": "range", "names": [None], "range": [0, 6 * 10**7, 1]},
     "columns": {"$": "index", "kind": "range", "names": [None], "range": [0, 0, 1]}, "data": []},
    {"$": "index", "kind": "range", "names": [None], "range": [0, 1, 0]},
], ids=["kind", "float", "no-kind", "list", "pair", "element-class", "dunder", "frame-shape", "huge-range",
        "zero-step"])
def test_hostile_data_is_refused(data):
    """Data that does not describe a value the codec builds is a CodecError: no class outside folium/branca,
    no dunder attributes, no inconsistent frame."""
    with pytest.raises(CodecError):
        decode(data)


def test_a_range_counts_all_of_its_values():
    """A RangeIndex is three numbers on the wire but all of its values in the grader: within MAX_ITEMS it
    comes back, past it it is refused (a 60-million-row frame with no columns once cost the grader GBs)."""
    from koreathaw_grading.sandbox.codec import MAX_ITEMS

    frame = pd.DataFrame(index=pd.RangeIndex(1000))
    assert decode(encode(frame)).index.equals(frame.index)
    with pytest.raises(CodecError, match="too large"):
        decode(encode(pd.DataFrame(index=pd.RangeIndex(MAX_ITEMS + 1))))


def test_subclasses_of_builtins_come_back_as_their_builtin_base():
    """A namedtuple, a list or str subclass, Counter, OrderedDict, defaultdict: honest answers that stock
    nbgrader accepts, so they come back as the tuple, list, str or dict they are (they were opaque: 0 marks)."""
    import collections

    Gap = collections.namedtuple("Gap", "before_id after_id days")

    class Names(list):
        pass

    class Name(str):
        def __str__(self):
            return "not run: the builtin's own conversion is used"

    values = [Gap("E001", "E002", 3), Names(["a", "b"]), Name("Kim Jong Un"), collections.Counter(a=2),
              collections.OrderedDict(b=1), collections.defaultdict(int, c=3)]
    back = [decode(encode(v)) for v in values]
    assert back == [("E001", "E002", 3), ["a", "b"], "Kim Jong Un", {"a": 2}, {"b": 1}, {"c": 3}]
    assert [type(b) for b in back] == [tuple, list, str, dict, dict, dict]


def test_long_double_values_come_back_as_floats():
    """numpy's longdouble (haversine computed with np.longdouble): a float, not a recursion to MAX_DEPTH."""
    value = decode(encode(np.longdouble(2.5)))
    assert value == 2.5
    array = decode(encode(np.array([1.5, 2.5], dtype=np.longdouble)))
    assert list(array) == [1.5, 2.5]


@pytest.mark.parametrize("dtype", ["<U50000000", "(20000000,)f8", "V8", "[('a', 'i8')]"])
def test_a_dtype_that_costs_more_than_its_values_is_refused(dtype):
    """The dtype's name is the student's: a string width or a subarray could make three values cost GBs."""
    with pytest.raises(CodecError):
        decode({"$": "ndarray", "shape": [3], "a": {"dtype": dtype, "v": ["a", "b", "c"]}})
