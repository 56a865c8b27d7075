"""Incremental parsing gives exactly what a full validation gives, after every step of random edit sequences."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from wf_lsp.core.engine import analyze
from wf_lsp.core.loader import analyze_result
from wf_lsp.core.parse import incremental
from wf_lsp.core.parse.document import parse
from wf_lsp.core.parse.incremental import Reparser
from wf_lsp.core.parse.region import CHUNK, changed_region
from wf_lsp.core.rules.registry import load_registry
from wf_lsp.core.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
SETTINGS = Settings()
REGISTRY = load_registry(SETTINGS.registry)
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_NUMBER = re.compile(r"(?<=[:\[, ])-?\d+(?:\.\d+)?")


def _corpus(kind: str, count: int) -> list[str]:
    files = sorted((CORPUS / kind).glob("*.json"))
    assert files, f"corpus not found at {CORPUS / kind}"
    step = max(1, len(files) // count)
    return [f.read_text(encoding="utf-8") for f in files[::step][:count]]


def _generated(n: int, seed: int, indent: int = 2) -> str:
    rng = random.Random(seed)
    nodes = [
        {
            "id": f"node_{i}",
            "name": f"Step {i}",
            "type": rng.choice(["core.http_request", "logic.if", "string.concat", "math.add", "no.such_type"]),
            "typeVersion": 1,
            "position": [i * 200, rng.randrange(400)],
            "parameters": {"url": f"https://example.com/{i}", "values": [rng.randrange(9) for _ in range(3)]},
        }
        for i in range(n)
    ]
    link = {"type": "main", "index": 0}
    conns = {f"Step {i}": {"main": {"0": [{"node": f"Step {i + 1}", **link}]}} for i in range(n - 1)}
    wf = {"id": "wf", "name": "Generated", "tenantId": "acme", "nodes": nodes, "connections": conns}
    return json.dumps(wf, indent=indent) + "\n"


def _signature(text: str, doc: Any = None) -> str:
    a = analyze(text, SETTINGS, REGISTRY, "/tmp/x.json", None, doc)
    found = [(f.code, f.message, f.severity, f.span, f.related, f.fixes, f.suggestion, f.tags) for f in a.findings]
    found.append(tuple(f.pointer for f in a.findings))
    return repr((a.is_workflow, a.dialect, found, a.value))


def _edit(text: str, rng: random.Random, history: list[str]) -> str:
    """One random edit: inside a string or a number, a key, a whole node, a structural character, or an undo."""
    if not _parses(text) and rng.random() < 0.5:  # repaired: back to the last well-formed text
        return next((h for h in reversed(history[-8:]) if _parses(h)), history[0])
    kind = rng.randrange(12)
    strings = list(_STRING.finditer(text))
    if kind <= 5 and strings:  # inside a string: insert, delete or replace a few characters (rarely a quote)
        m = rng.choice(strings)
        at = rng.randrange(m.start() + 1, m.end())
        gone = rng.randrange(0, min(3, m.end() - 1 - at) + 1)
        piece = "".join(rng.choice("ab:{[ 1é" if rng.random() < 0.9 else '"\\') for _ in range(rng.randrange(3)))
        return text[:at] + piece + text[at + gone :]
    if kind == 6:
        numbers = list(_NUMBER.finditer(text))
        if numbers:
            m = rng.choice(numbers)
            number = rng.choice(["7", "-1", "3.5", "1e+5", "99999999999999999999999", "x"])
            return text[: m.start()] + number + text[m.end() :]
    if kind == 7:  # copy or remove a whole node (its lines, as an editor does)
        starts = [m.start() for m in re.finditer(r"\n    \{", text)]
        if starts:
            s = rng.choice(starts)
            e = text.find("\n    }", s)
            if e > 0:
                block = text[s : e + 6]
                return text[: e + 6] + "," + block + text[e + 6 :] if rng.random() < 0.5 else text[:s] + text[e + 6 :]
    if kind == 8 and history:  # undo: back to an earlier text (repairs a break)
        return rng.choice(history[-4:])
    if kind == 9:  # a structural character removed or added
        spots = [i for i, c in enumerate(text) if c in ',:{}[]"']
        if spots:
            at = rng.choice(spots)
            return text[:at] + text[at + 1 :] if rng.random() < 0.6 else text[:at] + rng.choice(",:}]") + text[at:]
    if kind == 10 and strings:  # a key or name renamed to another key of the text
        m = rng.choice(strings)
        return text[: m.start()] + rng.choice(strings).group() + text[m.end() :]
    at = rng.randrange(len(text) + 1)  # any character anywhere
    return text[:at] + rng.choice(' \n,"x0{') + text[at:]


def _parses(text: str) -> bool:
    """Well-formed, without duplicate keys (an editor's user soon repairs both)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in items}) != len(items):
            raise ValueError("duplicate key")
        return dict(items)

    try:
        json.loads(text, object_pairs_hook=pairs)
    except ValueError:
        return False
    return True


def _run(texts: list[str], steps: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    splices = compared = 0
    for original in texts:
        parser = Reparser()
        text = original
        history = [text]
        assert _signature(text, parser.parse(text, SETTINGS.max_file_bytes)) == _signature(text)
        for step in range(steps):
            text = _edit(text, rng, history)
            history.append(text)
            before = parser.splices
            doc = parser.parse(text, SETTINGS.max_file_bytes)
            assert _signature(text, doc) == _signature(text), (seed, step, parser.splices > before)
            compared += 1
        splices += parser.splices
    return splices, compared


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_of_metabuilder_files_match_full_validation(seed: int) -> None:
    splices, compared = _run(_corpus("metabuilder", 12), 40, seed)
    assert compared == 480
    assert splices > compared // 4, splices  # the incremental path is taken, not only the full one


def test_random_edits_of_n8n_exports_match_full_validation() -> None:
    splices, compared = _run(_corpus("n8n", 10), 40, 3)
    assert splices > compared // 4, splices


def test_random_edits_of_a_large_pretty_printed_file_match_full_validation() -> None:
    """Canonical text (exactly its value pretty-printed) keeps its flag through splices, or loses it, as parse does."""
    splices, compared = _run([_generated(400, 4)], 60, 4)
    assert splices > compared // 3, splices


def test_random_edits_of_a_large_file_in_another_layout_match_full_validation() -> None:
    """Text that is not its value pretty-printed: the skeleton (top two levels) comes from a full scan, and moves."""
    splices, compared = _run([_generated(400, 7, indent=3)], 60, 7)
    assert splices > compared // 3, splices


def test_random_edits_of_a_file_with_crlf_line_ends_match_full_validation() -> None:
    """A CR makes columns depend on more than the offset: positions after the edit are found again, not moved."""
    splices, compared = _run([_generated(200, 12).replace("\n", "\r\n")], 50, 12)
    assert splices > compared // 8, splices  # (many random edits break a line end, or leave the spliced layout)


def test_an_edit_inside_one_node_reparses_that_node_only() -> None:
    text = _generated(300, 5)
    parser = Reparser()
    parser.parse(text, SETTINGS.max_file_bytes)
    at = text.index("https://example.com/150") + 8
    edited = text[:at] + "x" + text[at:]
    doc = parser.parse(edited, SETTINGS.max_file_bytes)
    assert parser.splices == 1
    assert doc.value["nodes"][150]["parameters"]["url"] == "https://xexample.com/150"
    assert doc.canonical
    assert _signature(edited, doc) == _signature(edited)


@pytest.mark.parametrize("indent", [2, 3])
def test_a_spliced_document_keeps_the_skeleton_moved_as_a_fresh_parse_builds_it(indent: int) -> None:
    text = _generated(300, 8, indent)
    parser = Reparser()
    first = parser.parse(text, SETTINGS.max_file_bytes)
    analyze(text, SETTINGS, REGISTRY, None, None, first)  # placing deep findings in a big file builds the skeleton
    assert first._skeleton is not None
    at = text.index("https://example.com/100") + 8
    edited = text[:at] + "longer" + text[at:]
    doc = parser.parse(edited, SETTINGS.max_file_bytes)
    assert parser.splices == 1
    fresh = parse(edited, SETTINGS.max_file_bytes)
    assert doc._skeleton == fresh.skeleton(full_scan=first._skeleton_tried == 2)
    assert doc._skeleton_tried == first._skeleton_tried


def test_changed_region_is_the_shortest_replacement() -> None:
    rng = random.Random(6)
    for size in (0, 1, 40, 3 * CHUNK + 17):
        base = "".join(rng.choice("ab") for _ in range(size))
        for _ in range(40):
            at = rng.randrange(size + 1)
            gone = rng.randrange(0, min(5, size - at) + 1)
            new = base[:at] + "".join(rng.choice("abc") for _ in range(rng.randrange(4))) + base[at + gone :]
            start, old_end, new_end = changed_region(base, new)
            assert base[:start] + new[start:new_end] + base[old_end:] == new
            common = 0
            while common < min(len(base), len(new)) and base[common] == new[common]:
                common += 1
            assert start == common
            assert old_end >= start and new_end >= start
            if start < min(len(base), len(new)) and old_end > start and new_end > start:
                assert base[old_end - 1] != new[new_end - 1]


def test_the_language_servers_analyzer_parses_the_next_version_of_a_path_incrementally() -> None:
    """What the validation workers call: the same result as a full run, the second version spliced."""
    text = _generated(200, 9)
    path = "/tmp/incremental-hook.json"
    at = text.index("https://example.com/50") + 8
    edited = text[:at] + "y" + text[at:]
    first = analyze_result(text, SETTINGS, REGISTRY, path, [], incremental=True)
    second = analyze_result(edited, SETTINGS, REGISTRY, path, [], incremental=True)
    assert incremental.reparser(path).splices == 1
    assert first.findings == analyze_result(text, SETTINGS, REGISTRY, path, []).findings
    assert second.findings == analyze_result(edited, SETTINGS, REGISTRY, path, []).findings
    assert analyze_result(edited, SETTINGS, REGISTRY, "/tmp/other.json", []).findings == second.findings


def test_kept_parses_are_bounded_in_number_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(incremental, "_STATES", type(incremental._STATES)())
    monkeypatch.setattr(incremental, "KEEP_CHARS", 3 * 100_000)
    text = "{" + '"nodes": [' + ", ".join(['"' + "x" * 1000 + '"'] * 99) + "]}"
    for i in range(12):
        incremental.reparser(f"/doc{i}").parse(text, None)
        incremental.reparser(f"/doc{i}")  # (sizes are counted when a document is looked up)
    kept = incremental._STATES
    assert len(kept) <= incremental.KEEP
    assert sum(r.size for r in kept.values()) <= 3 * 100_000
    assert "/doc11" in kept


def test_edits_hopping_between_nodes_splice_the_right_node() -> None:
    """Item numbers counted from the last edit's node, forwards and backwards, and across top-level members."""
    text = _generated(300, 10)
    parser = Reparser()
    parser.parse(text, SETTINGS.max_file_bytes)
    for n, target in enumerate([10, 200, 5, 5, 299, 0, 150]):
        at = text.index(f'example.com/{target}"')
        text = text[:at] + "z" + text[at:]
        doc = parser.parse(text, SETTINGS.max_file_bytes)
        assert parser.splices >= n + 1
        assert doc.value == json.loads(text)
        at = text.index('"Step 7"', text.index('"connections"')) + 4  # a connections entry's name, and back
        text = text[:at] + "q" + text[at:]
        assert parser.parse(text, SETTINGS.max_file_bytes).value == json.loads(text)
        text = text[:at] + text[at + 1 :]
        assert parser.parse(text, SETTINGS.max_file_bytes).value == json.loads(text)


def test_after_an_edit_only_the_edited_nodes_findings_are_located_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings elsewhere take the previous version's spans and fixes, moved by the edit (and lines it adds)."""
    from wf_lsp.core import engine

    text = _generated(300, 5)
    parser = Reparser()
    first = parser.parse(text, SETTINGS.max_file_bytes)
    before = analyze(text, SETTINGS, REGISTRY, None, None, first)
    assert len(before.findings) > 50
    asked: list[tuple[Any, ...]] = []
    real = engine.locate

    def locate(text: str, pointers: Any, *args: Any) -> Any:
        asked.extend(pointers)
        return real(text, pointers, *args)

    monkeypatch.setattr(engine, "locate", locate)
    at = text.index('"url": "https://example.com/150"')
    edited = text[:at] + '"note": "a line more",\n        ' + text[at:]  # a member added: every later line moves
    doc = parser.parse(edited, SETTINGS.max_file_bytes)
    assert parser.splices == 1
    after = analyze(edited, SETTINGS, REGISTRY, None, None, doc)
    assert all(p[:2] == ("nodes", 150) or len(p) < 2 for p in asked), asked
    old = {(f.code, f.pointer): f.span for f in before.findings if f.span is not None}
    kept = [f for f in after.findings if f.span is not None and f.span.end.offset < at]
    assert kept and all(
        f.span.start is old[(f.code, f.pointer)].start for f in kept
    )  # the same objects, not found again
    monkeypatch.undo()
    assert _signature(edited, doc) == _signature(edited)
    assert repr([(f.span, f.fixes, f.related) for f in after.findings]) == repr(
        [(f.span, f.fixes, f.related) for f in analyze(edited, SETTINGS, REGISTRY, None, None, None).findings]
    )


def _count_walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A list that grows by each connection map entry walked (not taken from the last version), by its source key."""
    from wf_lsp.core.rules import connections

    walked: list[str] = []
    real = connections._sources

    def sources(ctx: Any) -> Any:
        got = real(ctx)
        if got is None:
            return None
        pairs, one = got
        return pairs, lambda src, outputs: (walked.append(src), one(src, outputs))[1]

    monkeypatch.setattr(connections, "_sources", sources)
    return walked


def _placed(analysis: Any) -> list[Any]:
    return [(f.code, f.message, f.span, f.fixes, f.related) for f in analysis.findings]


def _walk_steps(parser: Reparser, text: str, steps: list[tuple[str, str, set[str]]], walked: list[str]) -> list[Any]:
    """Each step's text (its first `old` replaced by `new`) validated as the next version: exactly the entries the step
    names walked again, and everything equal to a full validation; each version's analysis."""
    out = []
    for old, new, entries in steps:
        walked.clear()
        assert old in text
        text = text.replace(old, new, 1)
        got = analyze(text, SETTINGS, REGISTRY, None, None, parser.parse(text, SETTINGS.max_file_bytes))
        assert sorted(walked) == sorted(entries), (old, set(walked) ^ entries)
        assert _placed(got) == _placed(analyze(text, SETTINGS, REGISTRY, None, None, None))
        out.append(got)
    return out


def test_connection_entries_are_walked_again_only_when_what_they_read_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fast entry (it noted nothing) read its references alone: it is walked again when its value changed or one of
    them names a node whose name or id the edit changed. A slow entry (it noted a target that names no node, with a
    did-you-mean fix over every name) is walked again whenever a name or id changed."""
    walked = _count_walks(monkeypatch)
    wf = json.loads(_generated(200, 9))
    slow = set()
    for i in range(0, 199, 3):  # targets that name no node: the walk notes them, with did-you-mean fixes
        wf["connections"][f"Step {i}"]["main"]["0"][0]["node"] = f"Stpe {i + 1}"
        slow.add(f"Step {i}")
    text = json.dumps(wf, indent=2) + "\n"
    parser = Reparser()
    analyze(text, SETTINGS, REGISTRY, None, None, parser.parse(text, SETTINGS.max_file_bytes))
    assert len(walked) == 199
    named = {"Step 49", "Step 50"}  # the entries that name "Step 50" (slow too, once it is renamed)
    steps = [
        ("https://example.com/120", "https://example.com/120x", set()),  # a parameter: every entry is taken again
        ('"name": "Step 50"', '"name": "Step 50b"', slow | named),
        ('"id": "node_7"', '"id": "node_7x"', slow | named),  # no fast entry names a node by id
        ("https://example.com/30", "https://example.com/3", set()),
        ('"node": "Step 12"', '"node": "Step 13"', {"Step 11"}),  # one entry's value
        # a slow entry made fast: it no longer asks did-you-mean, whose budget the slow entries after it share
        ('"node": "Stpe 16"', '"node": "Step 16"', {"Step 15"} | {s for s in slow | named if int(s[5:]) > 15}),
    ]
    for got in _walk_steps(parser, text, steps, walked):
        assert sum(f.code == "INVALID_CONNECTION_TARGET_NODE" for f in got.findings) >= 60


def test_a_walk_taken_from_the_last_version_is_handed_on_to_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typing in a parameter, keystroke after keystroke: the map is walked once, not on every other keystroke."""
    walked = _count_walks(monkeypatch)
    text = _generated(120, 3)
    parser = Reparser()
    analyze(text, SETTINGS, REGISTRY, None, None, parser.parse(text, SETTINGS.max_file_bytes))
    at = text.index("https://example.com/60") + len("https://example.com/60")
    versions = []
    for typed in "abcdef":
        text = text[:at] + typed + text[at:]
        at += 1
        doc = parser.parse(text, SETTINGS.max_file_bytes)
        got = analyze(text, SETTINGS, REGISTRY, None, None, doc)
        versions.append((text, _placed(got)))
    assert len(walked) == 119
    monkeypatch.undo()
    for text, found in versions:
        assert found == _placed(analyze(text, SETTINGS, REGISTRY, None, None, None))


def test_renaming_a_node_walks_the_entries_that_name_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typing in a node's name, an id, or a name that another node's id now shadows: the entries whose references name
    the changed nodes are walked again, and the others (fast) are taken from the last version."""
    walked = _count_walks(monkeypatch)
    text = _generated(150, 4)
    parser = Reparser()
    analyze(text, SETTINGS, REGISTRY, None, None, parser.parse(text, SETTINGS.max_file_bytes))
    assert len(walked) == 149
    steps = [
        ('"id": "node_70"', '"id": "node_70x"', set()),  # an id: every key was found by name
        ('"id": "node_71"', '"id": "Step 90"', {"Step 89", "Step 90"}),  # an id that is another node's name
        ('"name": "Step 50"', '"name": "Step 50b"', {"Step 49", "Step 50"}),  # now slow: they name no node
        ('"name": "Step 50b"', '"name": "Step 50bc"', {"Step 49", "Step 50"}),  # slow: did-you-mean reads every name
        ('"id": "node_72"', '"id": "Step 50"', {"Step 49", "Step 50"}),  # the second lookup finds "Step 50" again
        ('"id": "node_73"', '"id": "node_73x"', set()),  # fast again: an id no entry names
    ]
    _walk_steps(parser, text, steps, walked)


def test_mixed_connection_keys_is_taken_from_the_last_version_only_when_no_name_or_id_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MIXED_CONNECTION_KEYS reads the map's references and the names and ids: typing in a parameter takes its finding
    and fix from the last version; any id edit counts again, even of a node no entry names by id (the fix rewrites
    every name to its node's id)."""
    from wf_lsp.core.rules import connections

    counted: list[int] = []
    real = connections._mixed
    monkeypatch.setattr(connections, "_mixed", lambda ctx, conns: (counted.append(1), real(ctx, conns))[1])
    wf = json.loads(_generated(40, 5))  # (small enough for a fix that rewrites every name: MAX_REKEY_EDITS)
    for i in range(0, 39, 10):  # every tenth target by id
        wf["connections"][f"Step {i}"]["main"]["0"][0]["node"] = f"node_{i + 1}"
    text = json.dumps(wf, indent=2) + "\n"
    parser = Reparser()
    first = analyze(text, SETTINGS, REGISTRY, None, None, parser.parse(text, SETTINGS.max_file_bytes))
    assert counted == [1] and any(f.code == "MIXED_CONNECTION_KEYS" for f in first.findings)
    steps = [
        ("https://example.com/16", "https://example.com/16x", []),
        ('"id": "node_25"', '"id": "node_25x"', [1]),  # named by name only: the fix to ids changes
        ("https://example.com/17", "https://example.com/1", []),
        ('"id": "node_11"', '"id": "node_11x"', [1]),  # named by id: that target now names no node
        ("https://example.com/18", "https://example.com/18y", []),
    ]
    for old, new, counts in steps:
        counted.clear()
        text = text.replace(old, new, 1)
        got = analyze(text, SETTINGS, REGISTRY, None, None, parser.parse(text, SETTINGS.max_file_bytes))
        assert counted == counts, old
        assert _placed(got) == _placed(analyze(text, SETTINGS, REGISTRY, None, None, None))
        assert any(f.code == "MIXED_CONNECTION_KEYS" for f in got.findings)


def test_node_answers_are_taken_from_the_last_version_only_with_the_same_registry(tmp_path: Path) -> None:
    """A node's registry answers (its type known, its parameters passing) are kept for the next version only when
    the registry is the same: a workspace registry file that now defines a type answers every node again."""
    from wf_lsp.core.rules.registry import load_registry

    text = _generated(60, 6)
    assert '"no.such_type"' in text
    extra = tmp_path / "types.json"
    extra.write_text(json.dumps({"types": {"no.such_type": {"description": "x", "outputs": ["main"], "params": {}}}}))
    other = load_registry((str(extra),))
    assert other is not REGISTRY and other.get("no.such_type") is not None
    parser = Reparser()
    analyze(text, SETTINGS, REGISTRY, None, None, parser.parse(text, SETTINGS.max_file_bytes))
    text = text.replace("https://example.com/30", "https://example.com/3", 1)
    got = analyze(text, SETTINGS, other, None, None, parser.parse(text, SETTINGS.max_file_bytes))
    assert _placed(got) == _placed(analyze(text, SETTINGS, other, None, None, None))
    assert not any(f.code == "INVALID_NODE_TYPE" for f in got.findings)


def _broken(text: str, rng: random.Random) -> str:
    """One syntax error somewhere: a comma or colon gone, a trailing comma, a stray word or quote, a cut-off end."""
    kind = rng.randrange(6)
    if kind == 0:
        spots = [m.start() for m in re.finditer(r",\n", text)]
        at = rng.choice(spots)
        return text[:at] + text[at + 1 :]
    if kind == 1:
        spots = [m.start() + 1 for m in re.finditer(r'": ', text)]
        at = rng.choice(spots)
        return text[:at] + text[at + 1 :]
    if kind == 2:
        spots = [m.start() for m in re.finditer(r"\n *[}\]]", text)]
        at = rng.choice(spots)
        return text[:at] + "," + text[at:]
    if kind == 3:
        spots = [m.end() for m in re.finditer(r'": ', text)]
        at = rng.choice(spots)
        return text[:at] + rng.choice(["undefined, ", "'x', ", '"open\n', "tru "]) + text[at:]
    if kind == 4:
        return text[: rng.randrange(len(text) // 2, len(text))]
    return text[:-3]


@pytest.mark.parametrize("seed", [11, 12])
def test_random_edits_of_broken_files_match_full_validation(seed: int) -> None:
    """Typing elsewhere in a file that stays broken (a missing comma, a stray word, a cut-off end): each version
    equals a full validation, and most are spliced into the last repaired text instead of repaired again."""
    rng = random.Random(seed)
    texts = [*_corpus("metabuilder", 8), _generated(300, 5), json.dumps(json.loads(_corpus("n8n", 3)[1]), indent=2)]
    repaired_splices = versions = 0
    for original in texts:
        for _ in range(3):
            text = _broken(original, rng)
            parser = Reparser()
            assert _signature(text, parser.parse(text, SETTINGS.max_file_bytes)) == _signature(text)
            strings = list(_STRING.finditer(text))
            for _step in range(12):
                if rng.random() < 0.85 and strings:  # typing inside some string
                    m = rng.choice(strings[: len(strings) - 2])
                    at = rng.randrange(m.start() + 1, m.end())
                    text = text[:at] + rng.choice(["a", "b:", "é", "", "\\n"]) + text[at + rng.randrange(2) :]
                else:
                    text = _edit(text, rng, [text])
                strings = list(_STRING.finditer(text))
                before = parser.splices
                doc = parser.parse(text, SETTINGS.max_file_bytes)
                if parser.splices > before and doc.repairs:
                    repaired_splices += 1
                versions += 1
                assert _signature(text, doc) == _signature(text), (text[:80], _step)
    assert repaired_splices >= versions // 3, (repaired_splices, versions)


def _break_inside(text: str, s: int, e: int, rng: random.Random) -> str | None:
    """One syntax error inside text[s:e] (a node): a comma or colon gone, a stray word, a trailing comma, a line break
    inside a string; None when the node has no such spot."""
    kind = rng.randrange(5)
    pattern, cut, typed = [
        (r",\n", 1, ""),
        (r'": ', 1, ""),
        (r'": ', 0, "tru "),
        (r"\n *\}", 0, ","),
        (r'": "', 0, ""),
    ][kind]
    spots = [m.start() + (1 if kind in (1, 4) else 0) for m in re.compile(pattern).finditer(text, s, e)]
    if kind == 2:
        spots = [m.end() for m in re.compile(pattern).finditer(text, s, e)]
    if kind == 4:
        spots = [m.end() + 1 for m in re.compile(pattern).finditer(text, s, e) if text[m.end()] != '"']
        typed = "\n"
    spots = [at for at in spots if s + 320 < at < e - 2] if kind in (2, 3) else [at for at in spots if s < at < e - 2]
    if not spots:
        return None
    at = rng.choice(spots)
    return text[:at] + typed + text[at + cut :]


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_typing_in_the_node_that_holds_the_break_matches_full_validation(seed: int) -> None:
    """A node with a syntax error in it (the rest of the file well-formed), then random typing inside that node,
    structural characters too: each version equals a full validation, and many are spliced (that node repaired
    alone) instead of the whole file repaired again."""
    from wf_lsp.core.parse import skeleton

    rng = random.Random(seed)
    texts = [_generated(300, 5), *(json.dumps(json.loads(t), indent=2) for t in _corpus("metabuilder", 4)[1:])]
    spliced = versions = 0
    for original in texts:
        nodes = [span for p, (_, span) in skeleton.index(original).items() if len(p) == 2 and p[0] == "nodes"]
        for _ in range(4):
            s, e = rng.choice(nodes)
            text = _break_inside(original, s, e, rng)
            if text is None:
                continue
            e += len(text) - len(original)
            parser = Reparser()
            assert _signature(text, parser.parse(text, SETTINGS.max_file_bytes)) == _signature(text)
            for _step in range(10):
                at = rng.randrange(s + 1, e - 1)
                gone = rng.choice([0, 0, 0, 1])
                typed = rng.choice(["a", "b", "é", "", " ", "x", "1", ",", ":", '"', "\n", "}", "]", "{"])
                text = text[:at] + typed + text[at + gone :]
                e += len(typed) - gone
                before = parser.splices
                doc = parser.parse(text, SETTINGS.max_file_bytes)
                versions += 1
                spliced += parser.splices > before
                assert _signature(text, doc) == _signature(text), (text[s:e], _step)
    assert versions > 80 and spliced >= versions // 10, (spliced, versions)


def test_typing_beside_a_missing_comma_repairs_its_node_alone() -> None:
    """The benchmark's broken file: a comma missing in a node of 1,000, and typing in that node's name. Every version
    is spliced, and equals a full validation, and the fix (the comma typed back) gives the well-formed file's."""
    text = _generated(1000, 3)
    name = text.index('"name": "Step 500"')
    comma = text.index(",\n", name)
    text = text[:comma] + text[comma + 1 :]
    parser = Reparser()
    parser.parse(text, SETTINGS.max_file_bytes)
    at = name + len('"name": "Step')
    for k in range(5):
        text = text[:at] + "xyz"[k % 3] + text[at:]
        doc = parser.parse(text, SETTINGS.max_file_bytes)
        assert parser.splices == k + 1 and [f.message for f in doc.syntax] == ["Missing comma"]
        assert _signature(text, doc) == _signature(text)
    comma += 5
    text = text[:comma] + "," + text[comma:]
    doc = parser.parse(text, SETTINGS.max_file_bytes)
    assert not doc.syntax and _signature(text, doc) == _signature(text)


def test_a_known_changed_region_is_taken_only_from_the_last_text_itself() -> None:
    """The validation worker knows where a version differs from the one before (it applied the edit): the parser takes
    that region instead of comparing the texts, but only when it is given against the very text it parsed last; any
    other base (an equal copy included) is ignored, whatever region comes with it."""
    text = _generated(300, 4)
    parser = Reparser()
    parser.parse(text, SETTINGS.max_file_bytes)
    at = text.index("https://example.com/120") + 9
    edited = text[:at] + "Q" + text[at:]
    doc = parser.parse(edited, SETTINGS.max_file_bytes, (text, *changed_region(text, edited)))
    assert parser.splices == 1 and _signature(edited, doc) == _signature(edited)
    again = edited[:at] + "R" + edited[at:]
    copy = "".join(list(edited))
    assert copy == edited and copy is not edited
    doc = parser.parse(again, SETTINGS.max_file_bytes, (copy, 0, 5, 2))  # not the last text: the region is not used
    assert parser.splices == 2 and _signature(again, doc) == _signature(again)


def test_node_checks_kept_from_the_last_version_match_full_validation() -> None:
    """Nodes whose parameters the node rules report ("[object Object]", a node attribute among them, parameters in
    parameters; each node also has a timeout the rules read, so it stays one they look at) keep their answers across
    versions only while they are the same node at the same index: edits that make and unmake each finding in one
    node, and nodes removed and copied before it (every later index moves), each equal a full validation."""
    wf = json.loads(_generated(120, 8))
    for node in wf["nodes"][:60]:  # (the other nodes are ones no node rule looks at, till an edit makes them so)
        node["timeout"] = 10
        node["parameters"]["body"] = "[object Object]"
        node["parameters"]["position"] = [1, 2]
        node["parameters"]["parameters"] = {"parameters": {"parameters": {"x": 1}}}
    text = json.dumps(wf, indent=2)
    parser = Reparser()
    parser.parse(text, SETTINGS.max_file_bytes)

    def in_node(text: str, i: int, old: str, new: str) -> str:
        start = text.index(f'"id": "node_{i}"')
        at = text.index(old, start)
        assert at < text.index('"id": "node_', start + 1)
        return text[:at] + new + text[at + len(old) :]

    steps = [
        ('"body": "[object Object]"', '"body": "[object Objects]"'),
        ('"body": "[object Objects]"', '"body": "[object Object]"'),
        ('"position": [\n', '"positions": [\n'),
        ('"positions": [\n', '"position": [\n'),
        ('"parameters": {\n              "x"', '"parameter": {\n              "x"'),
        ('"timeout": 10', '"timeout": 5000'),
    ]
    steps += [("https://example.com/70", "[object Object]"), ("[object Object]", "https://example.com/70")]
    for old, new in steps:
        text = in_node(text, 30 if "example" not in old + new else 70, old, new)
        doc = parser.parse(text, SETTINGS.max_file_bytes)
        assert parser.splices and _signature(text, doc) == _signature(text), (old, new)
    start = text.index('    {\n      "id": "node_5"')
    end = text.index('    {\n      "id": "node_6"')
    for edited in (text[:start] + text[end:], text[:end] + text[start:end] + text[end:]):
        doc = parser.parse(edited, SETTINGS.max_file_bytes)
        assert _signature(edited, doc) == _signature(edited)
        again = in_node(edited, 40, '"body": "[object Object]"', '"body": "[object Object] "')
        doc = parser.parse(again, SETTINGS.max_file_bytes)
        assert _signature(again, doc) == _signature(again)
