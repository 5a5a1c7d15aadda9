"""Values as data: what a student's function returned, carried out of the sandbox as JSON.

The trusted grader never unpickles or evaluates what comes out of the sandbox.
:func:`encode` turns a value into JSON-able data (in the sandbox, or in the
grader for the arguments of a call); :func:`decode` builds it again with public
constructors only, in the grader, from types it knows:

* ``None``, ``bool``, ``int``, ``float`` (NaN and infinities too), ``str``,
  ``bytes``, ``complex``; ``list``, ``tuple``, ``dict``, ``set``, ``frozenset``;
* ``datetime.date``/``datetime``/``timedelta``;
* numpy scalars and arrays of numeric, boolean, datetime and object dtypes;
* pandas ``Timestamp``, ``Timedelta``, ``NaT``, ``NA``, ``Series``, ``DataFrame``
  and indexes (``Index``, ``RangeIndex``, ``DatetimeIndex``, ``MultiIndex``), with their
  dtypes (``int64``, ``float64``, ``bool``, ``object``, ``str``/``string``, nullable,
  ``category``, ``datetime64`` with or without a time zone, ``timedelta64``);
* Folium and branca elements (a map and its markers), rebuilt as instances of the
  same folium/branca classes holding the same data attributes and children.

Anything else comes out as an :class:`Opaque` value that equals nothing: a test
that needs it fails, as it should for an answer of an unexpected type.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from typing import Any

#: How deep nested containers may go, and how many values a whole encoding may hold.
MAX_DEPTH = 64
MAX_ITEMS = 2_000_000


class CodecError(ValueError):
    """Data that does not describe a value this codec builds."""


class Opaque:
    """A value the codec does not carry: its type and a short repr, equal to nothing but itself."""

    def __init__(self, type_name: str, mro: list[str], text: str) -> None:
        self.type_name, self.mro, self.text = type_name, mro, text

    def __repr__(self) -> str:
        return f"<{self.type_name} (not checkable by the grader): {self.text}>"

    def __eq__(self, other: object) -> bool:
        return other is self

    __hash__ = object.__hash__


def qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class _Encoder:
    def __init__(self) -> None:
        self.items = 0
        self.stack: set[int] = set()

    def value(self, x: Any, depth: int = 0) -> Any:
        self.items += 1
        if self.items > MAX_ITEMS or depth > MAX_DEPTH:
            raise CodecError("the value is too large or too deeply nested to be carried out of the sandbox")
        t = type(x)
        if x is None or t is bool or t is str:
            return x
        if t is int:
            return x if abs(x) < 2**53 else {"$": "int", "v": str(x)}
        if t is float:
            return x if math.isfinite(x) else {"$": "float", "v": repr(x)}
        if t is complex:
            return {"$": "complex", "v": [self.value(x.real), self.value(x.imag)]}
        if t is bytes:
            return {"$": "bytes", "v": base64.b64encode(x).decode("ascii")}
        if id(x) in self.stack:
            return self.opaque(x, "a value that contains itself")
        self.stack.add(id(x))
        try:
            return self.container(x, t, depth)
        finally:
            self.stack.discard(id(x))

    def container(self, x: Any, t: type, depth: int) -> Any:
        if t in (list, tuple, set, frozenset):
            items = sorted(x, key=repr) if t in (set, frozenset) else x
            return {"$": t.__name__, "v": [self.value(i, depth + 1) for i in items]}
        if t is dict:
            return {"$": "dict", "v": [[self.value(k, depth + 1), self.value(v, depth + 1)] for k, v in x.items()]}
        if t is dt.datetime:
            return {"$": "datetime", "v": x.isoformat()}
        if t is dt.date:
            return {"$": "date", "v": x.isoformat()}
        if t is dt.timedelta:
            return {"$": "timedelta", "v": [x.days, x.seconds, x.microseconds]}
        module = t.__module__.split(".")[0]
        if module == "numpy":
            from koreathaw_grading.sandbox import codec_pandas

            return codec_pandas.encode_numpy(self, x, depth)
        if module == "pandas":
            from koreathaw_grading.sandbox import codec_pandas

            return codec_pandas.encode_pandas(self, x, depth)
        if module in ("folium", "branca") or any(c.__module__.split(".")[0] in ("folium", "branca") for c in t.__mro__):
            return self.element(x, depth)
        for base in (str, int, float, tuple, list, dict, set, frozenset):
            if isinstance(x, base):  # a namedtuple, Counter, OrderedDict, a str or list subclass...: carried as its builtin base
                plain = base.__str__(x) if base is str else base.__int__(x) if base is int else \
                    base.__float__(x) if base is float else base(x)
                return self.value(plain, depth)
        return self.opaque(x)

    def element(self, x: Any, depth: int) -> Any:
        attrs = {}
        for key, val in vars(x).items():
            if key in ("_parent", "_children", "_template", "_env") or key.startswith("__"):
                continue
            try:
                attrs[key] = self.value(val, depth + 1)
            except CodecError:
                raise
            except Exception:  # an attribute we cannot carry: left out
                continue
        children = [[str(k), self.value(c, depth + 1)] for k, c in getattr(x, "_children", {}).items()]
        return {"$": "element", "mro": [qualname(c) for c in type(x).__mro__], "attrs": attrs, "children": children}

    def opaque(self, x: Any, why: str = "") -> Any:
        try:
            text = why or repr(x)
        except Exception:
            text = "<repr failed>"
        return {"$": "opaque", "type": qualname(type(x)), "mro": [qualname(c) for c in type(x).__mro__][:20],
                "repr": str(text)[:200]}


def encode(x: Any) -> Any:
    """``x`` as JSON-able data (raises :class:`CodecError` for a value too large to carry)."""
    return _Encoder().value(x)


class _Decoder:
    def __init__(self) -> None:
        self.items = 0

    def count(self, items: int) -> None:
        """Count ``items`` more values against :data:`MAX_ITEMS` (a range stands for all of its values)."""
        self.items += items
        if self.items > MAX_ITEMS:
            raise CodecError("the data is too large or too deeply nested")

    def value(self, d: Any, depth: int = 0) -> Any:
        self.items += 1
        if self.items > MAX_ITEMS or depth > MAX_DEPTH:
            raise CodecError("the data is too large or too deeply nested")
        if d is None or isinstance(d, (bool, str)):
            return d
        if isinstance(d, int):
            return int(d)
        if isinstance(d, float):
            return float(d)
        if not isinstance(d, dict) or not isinstance(d.get("$"), str):
            raise CodecError(f"not an encoded value: {str(d)[:80]}")
        kind, v = d["$"], d.get("v")
        if kind == "int":
            return int(str(v))
        if kind == "float":
            if v not in ("nan", "inf", "-inf"):
                raise CodecError(f"not a float: {v!r}")
            return float(v)
        if kind == "complex":
            return complex(self.value(v[0], depth + 1), self.value(v[1], depth + 1))
        if kind == "bytes":
            return base64.b64decode(str(v), validate=True)
        if kind in ("list", "tuple", "set", "frozenset"):
            items = [self.value(i, depth + 1) for i in self._list(v)]
            return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[kind](items)
        if kind == "dict":
            return {self.value(k, depth + 1): self.value(val, depth + 1) for k, val in self._pairs(v)}
        if kind == "datetime":
            return dt.datetime.fromisoformat(str(v))
        if kind == "date":
            return dt.date.fromisoformat(str(v))
        if kind == "timedelta":
            days, seconds, micro = (int(i) for i in self._list(v))
            return dt.timedelta(days=days, seconds=seconds, microseconds=micro)
        if kind == "opaque":
            return Opaque(str(d.get("type", "?"))[:200], [str(m)[:200] for m in self._list(d.get("mro", []))[:20]],
                          str(d.get("repr", ""))[:200])
        if kind == "element":
            from koreathaw_grading.sandbox import codec_pandas

            return codec_pandas.decode_element(self, d, depth)
        from koreathaw_grading.sandbox import codec_pandas

        return codec_pandas.decode_pandas(self, kind, d, depth)

    @staticmethod
    def _list(v: Any) -> list:
        if not isinstance(v, list):
            raise CodecError("expected a list")
        return v

    def _pairs(self, v: Any) -> list:
        pairs = self._list(v)
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise CodecError("expected key/value pairs")
        return pairs


def decode(data: Any) -> Any:
    """The value ``data`` describes, built with public constructors (:class:`CodecError` otherwise)."""
    try:
        return _Decoder().value(data)
    except CodecError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise CodecError(f"the data does not describe a value: {type(exc).__name__}: {exc}") from None
