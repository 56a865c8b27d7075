"""Offsets to (line, column) in code points, computed only for the offsets asked for."""

from __future__ import annotations

import bisect
import re

from wf_lsp.core.findings import Position

_NEWLINES = re.compile(r"\r\n|\r|\n")


class TextIndex:
    """Line/column lookup over one text; LF, CRLF and lone CR all end a line (as LSP says)."""

    __slots__ = ("_has_cr", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._has_cr = "\r" in text
        self._starts: list[int] | None = None

    @property
    def has_cr(self) -> bool:
        """Whether a CR ends some line (then columns are counted from the line starts, not from LF alone)."""
        return self._has_cr

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in _NEWLINES.finditer(self.text)]
        return self._starts

    def position(self, offset: int) -> Position:
        """Position of one code-point offset (clamped to the text)."""
        return self.positions([offset])[0]

    def positions(self, offsets: list[int]) -> list[Position]:
        """Positions of many offsets in one pass over the text (each distinct offset computed once)."""
        n = len(self.text)
        distinct = sorted(set(offsets))
        table: dict[int, Position] = {}
        if self._has_cr:
            starts = self._line_starts()
            for o in distinct:
                c = min(max(o, 0), n)
                line = bisect.bisect_right(starts, c) - 1
                table[o] = Position(line, c - starts[line], c)
            return [table[o] for o in offsets]
        text = self.text
        line, last, line_start = 0, 0, 0
        for o in distinct:
            c = o if 0 <= o <= n else min(max(o, 0), n)
            # Only the stretch since the previous offset can hold a newer line start: linear overall, even on one long
            # line.
            newlines = text.count("\n", last, c)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", last, c) + 1
            last = c
            table[o] = Position(line, c - line_start, c)
        return [table[o] for o in offsets]

    def offset(self, line: int, character: int) -> int:
        """Code-point offset of a line/column (clamped to the line and the text)."""
        starts = self._line_starts()
        if line < 0:
            return 0
        if line >= len(starts):
            return len(self.text)
        start = starts[line]
        end = starts[line + 1] if line + 1 < len(starts) else len(self.text)
        return min(start + max(character, 0), end)

    def line_text(self, line: int) -> str:
        """The text of one line without its terminator."""
        starts = self._line_starts()
        if not 0 <= line < len(starts):
            return ""
        end = starts[line + 1] if line + 1 < len(starts) else len(self.text)
        return self.text[starts[line] : end].rstrip("\r\n")
