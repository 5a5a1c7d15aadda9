"""The numpy, pandas and folium part of :mod:`koreathaw_grading.sandbox.codec`.

Arrays travel as their dtype's name and a flat list of values: numbers as
numbers, datetimes and timedeltas as their 64-bit integer ticks (NaT included),
categoricals as codes plus categories, nullable and string arrays with ``None``
for a missing value, object arrays value by value. They are rebuilt with
``numpy.array`` / ``pandas.array`` and the dtype's name, so ``decode(encode(x))``
has the same type, dtype, index, name and values as ``x``.
"""

from __future__ import annotations

import importlib
from typing import Any

from koreathaw_grading.sandbox.codec import CodecError, qualname

#: The most bytes an array the grader rebuilds may take (its dtype's item size times its length).
MAX_ARRAY_BYTES = 256 * 1024 * 1024

#: Modules whose element classes a map may be rebuilt from.
ELEMENT_MODULES = ("folium", "branca")


# ----------------------------------------------------------------------------- encode
def encode_numpy(enc, x: Any, depth: int) -> Any:
    import numpy as np

    if isinstance(x, np.ndarray):
        return {"$": "ndarray", "shape": list(x.shape), "a": _array(enc, x.reshape(-1), depth)}
    if isinstance(x, np.generic):
        return {"$": "npscalar", "a": _array(enc, np.asarray([x]), depth)}
    return enc.opaque(x)


