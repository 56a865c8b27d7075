"""Shared pieces of the robustness tests: hypothesis profiles, input strategies, mutations, invariants of results."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.helpers import corpus_files
from wf_lsp.cli import main as cli_main
from wf_lsp.core.findings import Fix, Span
from wf_lsp.core.fix.fixing import fix_all
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.parse.document import decode_bytes
from wf_lsp.core.result import Result
from wf_lsp.core.rules.registry import load_registry
from wf_lsp.core.settings import Settings

# -- hypothesis profiles --------------------------------------------------------------------------
# "ci" (the default) is derandomized, so CI runs are reproducible and fast; "long" is for the separate long fuzz run:
#   WF_LSP_FUZZ=long WF_LSP_FUZZ_SCALE=200 .venv/bin/python -m pytest tests/test_fuzz.py -p no:cacheprovider
_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
settings.register_profile("ci", derandomize=True, **_COMMON)
settings.register_profile("long", derandomize=False, **_COMMON)
settings.load_profile(os.environ.get("WF_LSP_FUZZ", "ci"))
SCALE = max(1, int(os.environ.get("WF_LSP_FUZZ_SCALE", "1")))


def examples(n: int) -> settings:
    """Hypothesis settings for n examples in CI (times WF_LSP_FUZZ_SCALE in a long run)."""
    return settings(max_examples=n * SCALE)


# -- profiles and loaders -------------------------------------------------------------------------
REGISTRY = load_registry(())
PROFILES: dict[str, Settings] = {
    "oracle": Settings(profile="oracle"),
    "recommended": Settings(),
    "strict": Settings(profile="strict"),
    "strict-tenant": Settings(profile="strict", tenant_id="tenant-a", user_level=1),
    "name-keys": Settings(connection_keys="name"),
    "id-keys": Settings(connection_keys="id"),
    "n8n": Settings(
        profile="strict",
        dialect="n8n",
        n8n_catalog=str(Path(__file__).resolve().parent / "data" / "n8n" / "mini-catalog.json"),
    ),
}
LOADERS = {name: WorkflowLoader(s, registry=REGISTRY) for name, s in PROFILES.items()}

# -- the invariants -------------------------------------------------------------------------------
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def text_of(data: str | bytes) -> str:
    """The text a result's offsets refer to (bytes are decoded as the loader decodes them)."""
    return data if isinstance(data, str) else decode_bytes(data)[0]


def is_json(text: str) -> bool:
    """Whether json.loads accepts the text."""
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _expected_position(text: str, offset: int) -> tuple[int, int]:
    """(line, code-point column) computed independently of TextIndex: LF, CRLF and lone CR end a line."""
    line, start = 0, 0
    for m in _LINE_BREAK.finditer(text, 0, offset):
        if m.end() <= offset:
            line, start = line + 1, m.end()
    return line, offset - start


def check_span(text: str, span: Span | None, what: str) -> None:
    """A span exists, lies inside the text, starts before it ends, and its line/column match its offsets."""
    assert span is not None, f"{what}: no span"
    s, e = span.start, span.end
    assert 0 <= s.offset <= e.offset <= len(text), f"{what}: span {s.offset}..{e.offset} outside a text of {len(text)}"
    if len(text) < 200_000:
        for p in (s, e):
            assert (p.line, p.character) == _expected_position(text, p.offset), (
                f"{what}: position {p} does not match its offset"
            )


def apply_fix(text: str, fix: Fix) -> str:
    """Apply one fix's edits back to front to the exact text, checking that they are in range and do not overlap."""
    edits = sorted(fix.edits, key=lambda e: (e.start, e.end))
    for e in edits:
        assert 0 <= e.start <= e.end <= len(text), f"fix {fix.title!r}: edit {e} outside a text of {len(text)}"
    for a, b in itertools.pairwise(edits):
        assert a.end <= b.start, f"fix {fix.title!r}: overlapping edits {a} and {b}"
    out = text
    for e in reversed(edits):
        out = out[: e.start] + e.new_text + out[e.end :]
    return out


def check_result(data: str | bytes, result: Result) -> None:
    """Every finding has a well-formed span; every single fix applies cleanly and keeps valid JSON valid."""
    text = text_of(data)
    for f in result.findings:
        check_span(text, f.span, f.code)
        for r in f.related:
            check_span(text, r.span, f"{f.code} related")
    valid = is_json(text)
    for f in result.findings:
        for fix in f.fixes:
            fixed = apply_fix(text, fix)
            if valid:
                assert is_json(fixed), f"fix {fix.title!r} of {f.code} turned valid JSON into invalid JSON"
    if valid:
        fixed, _ = fix_all(text, result.findings)
        assert is_json(fixed), "fix-all turned valid JSON into invalid JSON"
    json.dumps(result.to_json("x.json"))  # the report shape always serializes


