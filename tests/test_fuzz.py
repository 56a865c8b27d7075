"""Fuzzing the parser, every rule, the fixes and the CLI: nothing raises, spans stay inside the text, fixes keep JSON
valid.

CI runs the derandomized "ci" hypothesis profile (about a minute). The long run is a separate command:
    WF_LSP_FUZZ=long WF_LSP_FUZZ_SCALE=200 .venv/bin/python -m pytest tests/test_fuzz.py -p no:cacheprovider -q
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzkit as fk
from wf_lsp.core.engine import analyze
from wf_lsp.core.fix.fixing import fix_all
from wf_lsp.core.parse.document import parse
from wf_lsp.core.parse.locate import locate, path_at, value_end
from wf_lsp.core.parse.textindex import TextIndex

PROFILE_NAMES = sorted(fk.PROFILES)
profiles = st.sampled_from(PROFILE_NAMES)


# -- random input ---------------------------------------------------------------------------------
@fk.examples(150)
@given(data=st.text(max_size=400) | st.binary(max_size=400), profile=profiles)
def test_random_text_and_bytes_never_raise(data: str | bytes, profile: str) -> None:
    fk.check(data, profile)
    if isinstance(data, str):
        analyze(data, fk.PROFILES[profile], fk.REGISTRY)


@fk.examples(150)
@given(value=fk.json_values, layout=fk.layouts, profile=profiles)
def test_random_json_values(value: Any, layout: tuple[Any, str, bool], profile: str) -> None:
    fk.check(fk.dumps(value, *layout), profile)


@fk.examples(300)
@given(text=fk.workflow_texts(), profile=profiles)
def test_workflow_shaped_documents_with_wrong_types_anywhere(text: str, profile: str) -> None:
    fk.check(text, profile)


@fk.examples(300)
@given(text=fk.corpus_mutants(), profile=profiles)
def test_mutated_corpus_files(text: str, profile: str) -> None:
    fk.check(text, profile)


@fk.examples(200)
@given(data=fk.byte_flips(), profile=profiles)
def test_random_byte_flips(data: bytes, profile: str) -> None:
    fk.check(data, profile)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    fk.check(text, profile)


@fk.examples(150)
@given(data=fk.any_input, probes=st.lists(st.integers(min_value=-5, max_value=70_000), min_size=1, max_size=8))
def test_positions_and_paths_at_any_offset(data: str | bytes, probes: list[int]) -> None:
    """The position layer (TextIndex, locate.path_at, as hover and code actions use them) never raises and stays in the
    text."""
    text = fk.text_of(data)
    index = TextIndex(text)
    offsets = [p % (len(text) + 1) if p >= 0 else p for p in probes]
    for offset, pos in zip(offsets, index.positions(offsets), strict=True):
        clamped = min(max(offset, 0), len(text))
        assert pos.offset == clamped and index.offset(pos.line, pos.character) == clamped
        assert index.position(clamped) == pos
        found = path_at(text, clamped)
        if found is not None:
            _ptr, part, (start, end) = found
            assert part in ("key", "value") and 0 <= start <= end <= len(text)
    doc = parse(text)
    if doc.value is not None:
        pointers = list(fk.walk(doc.value))[:50]
        work = doc.parsed_text
        for early in (True, False):
            for found in locate(work, pointers, early_exit=early).values():
                key_span, (start, _) = found
                assert key_span is None or 0 <= key_span[0] <= key_span[1] <= start
                assert 0 <= start <= value_end(work, found) <= len(work)


# -- wrong types at every place the spec (§1, §2.1) names a type, exhaustively ---------------------------
BASE: dict[str, Any] = {
    "id": "wf-1",
    "name": "Base",
    "version": "3.0.0",
    "tenantId": "${TENANT_ID}",
    "nodes": [
        {
            "id": "start",
            "name": "Start",
            "type": "logic.if",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {"condition": "{{ $json.ok }}"},
            "timeout": 5000,
            "disabled": False,
            "credentials": {"basic": {"id": "1", "name": "b"}},
        },
        {
            "id": "check",
            "name": "Check",
            "type": "core.http_request",
            "typeVersion": 1,
            "position": [200, 0],
            "parameters": {"url": "https://x.invalid", "method": "GET"},
        },
        {
            "id": "send",
            "name": "Send Email",
            "type": "email-send",
            "typeVersion": 1,
            "position": [400, 0],
            "parameters": {"to": "a@b.c", "body": "hi"},
            "x-wf-ignore": ["TIMEOUT_TOO_SHORT"],
        },
    ],
    "connections": {
        "Start": {
            "main": [[{"node": "Check", "type": "main", "index": 0}]],
            "error": {"0": [{"node": "Send Email", "type": "main", "index": 0}]},
        },
        "Check": {"main": {"0": [{"node": "Send Email", "type": "main", "index": 0}]}},
    },
    "triggers": [{"nodeId": "start", "kind": "manual", "enabled": True}],
    "variables": {
        "limit": {
            "name": "limit",
            "type": "number",
            "defaultValue": 3,
            "scope": "workflow",
            "validation": {"pattern": "^[0-9]+$"},
        },
        "owner": {"type": "object", "defaultValue": {"_tenantId": "tenant-b"}, "scope": "workflow"},
    },
    "credentials": [{"nodeId": "check", "credentialType": "basic", "credentialId": "c1"}],
    "settings": {"executionTimeout": 3600},
    "x-wf-ignore": ["NOPE"],
}
_C = ("connections",)
SLOTS: list[tuple[Any, ...]] = [
    (),
    ("nodes",),
    ("nodes", 0),
    *[
        ("nodes", 0, f)
        for f in (
            "id",
            "name",
            "type",
            "nodeType",
            "typeVersion",
            "position",
            "parameters",
            "timeout",
            "disabled",
            "credentials",
        )
    ],
    ("nodes", 1, "name"),
    ("nodes", 1, "id"),
    ("nodes", 0, "parameters", "condition"),
    ("nodes", 0, "parameters", "parameters"),
    ("nodes", 1, "parameters", "method"),
    ("nodes", 2, "x-wf-ignore"),
    (*_C,),
    (*_C, "Start"),
    (*_C, "Start", "main"),
    (*_C, "Start", "main", 0),
    (*_C, "Start", "main", 0, 0),
    (*_C, "Start", "main", 0, 0, "node"),
    (*_C, "Start", "main", 0, 0, "type"),
    (*_C, "Start", "main", 0, 0, "index"),
    (*_C, "Start", "error"),
    (*_C, "Start", "error", "0"),
    (*_C, "Check", "main", "0", 0, "node"),
    ("variables",),
    ("variables", "limit"),
    *[("variables", "limit", f) for f in ("type", "defaultValue", "scope", "validation", "name", "_tenantId")],
    ("variables", "limit", "validation", "pattern"),
    ("variables", "owner", "defaultValue"),
    ("variables", "owner", "defaultValue", "_tenantId"),
    ("tenantId",),
    ("id",),
    ("triggers",),
    ("triggers", 0),
    *[("triggers", 0, f) for f in ("nodeId", "kind", "enabled")],
    ("credentials",),
    ("credentials", 0),
    ("settings",),
    ("x-wf-ignore",),
]
KEY_SLOTS = [
    (*_C, "Start"),
    (*_C, "Start", "main"),
    (*_C, "Check", "main", "0"),
    ("variables", "limit"),
    ("nodes", 0, "parameters", "condition"),
]
KEY_NAMES = [
    "",
    " ",
    "x",
    "-1",
    "abc",
    "1abc",
    "0.5",
    "main",
    "error",
    "Check",
    "check",
    "[object Object]",
    "constructor",
    "__proto__",
    "\U0001f600",
]
SLOT_PROFILES = ["oracle", "recommended", "strict-tenant", "id-keys"]


def _slot_id(ptr: tuple[Any, ...]) -> str:
    return "/".join(map(str, ptr)) or "<root>"


@pytest.mark.parametrize("ptr", SLOTS, ids=_slot_id)
def test_every_wrong_type_at_every_typed_place(ptr: tuple[Any, ...]) -> None:
    texts = [fk.dumps(fk.set_at(BASE, ptr, v)) for v in fk.WRONG_TYPES]
    if ptr:
        texts.append(fk.dumps(fk.delete_at(BASE, ptr)))
        if isinstance(ptr[-1], str):
            texts += [fk.duplicate_key_text(BASE, ptr, other) for other in (None, [], "x")]
    for text in texts:
        for profile in SLOT_PROFILES:
            fk.check(text, profile)


@pytest.mark.parametrize("kind", [[], {}], ids=["array", "object"])
def test_trigger_kind_of_wrong_type(kind: Any) -> None:
    fk.check(fk.dumps(fk.set_at(BASE, ("triggers", 0, "kind"), kind)), "recommended")


@pytest.mark.parametrize("node", [["x"], {"a": 1}], ids=["array", "object"])
def test_connection_target_node_of_wrong_type(node: Any) -> None:
    fk.check(fk.dumps(fk.set_at(BASE, ("connections", "Start", "main", 0, 0, "node"), node)), "recommended")


@pytest.mark.parametrize("ptr", KEY_SLOTS, ids=_slot_id)
def test_every_key_the_spec_reads_with_odd_names(ptr: tuple[Any, ...]) -> None:
    for name in KEY_NAMES:
        text = fk.dumps(fk.rename_at(BASE, ptr, name))
        for profile in SLOT_PROFILES:
            fk.check(text, profile)


@pytest.mark.parametrize("container", ["[", '{"parameters":', '{"a":'], ids=["array", "param-object", "object"])
def test_deepest_parseable_nesting_at_every_typed_place(container: str) -> None:
    """Values nested as deep as the parser accepts, at each place a rule reads: no rule may recurse into a
    RecursionError."""
    close = "]" if container == "[" else "}"
    leaf = "1" if container == "[" else '"x"'
    for ptr in SLOTS[1:]:
        marked = fk.dumps(fk.set_at(BASE, ptr, fk.SENTINEL), None)
        mark = json.dumps(fk.SENTINEL)

        def make(depth: int, marked: str = marked, mark: str = mark) -> str:
            return marked.replace(mark, fk.deep(depth, leaf, container, close))

        depth = fk.max_parseable_depth(make)
        assert depth > 100
        for d in (depth, depth + 1):
            for profile in ("oracle", "strict-tenant"):
                fk.check(make(d), profile)


# -- truncation at every position (exhaustive) ------------------------------------------------------
@pytest.mark.parametrize("name", [n for n, _ in fk.smallest_corpus_files(3)])
def test_truncation_at_every_position(name: str) -> None:
    text = dict(fk.corpus())[name].decode("utf-8")
    for end in range(len(text) + 1):
        head = text[:end]
        for profile in ("recommended", "oracle"):
            result = fk.check(head, profile)
            if end < len(text.rstrip()):
                assert not result.valid, f"truncated at {end} but valid"


# -- fixes ----------------------------------------------------------------------------------------
def _errors_after_fix_all(profile: str) -> list[str]:
    worse = []
    for name, data in fk.corpus():
        text = data.decode("utf-8")
        loader = fk.LOADERS[profile]
        before = loader.validate_text(text)
        fixed, n = fix_all(text, before.findings)
        assert fk.is_json(fixed), name
        after = loader.validate_text(fixed)
        if len(after.errors) > len(before.errors):
            worse.append(f"{name}: {len(before.errors)} -> {len(after.errors)} errors after {n} safe fixes")
    return worse


def test_safe_fixes_never_increase_errors_on_the_corpus() -> None:
    assert _errors_after_fix_all("recommended") == []


@pytest.mark.parametrize("profile", ["id-keys", "name-keys", "oracle"])
def test_safe_fixes_never_increase_errors_under_other_key_modes(profile: str) -> None:
    assert _errors_after_fix_all(profile) == []


# -- the CLI --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-fuzz")


@fk.examples(80)
@given(
    data=fk.any_input,
    fmt=st.sampled_from(["text", "json", "sarif", "github"]),
    profile=st.sampled_from(["oracle", "recommended", "strict"]),
)
def test_cli_exits_0_or_1_on_any_file_content(cli_dir: Path, data: str | bytes, fmt: str, profile: str) -> None:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    target = cli_dir / "input.json"
    target.write_bytes(raw)
    code, out, err = fk.run_cli_strict(
        ["check", str(target), "--no-config", "--jobs", "1", "--format", fmt, "--profile", profile]
    )
    assert code in (0, 1), err.decode("utf-8", "replace")
    if fmt in ("json", "sarif"):
        json.loads(out)


@pytest.mark.parametrize(
    "text", ['{"x-wf-ignore": "NOPE"}', '{\n  "x-wf-ignore": "NOPE"\n}'], ids=["compact", "indented"]
)
def test_fix_all_keeps_valid_json_when_fixes_touch(text: str) -> None:
    result = fk.LOADERS["recommended"].validate_text(text)
    fixed, n = fix_all(text, result.findings)
    assert n >= 1 and fk.is_json(fixed), fixed  # touching edits conflict: one applies, the next run applies the other
