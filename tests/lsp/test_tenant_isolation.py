"""Tenants over the real server's stdio: identical text open in folders whose workspace/configuration names different
tenants and user levels gets each folder's own diagnostics (no cache serves one tenant's result to another, before or
after identical edits), and the tenant report narrowed to one tenant never lists another tenant's files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.lsp.kit import APPROVAL, BOOT, corpus_text
from tests.lsp.raw import Expected, RawServer, utf16_position
from wf_lsp.core.findings import Severity
from wf_lsp.core.settings import Settings, settings_from_mapping

GLOBAL = {"debounceMs": 20}
#: Folder -> its workspace/configuration: acme-corp's editor, a globex editor, a globex super-admin.
FOLDERS = {
    "acme": {"tenantId": "acme-corp", "userLevel": 2},
    "globex": {"tenantId": "globex", "userLevel": 2},
    "globex-admin": {"tenantId": "globex", "userLevel": 4},
}
SHARED = corpus_text(APPROVAL)  # a real workflow of tenant acme-corp
assert json.loads(SHARED)["tenantId"] == "acme-corp"


def _own(tenant: str) -> str:
    data = json.loads(corpus_text(BOOT))
    data["tenantId"] = tenant
    return json.dumps(data, indent=2)


def _settings(name: str) -> Settings:
    return settings_from_mapping(dict(GLOBAL, **FOLDERS[name]), settings_from_mapping(GLOBAL)[0])[0]


def _mismatch(diags: list[dict[str, Any]]) -> list[int]:
    """The severities of the TENANT_MISMATCH diagnostics."""
    return [d["severity"] for d in diags if d["code"] == "TENANT_MISMATCH"]


async def test_identical_text_under_different_tenants(tmp_path: Path) -> None:
    folders = {name: tmp_path / name for name in FOLDERS}
    by_uri = {f.as_uri(): name for name, f in folders.items()}

    def configuration(item: dict[str, Any]) -> dict[str, Any]:
        scope = item.get("scopeUri")
        return dict(GLOBAL, **FOLDERS[by_uri[scope]]) if scope else dict(GLOBAL)

    for folder in folders.values():
        folder.mkdir()
        (folder / "shared.json").write_text(SHARED)
    (folders["acme"] / "own.json").write_text(_own("acme-corp"))
    (folders["globex"] / "own.json").write_text(_own("globex"))

    server = await RawServer(configuration=configuration, stderr=tmp_path / "stderr.txt").start()
    try:
        await server.initialize(list(folders.values()), GLOBAL)
        shared = {name: (folder / "shared.json").as_uri() for name, folder in folders.items()}
        for uri in shared.values():
            server.open(uri, SHARED)
        await server.drain()
        await server.until(lambda: all(server.publishes(u) for u in shared.values()), what="diagnostics of every copy")

        expected = Expected()

        def each_its_own(when: str, text: str, version: int) -> None:
            got = {name: server.publishes(uri)[-1]["diagnostics"] for name, uri in shared.items()}
            assert _mismatch(got["acme"]) == [], f"{when}: acme-corp's own workflow"
            assert _mismatch(got["globex"]) == [1], f"{when}: globex may not access it (an error)"
            assert _mismatch(got["globex-admin"]) == [3], f"{when}: a globex super-admin may (information)"
            for name, uri in shared.items():
                assert got[name] == expected.diagnostics(uri, text, version, _settings(name)), (
                    f"{when}: {name} got another tenant's result"
                )

        each_its_own("opened", SHARED, 1)
        # The same keystrokes in every copy: identical texts again, each must still be validated under its own settings.
        text, version = SHARED, 1
        at = text.index('"name": "') + len('"name": "')
        pos = utf16_position(text, at)
        for _ in range(3):
            version += 1
            for uri in shared.values():
                server.change(uri, version, [{"range": {"start": pos, "end": pos}, "text": "z"}])
            text = text[:at] + "z" + text[at:]
        await server.drain()
        await server.until(
            lambda: all(server.publishes(u)[-1].get("version") == 4 for u in shared.values()),
            what="diagnostics of the edits",
        )
        each_its_own("after identical edits", text, version)

        # The tenant report: narrowed to globex, only globex's workflow; never a file of acme's folder or tenant.
        seen = len(server.received)
        report = (
            await server.call(
                "workspace/executeCommand", {"command": "wf.showTenantDiagnostics", "arguments": ["globex"]}
            )
        )["result"]
        assert [t["tenantId"] for t in report["tenants"]] == ["globex"]
        assert report["tenants"][0]["files"] == 1
        text_of_report = json.dumps(report)
        assert folders["acme"].as_uri() not in text_of_report and "shared.json" not in text_of_report
        shown = [m for m in server.received[seen:] if m.get("method") == "window/showDocument"]
        assert len(shown) == 1
        markdown = Path(shown[0]["params"]["uri"].removeprefix("file://")).read_text()
        assert "## Tenant: globex" in markdown and "acme" not in markdown

        # Narrowed to acme-corp: its four files (the three copies and its own), each counted under its folder's
        # settings.
        report = (
            await server.call(
                "workspace/executeCommand", {"command": "wf.showTenantDiagnostics", "arguments": ["acme-corp"]}
            )
        )["result"]
        assert [t["tenantId"] for t in report["tenants"]] == ["acme-corp"]
        acme = report["tenants"][0]
        assert acme["files"] == 4
        assert (folders["globex"] / "own.json").as_uri() not in json.dumps(report)
        assert acme["errorsByCode"].get("TENANT_MISMATCH") == 1, "only the globex editor's copy is forbidden"
        rows = {row["uri"]: row for row in acme["worstFiles"]}
        for name, uri in shared.items():
            findings = (
                expected.loader(_settings(name))
                .validate_text(text, (folders[name] / "shared.json").as_posix())
                .findings
            )
            errors = sum(1 for f in findings if f.severity == Severity.ERROR)
            warnings = sum(1 for f in findings if f.severity == Severity.WARNING)
            assert (rows[uri]["errors"], rows[uri]["warnings"]) == (errors, warnings), (
                f"{name}'s copy counted under other settings"
            )
        assert rows[shared["globex"]]["errors"] == rows[shared["acme"]]["errors"] + 1

        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()
