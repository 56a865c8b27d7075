"""n8n's `validateType` checks of parameter values (number, boolean, alphanumeric, object, array, options, url, jwt)."""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import urlsplit

_ALNUM = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_JWT = re.compile(r"^[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_.+/=]*$")
_URL_SCHEMES = ("http", "https", "ftp", "file")
_NUMERIC = re.compile(
    r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^0[xX][0-9a-fA-F]+$|^0[bB][01]+$|^0[oO][0-7]+$|^[+-]?Infinity$"
)


def js_string(value: Any) -> str:
    """JavaScript's String(value) for JSON values."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, list):
        return ",".join("" if v is None else js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _js_number_ok(value: Any) -> bool:
    """Whether JavaScript's Number(value) is not NaN."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, (int, float)):
        return not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, dict):
        return False
    if isinstance(value, list):
        return len(value) == 0 or (
            len(value) == 1 and _js_number_ok(value[0] if not isinstance(value[0], list) else js_string(value[0]))
        )
    text = str(value).strip()
    return text == "" or bool(_NUMERIC.match(text))


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return f"'{js_string(value)}'"


def _boolean_ok(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return True
    if isinstance(value, str) and value.strip() == "":
        return False
    if not _js_number_ok(value):
        return False
    try:
        number = float(js_string(value).strip() or 0) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        return False
    return number in (0.0, 1.0)


def _object_ok(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    try:
        parsed = json.loads(js_string(value))
    except ValueError:
        return False
    return isinstance(parsed, dict)


def _array_ok(value: Any) -> bool:
    if isinstance(value, list):
        return True
    text = js_string(value)
    for candidate in (text, text.replace("'", '"')):
        try:
            return isinstance(json.loads(candidate), list)
        except ValueError:
            continue
    return False


def _url_ok(value: Any) -> bool:
    text = value if isinstance(value, str) else js_string(value)
    if isinstance(value, str) and "://" not in value:
        text = f"https://{value}"
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    if parts.scheme not in _URL_SCHEMES:
        return False
    return parts.scheme == "file" or (bool(parts.netloc) and not any(c in parts.netloc for c in " <>\\^`{|}"))


def check(name: str, value: Any, vtype: str, options: Any = None) -> str | None:
    """The error message n8n gives for a value of a parameter with `validateType`, or None when it passes."""
    if value is None:
        return None
    default = f"'{name}' expects a {vtype} but we got {_describe(value)}"
    kind = vtype.lower()
    if kind == "string-alphanumeric":
        text = json.dumps(value, separators=(",", ":")) if isinstance(value, (dict, list)) else js_string(value)
        return (
            None
            if _ALNUM.match(text)
            else "Value is not a valid alphanumeric string, only letters, numbers and underscore allowed"
        )
    if kind == "number":
        return None if _js_number_ok(value) else default
    if kind == "boolean":
        return None if _boolean_ok(value) else default
    if kind == "object":
        return None if _object_ok(value) else default
    if kind == "array":
        return None if _array_ok(value) else default
    if kind == "url":
        return None if _url_ok(value) else default
    if kind == "jwt":
        return None if value and _JWT.match(js_string(value)) else "Value is not a valid JWT token"
    if kind == "options":
        values = [o.get("value") for o in options or [] if isinstance(o, dict)]
        if any(type(v) is type(value) and v == value for v in values):
            return None
        listed = ", ".join(js_string(v) for v in values)
        return f"'{name}' expects one of the following values: [{listed}] but we got {_describe(value)}"
    return None  # string, dateTime, time, form-fields and others: not checked here
