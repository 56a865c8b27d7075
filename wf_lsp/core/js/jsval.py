"""JavaScript value semantics the real validator relies on (truthiness, String(), parseInt, Object.entries)."""

from __future__ import annotations

import math
import re
from typing import Any

_JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
# ASCII digits only: Python's \d, int() and float() also accept Unicode digits ("٣", "７") and underscores.
_PARSE_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX = re.compile(r"0(?:[xX](?P<x>[0-9a-fA-F]+)|[oO](?P<o>[0-7]+)|[bB](?P<b>[01]+))")


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


def to_double(v: int | float) -> float:
    """The double a JSON number is in JavaScript: integers beyond 2^53 round to nearest, beyond ~1.8e308 to Infinity."""
    if isinstance(v, float):
        return v
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def number_str(v: float | int) -> str:
    """Number::toString(10) of a JSON number (as the double JavaScript holds): shortest round-trip digits, in plain
    notation from 1e-7 to below 1e21 and in exponent notation (`1e+21`, `1.5e-7`) outside; -0 prints as "0"."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) and -(2**53) <= v <= 2**53:
        return str(v)
    x = to_double(v)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    if x < 0:
        return "-" + number_str(-x)
    # repr gives the shortest digits that round-trip (as ECMAScript requires); only the layout differs.
    mantissa, _, exp = repr(x).partition("e")
    whole, _, frac = mantissa.partition(".")
    if frac == "0":
        frac = ""
    digits = (whole + frac).lstrip("0")
    n = len(whole) + int(exp or 0) - (len(whole + frac) - len(digits))  # the decimal point's position in digits
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits[0] if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{head}e{sign}{abs(e)}"


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
    """Number(v) for JSON values (ToNumber, as the relational comparisons `<` and `>` apply it)."""
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return to_double(v)
    if isinstance(v, str):
        return string_to_number(v)
    if isinstance(v, list):
        return string_to_number(to_str(v))
    return math.nan


def string_to_number(v: str) -> float:
    """ECMAScript StringToNumber: JavaScript whitespace around a decimal literal, `Infinity`, or an unsigned
    0x/0o/0b integer; ASCII digits only, no underscores; anything else is NaN."""
    s = trim(v)
    if s == "":
        return 0.0
    m = _RADIX.fullmatch(s)
    if m:
        base = 16 if m.group("x") else 8 if m.group("o") else 2
        return to_double(int(m.group("x") or m.group("o") or m.group("b"), base))
    if _DECIMAL.fullmatch(s):
        return float(s.replace("Infinity", "inf"))
    return math.nan


def parse_int(s: str) -> float:
    """parseInt(s, 10): leading JS whitespace, optional sign, ASCII digits; NaN when there are none."""
    m = _PARSE_INT.match(s.lstrip(_JS_SPACE))
    if not m:
        return math.nan
    x = float(m.group())  # float() rounds a digit run of any length correctly (int() refuses over 4300 digits)
    return x if x or not m.group().startswith("-") else -0.0


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
        return ("num", to_double(v))
    if v is None:
        return ("null",)
    return ("str", v)
