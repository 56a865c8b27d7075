"""The line index behind our document store: patched edits always agree with a fresh scan."""

from __future__ import annotations

import random
import re

from lsprotocol import types as t
from pygls.workspace.position_codec import PositionCodec

from wf_lsp.lsp.documents import OpenDocument
from wf_lsp.lsp.lines import LineIndex, LinesView

_NEWLINE = re.compile(r"\r\n|\r|\n")
_PIECES = ["a", "b", "\n", "\r", "\r\n", "é", "😀", "cc", " "]


def _fresh(text: str) -> list[int]:
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


def test_random_edits_keep_line_starts_exact() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        index = LineIndex("".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 30))))
        assert index.starts == _fresh(index.text)
        for _ in range(8):
            n = len(index.text)
            start = rng.randint(0, n)
            if rng.random() < 0.6:  # typing: small edits within a line
                end, new = min(n, start + rng.randint(0, 2)), rng.choice(["a", "bb", "", "é"])
            else:
                end, new = rng.randint(start, n), "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 4)))
            index.replace(start, end, new)
            want = _fresh(index.text)
            assert [index.start(i) for i in range(len(index))] == want
            assert all(want[index.line_of(o)] <= o for o in range(len(index.text) + 1))
        assert index.starts == _fresh(index.text)


def test_lines_view_matches_splitlines_for_lsp_newlines() -> None:
    text = "a\r\nb\rc\nd"
    assert list(LinesView(LineIndex(text))) == ["a\r\n", "b\r", "c\n", "d"]


def test_incremental_changes_in_utf16_and_utf8() -> None:
    for encoding, column in ((t.PositionEncodingKind.Utf16, 3), (t.PositionEncodingKind.Utf8, 5)):
        doc = OpenDocument("file:///x.json", "json", 1, LineIndex('{"a":\n"😀x"}'), None)
        change = t.TextDocumentContentChangePartial(
            range=t.Range(t.Position(1, column), t.Position(1, column + 1)), text="y"
        )
        doc.apply(change, PositionCodec(encoding))
        assert doc.text == '{"a":\n"😀y"}'
    doc.apply(t.TextDocumentContentChangeWholeDocument(text="{}"), PositionCodec())
    assert doc.text == "{}" and len(doc.lines) == 1
