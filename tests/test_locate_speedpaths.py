"""locate's speed paths (one-regex members, pruning by the parsed value, early stops) give the plain walk's spans."""

from __future__ import annotations

import contextlib
import json
import json.decoder
import json.scanner
import random
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzkit as fk
from wf_lsp.core.parse import skeleton as sk
from wf_lsp.core.parse.document import parse
from wf_lsp.core.parse.locate import Found, locate
from wf_lsp.core.parse.textindex import TextIndex

# -- the reference: the plain walk as it was before the speed paths, kept verbatim as the definition ------------------
_WS = re.compile(r"[ \t\n\r]*")
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009
_scan_once: Any = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


class _Trie:
    def __init__(self) -> None:
        self.children: dict[Any, _Trie] = {}
        self.wanted = False


class _Done(Exception):
    pass


def reference(
    text: str, pointers: Any, early_exit: bool = True, skeleton: dict[Any, Found] | None = None
) -> dict[Any, Found]:
    wanted = set(pointers)
    if skeleton is None:
        return _from(text, wanted, (), None, early_exit)
    out: dict[Any, Found] = {}
    groups: dict[Any, set[Any]] = {}
    for ptr in wanted:
        if len(ptr) <= 2:
            if ptr in skeleton:
                out[ptr] = skeleton[ptr]
            elif ptr == ():
                out[()] = (None, (_WS.match(text, 0).end(), len(text.rstrip())))  # type: ignore[union-attr]
        elif ptr[:2] in skeleton:
            groups.setdefault(ptr[:2], set()).add(ptr)
    for base, group in groups.items():
        out.update(_from(text, group, base, skeleton[base], early_exit))
    return out


def _from(text: str, pointers: set[Any], base: Any, at: Found | None, early_exit: bool) -> dict[Any, Found]:
    root, remaining, depth = _Trie(), 0, len(base)
    for ptr in pointers:
        node = root
        for part in ptr[depth:]:
            node = node.children.setdefault(part, _Trie())
        if not node.wanted:
            node.wanted = True
            remaining += 1
    out: dict[Any, Found] = {}
    start = at[1][0] if at is not None else _WS.match(text, 0).end()  # type: ignore[union-attr]
    if start >= len(text):
        return out
    if root.wanted:
        out[base] = at if at is not None else (None, (start, len(text.rstrip())))
        remaining -= 1
    if remaining <= 0:
        return out
    counter = [remaining if early_exit else 1 << 60]
    with contextlib.suppress(_Done, StopIteration, ValueError, IndexError, RecursionError):
        _visit(text, start, root, base, out, counter)
    return out


def _member(text: str, j: int, child: _Trie, ptr: Any, key_span: Any, out: dict[Any, Found], counter: list[int]) -> int:
    if child.wanted:
        out[ptr] = (key_span, (j, -1))
        if not child.children and text[j] not in "{[":
            end = int(_scan_once(text, j)[1])
            out[ptr] = (key_span, (j, end))
            counter[0] -= 1
            if counter[0] <= 0:
                raise _Done
            return end
        counter[0] -= 1
        if counter[0] <= 0 and not child.children:
            raise _Done
    end = _visit(text, j, child, ptr, out, counter) if child.children else int(_scan_once(text, j)[1])
    if child.wanted:
        out[ptr] = (key_span, (j, end))
    return end


def _visit(text: str, pos: int, node: _Trie, prefix: Any, out: dict[Any, Found], counter: list[int]) -> int:
    if not node.children:
        return int(_scan_once(text, pos)[1])
    ch, ws = text[pos], _WS.match
    if ch == "{":
        i = ws(text, pos + 1).end()  # type: ignore[union-attr]
        if text[i] == "}":
            return i + 1
        while True:
            key, kend = _scanstring(text, i + 1)
            kstart = i
            j = ws(text, ws(text, kend).end() + 1).end()  # type: ignore[union-attr]
            child = node.children.get(key)
            vend = (
                _member(text, j, child, prefix + (key,), (kstart, kend), out, counter)
                if child is not None
                else int(_scan_once(text, j)[1])
            )
            i = ws(text, vend).end()  # type: ignore[union-attr]
            if text[i] == ",":
                i = ws(text, i + 1).end()  # type: ignore[union-attr]
                continue
            return i + 1
    if ch == "[":
        i = ws(text, pos + 1).end()  # type: ignore[union-attr]
        if text[i] == "]":
            return i + 1
        index = 0
        last = max((k for k in node.children if isinstance(k, int)), default=-1)
        while True:
            child = node.children.get(index)
            if child is not None:
                vend = _member(text, i, child, prefix + (index,), None, out, counter)
            elif index > last:
                return int(_scan_once(text, pos)[1])
            else:
                vend = int(_scan_once(text, i)[1])
            i = ws(text, vend).end()  # type: ignore[union-attr]
            if text[i] == ",":
                i = ws(text, i + 1).end()  # type: ignore[union-attr]
                index += 1
                continue
            return i + 1
    return int(_scan_once(text, pos)[1])


