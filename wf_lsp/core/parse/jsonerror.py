"""Why json stopped where it did, read from the text: the same answer on every CPython, whatever its wording."""

# CPython's json module words its errors differently from one release to the next (3.13 says "Illegal trailing comma
# before end of array" where 3.12 says "Expecting value", and points at the comma instead of the bracket), so the repair
# never reads the message. It takes only the position, which is where the parser stopped: everything before it is a
# valid prefix of a JSON text. What the parser expected there follows from the text just before it (the previous token),
# and in the few cases that also depend on the enclosing container, from one probe with the C parser whose outcome is a
# position, never a message.

from __future__ import annotations

import enum
import json
import re

_WS = re.compile(r"[ \t\n\r]*")
_PROBE = json.JSONDecoder()
#: Deepest nesting the json path reads. CPython's own limit differs between releases (3.11: the recursion limit, 1000
#: frames less the caller's; 3.12 and 3.13: higher C limits), so the depth is checked before json reads the text.
#: (Well-formed text takes the orjson path first, which reads up to 1024 levels on every CPython.)
MAX_DEPTH = 900
#: bytes the depth check keeps: quotes and brackets
_DROP = bytes(b for b in range(256) if b not in b'"[]{}')


class Kind(enum.Enum):
    """What the parser expected where it stopped."""

    #: a ',' or a closing bracket after a value inside an array or object
    COMMA = "comma"
    #: the ':' after a member name
    COLON = "colon"
    #: a member name (a string) after '{' or a ',' inside an object
    KEY = "key"
    #: a value (after '[', ':', a ',' inside an array, or at the start)
    VALUE = "value"
    #: the ',' before a closing bracket (the position is the bracket's)
    TRAILING_COMMA = "trailing comma"
    #: a string that does not end (the position is its opening quote)
    UNTERMINATED = "unterminated string"
    #: a raw control character inside a string (the position is the character's)
    CONTROL = "control character"
    #: an invalid escape inside a string (the position is its backslash, or the 'u' of a bad \\u escape)
    ESCAPE = "escape"
    #: the end of the text, after one complete value
    EXTRA = "extra data"


def decode(decoder: json.JSONDecoder, text: str) -> tuple[object, int | None]:
    """(value, None) for a JSON text, or (value, where extra data starts) when a complete value is followed by more.

    json.loads does the same, but reports trailing text as an error message only; raw_decode's errors are kept.
    """
    value, end = decoder.raw_decode(text, _WS.match(text).end())  # type: ignore[union-attr]
    end = _WS.match(text, end).end()  # type: ignore[union-attr]
    return value, (end if end != len(text) else None)


def too_deep(text: str) -> bool:
    """Whether text nests deeper than MAX_DEPTH, strings aside (linear: a few C-speed passes over the text)."""
    if "\\" in text:
        # escaped backslashes, then escaped quotes, go first (left to right, as a string's escapes are read)
        text = text.replace("\\\\", "").replace('\\"', "")
    kept = text.encode("utf-8", "surrogatepass").translate(None, _DROP)
    if kept.count(b"[") + kept.count(b"{") <= MAX_DEPTH:
        return False
    # What stays is quotes and brackets; string contents lie between odd and even quotes. (A broken string that never
    # ends swaps inside and outside after it; the answer is then rough, but still the same on every CPython, which is
    # what this check is for.) Most strings hold no bracket and shrink to '""', dropped first: two neighbouring quotes,
    # so every other quote still opens a string.
    brackets = b"".join(kept.replace(b'""', b"").split(b'"')[::2])
    # Dropping adjacent pairs changes no other bracket's depth and peels at most two levels a round, so what is left
    # after k rounds bounds the depth by its length + 2k: enough to settle shallow text without a step per bracket.
    rest, rounds = brackets, 0
    while rounds < 16:
        shorter = rest.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(rest):
            break
        rest, rounds = shorter, rounds + 1
    if len(rest) + 2 * rounds <= MAX_DEPTH:
        return False
    depth = 0
    for b in brackets:
        if b == 91 or b == 123:  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False


def classify(text: str, pos: int) -> tuple[Kind, int]:
    """What json expected at pos, where it stopped parsing text, and the position the repair works at."""
    n = len(text)
    c = text[pos] if pos < n else ""
    if c in ("\t", "\n", "\r"):
        return Kind.CONTROL, pos  # json skips whitespace between tokens: it stops at one only inside a string
    if c == "u" and pos and text[pos - 1] == "\\":
        return Kind.ESCAPE, pos
    if (c == "\\" or (c and c < " ")) and _inside_string(text, pos):
        return (Kind.ESCAPE if c == "\\" else Kind.CONTROL), pos
    i = _prev_nonspace(text, pos)
    p = text[i] if i >= 0 else ""
    if c == '"' and p in ("", "[", "{", ":", ","):
        return Kind.UNTERMINATED, pos  # a string may start here, so it is the string that is broken
    if p in ("", "[", ":"):
        return Kind.VALUE, pos
    if p == "{":
        return Kind.KEY, pos
    if p == ",":
        if c in ("]", "}"):
            return Kind.TRAILING_COMMA, pos
        if not c:
            return Kind.VALUE, pos  # the end of the text: the repair closes what is open, whatever the comma separates
        return (Kind.KEY if _in_object(text, i) else Kind.VALUE), pos
    # After a complete value: a member name wants its ':'; any other value a ',' or a closing bracket.
    if p == '"' and _is_key(text, i):
        return Kind.COLON, pos
    if c == ",":
        # A separator after a value is fine: the parser stopped here only because of what follows (a closing bracket,
        # the end of the text); later CPythons stop at the comma, earlier ones at what follows.
        nxt = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
        if nxt < n and text[nxt] in "]}":
            return Kind.TRAILING_COMMA, nxt
        if nxt >= n:
            return Kind.VALUE, nxt
        return classify(text, nxt)
    return Kind.COMMA, pos


def _prev_nonspace(text: str, pos: int) -> int:
    i = pos - 1
    while i >= 0 and text[i] in " \t\n\r":
        i -= 1
    return i


def _inside_string(text: str, pos: int) -> bool:
    """Whether pos (where the parser stopped) lies inside a string: a quote placed there closes it and the parser gets
    past it; outside a string the quote would open one that never ends, or be out of place, so the parser stops at
    it."""
    try:
        decode(_PROBE, text[:pos] + '"')
    except json.JSONDecodeError as exc:
        return exc.pos > pos
    except RecursionError:
        return False
    return True


def _in_object(text: str, comma: int) -> bool:
    """Whether the ',' at `comma` separates members of an object (else items of an array): after it an object wants a
    member name, so a number placed there stops the parser at once; an array takes the number and ends at the end."""
    try:
        decode(_PROBE, text[: comma + 1] + "0")
    except json.JSONDecodeError as exc:
        return exc.pos == comma + 1
    except RecursionError:
        return False
    return False


def _is_key(text: str, close: int) -> bool:
    """Whether the string whose closing quote is at `close` is a member name (it follows '{', or a ',' in an object)."""
    start = close - 1
    while True:
        start = text.rfind('"', 0, start + 1)
        if start <= 0:
            break
        k = start - 1
        while k >= 0 and text[k] == "\\":
            k -= 1
        if (start - 1 - k) % 2 == 0:
            break  # not escaped: the opening quote
        start -= 1
    j = _prev_nonspace(text, max(start, 0))
    before = text[j] if j >= 0 else ""
    return before == "{" or (before == "," and _in_object(text, j))
