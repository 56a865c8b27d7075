"""The two parse paths agree: orjson for well-formed text without duplicate keys, json (with its hooks) for the rest.

The fast path must never accept text the json path would report on (duplicate keys, NaN, broken text), and must give
the same value - same keys in the same order, same numbers with the same types - for everything it accepts.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzkit as fk
from tests.helpers import corpus_files
from wf_lsp.core.parse import document
from wf_lsp.core.parse.document import _NO_VALUE, _fast_value, parse


def _both(text: str) -> tuple[document.Document, document.Document]:
    fast = parse(text)
    saved = document._orjson
    document._orjson = None
    try:
        slow = parse(text)
    finally:
        document._orjson = saved
    return fast, slow


def _same(text: str) -> None:
    fast, slow = _both(text)
    # json.dumps keeps member order and tells 1 from 1.0, -0.0 from 0.0 and NaN from null: an exact comparison.
    assert json.dumps(fast.value) == json.dumps(slow.value)
    assert [(f.code, f.message, f.offsets) for f in fast.syntax] == [
        (f.code, f.message, f.offsets) for f in slow.syntax
    ]
    assert sorted(map(sorted, fast.duplicate_keys.values())) == sorted(map(sorted, slow.duplicate_keys.values()))
    assert (fast.parsed_text, fast.insertions, fast.truncated) == (slow.parsed_text, slow.insertions, slow.truncated)


TRICKY = [
    '{"a": 1, "a": 2}',
    '{"a:": 1, "a:": 2}',
    '{"x": {"k": 1, "k": {"deep": ":"}}}',
    # a dropped member hidden by an escaped colon elsewhere: the colon counts match, so the escape must send it to json
    '{"a": 1, "a": 2, "b": "\\u003a"}',
    '{"a": 1, "a": 2, "b": "\\u003A"}',
    '{"url": "http://x:80/a:b", "k": ":::"}',
    '{"n": NaN}',
    '{"n": -Infinity}',
    '{"n": 1e400}',
    '{"n": 123456789012345678901234567890}',
    '{"n": -0, "m": -0.0, "f": 1.0, "e": 1E2}',
    '{"s": "\\ud800"}',
    '{"s": "\\ud83d\\ude00 \U0001f600"}',
    '\ufeff{"a": 1}',
    '{"a": 1,}',
    '{"a": 1 "b": 2}',
    '{"a": 1}   ',
    '{"a": 1} x',
    "[]",
    '"just a string"',
    "",
    "   ",
    '{"a": [1, 2, {"b": null, "b": true}]}',
    '{"": 1, "": 2}',
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_parse_the_same_both_ways(text: str) -> None:
    _same(text)


def test_duplicate_keys_always_take_the_json_path() -> None:
    for text in TRICKY:
        if parse(text).duplicate_keys:
            assert _fast_value(text) is _NO_VALUE, text


@pytest.mark.parametrize("depth", [100, 253, 254, 255, 600, 1000, 1030])
def test_deep_nesting_parses_the_same_both_ways(depth: int) -> None:
    _same(fk.deep(depth))
    _same(fk.deep(depth, '{"a": 1, "a": 2}'))


@fk.examples(300)
@given(value=fk.json_values, layout=fk.layouts)
def test_random_values_parse_the_same_both_ways(value: Any, layout: tuple[Any, str, bool]) -> None:
    _same(fk.dumps(value, *layout))


@fk.examples(300)
@given(text=fk.workflow_texts())
def test_workflow_shaped_texts_parse_the_same_both_ways(text: str) -> None:
    _same(text)


@fk.examples(200)
@given(text=fk.corpus_mutants(), colon=st.sampled_from(["", "\\u003a", ":", "\\u003A"]))
def test_mutated_corpus_files_parse_the_same_both_ways(text: str, colon: str) -> None:
    # mutants include duplicated keys; a colon (or its escape) planted in the first string shifts the counts
    at = text.find('"')
    _same(text if at < 0 or not colon else text[: at + 1] + colon + text[at + 1 :])


def test_the_fast_path_serves_real_files() -> None:
    """Every corpus file without duplicate keys takes the fast path (the speed the benchmark reports)."""
    served = 0
    for path in corpus_files():
        text = path.read_bytes().decode("utf-8-sig")
        if not parse(text).duplicate_keys and not parse(text).syntax:
            assert _fast_value(text) is not _NO_VALUE, path.name
            served += 1
    assert served >= 80