def _array(enc, values: Any, depth: int) -> dict[str, Any]:
    """A one-dimensional array (numpy or pandas extension) as ``{"dtype", "v"}`` (and extras)."""
    import numpy as np
    import pandas as pd

    if isinstance(values, pd.arrays.NumpyExtensionArray) or (
            not isinstance(values, np.ndarray) and isinstance(values.dtype, np.dtype)):
        values = values.to_numpy()  # a pandas array over a numpy one (numbers, naive datetimes, objects)
    dtype = values.dtype
    name = str(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        cat = pd.Categorical(values)
        return {"dtype": "category", "ordered": bool(dtype.ordered), "v": cat.codes.tolist(),
                "categories": encode_index(enc, dtype.categories, depth + 1)}
    if isinstance(dtype, pd.DatetimeTZDtype):
        return {"dtype": name, "v": np.asarray(values.asi8).tolist()}
    if isinstance(dtype, np.dtype):
        if dtype.kind in "mM":
            return {"dtype": name, "v": values.view("i8").tolist()}
        if dtype.kind in "biuf":
            items = values.tolist()
            if dtype.kind == "f" and dtype.itemsize > 8:  # longdouble: tolist() keeps numpy scalars
                items = [float(v) for v in items]
            return {"dtype": name, "v": [enc.value(v, depth + 1) for v in items]}
        if dtype.kind == "c":
            return {"dtype": name, "v": [enc.value(complex(v), depth + 1) for v in values.tolist()]}
        if dtype.kind in "OUS":
            return {"dtype": name, "v": [enc.value(v, depth + 1) for v in values.tolist()]}
        raise CodecError(f"an array of dtype {name} cannot be carried")
    # pandas extension arrays: nullable numbers and booleans, strings
    if isinstance(dtype, (pd.StringDtype, pd.core.dtypes.dtypes.BaseMaskedDtype)) or name in ("str", "string"):
        items = [None if _missing(v) else v for v in values.tolist()]
        return {"dtype": name, "v": [enc.value(v, depth + 1) for v in items]}
    raise CodecError(f"an array of dtype {name} cannot be carried")


def _missing(v: Any) -> bool:
    import pandas as pd

    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def encode_index(enc, index: Any, depth: int) -> dict[str, Any]:
    import pandas as pd

    names = [enc.value(n, depth + 1) for n in index.names]
    if type(index) is pd.RangeIndex:
        return {"$": "index", "kind": "range", "names": names, "range": [index.start, index.stop, index.step]}
    if type(index) is pd.MultiIndex:
        levels = [_array(enc, index.get_level_values(i).array, depth) for i in range(index.nlevels)]
        return {"$": "index", "kind": "multi", "names": names, "levels": levels}
    out = {"$": "index", "kind": "plain", "names": names, "a": _array(enc, index.array, depth)}
    if type(index) is pd.DatetimeIndex and index.freq is not None:
        out["freq"] = index.freqstr
    return out


def encode_pandas(enc, x: Any, depth: int) -> Any:
    import pandas as pd

    t = type(x)
    if x is pd.NaT:
        return {"$": "NaT"}
    if x is pd.NA:
        return {"$": "NA"}
    if t is pd.Timestamp:
        return {"$": "Timestamp", "v": x.value, "unit": x.unit, "tz": str(x.tz) if x.tz else None}
    if t is pd.Timedelta:
        return {"$": "Timedelta", "v": x.value, "unit": x.unit}
    if t is pd.Series:
        return {"$": "series", "name": enc.value(x.name, depth + 1), "index": encode_index(enc, x.index, depth),
                "a": _array(enc, x.array, depth)}
    if t is pd.DataFrame:
        return {"$": "frame", "index": encode_index(enc, x.index, depth),
                "columns": encode_index(enc, x.columns, depth),
                "data": [_array(enc, x.iloc[:, i].array, depth) for i in range(x.shape[1])]}
    if isinstance(x, pd.Index):
        return encode_index(enc, x, depth)
    return enc.opaque(x)


# ----------------------------------------------------------------------------- decode
def _values(dec, a: Any, depth: int) -> Any:
    """Rebuild a one-dimensional array from ``_array``'s data."""
    import numpy as np
    import pandas as pd

    if not isinstance(a, dict) or not isinstance(a.get("v"), list) or not isinstance(a.get("dtype"), str):
        raise CodecError("not an encoded array")
    name, v = a["dtype"], a["v"]
    if name == "category":
        categories = decode_index(dec, a["categories"], depth + 1)
        return pd.Categorical.from_codes([int(c) for c in v], categories=categories, ordered=bool(a.get("ordered")))
    dtype = pd.api.types.pandas_dtype(name)
    if isinstance(dtype, np.dtype) and (dtype.subdtype is not None or dtype.names is not None or dtype.kind == "V"
                                        or dtype.itemsize * len(v) > MAX_ARRAY_BYTES):
        # a dtype's name sets its size: '<U50000000' or '(20000000,)f8' would cost GBs for a few values
        raise CodecError(f"an array of {len(v)} values of dtype {name[:40]!r} is not carried")
    if isinstance(dtype, pd.DatetimeTZDtype):
        ticks = np.array([int(i) for i in v], dtype="i8").view(f"M8[{dtype.unit}]")
        return pd.array(pd.DatetimeIndex(ticks).tz_localize("UTC").tz_convert(dtype.tz))
    if isinstance(dtype, np.dtype):
        if dtype.kind in "mM":
            return np.array([int(i) for i in v], dtype="i8").view(dtype)
        items = [dec.value(i, depth + 1) for i in v]
        if dtype.kind == "O":
            out = np.empty(len(items), dtype=object)
            out[:] = items
            return out
        return np.array(items, dtype=dtype)
    return pd.array([dec.value(i, depth + 1) for i in v], dtype=dtype)


def decode_index(dec, d: Any, depth: int) -> Any:
    import pandas as pd

    if not isinstance(d, dict) or d.get("$") != "index":
        raise CodecError("not an encoded index")
    names = [dec.value(n, depth + 1) for n in d.get("names", [])]
    kind = d.get("kind")
    if kind == "range":
        start, stop, step = (int(i) for i in d["range"])
        dec.count(len(range(start, stop, step)))  # three numbers may stand for billions of rows
        return pd.RangeIndex(start, stop, step, name=names[0] if names else None)
    if kind == "multi":
        levels = [_values(dec, a, depth) for a in d["levels"]]
        return pd.MultiIndex.from_arrays(levels, names=names)
    if kind != "plain":
        raise CodecError(f"unknown index kind {kind!r}")
    index = pd.Index(_values(dec, d["a"], depth), name=names[0] if names else None)
    if d.get("freq") and isinstance(index, pd.DatetimeIndex):
        index = pd.DatetimeIndex(index, freq=str(d["freq"]))
    return index


def decode_pandas(dec, kind: str, d: dict[str, Any], depth: int) -> Any:
    import numpy as np
    import pandas as pd

    if kind == "NaT":
        return pd.NaT
    if kind == "NA":
        return pd.NA
    if kind == "Timestamp":
        stamp = pd.Timestamp(int(d["v"]), unit="ns").as_unit(str(d.get("unit") or "ns"))
        return stamp.tz_localize("UTC").tz_convert(str(d["tz"])) if d.get("tz") else stamp
    if kind == "Timedelta":
        return pd.Timedelta(int(d["v"]), unit="ns").as_unit(str(d.get("unit") or "ns"))
    if kind == "npscalar":
        return _values(dec, d["a"], depth)[0]
    if kind == "ndarray":
        shape = tuple(int(i) for i in d["shape"])
        return np.asarray(_values(dec, d["a"], depth)).reshape(shape)
    if kind == "index":
        return decode_index(dec, d, depth)
    if kind == "series":
        return pd.Series(_values(dec, d["a"], depth), index=decode_index(dec, d["index"], depth),
                         name=dec.value(d.get("name"), depth + 1), copy=False)
    if kind == "frame":
        index, columns = decode_index(dec, d["index"], depth), decode_index(dec, d["columns"], depth)
        data = [_values(dec, a, depth) for a in d["data"]]
        if len(data) != len(columns):
            raise CodecError("a frame's columns and data do not match")
        frame = pd.DataFrame({i: col for i, col in enumerate(data)}, index=index)
        frame.columns = columns
        return frame
    raise CodecError(f"unknown kind of value {kind!r}")


def _element_class(mro: list[Any]) -> type:
    """The first class of ``mro`` that is a folium/branca element class (imported by its name)."""
    from branca.element import Element

    for name in mro:
        module, _, attr = str(name).rpartition(".")
        if module.split(".")[0] not in ELEMENT_MODULES or not attr.isidentifier():
            continue
        try:
            cls = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            continue
        if isinstance(cls, type) and issubclass(cls, Element):
            return cls
    raise CodecError("an element that is not a folium or branca element")


def decode_element(dec, d: dict[str, Any], depth: int) -> Any:
    """Rebuild a folium/branca element: same class, data attributes and children; no constructor runs."""
    from collections import OrderedDict

    cls = _element_class(list(d.get("mro", [])))
    element = object.__new__(cls)
    attrs = d.get("attrs", {})
    if not isinstance(attrs, dict):
        raise CodecError("an element's attributes are not a mapping")
    for key, value in attrs.items():
        if not (isinstance(key, str) and key.isidentifier() and not key.startswith("__")):
            raise CodecError(f"an element attribute may not be called {str(key)[:40]!r}")
        setattr(element, key, dec.value(value, depth + 1))
    children = OrderedDict()
    for key, child in dec._pairs(d.get("children", [])):
        rebuilt = dec.value(child, depth + 1)
        if type(rebuilt).__module__.split(".")[0] not in ELEMENT_MODULES:
            raise CodecError("an element's child is not an element")
        rebuilt._parent = element
        children[str(key)] = rebuilt
    element._children = children
    element._parent = None
    return element


__all__ = ["encode_numpy", "encode_pandas", "decode_pandas", "decode_element", "qualname"]
