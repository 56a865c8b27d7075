"""Line starts of a text (LF, CRLF and CR end a line, as LSP says), kept up to date across edits."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

_NEWLINE = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Start offsets (code points) of every line of one text; built on first use, patched by edits."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    @property
    def text(self) -> str:
        """The text this index describes."""
        return self._text

    @property
    def starts(self) -> list[int]:
        """Offsets at which lines start (the first is always 0)."""
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _NEWLINE.finditer(self._text))]
        return self._starts

    def __len__(self) -> int:
        return len(self.starts)

    def line(self, number: int) -> str:
        """One line with its terminator (empty past the end)."""
        starts = self.starts
        if not 0 <= number < len(starts):
            return ""
        end = starts[number + 1] if number + 1 < len(starts) else len(self._text)
        return self._text[starts[number] : end]

    def line_of(self, offset: int) -> int:
        """The line an offset falls on."""
        return bisect.bisect_right(self.starts, offset) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """(line, code-point column) of an offset, clamped to the text."""
        offset = min(max(offset, 0), len(self._text))
        line = self.line_of(offset)
        return line, offset - self.starts[line]

    def offset(self, line: int, column: int) -> int:
        """Offset of a (line, code-point column), clamped to that line's content and to the text."""
        starts = self.starts
        if line < 0:
            return 0
        if line >= len(starts):
            return len(self._text)
        end = starts[line + 1] if line + 1 < len(starts) else len(self._text)
        content_end = end
        while content_end > starts[line] and self._text[content_end - 1] in "\r\n":
            content_end -= 1
        return min(starts[line] + max(column, 0), content_end)

    def replace(self, start: int, end: int, new_text: str) -> None:
        """Replace text[start:end] by new_text, patching line starts near the edit instead of rescanning."""
        old = self._text
        self._text = old[:start] + new_text + old[end:]
        if self._starts is None:
            return
        starts = self._starts
        delta = len(new_text) - (end - start)
        # Rescan from the line before the edit (a CR there may pair with an LF we insert) to two lines past it.
        first = max(bisect.bisect_right(starts, start) - 2, 0)
        last = bisect.bisect_right(starts, end) + 1
        scan_from = starts[first]
        bounded = last < len(starts)
        scan_to = starts[last] + delta if bounded else len(self._text)
        fresh = [m.end() for m in _NEWLINE.finditer(self._text, scan_from, scan_to) if not bounded or m.end() < scan_to]
        tail = starts[last:]
        if delta:
            tail = [s + delta for s in tail]
        starts[first + 1 :] = fresh + tail


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
