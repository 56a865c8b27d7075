"""Every finding of the engine on broken-JSON cases and the corpus, one JSON line a case: compared across CPythons.

Run as `python -m tests.engine_dump` (from the repository root) under any supported interpreter; the output depends on
nothing but the engine, so two interpreters must print the same bytes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "metabuilder"

_BASE = """{
  "name": "Broken",
  "tenantId": "acme",
  "nodes": [
    {"id": "a", "name": "Start", "type": "metabuilder.trigger", "typeVersion": 1, "position": [0, 0], \
"parameters": {"tags": ["x", "y"]}},
    {"id": "b", "name": "Check", "type": "logic.if", "typeVersion": 1, "position": [200, 0], \
"parameters": {"condition": "{{ $json.ok }}"}},
    {"id": "c", "name": "Done", "type": "n8n-nodes-base.set", "typeVersion": 1, "position": [400, 0], "parameters": {}}
  ],
  "connections": {
    "Start": {"main": {"0": [{"node": "Check", "type": "main", "index": 0}]}},
    "Check": {"main": {"0": [{"node": "Done", "type": "main", "index": 0}]}}
  }
}
"""

#: (name, text): hand-made mutations of one document, one broken spot each (or a few), covering every repair
_EDITS: list[tuple[str, str, str]] = [
    ("trailing-comma-array", '["x", "y"]', '["x", "y",]'),
    ("trailing-comma-array-space", '["x", "y"]', '["x", "y" , ]'),
    ("trailing-comma-array-newline", '[0, 0], "parameters": {"tags"', '[0, 0,\n], "parameters": {"tags"'),
    ("trailing-comma-object", '"index": 0}]}},\n    "Check"', '"index": 0,}]}},\n    "Check"'),
    ("trailing-comma-nodes", '"parameters": {}}\n  ]', '"parameters": {}},\n  ]'),
    ("trailing-comma-top", "}}\n  }\n}", "}},\n  },\n}"),
    ("double-comma-array", '["x", "y"]', '["x",, "y"]'),
    ("double-comma-object", '"name": "Start",', '"name": "Start",,'),
    ("leading-comma-array", '["x", "y"]', '[, "x", "y"]'),
    ("leading-comma-object", '{"id": "a"', '{, "id": "a"'),
    ("missing-comma-members", '"name": "Check", "type"', '"name": "Check" "type"'),
    ("missing-comma-items", '{"id": "b"', '{"id": "b"} {"id": "b2"'),
    ("missing-comma-lines", '"tenantId": "acme",\n', '"tenantId": "acme"\n'),
    ("missing-colon", '"tenantId": "acme"', '"tenantId" "acme"'),
    ("missing-colon-after-comma", '"typeVersion": 1, "position"', '"typeVersion": 1, "position" [0, 0], "x"'),
    ("comma-for-colon", '"tenantId": "acme"', '"tenantId", "acme"'),
    ("missing-value", '"tenantId": "acme"', '"tenantId": '),
    ("missing-value-end", '"parameters": {}}', '"parameters": }'),
    ("bare-word-value", '"tenantId": "acme"', '"tenantId": acme'),
    ("bare-word-key", '"tenantId": "acme"', 'tenantId: "acme"'),
    ("bare-word-item", '["x", "y"]', '["x", y]'),
    ("bare-word-after-comma", '["x", "y"]', '["x", yes, "y"]'),
    ("single-quotes", '"tenantId": "acme"', "'tenantId': 'acme'"),
    ("single-quoted-value", '"tenantId": "acme"', "\"tenantId\": 'acme'"),
    ("secret-bare-value", '"tenantId": "acme"', '"password": hunter2'),
    ("unterminated-string-line", '"name": "Broken",', '"name": "Broken,'),
    ("unterminated-key", '"tenantId": "acme"', '"tenantId: "acme"'),
    ("unterminated-backslash", '"name": "Broken",', '"name": "Broken\\'),
    ("control-char", '"name": "Broken"', '"name": "Bro\x01ken"'),
    ("tab-in-string", '"name": "Broken"', '"name": "Bro\tken"'),
    ("nul-in-string", '"name": "Broken"', '"name": "Bro\x00ken"'),
    ("control-char-structural", '["x", "y"]', '["x", \x01]'),
    ("bad-escape", '"name": "Broken"', '"name": "Bro\\xken"'),
    ("bad-unicode-escape", '"name": "Broken"', '"name": "Bro\\u12g4ken"'),
    ("short-unicode-escape", '"name": "Broken"', '"name": "Bro\\u12"'),
    ("backslash-structural", '["x", "y"]', '["x", \\y]'),
    ("nan", '"typeVersion": 1, "position": [200', '"typeVersion": NaN, "position": [200'),
    ("infinity", '"typeVersion": 1, "position": [200', '"typeVersion": -Infinity, "position": [200'),
    ("number-dot", '"typeVersion": 1, "position": [200', '"typeVersion": 1., "position": [200'),
    ("number-minus", '"typeVersion": 1, "position": [200', '"typeVersion": -, "position": [200'),
    ("leading-zero", '"typeVersion": 1, "position": [200', '"typeVersion": 01, "position": [200'),
    ("colon-in-array", '["x", "y"]', '["x": "y"]'),
    ("closer-mismatch", '["x", "y"]', '["x", "y"}'),
    ("stray-closer", '"tenantId": "acme",', '"tenantId": "acme"],'),
    ("duplicate-keys", '"tenantId": "acme",', '"tenantId": "acme", "tenantId": "acme2",'),
]


def _mutations() -> Iterator[tuple[str, str]]:
    for name, old, new in _EDITS:
        assert old in _BASE, name
        yield name, _BASE.replace(old, new, 1)
    yield "extra-data", _BASE + "{}"
    yield "extra-data-words", _BASE + " trailing words"
    yield "two-errors", _BASE.replace('["x", "y"]', '["x", "y",]').replace('"tenantId": "acme"', '"tenantId" "acme"')
    yield "many-trailing-commas", _BASE.replace("]", ",]").replace("}", ",}")
    yield "many-missing-commas", _BASE.replace(", ", " ")
    yield "minified-trailing-comma", json.dumps(json.loads(_BASE), separators=(",", ":")).replace("]", ",]")
    yield "empty", ""
    yield "only-space", "  \n"
    yield "bare-scalar", "tru"
    yield "top-string-unterminated", '"abc'
    yield "top-string-control", '"ab\x01c"'
    yield "top-comma", "1, 2"
    yield "bom", "\ufeff" + _BASE
    yield "bom-and-trailing-comma", "\ufeff" + _BASE.replace('["x", "y"]', '["x", "y",]')
    yield "deep-trailing-comma", "[" * 50 + "1," + "]" * 50
    # nesting around the limit (900), well-formed and broken: CPython's own limit differs between releases
    for depth in (899, 901, 960, 1100, 3000):
        yield f"deep-{depth}", '{"nodes": [], "deep": ' + "[" * depth + "]" * depth + "}"
        yield f"deep-{depth}-broken", '{"nodes": [], "deep": ' + "[" * depth + "]" * depth + ",}"
    # truncation at many places, including inside strings, keys, numbers and after commas and colons
    for cut in range(5, len(_BASE), 37):
        yield f"truncated-{cut}", _BASE[:cut]
    for cut in range(7, len(_BASE), 53):
        yield f"truncated-comma-{cut}", _BASE[:cut].rstrip() + ","


def cases(corpus: bool = True) -> Iterator[tuple[str, str]]:
    """Every (name, text) the cross-interpreter comparison runs."""
    yield from _mutations()
    if corpus:
        files = sorted(CORPUS.glob("*.json"))
        assert len(files) == 91, f"expected the 91-file corpus at {CORPUS}, found {len(files)}"
        for path in files:
            text = path.read_text(encoding="utf-8")
            yield f"corpus/{path.name}", text
            # the corpus with a trailing comma added before its last closing bracket, and truncated in the middle
            end = text.rstrip()
            yield f"corpus-trailing-comma/{path.name}", end[:-1].rstrip() + ",\n" + end[-1]
            yield f"corpus-truncated/{path.name}", text[: len(text) // 2]


def main(argv: list[str]) -> int:
    """Print one line per (case, profile): the findings as `check --format json` shapes them."""
    from wf_lsp.core.loader import WorkflowLoader
    from wf_lsp.core.settings import Settings

    loaders = {profile: WorkflowLoader(Settings(profile=profile)) for profile in ("oracle", "recommended", "strict")}
    for name, text in cases(corpus="--no-corpus" not in argv):
        for profile, loader in loaders.items():
            result = loader.validate_text(text)
            line = {"case": name, "profile": profile, "findings": [f.to_json() for f in result.findings]}
            sys.stdout.write(json.dumps(line, sort_keys=True, ensure_ascii=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
