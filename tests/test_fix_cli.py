"""`wf-lsp check --fix`, `--diff`, `--unsafe-fixes` via the real command: stdin, atomic writes, full disk, symlinks."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import DATA, run_cli
from wf_lsp.core.fix.fixfiles import write_atomic

VALID = (DATA / "ok" / "valid_default.json").read_text()
#: two safe fixes: add the tenantId, change the variable's scope
TWO_FIXES = VALID.replace('"tenantId": "${TENANT_ID}",\n', "").replace('"scope": "workflow"', '"scope": "global"')
DUP_ID = (DATA / "err" / "DUPLICATE_NODE_ID_copy.json").read_text()  # only an unsafe fix


def wf_lsp(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real command, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "wf_lsp", *args], input=stdin, capture_output=True, timeout=120, cwd=cwd
    )


def fixed_by_hand(text: str) -> str:
    return text.replace('"id": "wf_demo",', '"tenantId": "${TENANT_ID}",\n  "id": "wf_demo",', 1).replace(
        '"scope": "global"', '"scope": "workflow"'
    )


# -- stdin ----------------------------------------------------------------------------------------
def test_stdin_fix_prints_the_fixed_text_and_reports_on_stderr() -> None:
    proc = wf_lsp("check", "-", "--fix", stdin=TWO_FIXES.encode())
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert (
        json.loads(out)["tenantId"] == "${TENANT_ID}" and json.loads(out)["variables"]["limit"]["scope"] == "workflow"
    )
    assert out.startswith('{\n  "tenantId": "${TENANT_ID}",\n  "id"')  # the layout kept, the member inserted in it
    assert b"applied 2 safe fix(es)" in proc.stderr and b"0 error(s)" in proc.stderr


def test_stdin_fix_with_nothing_to_fix_prints_the_text_unchanged() -> None:
    data = DUP_ID.encode()
    proc = wf_lsp("check", "-", "--fix", "--no-snippets", stdin=data)
    assert proc.stdout == data
    assert proc.returncode == 1 and b"DUPLICATE_NODE_ID" in proc.stderr


def test_stdin_fix_keeps_a_byte_order_mark() -> None:
    proc = wf_lsp("check", "-", "--fix", stdin=b"\xef\xbb\xbf" + TWO_FIXES.encode())
    assert proc.stdout.startswith(b"\xef\xbb\xbf{") and b'"scope": "workflow"' in proc.stdout


# -- --diff, --unsafe-fixes, the fixable line --------------------------------------------------------
def test_diff_prints_a_patch_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(TWO_FIXES)
    before = path.stat()
    proc = wf_lsp("check", "wf.json", "--diff", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # fixes would be applied
    assert path.read_text() == TWO_FIXES and path.stat().st_mtime_ns == before.st_mtime_ns
    diff = proc.stdout.decode()
    assert diff.startswith("--- wf.json\n+++ wf.json\n@@ ") and '+      "scope": "workflow"' in diff
    assert b"would apply 2 safe fix(es)" in proc.stderr
    # The real patch tool applies it, and gets what --fix writes.
    assert shutil.which("patch"), "this test needs GNU patch (apt-get install patch)"
    subprocess.run(["patch", "-s", "-p0", "-i", "-"], input=proc.stdout, cwd=tmp_path, check=True, timeout=30)
    assert path.read_text() == fixed_by_hand(TWO_FIXES)


def test_diff_with_a_format_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(TWO_FIXES)
    proc = wf_lsp("check", str(path), "--diff", "--format", "json")
    assert proc.returncode == 2 and b"--diff" in proc.stderr and proc.stdout == b"", proc.stderr
    assert path.read_text() == TWO_FIXES


def test_fix_with_diff_prints_the_patch_as_diff_does(tmp_path: Path) -> None:
    """Before: `--fix --diff` (what ruff users type: `ruff check --fix --diff`) was a usage error. It is `--diff`:
    the patch --fix would make, nothing written."""
    path = tmp_path / "wf.json"
    path.write_text(TWO_FIXES)
    plain = wf_lsp("check", "wf.json", "--diff", cwd=tmp_path)
    both = wf_lsp("check", "wf.json", "--fix", "--diff", cwd=tmp_path)
    assert both.returncode == plain.returncode == 1, both.stderr
    assert both.stdout == plain.stdout and both.stdout.startswith(b"--- wf.json")
    assert path.read_text() == TWO_FIXES


def test_diff_says_when_only_unsafe_fixes_would_change_the_file(tmp_path: Path) -> None:
    """Before: `--diff` on a file with only unsafe fixes printed nothing at all; it now names `--unsafe-fixes`."""
    path = tmp_path / "wf.json"
    path.write_text(DUP_ID)
    proc = wf_lsp("check", str(path), "--diff")
    assert proc.returncode == 0 and proc.stdout == b"", proc.stderr
    assert b"1 more fix(es) with `--diff --unsafe-fixes`" in proc.stderr, proc.stderr
    proc = wf_lsp("check", str(path), "--diff", "--unsafe-fixes")
    assert proc.returncode == 1 and b'"id": "check_2"' in proc.stdout, proc.stderr


def test_diff_with_nothing_to_fix_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(VALID)
    proc = wf_lsp("check", str(path), "--diff")
    assert proc.returncode == 0 and proc.stdout == b""


def test_unsafe_fixes_apply_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(DUP_ID)
    proc = wf_lsp("check", str(path), "--fix", "--no-snippets")
    assert proc.returncode == 1 and path.read_text() == DUP_ID
    assert b"0 fixable with `--fix` (1 more with `--fix --unsafe-fixes`)." in proc.stderr
    proc = wf_lsp("check", str(path), "--fix", "--unsafe-fixes", "--no-snippets")
    assert proc.returncode == 0, proc.stderr
    assert '"id": "check_2"' in path.read_text() and b"applied 1 fix(es)" in proc.stderr


def test_text_summary_says_how_many_are_fixable(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(TWO_FIXES)
    proc = wf_lsp("check", str(path), "--no-snippets")
    assert proc.returncode == 1 and b"\n2 fixable with `--fix`.\n" in proc.stderr
    clean = wf_lsp("check", str(DATA / "ok" / "valid_default.json"))
    assert b"fixable" not in clean.stderr


# -- writing ---------------------------------------------------------------------------------------
def test_fix_replaces_the_file_by_rename_keeping_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(TWO_FIXES)
    path.chmod(0o640)
    inode = path.stat().st_ino
    proc = wf_lsp("check", str(path), "--fix")
    assert proc.returncode == 0, proc.stderr
    assert path.read_text() == fixed_by_hand(TWO_FIXES)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not the old one rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wf.json"]  # no temporary file left


def test_a_read_only_file_is_not_written_even_by_root(tmp_path: Path) -> None:
    """Root may write anything, so os.access says yes; the file's mode says it is read-only, and --fix respects it."""
    path = tmp_path / "wf.json"
    path.write_text(TWO_FIXES)
    path.chmod(0o444)
    proc = wf_lsp("check", str(path), "--fix")
    assert proc.returncode == 1 and b"read-only: not written" in proc.stderr, proc.stderr
    assert path.read_text() == TWO_FIXES and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(TWO_FIXES)
    path.write_text(VALID)  # someone saved it meanwhile
    problem = write_atomic(str(path), fixed_by_hand(TWO_FIXES).encode(), TWO_FIXES.encode())
    assert problem is not None and "changed since it was read" in problem
    assert path.read_text() == VALID


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs (needs root: fails, never skips, without it)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True, text=True)
    assert done.returncode == 0, f"this test needs to mount a tmpfs (run as root): {done.stderr.strip()}"
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def test_a_full_disk_leaves_the_file_intact_and_is_reported(small_disk: Path) -> None:
    # Exactly two pages long: the fix adds a line, so the fixed text needs a third page, and the disk has none left.
    text = TWO_FIXES.replace('"scope": "global"', '"scope": "workflow"').rstrip("\n")
    text += " " * (8191 - len(text)) + "\n"
    data = text.encode()
    assert len(data) == 8192
    path = small_disk / "wf.json"
    path.write_bytes(data)
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass  # the disk is full
    finally:
        os.close(fd)
    proc = wf_lsp("check", str(path), "--fix", "--no-snippets")
    assert path.read_bytes() == data, "the original was damaged"
    assert proc.returncode == 1
    assert b"could not be written (No space left on device); the file is unchanged" in proc.stderr
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "wf.json"]  # no temporary file left
    # Once there is room, the same command fixes it.
    (small_disk / "filler").unlink()
    assert wf_lsp("check", str(path), "--fix").returncode == 0
    assert json.loads(path.read_text())["tenantId"] == "${TENANT_ID}"


