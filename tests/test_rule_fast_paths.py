"""The rules' fast paths answer what the plain computations they shortcut would (did-you-mean, shapes, graphs)."""

from __future__ import annotations

import difflib
import json
import random
from typing import Any

from wf_lsp.core.engine import analyze, enabled_codes
from wf_lsp.core.fix import suggest
from wf_lsp.core.parse.document import parse
from wf_lsp.core.rules import types
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.registry import load_registry
from wf_lsp.core.settings import Settings

REGISTRY = load_registry(())
ALPHABET = "abcAB .1_éİ𝄞"


def _word(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def _plain_closest(word: str, candidates: list[str]) -> str | None:
    # words and candidates over MAX_GUESS_LENGTH take no part (a ratio costs the product of the lengths)
    candidates = [c for c in candidates if len(c) <= suggest.MAX_GUESS_LENGTH]
    folded = word.lower()
    hit = next((c for c in candidates if c.lower() == folded), None)
    if hit is None:
        hits = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
        hit = hits[0] if hits else None
    return hit


def test_ratio_suggestions_match_plain_difflib() -> None:
    rng = random.Random(7)
    for _ in range(1500):
        candidates = [_word(rng, 12) for _ in range(rng.randint(0, 90))]
        if rng.random() < 0.05:
            candidates.append("x" * 300)  # a long candidate: never suggested
            candidates.append("y" * 256)  # suggested, but counts no longer fit a byte
        suggester = suggest.Suggester(candidates)
        for _ in range(4):
            word = _word(rng, 14) if rng.random() < 0.8 else rng.choice(candidates or [""]) + rng.choice(ALPHABET)
            assert suggester.by_ratio(word) == _plain_closest(word, candidates), (word, candidates)


def test_subsequence_filter_keeps_every_candidate_difflib_accepts() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        word, candidate = _word(rng, 16), _word(rng, 16)
        ratio = difflib.SequenceMatcher(None, candidate, word).ratio()
        if ratio >= 0.6:
            assert suggest._subsequence_filter(word, [candidate, candidate], 0.6) == [candidate, candidate]


class _EagerDeletionIndex:
    """The deletion index as first written: every word indexed up front."""

    def __init__(self, words: list[str]) -> None:
        self.exact: dict[str, str] = {}
        self.dels: dict[str, str] = {}
        for w in words:
            lw = w.lower()
            self.exact.setdefault(lw, w)
            if len(lw) >= 3:
                for d in {lw[:i] + lw[i + 1 :] for i in range(len(lw))}:
                    self.dels.setdefault(d, w)

    def lookup(self, word: str) -> str | None:
        lw = word.lower()
        if lw in self.exact:
            return self.exact[lw]
        if len(lw) < 3:
            return None
        for d in (lw, *sorted({lw[:i] + lw[i + 1 :] for i in range(len(lw))})):
            hit = self.exact.get(d) or self.dels.get(d)
            if hit is not None:
                return hit
        return None


def test_lazy_deletion_index_matches_the_eager_one() -> None:
    rng = random.Random(3)
    for _ in range(1500):
        words = [_word(rng, 7) for _ in range(rng.randint(0, 60))]
        eager, lazy = _EagerDeletionIndex(words), suggest._DeletionIndex(words)
        for _ in range(6):
            word = _word(rng, 8)
            assert lazy.lookup(word) == eager.lookup(word), (word, words)
        if words:  # one word renamed, as in an editor's next version: the other lengths' parts are shared
            words[rng.randrange(len(words))] += rng.choice(ALPHABET)
            eager, lazy = _EagerDeletionIndex(words), suggest._DeletionIndex(words)
            for _ in range(6):
                word = _word(rng, 8)
                assert lazy.lookup(word) == eager.lookup(word), (word, words)


_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -2,
    1.5,
    "",
    "x",
    "GET",
    "get",
    "{{ $json.a }}",
    "$x",
    [],
    [1],
    {},
    {"a": 1},
]


