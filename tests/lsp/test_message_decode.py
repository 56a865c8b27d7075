"""A message body reads as exactly what json.loads reads (orjson first, for speed; json where orjson differs)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from wf_lsp.lsp import framing

#: where orjson refuses or reads otherwise, and json's errors
EDGES = [
    b'{"id": 18446744073709551616, "method": "x"}',  # past 64 bits: orjson reads a float
    b'{"id": -9223372036854775809}',
    b'{"v": 18446744073709551615, "w": -9223372036854775808}',  # the largest orjson reads as ints
    b'{"t": "\\ud800 lone"}',
    b'{"a": NaN, "b": -Infinity}',
    b'{"a": 1E400}',
    b"\xef\xbb\xbf{}",
    b"[" * 1100 + b"]" * 1100,
    b'{"a": 1, "a": 2}',
    b'{"a": -0, "b": -0.0, "c": 1e-400}',
    b'{"a": "\\u0000\\n\\"\xc3\xa9\xf0\x9f\x98\x80"}',
    b'{"a": 1,}',
    b'{"a": "\xff"}',
    b"",
    b"  ",
]


def _outcome(read: Any, body: bytes) -> tuple[str, str]:
    try:
        return "value", repr(read(body))
    except RecursionError:
        return "error", "RecursionError"
    except (ValueError, UnicodeDecodeError) as exc:
        return "error", f"{type(exc).__name__}: {exc}"


def _random_value(rng: random.Random, depth: int = 0) -> str:
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return str(rng.choice([0, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30]))
    if kind == 1:
        return f"{rng.randint(-999, 999)}.{rng.randint(0, 10**17)}e{rng.randint(-330, 320)}"
    if kind == 2:
        chars = "".join(rng.choice('ab"\\\n\té😀\x00') for _ in range(rng.randrange(12)))
        return json.dumps(chars, ensure_ascii=False)
    if kind == 3:
        return rng.choice(["true", "false", "null", '"\\ud83d\\ude00"', '"\\udc00"', "NaN"])
    if kind == 4:
        return str(rng.uniform(-1e300, 1e300))
    if kind in (5, 6):
        items = [f'"{rng.choice("abc")}": {_random_value(rng, depth + 1)}' for _ in range(rng.randrange(4))]
        return "{" + ", ".join(items) + "}"
    return "[" + ", ".join(_random_value(rng, depth + 1) for _ in range(rng.randrange(4))) + "]"


@pytest.mark.parametrize("body", EDGES)
def test_an_edge_case_body_reads_as_json_loads_reads_it(body: bytes) -> None:
    assert _outcome(framing.decode, body) == _outcome(json.loads, body)


def test_random_bodies_read_as_json_loads_reads_them() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        body = _random_value(rng).encode("utf-8", "surrogatepass")
        assert _outcome(framing.decode, body) == _outcome(json.loads, body), body


def test_a_full_text_change_is_read_without_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken for an ordinary message (a large document's text is one string in it); json only for a
    body with a number orjson reads otherwise."""
    text = json.dumps({"nodes": [{"name": f"n{i}", "position": [i, 2.5]} for i in range(2000)]}, indent=2)
    change = {"textDocument": {"uri": "file:///w.json", "version": 7}, "contentChanges": [{"text": text}]}
    body = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": change}).encode()
    calls: list[bytes] = []
    real = json.loads

    def counted(data: bytes) -> Any:
        calls.append(data)
        return real(data)

    monkeypatch.setattr(framing.json, "loads", counted)
    assert framing.decode(body) == real(body)
    assert calls == []
    wide = body.replace(b'"version": 7', b'"version": 18446744073709551616')
    assert framing.decode(wide)["params"]["textDocument"]["version"] == 2**64
    assert calls == [wide]
