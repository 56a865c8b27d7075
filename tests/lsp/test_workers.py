"""The validation workers (real worker processes): a document keeps to one worker, each next version travels as the
edit from the last, and the result is always the full validation's, whatever the worker has lost."""

from __future__ import annotations

import os
import random
import signal
import threading
from collections.abc import Iterator

import pytest

from bench.gen import make
from wf_lsp.core.findings import Finding
from wf_lsp.core.loader import analyze_result
from wf_lsp.core.rules.registry import load_registry
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import workers
from wf_lsp.lsp.workers import ProcessAnalyzer

SETTINGS = Settings()
REGISTRY = load_registry(SETTINGS.registry)


@pytest.fixture
def analyzer() -> Iterator[ProcessAnalyzer]:
    made = ProcessAnalyzer(workers=2)
    yield made
    made.shutdown()


def _full(text: str) -> list[Finding]:
    return analyze_result(text, SETTINGS, REGISTRY, None, []).findings


def _edit(text: str, rng: random.Random) -> str:
    """A random small edit anywhere: typed characters, a deletion, a new line, a pasted node fragment."""
    at = rng.randrange(len(text) + 1)
    gone = rng.choice([0, 0, 1, 3, 40])
    typed = rng.choice(["x", "", "\n", '"', "},", '{"id": "n"}', "é😀"])
    return text[:at] + typed + text[at + gone :]


def test_next_versions_travel_as_edits_and_give_the_full_result(analyzer: ProcessAnalyzer) -> None:
    """Random edits of a 300-node document (valid, then broken, then valid again): after the first version only the
    edited characters are sent, and every result equals an in-process full validation of the same text."""
    rng = random.Random(17)
    text = make(300, "errors10")
    assert len(text) > workers.DELTA_MIN
    path = "/ws/edited.json"
    assert analyzer(text, SETTINGS, REGISTRY, path, []).findings == _full(text)
    first = analyzer.sent_chars
    assert first == len(text)
    for _ in range(25):
        text = _edit(text, rng)
        assert analyzer(text, SETTINGS, REGISTRY, path, []).findings == _full(text)
    assert analyzer.sent_chars - first < 25 * 200, "each edit sends its own characters, not the document"


def test_two_documents_each_keep_their_text_in_the_worker(analyzer: ProcessAnalyzer) -> None:
    """Edits alternating between two documents are still sent as edits: the worker keeps both texts."""
    texts = {"/ws/a.json": make(200, "valid"), "/ws/b.json": make(200, "unknown_few")}
    for path, text in texts.items():
        analyzer(text, SETTINGS, REGISTRY, path, [])
    before = analyzer.sent_chars
    for k in range(6):
        path = sorted(texts)[k % 2]
        at = texts[path].index('"name": "') + 9
        texts[path] = texts[path][:at] + "q" + texts[path][at:]
        assert analyzer(texts[path], SETTINGS, REGISTRY, path, []).findings == _full(texts[path])
    assert analyzer.sent_chars - before == 6


def test_a_worker_that_lost_the_text_is_sent_it_whole(analyzer: ProcessAnalyzer) -> None:
    """The worker no longer has the text the delta is against (here: cleared in the worker itself): it asks again,
    and the text is sent whole; the result is unchanged."""
    text = make(150, "errors_every")
    path = "/ws/lost.json"
    analyzer(text, SETTINGS, REGISTRY, path, [])
    (lane,) = [lane for lane in analyzer._lanes if path in lane.sent]
    assert lane.pool is not None
    lane.pool.submit(exec, "import wf_lsp.lsp.workers as w; w._texts.clear()").result()
    edited = text.replace('"name": "', '"name": "Z', 1)
    before = analyzer.sent_chars
    assert analyzer(edited, SETTINGS, REGISTRY, path, []).findings == _full(edited)
    assert analyzer.sent_chars - before == 1 + len(edited), "a one-character delta, refused, then the whole text"


def test_a_killed_worker_is_replaced_and_sent_the_whole_text(analyzer: ProcessAnalyzer) -> None:
    text = make(150, "unknown_all")
    path = "/ws/killed.json"
    analyzer(text, SETTINGS, REGISTRY, path, [])
    (lane,) = [lane for lane in analyzer._lanes if path in lane.sent]
    assert lane.pool is not None
    (pid,) = [p.pid for p in lane.pool._processes.values()]
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    edited = text.replace('"name": "', '"name": "K', 1)
    before = analyzer.sent_chars
    assert analyzer(edited, SETTINGS, REGISTRY, path, []).findings == _full(edited)
    assert analyzer.sent_chars - before >= len(edited), "the new worker gets the whole text"
    assert lane.pool is not None
    assert [p.pid for p in lane.pool._processes.values()] != [pid]


