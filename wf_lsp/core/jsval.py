"""JavaScript value semantics the real validator relies on (truthiness, String(), parseInt, Object.entries)."""

from __future__ import annotations

import math
import re
from typing import Any

_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_PARSE_INT = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)\Z")


def truthy(v: Any) -> bool:
    """JavaScript truthiness of a JSON value (empty arrays and objects are truthy)."""
    if v is None or v is False:
        return False
    if v is True:
        return True
    if isinstance(v, (int, float)):
        return v != 0 and not (isinstance(v, float) and math.isnan(v))
    if isinstance(v, str):
        return v != ""
    return True


def trim(s: str) -> str:
    """String.prototype.trim."""
    return s.strip(_JS_SPACE)


def number_str(v: float | int) -> str:
    """Number.prototype.toString for finite JSON numbers."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        if abs(v) >= 10**21:
            return number_str(float(v))
        return str(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == int(v) and abs(v) < 1e21:
        return str(int(v))
    r = repr(v)
    if "e" in r:
        mant, exp = r.split("e")
        sign = "-" if exp.startswith("-") else "+"
        return f"{mant}e{sign}{exp.lstrip('+-').lstrip('0') or '0'}"
    return r


def to_str(v: Any, missing: bool = False) -> str:
    """String(v) / template-literal conversion; `missing` prints `undefined`."""
    if missing:
        return "undefined"
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return number_str(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return _join(v)
    return "[object Object]"


def _join(v: list[Any]) -> str:
    """Array.prototype.join(",") applied recursively, without Python recursion (arrays may nest ~1000 deep).

    Nested arrays flatten into one comma-separated run of leaves; an empty array or null contributes "".
    """
    leaves: list[str] = []
    stack: list[Any] = [iter(v)]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            continue
        if isinstance(item, list):
            if item:
                stack.append(iter(item))
            else:
                leaves.append("")
        else:
            leaves.append("" if item is None else to_str(item))
    return ",".join(leaves)


_END = object()


def to_number(v: Any) -> float:
    """Number(v) for JSON values (used by the relational comparisons `<` and `>`)."""
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = trim(v)
        if s == "":
            return 0.0
        low = s.lower()
        try:
            if low.startswith(("0x", "0o", "0b")) and not s.startswith(("+", "-")):
                return float(int(s, 0))
        except ValueError:
            return math.nan
        if _NUMBER.match(s):
            return float(s.replace("Infinity", "inf"))
        return math.nan
    if isinstance(v, list):
        return to_number(to_str(v))
    return math.nan


def parse_int(s: str) -> float:
    """parseInt(s, 10): leading JS whitespace, optional sign, digits; NaN when there are none."""
    m = _PARSE_INT.match(trim(s) if s[:1] in _JS_SPACE else s)
    if not m:
        return math.nan
    n = int(m.group())
    if n == 0 and m.group().startswith("-"):
        return -0.0
    return float(n)


def utf16_len(s: str) -> int:
    """Length of a string in UTF-16 code units (JavaScript's `.length`)."""
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def entries(v: Any) -> list[tuple[str, Any]]:
    """Object.entries for a JSON value: object members, array items and string characters by index."""
    if isinstance(v, dict):
        # JavaScript visits integer-like keys first; wf-lsp sorts findings by position afterwards, so the visiting
        # order never shows and plain insertion order is used.
        return list(v.items())
    if isinstance(v, list):
        return [(str(i), x) for i, x in enumerate(v)]
    if isinstance(v, str):
        units = v.encode("utf-16-le", "surrogatepass")
        chars = [units[i : i + 2].decode("utf-16-le", "surrogatepass") for i in range(0, len(units), 2)]
        return [(str(i), c) for i, c in enumerate(chars)]
    return []


def same_value_zero_key(v: Any, present: bool) -> Any:
    """A hashable stand-in for a value under Set semantics (objects and arrays are distinct by identity)."""
    if not present:
        return ("undefined",)
    if isinstance(v, (dict, list)):
        return ("ref", id(v))
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, (int, float)):
        return ("num", float(v))
    if v is None:
        return ("null",)
    return ("str", v)