def test_a_passing_shape_means_the_parameter_check_reports_nothing() -> None:
    rng = random.Random(5)
    settings = Settings()
    text = json.dumps({"nodes": []})
    doc = parse(text)
    entries = list(REGISTRY.types.values())
    for _ in range(4000):
        entry = rng.choice(entries)
        names = list(entry.params) + ["extra"]
        params = {name: rng.choice(_VALUES) for name in rng.sample(names, rng.randint(0, len(names)))}
        if not types._Shape.of(entry).passes(params):
            continue
        ctx = Context(doc=doc, settings=settings, registry=REGISTRY, enabled=enabled_codes(settings), wf=doc.value)
        ctx.current = "MISSING_REQUIRED_FIELD"
        types._missing_required(ctx, 0, {"parameters": params}, entry, params)
        ctx.current = "TYPE_MISMATCH"
        types._mismatches(ctx, 0, entry, params)
        ctx.current = "INVALID_ENUM_VALUE"
        types._enum_values(ctx, 0, entry, params)
        assert ctx.findings == [], (entry.id, params)


def _reachable_by_search(n: int, edges: list[tuple[int, int]], starts: list[int]) -> set[int]:
    seen, todo = set(starts), list(starts)
    while todo:
        node = todo.pop()
        for src, dst in edges:
            if src == node and dst not in seen:
                seen.add(dst)
                todo.append(dst)
    return seen


def test_unreachable_nodes_match_a_plain_search() -> None:
    rng = random.Random(9)
    settings = Settings()
    for _ in range(300):
        n = rng.randint(1, 9)
        forward_only = rng.random() < 0.7
        edges = []
        for _ in range(rng.randint(0, 2 * n)):
            src, dst = rng.randrange(n), rng.randrange(n)
            if forward_only and src >= dst:
                continue
            edges.append((src, dst))
        triggers = sorted({rng.randrange(n) for _ in range(rng.randint(0, 2))})
        nodes = [
            {"id": f"n{i}", "name": f"N{i}", "type": "logic.if", "parameters": {"condition": "{{ 1 }}"}}
            for i in range(n)
        ]
        connections: dict[str, Any] = {}
        for src, dst in edges:
            connections.setdefault(f"N{src}", {"main": {"0": []}})["main"]["0"].append(
                {"node": f"N{dst}", "type": "main", "index": 0}
            )
        wf = {
            "id": "w",
            "tenantId": "acme",
            "nodes": nodes,
            "connections": connections,
            "triggers": [{"nodeId": f"n{t}", "kind": "manual"} for t in triggers],
        }
        found = {
            f.pointer[1] for f in analyze(json.dumps(wf), settings, REGISTRY).findings if f.code == "UNREACHABLE_NODE"
        }
        starts = triggers or [i for i in range(n) if all(dst != i for _, dst in edges)]
        assert found == set(range(n)) - _reachable_by_search(n, edges, starts), (edges, triggers)


def test_a_suggester_shared_by_the_next_versions_and_threads_answers_as_a_fresh_one() -> None:
    """The index of a candidate list is kept for the next run with the same list (an editor's next version), and is
    used by several threads at once: every answer must be the one a new index gives, whatever the order of use."""
    import threading

    rng = random.Random(11)
    names = [f"Node {''.join(rng.choice('abcdefgh') for _ in range(6))} {i}" for i in range(3000)]
    words = [n[: rng.randrange(3, len(n))] + rng.choice("xyz") + n[-3:] for n in rng.sample(names, 400)]
    expected = [suggest.Suggester(names).by_edits(w) for w in words] + [
        suggest.Suggester(names).by_ratio(w) for w in words[:40]
    ]
    assert sum(e is not None for e in expected) > 100
    got: list[list[str | None]] = []

    def run(order: int) -> None:
        shared = suggest.Guesses().suggester(list(names))  # an equal list: the kept index
        mine = [shared.by_edits(w) for w in (words if order % 2 else words[::-1])]
        if order % 2 == 0:
            mine.reverse()
        got.append(mine + [shared.by_ratio(w) for w in words[:40]])

    threads = [threading.Thread(target=run, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [expected] * 6
    assert suggest.Guesses().suggester(list(names)) is suggest.Guesses().suggester(list(names))