# -- the comparison ---------------------------------------------------------------------------------------------------
def _pointers(value: Any, rng: random.Random) -> list[Any]:
    """A random mix of pointers that exist and pointers that do not (a missing key, an index past the end, a wrong
    type)."""
    present = list(fk.walk(value))
    chosen = rng.sample(present, min(len(present), rng.randint(1, 12)))
    for ptr in rng.sample(present, min(len(present), rng.randint(0, 3))):
        chosen.append(ptr + (rng.choice(["zz", 0, 3, "0", "", "main"]),))
    if rng.random() < 0.3:
        chosen.append(("tenantId",))
    return chosen


def _assert_same(text: str, pointers: list[Any], value: Any, duplicates: bool) -> None:
    for early in (True, False):
        expected = reference(text, pointers, early)
        assert locate(text, pointers, early) == expected
        if not duplicates:
            assert locate(text, pointers, early, value=value) == expected
    if duplicates:
        return
    for skeleton in (_indentation_skeleton(text), _index(text)):
        if skeleton is not None:
            expected = reference(text, pointers, True, skeleton)
            assert locate(text, pointers, True, skeleton) == expected
            assert locate(text, pointers, True, skeleton, value) == expected


def _indentation_skeleton(text: str) -> dict[Any, Found] | None:
    """The skeleton a parsed document finds by indentation alone (only for text that is its value pretty-printed)."""
    return parse(text).skeleton(full_scan=False)


def _index(text: str) -> dict[Any, Found] | None:
    try:
        return sk.index(text)
    except sk.NotSimple:
        return None


texts = st.one_of(
    fk.workflow_texts(), fk.corpus_mutants(), st.tuples(fk.json_values, fk.layouts).map(lambda v: fk.dumps(v[0], *v[1]))
)


@fk.examples(200)
@given(text=texts, seed=st.integers(0, 2**32))
def test_speed_paths_match_the_plain_walk(text: str, seed: int) -> None:
    doc = parse(text)
    if doc.value is None:
        return
    rng = random.Random(seed)
    for _ in range(4):
        _assert_same(doc.parsed_text, _pointers(doc.value, rng), doc.value, bool(doc.duplicate_keys))


@fk.examples(150)
@given(text=texts, seed=st.integers(0, 2**32))
def test_one_member_per_node_matches_the_plain_walk(text: str, seed: int) -> None:
    """With a skeleton, a node or entry asked for one member by key (a finding on every node's type) takes a shortcut
    that must give the plain walk's spans: present keys, missing keys, and keys of members that are objects."""
    doc = parse(text)
    if doc.value is None or doc.duplicate_keys:
        return
    rng = random.Random(seed)
    bases = [p for p in fk.walk(doc.value) if len(p) == 2]
    pointers: list[Any] = []
    for base in rng.sample(bases, min(len(bases), 8)):
        inner = fk.get(doc.value, base)
        keys = list(inner) if isinstance(inner, dict) else []
        pointers.append(base + (rng.choice([*keys, "zz", "type", "0"]),))
    _assert_same(doc.parsed_text, pointers, doc.value, False)


@fk.examples(150)
@given(data=fk.any_input, seed=st.integers(0, 2**32))
def test_broken_and_odd_text_matches_the_plain_walk(data: str | bytes, seed: int) -> None:
    """Without a value (the text may be broken mid-edit), every input gives the plain walk's answer, and never
    raises."""
    text = fk.text_of(data)
    doc = parse(text)
    rng = random.Random(seed)
    pointers = _pointers(doc.value, rng) if doc.value is not None else [("nodes", 0, "name"), ("connections",), ()]
    for candidate in {text, doc.parsed_text}:
        for early in (True, False):
            assert locate(candidate, pointers, early) == reference(candidate, pointers, early)


