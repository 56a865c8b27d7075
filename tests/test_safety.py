"""A workflow file is data: nothing in it is executed, evaluated, fetched or opened; and reports never print its
secrets.

The hostile-content test runs the engine and the CLI in a fresh interpreter under a `sys.addaudithook` (audit hooks
cannot be removed, so never in the pytest process) that records every network, process, code-execution and file-open
event, while this process listens on loopback ports that the workflow points at and checks that nobody connected.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests import fuzzkit as fk
from tests.helpers import ROOT

_AUDIT_SCRIPT = textwrap.dedent(
    r"""
    import contextlib, io, json, sys
    from pathlib import Path
    from wf_lsp.cli import main
    from wf_lsp.core.engine import analyze
    from wf_lsp.core.loader import WorkflowLoader
    from wf_lsp.core.rules.registry import load_registry
    from wf_lsp.core.settings import Settings

    hostile, benign = Path(sys.argv[1]), Path(sys.argv[2])
    profiles = [Settings(profile=p) for p in ("oracle", "recommended", "strict")]
    profiles += [Settings(profile="strict", tenant_id="t-1", user_level=4)]
    registry = load_registry(())

    def everything(path):
        text = path.read_text(encoding="utf-8")
        for s in profiles:
            WorkflowLoader(s, registry=registry).validate_text(text)
            WorkflowLoader(s, registry=registry).validate_text(path.read_bytes())
            analyze(text, s, registry)
        for fmt in ("text", "json", "sarif", "github"):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                main(["check", str(path), "--no-config", "--jobs", "1", "--profile", "strict", "--format", fmt])

    everything(benign)  # warm up: every import and lazy load happens before the hook is installed
    WATCH = ("socket.", "subprocess.", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.kill",
             "ctypes.", "urllib.", "http.", "ftplib.", "smtplib.", "open", "exec", "compile", "import",
             "builtins.input", "os.putenv", "os.remove", "os.rename", "os.chmod", "shutil.", "webbrowser.", "pty.",
             "sqlite3.")
    events = []

    def hook(event, args):
        if event.startswith(WATCH):
            events.append([event, repr(args)[:300]])

    sys.addaudithook(hook)
    everything(hostile)
    sys.stdout.write(json.dumps(events))
    """
)


@pytest.fixture
def listeners() -> Any:
    """Two loopback TCP ports that the hostile workflow points at; yields (port, port, check) where check() lists
    connections."""
    socks = []
    for _ in range(2):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        s.setblocking(False)
        socks.append(s)

    def accepted() -> list[Any]:
        got = []
        for s in socks:
            try:
                while True:
                    got.append(s.accept()[1])
            except BlockingIOError:
                pass
        return got

    yield socks[0].getsockname()[1], socks[1].getsockname()[1], accepted
    for s in socks:
        s.close()


def _hostile(port: int, port2: int, tmp: Path) -> dict[str, Any]:
    pwned = tmp / "pwned"
    canary = tmp / "canary.json"
    canary.write_text('{"canary": "CANARY-CONTENT-7f3a"}')
    run = f"{{{{ __import__('os').system('touch {pwned}') }}}}"
    url = f"http://127.0.0.1:{port}/hook"
    return {
        "$schema": f"http://127.0.0.1:{port2}/schema.json",
        "$ref": f"file://{canary}",
        "id": "wf-hostile",
        "tenantId": run,
        "name": f"${{jndi:ldap://127.0.0.1:{port2}/a}} {{0.__class__.__init__.__globals__}} %(password)s %s%n",
        "nodes": [
            {
                "id": "a",
                "name": run,
                "type": "core.http_request",
                "parameters": {"url": url, "method": run, "body": {"$ref": f"http://127.0.0.1:{port}/ref"}},
            },
            {
                "id": "b",
                "name": "B",
                "type": "http-request",
                "parameters": {"url": f"http://127.0.0.1:{port2}/", "headers": {"$ref": "file:///etc/passwd"}},
            },
            {
                "id": "c",
                "name": "C",
                "type": "logic.if",
                "parameters": {"condition": "{{ $env.HOME }} {{ require('child_process').execSync('id') }}"},
            },
            {
                "id": "d",
                "name": "D",
                "type": "code.python",
                "parameters": {"code": f"import os; os.system('touch {pwned}')"},
            },
            {"id": "e", "name": "E", "type": f"file://{canary}", "nodeType": url, "parameters": {"$ref": "#/nodes/0"}},
        ],
        "connections": {
            run: {"main": [[{"node": url, "type": "main", "index": 0}]]},
            "B": {"main": [[{"$ref": url, "node": f"file://{canary}"}]]},
        },
        "triggers": [{"nodeId": "a", "kind": "webhook", "webhookUrl": url}],
        "variables": {
            "v": {"type": "string", "defaultValue": run, "validation": {"pattern": "(a+)+$"}},
            "w": {"$ref": f"http://127.0.0.1:{port}/var"},
        },
        "credentials": [{"nodeId": "a", "credentialType": "oauth", "credentialId": url}],
        "x-wf-ignore": [run],
    }


def test_hostile_workflow_is_never_executed_fetched_or_opened(tmp_path: Path, listeners: Any) -> None:
    port, port2, accepted = listeners
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(_hostile(port, port2, tmp_path), indent=2))
    benign = tmp_path / "benign.json"
    benign.write_bytes(dict(fk.corpus())["gameengine__packages__bootstrap__workflows__n8n_skeleton.json"])
    proc = subprocess.run(
        [sys.executable, "-c", _AUDIT_SCRIPT, str(hostile), str(benign)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    events = json.loads(proc.stdout)
    opened = [args for event, args in events if event == "open"]
    others = [(event, args) for event, args in events if event != "open"]
    assert others == [], others  # no socket, process, code execution, import or file-system change of any kind
    assert all(str(hostile) in args for args in opened), opened  # the only file opened is the one being checked
    assert not (tmp_path / "pwned").exists()
    assert accepted() == []


def test_hostile_workflow_values_stay_inert_in_results(tmp_path: Path) -> None:
    wf = _hostile(9, 9, tmp_path)
    result = fk.check(json.dumps(wf), "strict-tenant")
    blob = json.dumps(result.to_json("x.json"))
    assert "CANARY-CONTENT" not in blob and "root:" not in blob  # nothing was read from the $ref targets
    assert not (tmp_path / "pwned").exists()


# -- secrets in reports ---------------------------------------------------------------------------
SECRETS = [
    "Hunter2-Param-Pw",
    "sk-live-ApiKey-42",
    "Tok-Node-777",
    "Cred-Node-Pw-99",
    "Cred-Map-Secret-5",
    "Var-Db-Password-1",
    "Var-Api-Token-2",
    "Bare-Pw-Unquoted",
]


def _secret_workflow() -> str:
    wf = {
        "id": "wf-secrets",
        "tenantId": "${TENANT_ID}",
        "nodes": [
            {
                "id": "a",
                "name": "Login",
                "type": "core.http_request",
                "parameters": {
                    "url": "https://api.invalid",
                    "method": "GET",
                    "password": SECRETS[0],
                    "apiKey": SECRETS[1],
                    "timeout": "x",
                },
                "credentials": {"httpBasicAuth": {"id": "1", "name": "basic", "password": SECRETS[3]}},
                "timeout": 5,
            },
            {"id": "b", "name": "Login", "type": "backend.create_github", "parameters": {"token": SECRETS[2]}},
        ],
        "connections": {"Login": {"main": [[{"node": "Missing"}]]}},
        "variables": {
            "db_password": {"type": "number", "defaultValue": SECRETS[5]},
            "api_token": {"type": "strng", "defaultValue": SECRETS[6], "scope": "global"},
        },
        "credentials": [
            {"nodeId": "a", "credentialType": "basic", "credentialId": "c1", "fieldMappings": {"password": SECRETS[4]}}
        ],
    }
    text = json.dumps(wf, indent=2)
    # and one secret that breaks the JSON: an unquoted password value
    return text.replace('"url": "https://api.invalid",', f'"url": "https://api.invalid", "pass": {SECRETS[7]},', 1)


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.mark.parametrize(
    "fmt",
    [
        ["--format", "json"],
        ["--format", "sarif"],
        ["--format", "github"],
        ["--format", "text", "--no-snippets"],
        ["--format", "text", "--statistics", "--no-snippets"],
    ],
    ids=["json", "sarif", "github", "text-no-snippets", "text-statistics"],
)
def test_reports_never_print_secret_values(tmp_path: Path, fmt: list[str]) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(_secret_workflow())
    code, out, err = fk.run_cli_strict(
        ["check", str(path), "--no-config", "--jobs", "1", "--profile", "strict", "--min-severity", "hint", *fmt]
    )
    assert code == 1
    assert b"HARDCODED_SECRET" in out and b"JSON_SYNTAX_ERROR" in out  # the secrets are there, and reported
    assert _leaks(out.decode() + err.decode()) == []


def test_text_report_snippets_never_print_secret_values(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(_secret_workflow())
    code, out, err = fk.run_cli_strict(
        ["check", str(path), "--no-config", "--jobs", "1", "--profile", "strict", "--format", "text"]
    )
    assert code == 1 and _leaks(out.decode() + err.decode()) == []


def test_results_and_logs_never_carry_secret_values(caplog: pytest.LogCaptureFixture) -> None:
    text = _secret_workflow()
    with caplog.at_level(logging.DEBUG):
        result = fk.check(text, "strict")
        summary = fk.LOADERS["strict"].get_diagnostics(text)
    assert {"HARDCODED_SECRET", "JSON_SYNTAX_ERROR"} <= {f.code for f in result.findings}
    blob = json.dumps(
        [result.to_json("x"), summary, [f.message for f in result.findings], [r.getMessage() for r in caplog.records]]
    )
    assert _leaks(blob) == []


@pytest.mark.parametrize("key", ["password", "apiKey", "client_secret", "accessToken", "credentials", "auth"])
def test_syntax_errors_do_not_echo_a_secret_value(key: str) -> None:
    """Regression: `"password": hunter2,` made the message "Unexpected 'hunter2'; expected a value"."""
    for text in (
        f'{{"{key}": Hunter2Bare, "nodes": []}}',
        f'{{"{key}": [\'Hunter2Bare\'], "nodes": []}}',
        f'{{"a": {{"{key}"  :  Hunter2Bare}}}}',
    ):
        result = fk.check(text)
        messages = [f.message for f in result.findings if f.code == "JSON_SYNTAX_ERROR"]
        assert messages and not any("Hunter2Bare" in m for m in messages), messages
    assert "'hunter2'" in fk.check('{"name": hunter2}').findings[-1].message  # other values are still shown


# -- control characters in values ----------------------------------------------------------------
ESCAPES = "\u001b[2J\u001b]0;pwned\u0007"


def test_github_annotations_cannot_be_injected(tmp_path: Path) -> None:
    path = tmp_path / "inject.json"
    name = "X\n::error file=evil.json,line=1::injected\r\n::add-mask::x"
    path.write_text(
        json.dumps(
            {
                "tenantId": "t",
                "nodes": [{"id": "a", "name": name, "type": "logic.if"}, {"id": "b", "name": name, "type": "logic.if"}],
            }
        )
    )
    code, out, _ = fk.run_cli_strict(["check", str(path), "--no-config", "--jobs", "1", "--format", "github"])
    assert code == 1 and all(
        line.startswith(("::error ", "::warning ", "::notice ")) for line in out.decode().splitlines()
    )
    assert b"evil.json" not in out.replace(b"%0A::error file=evil.json", b"")


def test_text_report_prints_no_terminal_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "escapes.json"
    path.write_text(
        json.dumps(
            {
                "tenantId": "t",
                "nodes": [
                    {"id": "a", "name": ESCAPES, "type": "logic.if"},
                    {"id": "b", "name": ESCAPES, "type": "logic.if"},
                ],
            }
        )
    )
    code, out, _ = fk.run_cli_strict(
        ["check", str(path), "--no-config", "--jobs", "1", "--format", "text", "--color", "never"]
    )
    assert code == 1 and not any(b in out for b in (b"\x1b", b"\x07"))
