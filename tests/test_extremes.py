"""Extreme inputs: huge files, deep nesting, huge strings, many nodes, odd encodings, NULs, surrogates, astral text,
CR/CRLF.

Each gets a sensible diagnostic within the size and time limits. Time bounds are loose (CI machines are shared);
the measured figures are in the hardening report. Set WF_LSP_EXTREME_NODES=100000 to give 100,000 nodes a finding each.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests import fuzzkit as fk
from wf_lsp.core.findings import Finding
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.result import Result
from wf_lsp.core.settings import DEFAULT_MAX_FILE_BYTES, Settings

MB = 1024 * 1024
WORKFLOW: dict[str, Any] = {
    "id": "wf-1",
    "tenantId": "${TENANT_ID}",
    "nodes": [
        {
            "id": "start",
            "name": "Start",
            "type": "logic.if",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {"condition": "{{ $json.ok }}"},
        },
        {
            "id": "send",
            "name": "Send",
            "type": "email-send",
            "typeVersion": 1,
            "position": [1, 0],
            "parameters": {"body": "hi"},
        },
    ],
    "connections": {"Start": {"main": [[{"node": "Send", "type": "main", "index": 0}]]}},
    "triggers": [{"nodeId": "start", "kind": "manual"}],
}


def _loader(**changes: Any) -> WorkflowLoader:
    return WorkflowLoader(Settings(**changes), registry=fk.REGISTRY)


def _codes(result: Result) -> list[str]:
    return [f.code for f in result.findings]


def _only(result: Result, code: str) -> Finding:
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, _codes(result)
    return found[0]


def _timed(fn: Any, *args: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def _cli(path: Path, *extra: str) -> tuple[int, str, str]:
    code, out, err = fk.run_cli_strict(
        ["check", str(path), "--no-config", "--jobs", "1", "--min-severity", "hint", *extra]
    )
    return code, out.decode("utf-8"), err.decode("utf-8")


# -- size -------------------------------------------------------------------------------------------
def test_50mb_file_is_too_large_and_rejected_quickly(tmp_path: Path) -> None:
    body = '{"nodes": [], "pad": "' + "a" * (50 * MB) + '"}'
    for data in (body, body.encode()):
        result, seconds = _timed(_loader().validate_text, data)
        assert _codes(result) == ["FILE_TOO_LARGE"] and seconds < 5, seconds
        fk.check_result(data, result)
    path = tmp_path / "big.json"
    path.write_bytes(body.encode())
    (code, out, _), seconds = _timed(_cli, path)
    assert (
        code == 1
        and out.startswith(f"{path}:1:1: error: File is over the size limit of {DEFAULT_MAX_FILE_BYTES:,} bytes")
        and seconds < 10
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
@pytest.mark.parametrize("char", ["a", "é", "€", "\U0001f600"], ids=["ascii", "2-byte", "3-byte", "astral"])
def test_size_limit_is_in_utf8_bytes_whatever_the_file_encoding(tmp_path: Path, encoding: str, char: str) -> None:
    """Regression: the limit was compared with characters, and an over-limit file was cut mid-character and
    mis-parsed."""
    limit = 400
    (tmp_path / "wf-lsp.toml").write_text(f"maxFileBytes = {limit}\n")
    for n, over in ((limit // 4 - 20, False), (limit + 10, True)):
        text = json.dumps({"nodes": [], "tenantId": "t", "pad": char * n}, ensure_ascii=False)
        assert (len(text.encode()) > limit) == over
        path = tmp_path / f"f{n}.json"
        path.write_bytes(text.encode(encoding))
        code, out, err = fk.run_cli_strict(
            ["check", str(path), "--config", str(tmp_path / "wf-lsp.toml"), "--jobs", "1", "--min-severity", "hint"]
        )
        lines = out.decode().splitlines()
        codes = [line.rsplit("[", 1)[-1].rstrip("]") for line in lines if line.startswith(str(path))]
        assert codes == (["FILE_TOO_LARGE"] if over else []), (encoding, n, lines, err)
        result = _loader(max_file_bytes=limit).validate_text(text)
        assert ("FILE_TOO_LARGE" in _codes(result)) == over


# -- nesting ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        fk.deep(100_000),
        fk.deep(100_000, '"x"', '{"a":', "}"),
        "[" * 100_000,
        '{"nodes": [' + fk.deep(100_000) + "]}",
        '{"nodes": [], "connections": {"a": ' + fk.deep(100_000, "1", '{"main":', "}") + "}}",
        '[{"a":' * 50_000,
    ],
    ids=["arrays", "objects", "unclosed", "in-nodes", "in-connections", "alternating-unclosed"],
)
def test_100k_deep_nesting_is_reported_without_recursion_error(text: str) -> None:
    for profile in ("oracle", "recommended", "strict"):
        result, seconds = _timed(fk.LOADERS[profile].validate_text, text)
        deep = _only(result, "NESTING_TOO_DEEP")
        assert deep.span is not None and 0 < deep.span.start.offset < 10_000 and seconds < 5, (deep.span, seconds)
        fk.check_result(text, result)


def test_100k_deep_nesting_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"nodes": [' + fk.deep(100_000) + "]}")
    code, out, err = _cli(path)
    assert code == 1 and "JSON nesting is too deep to validate [NESTING_TOO_DEEP]" in out, err


# -- huge strings -----------------------------------------------------------------------------------
def test_10mb_string_value() -> None:
    wf = json.loads(json.dumps(WORKFLOW))
    wf["nodes"][0]["parameters"]["condition"] = "{{ " + "x" * (10 * MB) + " }}"
    wf["nodes"][1]["parameters"]["note"] = "y\u00e9\U0001f600" * MB
    text = json.dumps(wf, indent=2, ensure_ascii=False)
    for profile in ("oracle", "strict"):
        result, seconds = _timed(fk.LOADERS[profile].validate_text, text)
        baseline = fk.LOADERS[profile].validate_text(json.dumps(WORKFLOW, indent=2))
        assert _codes(result) == _codes(baseline) and seconds < 15, (_codes(result), seconds)
        fk.check_result(text, result)


def test_10mb_unterminated_string_is_reported_once() -> None:
    text = '{"nodes": [], "tenantId": "t", "pad": "' + "z" * (10 * MB)
    result, seconds = _timed(_loader().validate_text, text)
    syntax = [f for f in result.findings if f.code == "JSON_SYNTAX_ERROR"]
    assert len(syntax) == 1 and seconds < 10, ([f.message for f in syntax], seconds)
    fk.check_result(text, result)


_MB_SLOTS: list[tuple[Any, ...]] = [
    ("tenantId",),
    ("id",),
    ("nodes", 0, "name"),
    ("nodes", 0, "id"),
    ("nodes", 0, "type"),
    ("nodes", 0, "timeout"),
    ("connections", "Start", "main", 0, 0, "node"),
    ("connections", "Start", "main", 0, 0, "type"),
    ("triggers", 0, "nodeId"),
    ("triggers", 0, "kind"),
]


def _mb_variants() -> list[tuple[str, str]]:
    big = "q" * MB
    out = [("/".join(map(str, p)), fk.dumps(fk.set_at(WORKFLOW, p, big))) for p in _MB_SLOTS]
    out.append(("connections key", fk.dumps(fk.rename_at(WORKFLOW, ("connections", "Start"), big))))
    out.append(
        (
            "duplicate names",
            fk.dumps(fk.set_at(fk.set_at(WORKFLOW, ("nodes", 0, "name"), big), ("nodes", 1, "name"), big)),
        )
    )
    return out


def test_1mb_strings_wherever_a_rule_reads_one_validate_in_time() -> None:
    for where, text in _mb_variants():
        for profile in ("oracle", "strict-tenant"):
            result, seconds = _timed(fk.LOADERS[profile].validate_text, text)
            assert seconds < 10, (where, profile, seconds)
            fk.check_result(text, result)


def test_messages_stay_short_whatever_the_value() -> None:
    long = []
    for where, text in _mb_variants():
        for profile in ("oracle", "strict-tenant"):
            long += [
                (where, f.code, len(f.message))
                for f in fk.LOADERS[profile].validate_text(text).findings
                if len(f.message) > 1000
            ]
    assert long == []


# -- many nodes -------------------------------------------------------------------------------------
def _chain(n: int) -> str:
    nodes = ",".join(
        f'{{"id":"n{i}","name":"N{i}","type":"audio.stop","typeVersion":1,"position":[0,0],"parameters":{{}}}}'
        for i in range(n)
    )
    conns = ",".join(f'"n{i}":{{"main":[[{{"node":"n{i + 1}","type":"main","index":0}}]]}}' for i in range(n - 1))
    return (
        '{"id":"w","tenantId":"${TENANT_ID}","nodes":['
        + nodes
        + '],"connections":{'
        + conns
        + '},"triggers":[{"nodeId":"n0","kind":"manual"}]}'
    )


def test_100k_nodes() -> None:
    text = _chain(100_000)
    result, seconds = _timed(_loader().validate_text, text)
    assert _codes(result) == ["RESOURCE_LIMIT_EXCEEDED"] and seconds < 30, (_codes(result)[:5], seconds)
    fk.check_result(text, result)


def test_many_nodes_with_a_finding_each() -> None:
    """One finding per node (each misses a required parameter) on one long line stays linear (it was quadratic in
    TextIndex)."""
    n = int(os.environ.get("WF_LSP_EXTREME_NODES", "20000"))
    text = _chain(n).replace('"audio.stop"', '"logic.if"')
    result, seconds = _timed(_loader().validate_text, text)
    assert len(result.findings) == n + 1 and seconds < 30, seconds
    assert result.findings[-1].span is not None and result.findings[-1].span.start.line == 0


# -- encodings --------------------------------------------------------------------------------------
def test_invalid_utf8_is_reported_at_the_bad_byte(tmp_path: Path) -> None:
    text = json.dumps(WORKFLOW, indent=2, ensure_ascii=False).replace('"Send"', '"Sénd \U0001f600 Ω"', 1)
    good = text.encode()
    at = good.index("Ω".encode())
    data = good[:at] + b"\xff" + good[at + 2 :]
    line = text[: text.index("Ω")].count("\n")
    column = len(text[: text.index("Ω")].rsplit("\n", 1)[-1])
    result = _loader().validate_text(data)
    bad = _only(result, "INVALID_ENCODING")
    assert bad.span is not None and (bad.span.start.line, bad.span.start.character) == (line, column)
    assert f"byte 0xff at byte offset {at}" in bad.message
    fk.check_result(data, result)
    path = tmp_path / "latin.json"
    path.write_bytes(data)
    code, out, _ = _cli(path)
    assert code == 1 and f"{path}:{line + 1}:{column + 1}: error: File is not valid UTF-8" in out


def _positions(result: Result) -> list[tuple[str, int, int, int, int]]:
    return [
        (f.code, f.span.start.line, f.span.start.character, f.span.end.line, f.span.end.character)
        for f in result.findings
        if f.span
    ]


BROKEN = json.dumps({**WORKFLOW, "tenantId": None, "connections": {"Start": {"main": [[{"node": "Nope"}]]}}}, indent=2)


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le+bom", "utf-16-be+bom", "utf-32", "utf-32-be+bom", "utf-8-sig"]
)
def test_bom_encodings_give_the_same_diagnostics_as_utf8(tmp_path: Path, encoding: str) -> None:
    if encoding.endswith("+bom"):
        codec = encoding[: -len("+bom")]
        data = "\ufeff".encode(codec) + BROKEN.encode(codec)
    else:
        data = BROKEN.encode(encoding)
    expected = _positions(_loader().validate_text(BROKEN))
    assert expected and _positions(_loader().validate_text(data)) == expected
    path = tmp_path / "wf.json"
    path.write_bytes(data)
    path_utf8 = tmp_path / "plain.json"
    path_utf8.write_text(BROKEN)
    code, out, _ = _cli(path, "--no-snippets")
    assert code == 1 and out.replace(str(path), "X") == _cli(path_utf8, "--no-snippets")[1].replace(str(path_utf8), "X")


def test_utf8_bom_in_text_is_not_a_syntax_error() -> None:
    result = _loader().validate_text("\ufeff" + BROKEN)
    assert "JSON_SYNTAX_ERROR" not in _codes(result) and sorted(_codes(result)) == sorted(
        _codes(_loader().validate_text(BROKEN))
    )
    fk.check_result("\ufeff" + BROKEN, result)


def test_truncated_utf16_is_an_encoding_error_not_garbage() -> None:
    data = BROKEN.encode("utf-16")[:-1]
    result = _loader().validate_text(data)
    assert "INVALID_ENCODING" in _codes(result) and "not valid UTF-16" in _only(result, "INVALID_ENCODING").message
    fk.check_result(data, result)


# -- NUL bytes --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,message",
    [
        (BROKEN.replace('"Start",', '"St\x00art",', 1), "Control character U+0000 must be escaped in a string"),
        (BROKEN.replace('"id": "wf-1",', '"id": \x00"wf-1",', 1), "Unexpected '\\u0000\"wf-1\"'; expected a value"),
        (BROKEN.replace('"id": "wf-1",', '"id": "wf-1",\x00', 1), "Property names must be double-quoted strings"),
        ("\x00" * 1000, "Unexpected '" + "\\u0000" * 30 + "'; expected a value"),
    ],
    ids=["in-string", "before-value", "between-members", "all-nul"],
)
def test_nul_bytes(text: str, message: str) -> None:
    """A NUL gets a syntax error exactly where it is, and is shown escaped (never raw) in the message."""
    result = _loader().validate_text(text.encode())
    nul = text.index("\x00")
    at_nul = [
        f
        for f in result.findings
        if f.code == "JSON_SYNTAX_ERROR" and f.span is not None and f.span.start.offset == nul
    ]
    assert [f.message for f in at_nul] == [message], [(f.message, f.span) for f in result.findings]
    assert not any("\x00" in f.message for f in result.findings)
    fk.check_result(text, result)


def test_escaped_nul_in_values_is_fine_in_every_format(tmp_path: Path) -> None:
    path = tmp_path / "nul.json"
    path.write_text(BROKEN.replace('"Nope"', '"No\\u0000pe"'))
    for fmt in ("text", "json", "sarif", "github"):
        code, out, err = _cli(path, "--format", fmt)
        assert code == 1, err
        if fmt in ("json", "sarif"):
            json.loads(out)


# -- lone surrogates ----------------------------------------------------------------------------------
SURROGATES = fk.SURROGATE_WORKFLOW.decode()


def test_lone_surrogates_in_escapes_validate() -> None:
    for data in (SURROGATES, SURROGATES.encode()):
        for profile in fk.PROFILES:
            result = fk.check(data, profile)
            assert {"INVALID_CONNECTION_TARGET_NODE", "INVALID_CONNECTION_SOURCE"} & set(_codes(result)), (
                profile,
                _codes(result),
            )
    raw = json.dumps(WORKFLOW).replace("Send", "Se\ud800nd")  # a raw lone surrogate in the text itself
    fk.check(raw, "strict")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_lone_surrogates_in_every_output_format(tmp_path: Path, fmt: str) -> None:
    """Regression: messages carrying lone surrogates made every writer raise UnicodeEncodeError (exit 3) on a UTF-8
    stdout."""
    path = tmp_path / "surrogates.json"
    path.write_bytes(fk.SURROGATE_WORKFLOW)
    code, out, err = _cli(path, "--format", fmt)
    assert code == 1, err
    if fmt in ("json", "sarif"):
        assert "\udfff" in json.dumps(json.loads(out), ensure_ascii=False, default=str) or "\\udfff" in out


# -- astral characters and line endings -------------------------------------------------------------
def test_astral_characters_before_a_diagnostic() -> None:
    prefix = "\U0001f600\U0001d11e x \U00020000"  # 3 astral characters and 3 BMP ones
    text = json.dumps(WORKFLOW, indent=2, ensure_ascii=False).replace(
        '"node": "Send"', f'"note": "{prefix}", "node": "Nope"'
    )
    result = _loader().validate_text(text)
    bad = _only(result, "INVALID_CONNECTION_TARGET_NODE")
    assert bad.span is not None
    start = text.index('"Nope"')
    line_text = text.splitlines()[bad.span.start.line]
    column = line_text.index('"Nope"')
    assert (bad.span.start.offset, bad.span.start.character, bad.span.end.character) == (start, column, column + 6)
    astral_before = sum(1 for ch in line_text[:column] if ord(ch) > 0xFFFF)
    utf16_column = len(line_text[:column].encode("utf-16-le")) // 2
    assert astral_before == 3 and utf16_column == bad.span.start.character + astral_before
    fk.check_result(text, result)


def test_astral_characters_at_the_lsp_edge() -> None:
    """The server's position mapper turns the code-point span into the right UTF-16 range."""
    from wf_lsp.lsp import convert

    text = '{"nodes": [], "tenantId": "t", "connections": {"\U0001f600\U0001f600": {"main": [[{"node": "x"}]]}}}'
    result = _loader().validate_text(text)
    bad = _only(result, "INVALID_CONNECTION_SOURCE")
    assert bad.span is not None
    utf16 = convert.PositionMapper(text, "utf-16").span(bad.span)
    key_at = text.index('"\U0001f600')
    assert (bad.span.start.character, utf16.start.character) == (key_at, key_at)
    assert (bad.span.end.character, utf16.end.character) == (key_at + 4, key_at + 6)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n\r"], ids=["crlf", "cr", "lf-cr"])