ODD = [
    '{"a" : {"b":1,"c" :[1, 2 ,{"d": "x"}]}, "e": 2}',
    '{\t"a":\t{\r\n"b":\r1},\r"c":\r\n[\r]}',
    '{"a\\"b": {"\\u0063": 1}, "x": [{"y": "\\ud83d\\ude00"}]}',
    '{"a": 1, "a": {"b": 2}, "c": {"a": 3, "a": 4}}',
    '{"\U0001f600": {"\u00e9": [1, {"z": null}]}, "k": "\U0001f600"}',
    "  \n"
    + json.dumps({"nodes": [{"id": str(i), "parameters": {"p": [i, {"q": i}]}} for i in range(5)]}, indent=3)
    + "\n\n",
    "[" * 60 + "1" + "]" * 60,
    '{"a": [], "b": {}, "c": [[], {}], "d": ""}',
]


def test_odd_layouts_match_the_plain_walk() -> None:
    rng = random.Random(7)
    for text in ODD:
        doc = parse(text)
        assert doc.value is not None
        for _ in range(40):
            _assert_same(doc.parsed_text, _pointers(doc.value, rng), doc.value, bool(doc.duplicate_keys))


@fk.examples(200)
@given(
    text=st.text(alphabet="ab \n\r\t\u00e9\U0001f600", max_size=60), offsets=st.lists(st.integers(-3, 70), max_size=12)
)
def test_positions_of_repeated_and_unsorted_offsets(text: str, offsets: list[int]) -> None:
    """TextIndex.positions computes each distinct offset once; every answer is the line and column of its own offset."""
    got = TextIndex(text).positions(offsets)
    assert len(got) == len(offsets)
    for offset, pos in zip(offsets, got, strict=True):
        clamped = min(max(offset, 0), len(text))
        if text[clamped - 1 : clamped + 1] == "\r\n":
            continue  # inside a CRLF (never a token boundary): the helper below would count the lone CR as a break
        assert (pos.line, pos.character, pos.offset) == (*fk._expected_position(text, clamped), clamped)


def test_root_span_ignores_trailing_whitespace_of_any_length() -> None:
    for tail in ("", "\n", " \u3000\n", " " * 100, "\n" * 70 + "\u2028"):
        text = '{"a": 1}' + tail
        assert locate(text, [()]) == reference(text, [()]) == {(): (None, (0, len(text.rstrip())))}


# -- the indentation skeleton only vouches for layouts it can prove ---------------------------------------------------
MISLEADING = [
    # a nested member at the top level's indentation, before the real one
    '{\n  "a": {\n  "b": 1\n  },\n  "b": 2\n}',
    # the same with equal values, so no check on the value can tell them apart
    '{\n  "a": {\n  "b": 2\n  },\n  "b": 2\n}',
    # an array item of a nested array at the items' indentation
    '{\n  "nodes": [\n    {"x": [\n    {"y": 1}\n    ]},\n    {"y": 1}\n  ]\n}',
]


def test_misleading_indentation_never_gives_wrong_spans() -> None:
    for text in MISLEADING:
        value = json.loads(text)
        pointers = [ptr for ptr in fk.walk(value) if len(ptr) <= 2]
        truth = locate(text, pointers, True)
        skeleton = _indentation_skeleton(text)
        for ptr in pointers:
            if skeleton is not None and ptr in skeleton:
                assert skeleton[ptr][0] == truth[ptr][0] and skeleton[ptr][1][0] == truth[ptr][1][0], (text, ptr)


def test_the_generated_layout_is_indexed_by_indentation() -> None:
    """json.dumps(indent=2) text (the benchmark's, and most tools') keeps the fast index."""
    value = json.loads(
        fk.dumps({"nodes": [{"id": "a", "x": [1, {"y": "é"}]}], "connections": {"a": {"main": {}}}, "n": 1.5})
    )
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    assert _indentation_skeleton(text) is not None
    assert _indentation_skeleton(json.dumps(value, indent=4)) is None  # any other layout: the full scan decides
