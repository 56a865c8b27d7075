"""Line starts of a text (LF, CRLF and CR end a line, as LSP says), kept up to date across edits cheaply."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from itertools import accumulate

_NEWLINE = re.compile(r"\r\n|\r|\n")


def _scan(text: str) -> list[int]:
    if "\r" not in text:
        return list(accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


class LineIndex:
    """Start offsets (code points) of every line of one text; built on first use, then patched by edits.

    Typing on one line shifts every later line: that shift is kept pending (one start index and a delta)
    and folded into the list only when an edit lands elsewhere or changes the number of lines."""

    __slots__ = ("_raw", "_shift", "_shift_at", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._raw: list[int] | None = None
        self._shift_at = -1
        self._shift = 0

    @property
    def text(self) -> str:
        """The text this index describes."""
        return self._text

    def _lines(self) -> list[int]:
        if self._raw is None:
            self._raw = _scan(self._text)
        return self._raw

    def _settle(self) -> list[int]:
        raw = self._lines()
        if self._shift_at >= 0:
            at, d = self._shift_at, self._shift
            raw[at:] = [s + d for s in raw[at:]]
            self._shift_at, self._shift = -1, 0
        return raw

    @property
    def starts(self) -> list[int]:
        """Offsets at which lines start (the first is always 0)."""
        return self._settle()

    def start(self, line: int) -> int:
        """Start offset of one line."""
        raw = self._lines()
        return raw[line] + (self._shift if 0 <= self._shift_at <= line else 0)

    def __len__(self) -> int:
        return len(self._lines())

    def line(self, number: int) -> str:
        """One line with its terminator (empty past the end)."""
        if not 0 <= number < len(self):
            return ""
        end = self.start(number + 1) if number + 1 < len(self) else len(self._text)
        return self._text[self.start(number) : end]

    def line_of(self, offset: int) -> int:
        """The line an offset falls on."""
        raw = self._lines()
        at, d = self._shift_at, self._shift
        if at < 0 or at >= len(raw) or offset < raw[at] + d:
            return bisect.bisect_right(raw, offset, 0, at if at >= 0 else len(raw)) - 1
        return bisect.bisect_right(raw, offset - d, at) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """(line, code-point column) of an offset, clamped to the text."""
        offset = min(max(offset, 0), len(self._text))
        line = self.line_of(offset)
        return line, offset - self.start(line)

    def offset(self, line: int, column: int) -> int:
        """Offset of a (line, code-point column), clamped to that line's content and to the text."""
        if line < 0:
            return 0
        if line >= len(self):
            return len(self._text)
        begin = self.start(line)
        end = self.start(line + 1) if line + 1 < len(self) else len(self._text)
        while end > begin and self._text[end - 1] in "\r\n":
            end -= 1
        return min(begin + max(column, 0), end)

    def replace(self, start: int, end: int, new_text: str) -> None:
        """Replace text[start:end] by new_text, patching line starts near the edit instead of rescanning."""
        old = self._text
        self._text = old[:start] + new_text + old[end:]
        if self._raw is None:
            return
        delta = len(new_text) - (end - start)
        same_lines = (
            not _breaks(new_text)
            and not _breaks(old[start:end])
            and old[start - 1 : start] != "\r"
            and old[end : end + 1] != "\n"
        )
        if same_lines:
            after = self.line_of(start) + 1
            if after >= len(self._raw) or delta == 0:
                return
            if self._shift_at >= 0 and self._shift_at != after:
                self._settle()
            self._shift_at = after
            self._shift += delta
            return
        self._rescan(start, end, delta)

    def _rescan(self, start: int, end: int, delta: int) -> None:
        starts = self._settle()
        # From the line before the edit (a CR there may pair with an LF we insert) to two lines past it.
        first = max(bisect.bisect_right(starts, start) - 2, 0)
        last = bisect.bisect_right(starts, end) + 1
        bounded = last < len(starts)
        scan_from = starts[first]
        scan_to = starts[last] + delta if bounded else len(self._text)
        fresh = [m.end() for m in _NEWLINE.finditer(self._text, scan_from, scan_to) if not bounded or m.end() < scan_to]
        tail = starts[last:]
        if delta:
            tail = [s + delta for s in tail]
        starts[first + 1 :] = fresh + tail


def _breaks(text: str) -> bool:
    return "\n" in text or "\r" in text


class LinesView(Sequence[str]):
    """The lines of a text with their terminators, as pygls's position codec expects, without splitting it all."""

    __slots__ = ("_index",)

    def __init__(self, index: LineIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, number: int) -> str:  # type: ignore[override]
        if number < 0:
            number += len(self._index)
        if not 0 <= number < len(self._index):
            raise IndexError(number)
        return self._index.line(number)
