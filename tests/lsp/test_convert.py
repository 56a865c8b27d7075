"""Offsets and core positions to client positions, in every encoding, on texts with astral characters and CRLF."""

from __future__ import annotations

import random

from lsprotocol import types as t

from wf_lsp.core.findings import Fix, TextEdit
from wf_lsp.core.parse.textindex import TextIndex
from wf_lsp.lsp.convert import PositionMapper, fix_edits, fix_json

_PIECES = ["a", "é", "😀", "\n", "\r\n", "\r", " ", "中"]


def _expected(text: str, offset: int, encoding: str) -> t.Position:
    pos = TextIndex(text).position(offset)
    prefix = text[offset - pos.character : offset]
    units = {
        "utf-8": len(prefix.encode("utf-8")),
        "utf-16": len(prefix.encode("utf-16-le")) // 2,
        "utf-32": len(prefix),
    }
    return t.Position(pos.line, units[encoding])


def test_offsets_and_spans_in_every_encoding() -> None:
    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 40)))
        offsets = sorted(rng.randint(0, len(text)) for _ in range(6))
        for encoding in ("utf-8", "utf-16", "utf-32"):
            cold = PositionMapper(text, encoding)
            warm = PositionMapper(text, encoding)
            warm.preload(offsets)
            for o in offsets:
                assert cold.offset_position(o) == warm.offset_position(o) == _expected(text, o, encoding)
                core = TextIndex(text).position(o)
                assert cold.position(core.line, core.character, core.offset) == _expected(text, o, encoding)
                assert cold.position(core.line, core.character) == _expected(text, o, encoding)


def test_fix_edits_in_data_have_the_ranges_of_the_code_action_edits() -> None:
    """A fix travels in a diagnostic's data as JSON ranges; they are the ranges of the LSP edits the code action
    applies, in every encoding, on text with astral characters and every line ending (including offsets outside it)."""
    rng = random.Random(5)
    for _ in range(200):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 40)))
        edits = []
        for _ in range(rng.randint(1, 4)):
            a, b = sorted(rng.randint(-2, len(text) + 2) for _ in range(2))
            edits.append(TextEdit(a, b, "x"))
        fix = Fix("t", tuple(edits))
        for encoding in ("utf-8", "utf-16", "utf-32"):
            data = fix_json(fix, PositionMapper(text, encoding))["edits"]
            applied = fix_edits(fix, PositionMapper(text, encoding))
            assert [d["range"] for d in data] == [
                {
                    "start": {"line": e.range.start.line, "character": e.range.start.character},
                    "end": {"line": e.range.end.line, "character": e.range.end.character},
                }
                for e in applied
            ]
            for d, e, edit in zip(data, applied, edits, strict=True):
                assert e.range.start == _expected(text, min(max(edit.start, 0), len(text)), encoding)
                assert d["newText"] == "x"
