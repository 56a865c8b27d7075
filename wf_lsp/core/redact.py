"""Keeping secrets and terminal control characters out of what wf-lsp prints."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Names that hold secrets: passwords, tokens, keys, credentials.
SECRET_NAME = re.compile(r"pass(?:word|wd)?|pwd|secret|token|api[_-]?key|private[_-]?key|credential|auth", re.I)
_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')
_STRING_VALUE = re.compile(r'(:\s*)"(?:[^"\\]|\\.)*"?')
_BARE_VALUE = re.compile(r'(:\s*)([^\s"{\[\]},][^,}\]]*)')
_CONTROLS = {c: f"\\u{c:04x}" for c in (*range(0x09), *range(0x0B, 0x20), 0x7F)}


def looks_secret(name: object) -> bool:
    """Whether a key or variable name suggests its value is a secret."""
    return isinstance(name, str) and bool(SECRET_NAME.search(name))


def line_has_secret(line: str, pointer: Iterable[object] = ()) -> bool:
    """A source line is sensitive when it holds a secret-looking key or belongs under one (by the finding's pointer)."""
    return any(looks_secret(p) for p in pointer) or any(looks_secret(m.group(1)) for m in _KEY.finditer(line))


def mask_values(line: str) -> str:
    """The line with every member value replaced by ****, keeping keys and punctuation."""
    line = _STRING_VALUE.sub(lambda m: m.group(1) + '"****"', line)
    return _BARE_VALUE.sub(lambda m: m.group(1) + "****", line)


def visible(text: str) -> str:
    """Control characters (ESC, BEL, NUL, ...) shown as \\u escapes so they never act on a terminal."""
    return text.translate(_CONTROLS)
