"""Broken text is repaired in few C-speed passes: a cut-off value closed in one step, brackets counted fast."""

from __future__ import annotations

import json
import random
import re

import pytest

from wf_lsp.core.parse import brackets, repair
from wf_lsp.core.parse.document import parse

_OLD_BRACKETS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[\[\]{}]')


def _workflow(n: int) -> str:
    params = {"note": "a [b] {c}"}
    nodes = [{"id": f"n{i}", "name": f"Node {i}", "type": "core.noop", "parameters": params} for i in range(n)]
    return json.dumps({"tenantId": "t", "nodes": nodes, "connections": {}}, indent=2)


def test_a_text_cut_inside_a_string_value_is_closed_in_one_repair(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a cut-off value as if it were a key (`"abc":null`) cost three more repairs, each a full parse."""
    text = _workflow(50)
    cut = text[: text.index('"a [b] {c}"', len(text) // 2) + 4]  # inside the string, after '[' of its content
    calls = []
    real = repair.step

    def counted(*args: object) -> str | None:
        calls.append(args[1])
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(repair, "step", counted)
    doc = parse(cut)
    assert len(calls) == 1, calls
    assert doc.value["nodes"][-1]["parameters"] == {"note": "a ["}
    assert [f.message for f in doc.syntax] == ["Unexpected end of file: '}}]}' expected"]


def _old_stack(work: str) -> list[str]:
    stack: list[str] = []
    for m in _OLD_BRACKETS.finditer(work):
        t = m.group()
        if t in "[{":
            stack.append("]" if t == "[" else "}")
        elif t in "]}" and stack:
            stack.pop()
    return stack


def test_open_brackets_read_as_the_token_scan_reads_them() -> None:
    """The C-speed count of open brackets equals the token-by-token scan, on prefixes json reads whole, with escapes,
    and with a cut-off string after them."""
    rng = random.Random(5)
    pieces = ['"a\\\\"', '"\\"[{"', '"x\\u005b"', "[", "{", '"k": ', "1, ", "]", "}", '"}]"', '"\\\\\\""', "\n"]
    for _ in range(3000):
        valid = "".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        tail = rng.choice(["", '"cut [', '"cut \\', '"{{'])
        work = valid + tail
        assert brackets.open_brackets(work, len(valid)) == _old_stack(work), work
        assert brackets.open_brackets(work, 0) == _old_stack(work), work


def test_a_deep_prefix_is_counted_exactly() -> None:
    work = "[" * 800 + '{"a": "]]"' + "}" + "]" * 10
    assert brackets.open_brackets(work, len(work)) == _old_stack(work)