def test_crlf_and_cr_line_endings(tmp_path: Path, newline: str) -> None:
    lf = BROKEN + "\n"
    text = lf.replace("\n", newline)
    expected = _positions(_loader().validate_text(lf))
    if newline == "\n\r":  # LF then CR is two line breaks: every line after the first moves down by its index
        expected = [(c, sl * 2, sc, el * 2, ec) for c, sl, sc, el, ec in expected]
    assert _positions(_loader().validate_text(text)) == expected
    fk.check_result(text, _loader().validate_text(text))
    broken = text.replace('"Start",', '"Start"', 1)  # a syntax error after CR line breaks
    result = _loader().validate_text(broken)
    comma = _only(result, "JSON_SYNTAX_ERROR")
    lf_comma = _only(_loader().validate_text(lf.replace('"Start",', '"Start"', 1)), "JSON_SYNTAX_ERROR")
    assert comma.span is not None and lf_comma.span is not None
    if newline != "\n\r":
        assert (comma.span.start.line, comma.span.start.character) == (
            lf_comma.span.start.line,
            lf_comma.span.start.character,
        )
    fk.check_result(broken, result)
    path = tmp_path / "cr.json"
    path.write_bytes(text.encode())
    code, out, _ = _cli(path, "--no-snippets")
    path_lf = tmp_path / "lf.json"
    path_lf.write_bytes(lf.encode())
    if newline != "\n\r":
        assert code == 1 and out.replace(str(path), "X") == _cli(path_lf, "--no-snippets")[1].replace(str(path_lf), "X")