def check(data: str | bytes, profile: str = "recommended") -> Result:
    """Validate under one profile (never raises) and check every invariant."""
    result = LOADERS[profile].validate_text(data)
    check_result(data, result)
    return result


# -- the CLI, in-process, with a real (strict UTF-8) stdout -----------------------------------------
def run_cli_strict(args: list[str]) -> tuple[int, bytes, bytes]:
    """`wf-lsp` in this process with stdout/stderr that encode like a real pipe (strict UTF-8), as bytes."""
    out_raw, err_raw = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_raw, encoding="utf-8", errors="strict", newline="", write_through=True)
    err = io.TextIOWrapper(err_raw, encoding="utf-8", errors="backslashreplace", newline="", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(args)
    out.flush()
    err.flush()
    return code, out_raw.getvalue(), err_raw.getvalue()


SURROGATE_WORKFLOW = (
    b'{"id": "w", "tenantId": "t\\ud800", "nodes": [{"id": "a", "name": "A\\udc00", "type": "logic.if"}], '
    b'"connections": {"A\\udc00": {"main": [[{"node": "\\udfff"}]]}}}'
)


# -- the corpus -----------------------------------------------------------------------------------


@cache
def corpus() -> list[tuple[str, bytes]]:
    """(name, bytes) of the 91 real files; fails loudly when the corpus is missing."""
    return [(p.name, p.read_bytes()) for p in corpus_files()]


@cache
def corpus_value(name: str) -> Any:
    """A corpus file parsed."""
    return json.loads(dict(corpus())[name])


@cache
def corpus_pointers(name: str) -> list[tuple[Any, ...]]:
    """Every pointer into a corpus file's value (the root included)."""
    return list(walk(corpus_value(name)))


def smallest_corpus_files(n: int) -> list[tuple[str, bytes]]:
    """The n smallest corpus files."""
    return sorted(corpus(), key=lambda item: len(item[1]))[:n]


def walk(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every pointer in a JSON value, depth first."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, (*prefix, i))


def get(value: Any, ptr: tuple[Any, ...]) -> Any:
    """The value at a pointer."""
    for part in ptr:
        value = value[part]
    return value


# -- mutations (on a deep copy; text-level ones return text) ---------------------------------------
SENTINEL = "\x00@@wf-lsp-fuzz@@\x00"


def copy(value: Any) -> Any:
    """A deep copy of a JSON value."""
    return json.loads(json.dumps(value))


def set_at(value: Any, ptr: tuple[Any, ...], new: Any) -> Any:
    """A copy of value with the member at ptr replaced (the root when ptr is empty)."""
    if not ptr:
        return new
    out = copy(value)
    get(out, ptr[:-1])[ptr[-1]] = new
    return out


def delete_at(value: Any, ptr: tuple[Any, ...]) -> Any:
    """A copy of value without the member or item at ptr."""
    if not ptr:
        return None
    out = copy(value)
    parent = get(out, ptr[:-1])
    if ptr[-1] in (parent if isinstance(parent, dict) else range(len(parent))):
        del parent[ptr[-1]]
    return out


def rename_at(value: Any, ptr: tuple[Any, ...], key: str) -> Any:
    """A copy with the object member at ptr renamed (order kept); items of arrays are left alone."""
    if not ptr or not isinstance(ptr[-1], str):
        return value
    out = copy(value)
    parent = get(out, ptr[:-1])
    items = [(key if k == ptr[-1] else k, v) for k, v in parent.items()]
    parent.clear()
    parent.update(items)
    return out


def dumps(value: Any, indent: int | str | None = 2, newline: str = "\n", ascii_only: bool = False) -> str:
    """JSON text in one of the layouts real files use (compact, indented, tabs; LF, CRLF or CR)."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    return text.replace("\n", newline) if newline != "\n" else text


def duplicate_key_text(value: Any, ptr: tuple[Any, ...], other: Any, indent: int | str | None = 2) -> str:
    """JSON text where the object member at ptr appears twice: first with `other`, then with its own value."""
    if not ptr or not isinstance(ptr[-1], str):
        return dumps(value, indent)
    marked = set_at(value, ptr, SENTINEL)
    text = dumps(marked, indent)
    key = json.dumps(ptr[-1], ensure_ascii=False)
    mark = json.dumps(SENTINEL, ensure_ascii=False)
    parent = get(value, ptr[:-1])
    own = json.dumps(parent.get(ptr[-1]) if isinstance(parent, dict) else None, ensure_ascii=False)
    return text.replace(mark, f"{json.dumps(other, ensure_ascii=False)}, {key}: {own}", 1)


# -- strategies -----------------------------------------------------------------------------------
NAMES = ["Start", "Check", "Send Email", "start", "check", "A", "", " ", "Start 2", "[object Object]", "undefined", "0"]
NODE_TYPES = [
    "logic.if",
    "core.http_request",
    "http-request",
    "encryption",
    "email-send",
    "trigger",
    "logic",
    "api.get",
    "logic.iff",
    "",
    " ",
]
VARIABLE_TYPES = ["string", "number", "boolean", "array", "object", "date", "any", "integer", ""]
KINDS = ["manual", "webhook", "schedule", "poll", "cron", ""]
OUTPUTS = ["main", "error", "ai_tool", "success", "0"]
INDICES = ["0", "1", "-1", "abc", "1abc", "0.5", " 2"]


@st.composite
def _float(draw: st.DrawFn) -> float:
    return draw(st.floats(allow_nan=False, allow_infinity=False))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**25), max_value=10**25),
    _float(),
    st.text(max_size=12),
    st.sampled_from(
        ["[object Object]", "{{ $json.x }}", "${TENANT_ID}", "2024-01-01", "x" * 300, "a\u2028b", "\U0001f600"]
    ),
    st.sampled_from(
        [float("nan"), float("inf"), float("-inf")]
    ),  # written as NaN / Infinity: not JSON, but json.loads reads them
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.sampled_from(NAMES), inner, max_size=4)
    ),
    max_leaves=12,
)


def _either(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the well-typed strategy, sometimes any JSON value (a wrong type)."""
    return st.one_of(s, s, s, json_values)


names = _either(st.sampled_from(NAMES))
targets = _either(
    st.fixed_dictionaries(
        {},
        optional={
            "node": names,
            "type": _either(st.sampled_from(["main", "error", "condition", "x"])),
            "index": _either(st.integers(-2, 3)),
        },
    )
)
target_lists = _either(st.lists(targets, max_size=3))
index_containers = _either(
    st.lists(target_lists, max_size=2) | st.dictionaries(st.sampled_from(INDICES), target_lists, max_size=2)
)
connections = _either(
    st.dictionaries(
        st.sampled_from(NAMES + ["n1", "n2"]),
        _either(st.dictionaries(st.sampled_from(OUTPUTS), index_containers, max_size=2)),
        max_size=4,
    )
)
parameters = _either(
    st.dictionaries(
        st.sampled_from(
            [
                "condition",
                "url",
                "method",
                "password",
                "token",
                "name",
                "position",
                "typeVersion",
                "parameters",
                "body",
                "x",
            ]
        ),
        json_values,
        max_size=4,
    )
)
nodes = _either(
    st.fixed_dictionaries(
        {},
        optional={
            "id": _either(st.sampled_from(["n1", "n2", "n3", "", " ", "start"])),
            "name": names,
            "type": _either(st.sampled_from(NODE_TYPES)),
            "nodeType": _either(st.sampled_from(NODE_TYPES)),
            "parameters": parameters,
            "timeout": _either(st.sampled_from([0, 1, 999, 1000, 3600001, "500", "abc"])),
            "disabled": json_values,
            "x-wf-ignore": _either(st.lists(st.sampled_from(["TIMEOUT_TOO_SHORT", "*", "NOPE"]), max_size=2)),
        },
    )
)
variables = _either(
    st.dictionaries(
        st.sampled_from(["v", "db_password", "api-token", "1x", "_ok", ""]),
        _either(
            st.fixed_dictionaries(
                {},
                optional={
                    "type": _either(st.sampled_from(VARIABLE_TYPES)),
                    "defaultValue": json_values,
                    "scope": _either(st.sampled_from(["workflow", "execution", "global"])),
                    "validation": _either(
                        st.fixed_dictionaries(
                            {}, optional={"pattern": _either(st.sampled_from(["a+", "(a+)+" * 30, "x|y"]))}
                        )
                    ),
                    "_tenantId": _either(st.sampled_from(["tenant-a", "tenant-b"])),
                },
            )
        ),
        max_size=3,
    )
)
triggers = _either(
    st.lists(
        _either(
            st.fixed_dictionaries(
                {},
                optional={
                    "nodeId": _either(st.sampled_from(["n1", "n9", "Start"])),
                    "kind": _either(st.sampled_from(KINDS)),
                    "enabled": json_values,
                },
            )
        ),
        max_size=3,
    )
)
workflows = st.fixed_dictionaries(
    {},
    optional={
        "id": _either(st.sampled_from(["wf-1", ""])),
        "name": json_values,
        "tenantId": _either(
            st.sampled_from(["${TENANT_ID}", "tenant-a", "tenant-b", "", "123e4567-e89b-12d3-a456-426614174000"])
        ),
        "nodes": _either(st.lists(nodes, max_size=5)),
        "connections": connections,
        "variables": variables,
        "triggers": triggers,
        "credentials": json_values,
        "x-wf-ignore": _either(st.sampled_from(["MISSING_TENANT_ID", "*"])),
    },
)
layouts = st.tuples(st.sampled_from([None, 2, 1, "\t"]), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())


@st.composite
def workflow_texts(draw: st.DrawFn) -> str:
    """A workflow-shaped JSON document (right and wrong types everywhere) in a random layout."""
    indent, newline, ascii_only = draw(layouts)
    return dumps(draw(workflows), indent, newline, ascii_only)


#: Values of every JSON type (and a few tricky strings), used to give each spec'd place a wrong type.
WRONG_TYPES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**30,
    float("nan"),
    float("-inf"),
    "",
    "  ",
    "x",
    "[object Object]",
    [],
    [None],
    [[]],
    {},
    {"a": None},
    {"node": None},
]


@st.composite
def corpus_mutants(draw: st.DrawFn) -> str:
    """A corpus file with one or more members deleted, duplicated, retyped, renamed or swapped, in a random layout."""
    name, _ = draw(st.sampled_from(corpus()))
    value = corpus_value(name)
    indent, newline, ascii_only = draw(layouts)
    for _ in range(draw(st.integers(1, 3))):
        ptrs = list(walk(value))
        ptr = draw(st.sampled_from(ptrs))
        op = draw(st.sampled_from(["delete", "retype", "retype", "rename", "swap", "duplicate"]))
        if op == "delete":
            value = delete_at(value, ptr)
        elif op == "retype":
            value = set_at(value, ptr, draw(st.sampled_from(WRONG_TYPES) | json_values))
        elif op == "rename":
            value = rename_at(
                value,
                ptr,
                draw(st.sampled_from(["", "x", "nodes", "name", "main", "0", "-1", "type"]) | st.text(max_size=5)),
            )
        elif op == "swap":
            value = set_at(value, ptr, copy(get(value, draw(st.sampled_from(ptrs)))))
        else:
            return duplicate_key_text(value, ptr, draw(st.sampled_from(WRONG_TYPES)), indent).replace("\n", newline)
    return dumps(value, indent, newline, ascii_only)


@st.composite
def byte_flips(draw: st.DrawFn) -> bytes:
    """A corpus file's bytes with a few bytes overwritten, inserted or deleted."""
    _, data = draw(st.sampled_from(corpus()))
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(0, len(buf) - 1)))
        op = draw(st.sampled_from(["set", "set", "insert", "delete"]))
        byte = draw(st.integers(0, 255) | st.sampled_from(list(b'{}[]",:\\ \n\r0-eE.tfn\x00\xff\xc3')))
        if op == "set" and buf:
            buf[at] = byte
        elif op == "insert":
            buf.insert(at, byte)
        elif buf:
            del buf[at]
    return bytes(buf)


any_input: st.SearchStrategy[str | bytes] = st.one_of(
    corpus_mutants(),
    byte_flips(),
    workflow_texts(),
    st.binary(max_size=300),
    st.text(max_size=300),
    json_values.map(json.dumps),
)

# -- regression corpus ----------------------------------------------------------------------------
REGRESSIONS = Path(__file__).resolve().parent / "data" / "regressions"


def deep(depth: int, leaf: str = "1", open_: str = "[", close: str = "]") -> str:
    """`depth` nested containers around a leaf, as text."""
    return open_ * depth + leaf + close * depth


def max_parseable_depth(make: Callable[[int], str], high: int = 1100) -> int:
    """The deepest nesting the parser still accepts (no NESTING_TOO_DEEP) for texts built by make(depth)."""
    loader = LOADERS["recommended"]
    lo, hi = 1, high
    while lo < hi:
        mid = (lo + hi + 1) // 2
        codes = {f.code for f in loader.validate_text(make(mid)).findings}
        if "NESTING_TOO_DEEP" in codes:
            hi = mid - 1
        else:
            lo = mid
    return lo