# -- symlinks --------------------------------------------------------------------------------------
def test_a_symlink_met_in_a_folder_is_not_written_through_to_a_file_outside(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "wf.json"
    outside.parent.mkdir()
    outside.write_text(TWO_FIXES)
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.json").symlink_to(outside)
    proc = wf_lsp("check", str(project), "--fix", "--no-snippets")
    assert outside.read_text() == TWO_FIXES
    assert (project / "link.json").is_symlink()
    assert f"link.json: a symlink to {outside}, outside {project}: not written".encode() in proc.stderr
    assert proc.returncode == 1


def test_a_folder_spelled_with_dot_and_slash_still_guards_its_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.json"
    outside.write_text(TWO_FIXES)
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "link.json").symlink_to(outside)
    proc = wf_lsp("check", "./project/", "--fix", "--no-snippets", cwd=tmp_path)
    assert outside.read_text() == TWO_FIXES
    assert b"outside project: not written" in proc.stderr and proc.returncode == 1


def test_a_symlink_inside_the_folder_is_fixed_once_through_its_target(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.json").write_text(TWO_FIXES)
    (project / "b.json").symlink_to("a.json")
    proc = wf_lsp("check", str(project), "--fix", "--no-snippets")
    assert proc.returncode == 0, proc.stderr
    assert (project / "a.json").read_text() == fixed_by_hand(TWO_FIXES)
    assert (project / "b.json").is_symlink() and os.readlink(project / "b.json") == "a.json"


def test_a_symlink_named_on_the_command_line_is_written_through_and_reported(tmp_path: Path) -> None:
    target = tmp_path / "real" / "wf.json"
    target.parent.mkdir()
    target.write_text(TWO_FIXES)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    proc = wf_lsp("check", str(link), "--fix")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and target.read_text() == fixed_by_hand(TWO_FIXES)
    assert f"{link}: written through its symlink to {target}".encode() in proc.stderr


def test_stdin_fix_in_process_writes_the_text_to_a_text_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TWO_FIXES.encode()), encoding="utf-8"))
    code, out, err = run_cli(["check", "-", "--fix"])
    assert code == 0 and out == fixed_by_hand(TWO_FIXES) and "applied 2 safe fix(es)" in err


