"""Every supported CPython gives the same findings: the engine run on 3.11, 3.12 and 3.13 over broken JSON and the
corpus.

The interpreters come from `WF_LSP_PYTHON_3_11` (..._3_12, ..._3_13), else the running one when its version matches,
else the venvs `.ci/pythons.sh` caches under ~/.cache/wf-lsp-ci, else `.venv`. A missing one fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from wf_lsp.core.parse import document
from wf_lsp.core.parse.jsonerror import MAX_DEPTH, Kind, classify, too_deep

SUPPORTED = ("3.11", "3.12", "3.13")
CACHE = Path(os.environ.get("WF_LSP_CI_CACHE", Path.home() / ".cache" / "wf-lsp-ci"))


def interpreter(version: str) -> str:
    """The Python executable for one supported version (fails the test, with the way to get it, if there is none)."""
    env = os.environ.get("WF_LSP_PYTHON_" + version.replace(".", "_"))
    if env:
        return env
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    for candidate in (CACHE / f"venv-{version}" / "bin" / "python", ROOT / ".venv" / "bin" / "python"):
        if candidate.exists() and _version(str(candidate)) == version:
            return str(candidate)
    pytest.fail(
        f"no Python {version}: set WF_LSP_PYTHON_{version.replace('.', '_')}, "
        "or run .ci/pythons.sh (3.12, 3.13) or ./setup.sh (.venv)"
    )


def _version(python: str) -> str:
    check = subprocess.run(
        [python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True,
        text=True,
    )
    return check.stdout.strip() or check.stderr.strip()


def _dump(python: str, version: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), "PYTHONHASHSEED": "0"}
    found = _version(python)
    assert found == version, f"{python} is Python {found}, not {version}"
    run = subprocess.run(
        [python, "-m", "tests.engine_dump"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=600
    )
    assert run.returncode == 0, f"engine dump failed on {version}:\n{run.stderr[-3000:]}"
    return run.stdout.splitlines()


def test_every_supported_cpython_gives_the_same_findings() -> None:
    outputs = {version: _dump(interpreter(version), version) for version in SUPPORTED}
    first = outputs[SUPPORTED[0]]
    assert len(first) > 1000  # (hand-made broken cases + 3 variants of 91 corpus files) x 3 profiles
    for version, lines in outputs.items():
        assert len(lines) == len(first), version
        for a, b in zip(first, lines, strict=True):
            if a != b:
                case = json.loads(a)
                pytest.fail(
                    f"{case['case']} ({case['profile']}): {SUPPORTED[0]} and {version} differ:\n{a[:2000]}\n{b[:2000]}"
                )
    syntax = [f["message"] for line in first for f in json.loads(line)["findings"] if f["code"] == "JSON_SYNTAX_ERROR"]
    for expected in (
        "Trailing comma",
        "Missing comma",
        "Missing colon after property name",
        "Unterminated string (line break inside a string)",
    ):
        assert expected in syntax
    assert not [m for m in syntax if "Expecting" in m or "Illegal" in m or "delimiter" in m], (
        "a CPython message reached a finding"
    )


@pytest.mark.parametrize(
    ("text", "positions", "expected"),
    [
        # 3.13 stops at the comma with "Illegal trailing comma ..."; 3.11/3.12 at the bracket with "Expecting value"
        ("[1, 2,]", (5, 6), (Kind.TRAILING_COMMA, 6)),
        ('{"a": 1 ,\n}', (8, 10), (Kind.TRAILING_COMMA, 10)),
        ('{"a": "x",}', (9, 10), (Kind.TRAILING_COMMA, 10)),
        ("[1,\n", (4,), (Kind.VALUE, 4)),
        ('{"a" , 1}', (5,), (Kind.COLON, 5)),
        ('{"a": 1, "b" 2}', (13,), (Kind.COLON, 13)),
        ('["a", "b" 2]', (10,), (Kind.COMMA, 10)),
        ("[1 2]", (3,), (Kind.COMMA, 3)),
        ('{"a": 1, b: 2}', (9,), (Kind.KEY, 9)),
        ("[1, b]", (4,), (Kind.VALUE, 4)),
        ('["ab', (1,), (Kind.UNTERMINATED, 1)),
        ('["a\\x"]', (3,), (Kind.ESCAPE, 3)),
        ('["a\\u12"]', (4,), (Kind.ESCAPE, 4)),
        ('["a\x01"]', (3,), (Kind.CONTROL, 3)),
        ("[\x01]", (1,), (Kind.VALUE, 1)),
        ("[\\]", (1,), (Kind.VALUE, 1)),
        ('["a,\\q"]', (4,), (Kind.ESCAPE, 4)),
    ],
)
def test_what_json_expected_is_read_from_the_text(
    text: str, positions: tuple[int, ...], expected: tuple[Kind, int]
) -> None:
    """The kind and place of a syntax error follow from the text and the stopping position, whichever CPython
    stopped."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        assert exc.pos in positions  # this interpreter's own position is one of those the classification accepts
    else:
        pytest.fail("the case must be invalid JSON")
    for pos in positions:
        assert classify(text, pos) == expected


def test_a_trailing_comma_leaves_the_rest_of_the_document_checked() -> None:
    text = (
        '{"nodes": [{"id": "a", "name": "A", "type": "x", "parameters": {"v": [1, 2,]}}], '
        '"connections": {"A": {"main": 5}},}'
    )
    doc = document.parse(text)
    assert [f.message for f in doc.syntax] == ["Trailing comma", "Trailing comma"]
    assert doc.value == {
        "nodes": [{"id": "a", "name": "A", "type": "x", "parameters": {"v": [1, 2]}}],
        "connections": {"A": {"main": 5}},
    }


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
        ("[" * (MAX_DEPTH + 1), True),  # truncated
        ("[{" * (MAX_DEPTH // 2) + "[" + "]" + "}]" * (MAX_DEPTH // 2), True),
        ("[{" * (MAX_DEPTH // 2) + "}]" * (MAX_DEPTH // 2), False),
        ("[" * 40 + "]" * 40 + "{" * 30 + "}" * 30 + "[}" * 1000, False),  # past the pair rounds, mismatched brackets
        ('["' + "[" * 2000 + '"]', False),  # brackets inside a string
        ('{"a": "", "b": "x\\"", "c": "' + "{" * 2000 + '"}', False),  # empty strings, escaped quotes
        (
            '["\\\\", ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "]",
            True,
        ),  # an escaped backslash ends no string
        ('{"k": "' + "[" * 450 + '", "deep": ' + "{" * 450 + '"x": 1' + "}" * 450 + "}", False),
    ],
)
def test_nesting_depth_is_counted_outside_strings(text: str, deep: bool) -> None:
    assert too_deep(text) is deep
