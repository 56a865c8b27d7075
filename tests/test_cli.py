"""`wf-lsp check` end to end: exit codes, every output format, settings files, discovery, stdin, parallel runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import CORPUS, DATA, ROOT, corpus_files, run_cli

OK = DATA / "ok" / "valid_default.json"
DUP = DATA / "err" / "DUPLICATE_NODE_NAME_typed_in.json"


def _sarif_schema() -> dict:
    path = os.environ.get("WF_LSP_SARIF_SCHEMA") or str(ROOT / ".ci" / "cache" / "sarif-2.1.0-rtm.5.json")
    assert Path(path).is_file(), (
        f"SARIF 2.1.0 schema not found at {path}: "
        "run .ci/run (it fetches @microsoft/jest-sarif) or set WF_LSP_SARIF_SCHEMA"
    )
    return json.loads(Path(path).read_text())


def test_exit_codes() -> None:
    assert run_cli(["check", str(OK)])[0] == 0
    assert run_cli(["check", str(DUP)])[0] == 1
    assert run_cli(["check", str(DUP), "--exit-zero"])[0] == 0
    assert run_cli(["check", "/no/such/path"])[0] == 2
    assert run_cli(["check", "--format", "xml", str(OK)])[0] == 2
    assert run_cli([])[0] == 2


def test_internal_failure_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    import wf_lsp.core.batch as batch

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(batch, "run_check", boom)
    code, _, err = run_cli(["check", str(OK)])
    assert code == 3 and "internal error" in err and "boom" in err


def test_text_format_has_location_message_code_and_snippet() -> None:
    code, out, _ = run_cli(["check", DUP.name, "--no-config"], cwd=DUP.parent)
    first = out.splitlines()[0]
    assert first == 'DUPLICATE_NODE_NAME_typed_in.json:35:15: error: Duplicate node name: "Check" [DUPLICATE_NODE_NAME]'
    assert out.splitlines()[1].strip().startswith('35 |       "name": "Check"')
    assert "^~~~~~~" in out.splitlines()[2]


def test_json_format_shape() -> None:
    code, out, _ = run_cli(["check", str(DUP), str(OK), "--format", "json"])
    data = json.loads(out)
    assert code == 1 and isinstance(data, list) and len(data) == 2
    bad = next(d for d in data if d["file"].endswith(DUP.name))
    assert set(bad) >= {"file", "valid", "errors", "warnings", "summary", "envelope"}
    err = next(e for e in bad["errors"] if e["code"] == "DUPLICATE_NODE_NAME")
    assert err["path"] == "nodes[2].name" and err["severity"] == "error"
    assert err["range"] == {"start": {"line": 34, "character": 14}, "end": {"line": 34, "character": 21}}
    assert err["suggestion"] == "Use unique names for all nodes."
    assert err["fixes"][0]["title"] == "Rename duplicate node to 'Check 2'"
    s = bad["summary"]
    assert (
        s["workflowId"],
        s["tenantId"],
        s["nodeCount"],
        s["connectionCount"],
        s["triggerCount"],
        s["variableCount"],
    ) == (
        "wf_demo",
        "${TENANT_ID}",
        3,
        2,
        1,
        1,
    )
    assert s["validation"]["valid"] is False and "validationTimeMs" in s["metrics"]
    env = bad["envelope"]
    assert env["success"] is False and env["error"]["code"] == "VALIDATION_ERROR" and env["statusCode"] == 400
    assert env["diagnostics"]["errors"][0]["suggestion"]
    good = next(d for d in data if d["file"].endswith(OK.name))
    assert good["valid"] is True and "envelope" not in good


def test_sarif_locations_are_relative_to_the_checkout_even_through_a_symlink(tmp_path: Path) -> None:
    """Code scanning maps `uri` to a repository file: a path under the current folder stays relative to it (with
    %SRCROOT%), also when a symlinked folder leads out of it; it was an absolute file:// URI of the link's target."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "wf.json").write_text('{"nodes": [{"name": "A"}, {"name": "A"}], "connections": {}}')
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "flows").symlink_to(outside)
    _, out, _ = run_cli(["check", "flows/wf.json", "--format", "sarif"], cwd=repo)
    log = json.loads(out)
    jsonschema.validate(log, _sarif_schema())
    run = log["runs"][0]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert locations and all(loc == {"uri": "flows/wf.json", "uriBaseId": "%SRCROOT%"} for loc in locations), locations
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"


def test_sarif_of_the_corpus_validates_against_the_sarif_schema() -> None:
    corpus_files()
    code, out, _ = run_cli(["check", str(CORPUS), "--format", "sarif", "--min-severity", "hint"])
    log = json.loads(out)
    jsonschema.validate(log, _sarif_schema())
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "wf-lsp" and code == 1
    ids = {r["ruleId"] for r in run["results"]}
    assert {"INVALID_CONNECTION_TARGET_NODE", "MISSING_TENANT_ID", "UNIMPLEMENTED_NODE_TYPE"} <= ids
    for r in run["results"]:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_github_annotations() -> None:
    code, out, _ = run_cli(["check", str(DUP), "--format", "github"])
    line = next(x for x in out.splitlines() if "DUPLICATE_NODE_NAME" in x)
    assert (
        line.startswith("::error file=")
        and ",line=35,col=15,endLine=35,endColumn=22,title=DUPLICATE_NODE_NAME::" in line
    )