def test_text_report_on_a_minified_file_is_fast(tmp_path: Path) -> None:
    nodes = [
        {"id": f"n{i}", "name": f"N{i}", "type": "logic.if", "parameters": {"x": "y" * 10_000}} for i in range(100)
    ]
    path = tmp_path / "minified.json"
    path.write_text(json.dumps({"id": "w", "tenantId": "t", "nodes": nodes, "connections": {}}, separators=(",", ":")))
    (code, out, _), seconds = _timed(_cli, path)
    assert code == 1 and len(out.splitlines()) == 100 and seconds < 2, seconds


@pytest.mark.parametrize(
    "value", ["{{" * 200_000, "{{ $json.x }" * 40_000, "$a" + "{{" * 200_000], ids=["braces", "unclosed", "dollar"]
)
def test_a_secret_that_looks_like_an_expression_stays_linear(value: str) -> None:
    """Before: the expression test `\\{\\{.*\\}\\}` backtracked from every `{{` (strict profile, a `password`
    parameter):
    20k `{{` took 2 s, 40k 8.6 s; 200k would take minutes."""
    data = json.loads(json.dumps(WORKFLOW))
    data["nodes"][1]["parameters"]["password"] = value
    result, seconds = _timed(_loader(profile="strict").validate_text, json.dumps(data))
    assert ("HARDCODED_SECRET" in _codes(result)) is (not value.startswith("$")), _codes(result)
    assert seconds < 5, seconds


@pytest.mark.parametrize("seed", range(3))
def test_the_expression_test_agrees_with_its_regex(seed: int) -> None:
    """The linear expression test answers what `\\{\\{.*\\}\\}|^\\$[A-Za-z_]` (re.S) answers, on random short
    strings."""
    import random
    import re

    from wf_lsp.core.rules.types import _is_expression

    pattern = re.compile(r"\{\{.*\}\}|^\$[A-Za-z_]", re.S)
    rng = random.Random(seed)
    for _ in range(20_000):
        s = "".join(rng.choice("{}$a_\n Z9é") for _ in range(rng.randrange(0, 9)))
        assert _is_expression(s) is bool(pattern.search(s)), repr(s)
