"""Why the server keeps its own documents: an incremental edit costs a fraction of pygls's whole-text re-split."""

from __future__ import annotations

import json
import statistics
import time

from lsprotocol import types as t
from pygls.workspace.position_codec import PositionCodec
from pygls.workspace.text_document import TextDocument

from tests.lsp.kit import BOOT, corpus_text
from wf_lsp.lsp.documents import OpenDocument
from wf_lsp.lsp.lines import LineIndex


def _big_text() -> str:
    data = json.loads(corpus_text(BOOT))
    data["nodes"] = [dict(n, id=f"{n['id']}_{i}", name=f"{n['name']} {i}") for i in range(450) for n in data["nodes"]]
    return json.dumps(data, indent=2)  # about 40k lines


def _median_ms(apply: object, changes: list[t.TextDocumentContentChangePartial]) -> float:
    times = []
    for change in changes:
        start = time.perf_counter()
        apply(change)  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def test_incremental_edits_do_not_resplit_the_text() -> None:
    text = _big_text()
    assert text.count("\n") > 30_000
    line = text.count("\n", 0, len(text) // 2)
    changes = [
        t.TextDocumentContentChangePartial(range=t.Range(t.Position(line, 4), t.Position(line, 4)), text="x")
        for _ in range(15)
    ]
    theirs = TextDocument("file:///a.json", text, 1, sync_kind=t.TextDocumentSyncKind.Incremental)
    ours = OpenDocument("file:///a.json", "json", 1, LineIndex(text), None)
    codec = PositionCodec()
    ours.apply(changes[0], codec)  # builds the line index once
    theirs.apply_change(changes[0])
    pygls_ms = _median_ms(lambda c: (theirs.apply_change(c), theirs.source), changes)
    ours_ms = _median_ms(lambda c: ours.apply(c, codec), changes)
    assert ours.text == theirs.source
    assert ours_ms * 5 < pygls_ms, f"ours {ours_ms:.2f} ms vs pygls {pygls_ms:.2f} ms per edit"
