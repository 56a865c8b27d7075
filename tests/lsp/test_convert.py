"""Offsets and core positions to client positions, in every encoding, on texts with astral characters and CRLF."""

from __future__ import annotations

import random

from lsprotocol import types as t

from wf_lsp.core.parse.textindex import TextIndex
from wf_lsp.lsp.convert import PositionMapper

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