def test_stdin_with_filename(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(DUP.read_bytes())))
    code, out, _ = run_cli(["check", "-", "--stdin-filename", "flows/x.json", "--no-snippets"])
    assert code == 1 and out.startswith("flows/x.json:35:15: error: Duplicate node name")


def test_settings_from_pyproject_and_flags_override(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.wf-lsp]\nprofile = "oracle"\nconnectionKeys = "name"\n')
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(CORPUS / "packages__audit_log__workflow__filters.json", flows / "f.json")
    code, out, _ = run_cli(["check", str(flows), "--no-snippets"])
    assert "INVALID_CONNECTION_SOURCE" in out  # oracle keys by name; this file keys by id
    code2, out2, _ = run_cli(
        ["check", str(flows), "--no-snippets", "--connection-keys", "auto", "--profile", "recommended"]
    )
    assert "INVALID_CONNECTION_SOURCE" not in out2
    code3, out3, _ = run_cli(["check", str(flows), "--no-snippets", "--ignore", "INVALID_CONNECTION_SOURCE"])
    assert "INVALID_CONNECTION_SOURCE" not in out3


def test_select_narrows_to_codes() -> None:
    _, out, _ = run_cli(["check", str(CORPUS), "--select", "MISSING_TENANT", "--no-snippets", "-q"])
    codes = {line.rsplit("[", 1)[1].rstrip("]") for line in out.splitlines()}
    assert codes == {"MISSING_TENANT_ID"} and len(out.splitlines()) == 24


def test_discovery_by_content_skips_vendored_and_non_workflows(tmp_path: Path) -> None:
    shutil.copy(DUP, tmp_path / "a.json")
    (tmp_path / "package.json").write_text('{"name": "x", "nodes_version": 1}')
    (tmp_path / "node_modules").mkdir()
    shutil.copy(DUP, tmp_path / "node_modules" / "b.json")
    (tmp_path / "other.json").write_text('{"nodes": 1, "oops": }')
    code, out, err = run_cli(["check", str(tmp_path), "--no-snippets", "--format", "json"])
    files = sorted(Path(d["file"]).name for d in json.loads(out))
    assert files == ["a.json", "other.json"]  # the broken file that looks like a workflow is still reported
    # a file named explicitly is always checked
    code, out, _ = run_cli(["check", str(tmp_path / "package.json"), "--format", "json"])
    assert len(json.loads(out)) == 1


def test_statistics_and_parallel_runs_agree() -> None:
    corpus_files()
    code1, out1, _ = run_cli(["check", str(CORPUS), "--format", "json", "--jobs", "1"])
    code2, out2, _ = run_cli(["check", str(CORPUS), "--format", "json", "--jobs", "2"])

    def strip(out: str) -> list[tuple[str, str, str]]:
        return sorted((d["file"], json.dumps(d["errors"]), json.dumps(d["warnings"])) for d in json.loads(out))

    assert code1 == code2 == 1 and strip(out1) == strip(out2)
    code, out, _ = run_cli(["check", str(CORPUS), "--statistics", "-q", "--no-snippets"])
    assert "INVALID_CONNECTION_TARGET_NODE" in out and "cache:" in out


def test_console_script_and_module_entry_points() -> None:
    exe = Path(sys.executable).parent / "wf-lsp"
    for cmd in ([str(exe)], [sys.executable, "-m", "wf_lsp"]):
        proc = subprocess.run(
            [*cmd, "check", str(DUP), "--no-snippets", "-q"], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 1 and "DUPLICATE_NODE_NAME" in proc.stdout


def test_schema_command_prints_a_json_schema_the_corpus_mostly_fits() -> None:
    code, out, _ = run_cli(["schema"])
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "MetaBuilder workflow"
    validator = jsonschema.Draft202012Validator(schema)
    ok = sum(1 for f in corpus_files() if not list(validator.iter_errors(json.loads(f.read_text()))))
    assert ok == 91  # lenient on purpose: what the rules report is not reported twice by editors


def test_fix_keeps_a_byte_order_mark_and_edits_the_right_place(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "err" / "GLOBAL_SCOPE_VARIABLE_scope.json").read_bytes())
    code, out, err = run_cli(["check", str(path), "--fix", "--no-snippets"])
    data = path.read_bytes()
    assert code == 0 and "applied 1 safe fix" in err
    assert data.startswith(b"\xef\xbb\xbf") and json.loads(data[3:])["variables"]["limit"]["scope"] == "workflow"
