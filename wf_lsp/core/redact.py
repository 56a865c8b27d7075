"""Keeping secrets and terminal control characters out of what wf-lsp prints."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from urllib.parse import unquote

#: Names that hold secrets: passwords, tokens, keys, credentials.
SECRET_NAME = re.compile(r"pass(?:word|wd)?|pwd|secret|token|api[_-]?key|private[_-]?key|credential|auth", re.I)
_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')
_STRING_VALUE = re.compile(r'(:\s*)"(?:[^"\\]|\\.)*"?')
_BARE_VALUE = re.compile(r'(:\s*)([^\s"{\[\]},][^,}\]]*)')
_CONTROLS = {c: f"\\u{c:04x}" for c in (*range(0x09), *range(0x0B, 0x20), 0x7F)}
#: One JSON token, leniently (broken text too): a string (a key when a colon follows), punctuation, or a bare word.
_TOKEN = re.compile(r'"(?:[^"\\\r\n]|\\.)*"?(?P<colon>[ \t]*:)?|[{}\[\],:]|[^\s"{}\[\],:]+')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_QUERY_SECRET = re.compile(r"(?i)([?&](?:password|pass|pwd)=)([^&]*)")


def key_name(token: str) -> str:
    """A key as JSON spells it (quotes and escapes included) decoded to its name; the raw text when it does not
    decode."""
    try:
        name = json.loads(token if token.endswith('"') and len(token) > 1 else token + '"')
    except (ValueError, RecursionError):
        return token
    return name if isinstance(name, str) else token


def looks_secret(name: object) -> bool:
    """Whether a key or variable name suggests its value is a secret."""
    return isinstance(name, str) and bool(SECRET_NAME.search(name))


def line_has_secret(line: str, pointer: Iterable[object] = ()) -> bool:
    """A source line is sensitive when it holds a secret-looking key (escapes decoded) or belongs under one (by the
    finding's pointer)."""
    return any(looks_secret(p) for p in pointer) or any(
        looks_secret(key_name(f'"{m.group(1)}"')) for m in _KEY.finditer(line)
    )


def mask_values(line: str) -> str:
    """The line with every member value replaced by ****, keeping keys and punctuation."""
    line = _STRING_VALUE.sub(lambda m: m.group(1) + '"****"', line)
    return _BARE_VALUE.sub(lambda m: m.group(1) + "****", line)


#: One string token, leniently: it always matches (unterminated at a line end), so a scan reads each token once and
#: never restarts inside a string; a key is a terminated string with a colon after it.
_STRING = re.compile(r'"((?:[^"\\\r\n]|\\.)*)(")?(?:[ \t]*(:))?')
#: What a key must hold to be judged at all: a secret-looking word or an escape (decoded before it is judged).
_MAYBE_SECRET = re.compile(r"pass|pwd|secret|token|api|private|credential|auth|\\", re.I)


class SecretSpans:
    """Where a text's secret values lie: every value under a secret-looking key (escapes decoded), at any depth and on
    any line, found leniently (broken JSON too). Linear: only the values of secret keys are walked, each once."""

    def __init__(self, text: str) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        done = 0  # everything before this offset has been walked (a secret key inside a secret value adds nothing)
        for key in _STRING.finditer(text):
            if key.start() < done or key.group(3) is None or key.group(2) is None:
                continue
            body = key.group(1)
            if _MAYBE_SECRET.search(body) and looks_secret(key_name(f'"{body}"')):
                done = self._walk(text, key.end())

    def _walk(self, text: str, at: int) -> int:
        """Record the value tokens of the one value that starts at `at`; returns where it ends."""
        depth = 0
        for m in _TOKEN.finditer(text, at):
            tok = m.group(0)
            if tok in ("{", "["):
                depth += 1
            elif tok in ("}", "]"):
                depth -= 1
                if depth <= 0:
                    return m.end()
            elif tok == ",":
                if depth <= 0:
                    return m.start()
            elif m.group("colon") is None and tok != ":":
                self._starts.append(m.start())
                self._ends.append(m.end())
                if depth <= 0:
                    return m.end()
        return len(text)

    def mask(self, line: str, start: int) -> str:
        """`line` (which starts at offset `start` of the text) with the secret values on it shown as ****."""
        end = start + len(line)
        i = bisect.bisect_right(self._ends, start)
        out: list[str] = []
        at = start
        while i < len(self._starts) and self._starts[i] < end:
            a, b = max(self._starts[i], start), min(self._ends[i], end)
            out.append(line[at - start : a - start])
            quoted = line[a - start : a - start + 1] == '"'
            out.append('"****"' if quoted else "****")
            at = b
            i += 1
        out.append(line[at - start :])
        return "".join(out)


def visible(text: str) -> str:
    """Control characters (ESC, BEL, NUL, ...) shown as \\u escapes so they never act on a terminal."""
    return text.translate(_CONTROLS)


def _split_url(url: str) -> tuple[str, str | None, str]:
    """`(scheme://, userinfo, rest)` of a URL; userinfo is None when there is none.

    The userinfo runs to the LAST `@`: a password written unencoded may hold `/`, `?`, `#` or `@`, which a strict
    parser (urllib, and so redis-py) would take for the start of the path, query or fragment and print in the clear.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):
        return "", None, url
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return f"{scheme}://", None, rest
    return f"{scheme}://", userinfo, host


def mask_url(url: str) -> str:
    """`url` with its password (userinfo, or a `password=` query value) replaced by `***`; safe for logs and
    messages."""
    head, userinfo, rest = _split_url(url)
    rest = _QUERY_SECRET.sub(r"\1***", rest)
    if userinfo is None:
        return head + rest
    user, colon, _secret = userinfo.partition(":")
    return f"{head}{user}:***@{rest}" if colon else f"{head}***@{rest}"


def url_secrets(url: str) -> tuple[str, ...]:
    """Every spelling (raw and percent-decoded) of the secrets in `url`, longest first, to scrub from error messages."""
    _head, userinfo, rest = _split_url(url)
    found: list[str] = []
    if userinfo is not None:
        user, colon, secret = userinfo.partition(":")
        found.append(secret if colon else user)
    found += [m.group(2) for m in _QUERY_SECRET.finditer(rest)]
    spelled = {s for raw in found if raw for s in (raw, unquote(raw))}
    return tuple(sorted(spelled, key=len, reverse=True))


def connectable_url(url: str) -> str:
    """`url` with `/ ? # @` in its userinfo percent-encoded, so that the Redis client reads the password whole."""
    head, userinfo, rest = _split_url(url)
    if userinfo is None or ":" not in userinfo:  # no password in it (an `@` further on may be a query's)
        return url
    table = {"/": "%2F", "?": "%3F", "#": "%23", "@": "%40"}
    return f"{head}{''.join(table.get(c, c) for c in userinfo)}@{rest}"