def test_a_document_moves_to_an_idle_worker_when_its_own_is_busy(analyzer: ProcessAnalyzer) -> None:
    """While document A's worker validates A, document B (last validated there too) goes to the other, idle worker:
    two documents validate at the same time, each with its own result."""
    a, b = make(200, "valid"), make(200, "errors10")
    analyzer(a, SETTINGS, REGISTRY, "/ws/a.json", [])
    analyzer(b, SETTINGS, REGISTRY, "/ws/b.json", [])
    (home,) = [lane for lane in analyzer._lanes if "/ws/b.json" in lane.sent]
    home.running.append("/ws/a.json")  # A's validation, as _take records it, still running there
    try:
        moved = analyzer._take("/ws/b.json")
        analyzer._give_back(moved, "/ws/b.json")
    finally:
        home.running.remove("/ws/a.json")
    assert moved is not home and "/ws/b.json" not in home.sent
    # The real thing: A validated in one thread while B validates in another.
    started, done = threading.Event(), threading.Event()
    results: dict[str, list[Finding]] = {}

    def validate_a() -> None:
        started.set()
        results["a"] = analyzer(a + " ", SETTINGS, REGISTRY, "/ws/a.json", []).findings
        done.set()

    thread = threading.Thread(target=validate_a)
    thread.start()
    started.wait()
    results["b"] = analyzer(b + "  ", SETTINGS, REGISTRY, "/ws/b.json", []).findings
    thread.join()
    assert results == {"a": _full(a + " "), "b": _full(b + "  ")}


def test_a_text_over_the_size_limit_is_reported_without_a_worker(analyzer: ProcessAnalyzer) -> None:
    """A document over maxFileBytes is only reported (FILE_TOO_LARGE): each keystroke in it sends nothing to a worker
    (before: 56 MB compared, sent and rebuilt on every keystroke)."""
    small = Settings(max_file_bytes=50_000)
    text = make(100, "valid")
    assert len(text) > small.max_file_bytes
    found = analyzer(text, small, REGISTRY, "/ws/big.json", []).findings
    assert [f.code for f in found] == ["FILE_TOO_LARGE"]
    assert found == analyze_result(text, small, REGISTRY, None, []).findings
    assert analyzer.sent_chars == 0 and all(lane.pool is None for lane in analyzer._lanes)


def test_what_the_workers_keep_is_bounded(analyzer: ProcessAnalyzer) -> None:
    """Past KEEP documents the oldest text is let go on both sides (server and worker): its next version is sent
    whole, and its result is still the full validation's."""
    texts = {f"/ws/doc{i}.json": make(60 + i, "valid") for i in range(workers.KEEP + 2)}
    for path, text in texts.items():
        analyzer(text, SETTINGS, REGISTRY, path, [])
    assert all(len(lane.sent) <= workers.KEEP for lane in analyzer._lanes)
    first = next(iter(texts))
    edited = texts[first].replace('"name": "', '"name": "O', 1)
    before = analyzer.sent_chars
    assert analyzer(edited, SETTINGS, REGISTRY, first, []).findings == _full(edited)
    assert analyzer.sent_chars - before == len(edited)


def test_a_closed_document_is_let_go(analyzer: ProcessAnalyzer) -> None:
    """Closing a document (the server calls forget) drops the text the server kept for its next delta; opened again,
    it is sent whole and validated the same."""
    text = make(120, "errors10")
    path = "/ws/closed.json"
    analyzer(text, SETTINGS, REGISTRY, path, [])
    assert any(path in lane.sent for lane in analyzer._lanes)
    analyzer.forget(path)
    assert not any(path in lane.sent for lane in analyzer._lanes)
    before = analyzer.sent_chars
    assert analyzer(text, SETTINGS, REGISTRY, path, []).findings == _full(text)
    assert analyzer.sent_chars - before == len(text)