def test_unsafe_fixes_never_make_a_duplicate_key_or_a_self_loop(tmp_path: Path) -> None:
    """Before: a node renamed onto another's name (a real edit: "Migrate Version" typed as "Validate Version") got
    three unsafe fixes that together re-keyed a connection onto an existing key (DUPLICATE_KEY: one block silently
    lost) and pointed "Validate Version" at itself. A fix never re-keys onto a key that exists, nor retargets a
    connection at its own source."""
    from tests.helpers import CORPUS

    text = (CORPUS / "gameengine__packages__bootstrap__workflows__boot_default.json").read_text(encoding="utf-8")
    path = tmp_path / "boot.json"
    path.write_text(text.replace('"name": "Migrate Version"', '"name": "Validate Version"', 1))
    proc = wf_lsp("check", str(path), "--fix", "--unsafe-fixes", "--no-snippets")
    fixed = path.read_text()
    data = json.loads(fixed)
    assert b"DUPLICATE_KEY" not in proc.stdout + proc.stderr, proc.stdout.decode()
    assert fixed.count('"Validate Version": {') <= 1, fixed
    from wf_lsp.core.fix.fixes import iter_targets

    loops = [(ptr[1], node) for ptr, _, node in iter_targets(data["connections"]) if node == ptr[1]]
    assert not loops, loops
