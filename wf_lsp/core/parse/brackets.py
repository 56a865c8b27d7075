"""Fast reads of broken JSON text: where json stops (no hooks), and which brackets are still open at its end."""

from __future__ import annotations

import json
import re
from typing import Any

from wf_lsp.core.parse.jsonerror import decode

#: All but the brackets repair._BRACKETS finds: deleting its matches leaves those brackets, in order.
_NOT_BRACKETS = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|[^\[\]{}"]+')

#: json without hooks: where a broken text stops is found at C speed, with no Python call per object or number
_PROBE = json.JSONDecoder()


def read(decoder: json.JSONDecoder, work: str, broken: bool) -> tuple[Any, int | None]:
    """decode() with the hooked decoder; text orjson found broken is first read without hooks, which stops at the same
    place (the hooks never fail and never change where parsing stops), so a broken text is read once at C speed."""
    if broken and "NaN" not in work and "Infinity" not in work:  # (those json reads through a hook, and reports)
        try:
            decode(_PROBE, work)
        except json.JSONDecodeError:
            raise
        except ValueError:
            pass  # a number past int's digit limit, which the hooked decoder reads as a float
        # else well-formed for json after all (NaN, a lone surrogate): read again below, with the hooks
    return decode(decoder, work)


def open_brackets(work: str, valid: int) -> list[str]:
    """The closers of the brackets open at the end of work, outside strings (as _BRACKETS reads it), innermost last.

    work[:valid] is text json read whole, so its strings all end and hold no line break: there, a string's content is
    what lies between an odd and the next even quote once escaped backslashes and quotes are gone, and the brackets
    outside are counted by C-speed passes. The rest (a string cut off at the end) is read token by token."""
    if "\\" in work[:valid]:
        head = work[:valid].replace("\\\\", "").replace('\\"', "")
    else:
        head = work[:valid]
    kept = head.encode("utf-8", "surrogatepass").translate(None, _QUOTES_AND_BRACKETS)
    brackets = b"".join(kept.split(b'"')[::2])
    for _ in range(16):  # matched pairs go first, innermost out; what is left is (nearly) the open brackets alone
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(brackets):
            break
        brackets = shorter
    stack: list[str] = []
    for t in brackets.decode("ascii") + _NOT_BRACKETS.sub("", work[valid:]):
        if t == "[":
            stack.append("]")
        elif t == "{":
            stack.append("}")
        elif stack:
            stack.pop()
    return stack


_QUOTES_AND_BRACKETS = bytes(b for b in range(256) if b not in b'"[]{}')