def test_files_a_workspace_walk_validated_are_not_kept_but_open_documents_are() -> None:
    """A workspace report validates files no editor has open: the server keeps none of their texts for a next delta
    (they are not edited next); an open document validated in the same batch keeps its own."""
    import asyncio

    from lsprotocol import types

    from wf_lsp.core.loader import WorkflowLoader
    from wf_lsp.lsp.convert import DiagnosticStyle
    from wf_lsp.lsp.server import WfServer
    from wf_lsp.lsp.validation import ValidationJob

    server = WfServer()
    loader = WorkflowLoader(SETTINGS, analyzer=server.analyzer)
    texts = {f"/ws/walk{i}.json": make(40 + i, "valid") for i in range(3)}
    opened = "/ws/open.json"
    texts[opened] = make(45, "errors10")
    server.documents.open(types.TextDocumentItem(f"file://{opened}", "json", 1, texts[opened]))
    jobs = [
        ValidationJob(f"file://{path}", None, text, path, None, False, loader, "utf-16", DiagnosticStyle(), 0)
        for path, text in texts.items()
    ]
    try:
        done = asyncio.run(server.workspace_reports.validate_many(jobs))
        assert [v.result.findings for v in done] == [_full(t) for t in texts.values()]
        kept = {path for lane in server.analyzer._lanes for path in lane.sent}
        assert kept == {opened}, kept
    finally:
        server.analyzer.shutdown()
        server.close()


def _typed(text: str, rng: random.Random) -> str:
    """An edit that keeps the text valid JSON: typing or deleting inside a string value, or a line break added or
    removed after a comma (the lines after it move)."""
    at = rng.randrange(len(text))
    if rng.random() < 0.25:
        comma = text.find(",", at)
        if comma < 0:
            return text
        if text.startswith("\n\n", comma + 1):
            return text[: comma + 1] + text[comma + 2 :]
        return text[: comma + 1] + "\n" + text[comma + 1 :]
    at = text.find('": "', at)
    if at < 0:
        return text
    at += 4
    if rng.random() < 0.3 and text[at] not in '"\\':
        return text[:at] + text[at + 1 :]
    return text[:at] + rng.choice(["a", "Z", "é", "😀", " "]) + text[at:]


@pytest.mark.parametrize("shape", ["errors_every", "unknown_all", "errors10"])
def test_findings_the_server_holds_are_not_sent_again(analyzer: ProcessAnalyzer, shape: str) -> None:
    """Typing in a document with findings everywhere: a finding that is the last version's (moved by the edit or not)
    travels as its index in the list the server holds, and the server's list equals a full validation after every
    edit. One before the edit is the very object the server held; one after it is moved by the edit."""
    rng = random.Random(shape)
    text = make(300, shape)
    path = f"/ws/held-{shape}.json"
    last = analyzer(text, SETTINGS, REGISTRY, path, []).findings
    held_at_start = analyzer.findings_held
    moved = 0
    for _ in range(30):
        text = _typed(text, rng)
        before = analyzer.findings_held
        found = analyzer(text, SETTINGS, REGISTRY, path, []).findings
        assert found == _full(text)
        if analyzer.findings_held > before and found[0] == last[0]:
            assert found[0] is last[0], "an unmoved finding is the very object the server held"
            moved += found[-1] != last[-1] and found[-1].message == last[-1].message
        last = found
    assert analyzer.findings_held - held_at_start > 30 * len(last) // 2, "most findings travel as references"
    assert moved > 5, "findings after the edit are taken from the held ones, moved"


def test_a_finding_that_changed_away_from_the_edit_is_sent_whole(analyzer: ProcessAnalyzer) -> None:
    """Renaming one node to another's name changes findings on the other node (far from the edit): they are sent,
    not taken from what the server holds, and the result equals a full validation; renaming back restores it."""
    text = make(200, "errors_every")
    path = "/ws/renamed.json"
    analyzer(text, SETTINGS, REGISTRY, path, [])
    names = [text[m + 9 : text.index('"', m + 9)] for m in _all(text, '"name": "')]
    first = text.index(f'"name": "{names[150]}"') + 9
    renamed = text[:first] + names[3] + text[first + len(names[150]) :]
    found = analyzer(renamed, SETTINGS, REGISTRY, path, []).findings
    assert found == _full(renamed)
    assert any(f.code == "DUPLICATE_NODE_NAME" for f in found) and not any(
        f.code == "DUPLICATE_NODE_NAME" for f in _full(text)
    )
    assert analyzer(text, SETTINGS, REGISTRY, path, []).findings == _full(text)


def _all(text: str, sub: str) -> list[int]:
    out, at = [], text.find(sub)
    while at >= 0:
        out.append(at)
        at = text.find(sub, at + 1)
    return out
