"""`wf-lsp check` on a hostile tree: symlink loops, unreadable files, FIFOs, sockets, many non-workflow JSON files.

It must finish (never block on a FIFO, never loop), say on stderr what it skipped and why, and exit with a code that
says what happened. Tests run as root in CI, and root reads a chmod-000 file anyway (CAP_DAC_OVERRIDE), so an
unreadable file is made three ways: a symlink to /proc/self/mem (a regular file whose read fails with EIO, even for
root), a dangling symlink (cannot be stat'ed), and a real chmod-000 file read by a forked child that dropped to the
`nobody` user. The big tree has 100,000 files (about 10 s here); WF_LSP_EXTREME_FILES=20000 makes it smaller.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import fuzzkit as fk

N_FILES = int(os.environ.get("WF_LSP_EXTREME_FILES", "100000"))
GOOD = dict(fk.corpus())[
    "gameengine__packages__bootstrap__workflows__n8n_skeleton.json"
]  # clean under the default profile
BAD = GOOD.replace(b'"tenantId"', b'"tenantIdX"', 1)
assert BAD != GOOD


def _write_many(root: Path, n: int) -> None:
    """n small non-workflow JSON files (package manifests, configs) in folders of 1,000."""
    for i in range(n):
        folder = root / f"pkg{i // 1000:03d}"
        if i % 1000 == 0:
            folder.mkdir()
        fd = os.open(folder / f"f{i}.json", os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, b'{"name": "pkg%d", "version": "1.0.0", "dependencies": {}}' % i)
        os.close(fd)


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "tree"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "ok.json").write_bytes(GOOD)
    (root / "sub" / "deeper" / "ok2.json").write_bytes(GOOD)
    (root / "sub" / "deeper" / "up").symlink_to("../..")  # a directory loop
    (root / "loop-a.json").symlink_to("loop-b.json")  # a file loop
    (root / "loop-b.json").symlink_to("loop-a.json")
    (root / "dangling.json").symlink_to("missing.json")
    os.mkfifo(root / "fifo.json")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(root / "socket.json"))
    (root / "folder.json").mkdir()  # a directory where a file is expected
    (root / "folder.json" / "inner.json").write_bytes(GOOD)
    (root / "node_modules").mkdir()
    (root / "node_modules" / "vendored.json").write_bytes(BAD)  # skipped folder: never reported
    try:
        yield root
    finally:
        server.close()


def _check(*args: str, timeout: float = 120) -> tuple[int, str, str, float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "wf_lsp", "check", "--no-config", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0


def test_hostile_tree_finishes_and_reports_what_it_skipped(hostile: Path) -> None:
    code, out, err, _ = _check(str(hostile))
    assert code == 0, (out, err)
    assert f"{hostile}/fifo.json (not a regular file)" in err
    assert f"{hostile}/socket.json (not a regular file)" in err
    assert f"{hostile}/loop-a.json (cannot access: Too many levels of symbolic links)" in err
    assert f"{hostile}/dangling.json (cannot access: No such file or directory)" in err
    assert "skipped 5 path(s)" in err  # fifo, socket, two loop links, dangling
    assert "3 file(s) checked" in err  # ok.json, sub/deeper/ok2.json, folder.json/inner.json; the loop is not followed


def test_problems_in_a_hostile_tree_exit_1(hostile: Path) -> None:
    (hostile / "sub" / "bad.json").write_bytes(BAD)
    code, out, err, _ = _check(str(hostile))
    assert code == 1 and "MISSING_TENANT_ID" in out and "vendored" not in out, (out, err)


def test_explicit_special_paths(hostile: Path) -> None:
    code, out, err, _ = _check(str(hostile / "fifo.json"), str(hostile / "loop-a.json"), str(hostile / "ok.json"))
    assert code == 0 and "fifo.json (not a regular file)" in err and "loop-a.json (cannot access" in err, err
    code, _, err, _ = _check(str(hostile / "nope.json"))
    assert code == 2 and "no such file or folder" in err


def test_unreadable_file_is_reported(hostile: Path) -> None:
    (hostile / "mem.json").symlink_to("/proc/self/mem")
    code, out, err, _ = _check(str(hostile))
    assert f"{hostile}/mem.json (cannot read: Input/output error)" in err, err


def test_unreadable_file_fails_the_run(hostile: Path) -> None:
    (hostile / "mem.json").symlink_to("/proc/self/mem")
    assert _check(str(hostile))[0] == 1


def _run_as_nobody(args: list[str]) -> tuple[int, str]:
    """Run the CLI in a forked child that dropped root for the `nobody` user; (exit code, stderr)."""
    nobody = pwd.getpwnam("nobody")
    fk.run_cli_strict(
        ["check", "--no-config", "--jobs", "1", "-"]
    )  # import everything the CLI needs before dropping root
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 3
        try:
            os.setgid(nobody.pw_gid)
            os.setgroups([])
            os.setuid(nobody.pw_uid)
            code, _, err = fk.run_cli_strict(args)
            os.write(write_fd, err)
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        err = fh.read().decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err


@pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root to drop to another user (as a normal user chmod 000 just works)"
)
def test_real_chmod_000_file_read_by_an_unprivileged_user() -> None:
    root = Path(tempfile.mkdtemp(prefix="wf-lsp-perm-", dir="/tmp"))
    try:
        root.chmod(0o755)
        (root / "ok.json").write_bytes(GOOD)
        (root / "secret.json").write_bytes(GOOD)
        (root / "secret.json").chmod(0o000)
        (root / "closed").mkdir(mode=0o000)
        code, err = _run_as_nobody(["check", str(root), "--no-config", "--jobs", "1"])
        assert f"{root}/secret.json (cannot read: Permission denied)" in err, err
        assert f"{root}/closed (cannot read folder: Permission denied)" in err, err
        assert code in (0, 1) and "1 file(s) checked" in err, (code, err)
    finally:
        (root / "closed").chmod(0o755)
        shutil.rmtree(root)


def test_many_non_workflow_json_files(tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    t0 = time.perf_counter()
    _write_many(root, N_FILES)
    written = time.perf_counter() - t0
    (root / "pkg000" / "real.json").write_bytes(GOOD)
    code, out, err, seconds = _check(str(root), timeout=300)
    assert code == 0 and out == "" and "1 file(s) checked" in err, (code, out[:500], err[:500])
    assert seconds < 120, f"{N_FILES} files: written in {written:.1f}s, checked in {seconds:.1f}s"
    print(f"{N_FILES} non-workflow files: written in {written:.1f}s, checked in {seconds:.1f}s")


def test_passed_over_json_files_are_counted(tmp_path: Path) -> None:
    root = tmp_path / "some"
    root.mkdir()
    _write_many(root, 1500)
    (root / "pkg000" / "real.json").write_bytes(GOOD)
    _, _, err, _ = _check(str(root))
    assert "1500" in err, err
