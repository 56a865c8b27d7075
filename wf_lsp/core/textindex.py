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

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in _NEWLINES.finditer(self.text)]
        return self._starts

    def position(self, offset: int) -> Position:
        """Position of one code-point offset (clamped to the text)."""
        return self.positions([offset])[0]

    def positions(self, offsets: list[int]) -> list[Position]:
        """Positions of many offsets in one pass over the text."""
        n = len(self.text)
        clamped = [min(max(o, 0), n) for o in offsets]
        if self._has_cr:
            starts = self._line_starts()
            out = []
            for o in clamped:
                line = bisect.bisect_right(starts, o) - 1
                out.append(Position(line, o - starts[line], o))
            return out
        order = sorted(range(len(clamped)), key=clamped.__getitem__)
        result: list[Position | None] = [None] * len(clamped)
        text = self.text
        line, last, line_start = 0, 0, 0
        for i in order:
            o = clamped[i]
            line += text.count("\n", last, o)
            # Only the stretch since the previous offset can hold a newer line start: linear overall, even on one long line.
            nl = text.rfind("\n", last, o)
            if nl >= 0:
                line_start = nl + 1
            last = o
            result[i] = Position(line, o - line_start, o)
        return [p for p in result if p is not None]

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
