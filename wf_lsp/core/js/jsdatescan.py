"""V8's date-string tokenizer (for jsdate): numbers, symbols, words classified as keywords, whitespace, comments."""

from __future__ import annotations

import functools
import re

# Token kinds.
NUM, SYM, WORD, SPACE, UNKNOWN, END = range(6)
# Word (keyword) kinds.
INVALID, MONTH, ZONE, TIME_SEP, AM_PM = range(5)

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_KEYWORDS: dict[str, tuple[int, int]] = {
    "am": (AM_PM, 0),
    "pm": (AM_PM, 12),
    "ut": (ZONE, 0),
    "utc": (ZONE, 0),
    "z": (ZONE, 0),
    "gmt": (ZONE, 0),
    "cdt": (ZONE, -5),
    "cst": (ZONE, -6),
    "edt": (ZONE, -4),
    "est": (ZONE, -5),
    "mdt": (ZONE, -6),
    "mst": (ZONE, -7),
    "pdt": (ZONE, -7),
    "pst": (ZONE, -8),
    "t": (TIME_SEP, 0),
}

# ECMAScript WhiteSpace (ends a word) and WhiteSpace plus LineTerminator (a whitespace token).
_WHITE = "\t\v\f \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff"
_WHITE_OR_LT = _WHITE + "\n\r\u2028\u2029"
# A word is a run of code points from "A" up that are not WhiteSpace (line terminators U+2028/9 are word characters).
_TOKEN = re.compile(rf"([0-9]+)|([:+\-.)])|([^\x00-\x40{_WHITE}]+)|([{_WHITE_OR_LT}])|(\()|(.)", re.S)
# Runs V8 scans into tokens whose number never matters. A run of whitespace and other punctuation (ignored tokens):
# only its first token is ever looked at (as the previous token's lookahead), so the run behaves as its first
# character. A long word is classified by its first three characters and whether it is longer than three; a long
# digit run is its first nine significant digits and whether it has 10 or more digits. Collapsing these first keeps
# long strings cheap.
_IGNORED = rf"{_WHITE}\n\r\x01-\x08\x0e-\x1f!\"#$%&'*,/;<=>?@"  # (U+2028/9 are word characters)
_IGNORED_RUN = re.compile(rf"([{_IGNORED}])[{_IGNORED}]+")
_LONG_WORD = re.compile(rf"([^\x00-\x40{_WHITE}]{{4}})[^\x00-\x40{_WHITE}]+")
_LONG_DIGITS = re.compile(r"[0-9]{11,}")


def _short_digits(m: re.Match[str]) -> str:
    significant = m.group().lstrip("0")[:9]
    return "0" * (10 - len(significant)) + significant


def compress(s: str) -> str:
    """The string with runs collapsed that V8 would scan into tokens whose repetition never changes the result."""
    s = _IGNORED_RUN.sub(r"\1", s)
    s = _LONG_WORD.sub(r"\1", s)
    return _LONG_DIGITS.sub(_short_digits, s)


class Token:
    """One token: its kind, value (number, symbol code, or word kind << 8 | value + 128) and length."""

    __slots__ = ("kind", "length", "value")

    def __init__(self, kind: int, value: int = -1, length: int = 0) -> None:
        self.kind, self.value, self.length = kind, value, length

    def is_num(self, length: int = 0) -> bool:
        return self.kind == NUM and (length == 0 or self.length == length)

    def is_sym(self, ch: str) -> bool:
        return self.kind == SYM and self.value == ord(ch)

    def is_sign(self) -> bool:
        return self.kind == SYM and self.value in (43, 45)

    def sign(self) -> int:
        return 44 - self.value  # "+" -> 1, "-" -> -1

    def is_word(self, kind: int) -> bool:
        return self.kind == WORD and self.value >> 8 == kind

    def word_value(self) -> int:
        return (self.value & 0xFF) - 128

    def is_z(self) -> bool:
        return self.is_word(ZONE) and self.length == 1 and self.word_value() == 0


END_TOKEN = Token(END)
_SPACE_TOKEN = Token(SPACE, -1, 1)
_UNKNOWN_TOKEN = Token(UNKNOWN, -1, 1)
_SYMBOLS = {ch: Token(SYM, ord(ch), 1) for ch in ":+-.)"}


@functools.lru_cache(maxsize=4096)
def _word(text: str) -> Token:
    prefix = "".join(c.lower() if "A" <= c <= "Z" else c for c in text[:3])
    kind, value = INVALID, 0
    if len(text) >= 3 and prefix in _MONTHS:
        kind, value = MONTH, _MONTHS.index(prefix) + 1
    elif len(text) <= 3 and prefix in _KEYWORDS:
        kind, value = _KEYWORDS[prefix]
    return Token(WORD, kind << 8 | (value + 128), len(text))


class Scanner:
    """V8's date tokenizer: one token of lookahead, scanned lazily so garbage fails fast."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.next_token = self._scan()

    def _scan(self) -> Token:
        text, pos = self.text, self.pos
        if pos >= len(text):
            return END_TOKEN
        m = _TOKEN.match(text, pos)
        assert m is not None  # the last alternative matches any character
        self.pos = m.end()
        group = m.lastindex
        if group == 1:
            digits = m.group(1)
            significant = digits.lstrip("0")[:9]  # leading zeros are skipped, then 9 digits count
            return Token(NUM, int(significant or "0"), len(digits))
        if group == 2:
            return _SYMBOLS[m.group(2)]
        if group == 3:
            return _word(m.group(3))
        if group == 4:
            return _SPACE_TOKEN
        if group == 5:
            depth, i = 0, pos
            while True:  # a parenthesised comment, nested; an unclosed one runs to the end
                ch = text[i]
                depth += 1 if ch == "(" else -1 if ch == ")" else 0
                i += 1
                if depth <= 0 or i >= len(text):
                    break
            self.pos = i
        return _UNKNOWN_TOKEN

    def peek(self) -> Token:
        return self.next_token

    def next(self) -> Token:
        token = self.next_token
        self.next_token = self._scan()
        return token

    def skip(self, ch: str) -> bool:
        if self.next_token.is_sym(ch):
            self.next_token = self._scan()
            return True
        return False
