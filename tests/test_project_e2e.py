"""One project with a pyproject.toml, checked every way a team does: `wf-lsp check` from the root, from a subfolder and
with absolute paths, the language server opened on the folder, and the real pre-commit hook. One set of findings."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.lsp.raw import RawServer
from tests.project import EXPECTED, findings_of_json_output, make_project

WF_LSP = str(Path(sys.executable).with_name("wf-lsp"))
PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))
TEXT_LINE = re.compile(
    r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?:error|warning|information|hint): .* \[(?P<code>[A-Z_]+)\]$"
)
Found = set[tuple[str, int, int, str]]


def _git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, env=env, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's cache: the hook's environment is built once for the module."""
    assert Path(PRE_COMMIT).is_file(), f"pre-commit is not installed beside {sys.executable}: install the [test] extra"
    assert shutil.which("git"), "git is needed to run pre-commit"
    return tmp_path_factory.mktemp("pre-commit-home")


def _repo(root: Path) -> Path:
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "project")
    return root


def _pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` with this checkout's hook (uncommitted changes included), on every file of `repo`."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(ROOT), "wf-lsp", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _cli(args: list[str], cwd: Path, base: Path) -> Found:
    proc = subprocess.run(
        [WF_LSP, "check", "--format", "json", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1, proc.stderr
    return findings_of_json_output(proc.stdout, base, cwd)


async def _server(folder: Path) -> Found:
    """Every finding the server reports for the folder, asked as an editor does (workspace/diagnostic)."""
    srv = await RawServer().start()
    try:
        await srv.initialize(
            [folder], client="neovim"
        )  # Neovim 0.11: pull diagnostics, answers workspace/configuration
        answer = await srv.call("workspace/diagnostic", {"previousResultIds": []})
        found: Found = set()
        for report in answer["result"]["items"]:
            rel = Path(report["uri"].removeprefix("file://")).relative_to(folder).as_posix()
            for d in report["items"]:
                found.add((rel, d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1, d["code"]))
        assert await srv.shutdown_and_exit() == 0
        return found
    finally:
        await srv.stop()


def _hook_findings(proc: subprocess.CompletedProcess[str]) -> Found:
    found: Found = set()
    for line in proc.stdout.splitlines():
        m = TEXT_LINE.match(line)
        if m:
            found.add((m["path"], int(m["line"]), int(m["col"]), m["code"]))
    return found


def test_every_way_of_checking_a_project_gives_the_same_findings(tmp_path: Path, pre_commit_home: Path) -> None:
    project = _repo(make_project(tmp_path / "proj"))
    results = {
        "check from the root": _cli([], project, project),
        "check from a subfolder": _cli([".."], project / "flows", project),
        "check a subfolder's files from it": _cli(["dup.json", "custom.json", "../legacy"], project / "flows", project),
        "check with absolute paths": _cli([str(project)], Path("/"), project),
        "check absolute files from elsewhere": _cli(
            [str(project / "flows" / "dup.json"), str(project / "legacy")], tmp_path, project
        ),
        "language server on the folder": asyncio.run(_server(project)),
    }
    hook = _pre_commit(project, pre_commit_home)
    assert hook.returncode == 1, hook.stdout + hook.stderr
    results["pre-commit hook"] = _hook_findings(hook)
    for how, found in results.items():
        assert found == EXPECTED, f"{how}: {sorted(found ^ EXPECTED)}"


def test_the_pre_commit_hook_passes_a_repo_whose_only_json_is_not_workflows(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    """package.json, tsconfig.json and friends are handed to the hook (types: json) and passed over quietly."""
    repo = tmp_path / "web"
    (repo / ".github").mkdir(parents=True)
    (repo / "package.json").write_text(
        json.dumps({"name": "web", "version": "1.0.0", "scripts": {"test": "jest"}}), encoding="utf-8"
    )
    (repo / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}', encoding="utf-8")
    (repo / ".github" / "renovate.json").write_text('{"extends": ["config:base"]}', encoding="utf-8")
    (repo / "flow.json").write_text(
        (ROOT / "tests" / "data" / "ok").glob("*.json").__next__().read_text(encoding="utf-8"), encoding="utf-8"
    )
    proc = _pre_commit(_repo(repo), pre_commit_home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"wf-lsp \(MetaBuilder workflow check\)\.+Passed", proc.stdout), proc.stdout
