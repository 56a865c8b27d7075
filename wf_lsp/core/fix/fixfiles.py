"""`check --fix` on files: verified fixes, written atomically, never through a symlink that leaves a walked folder."""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wf_lsp.core.findings import Finding
from wf_lsp.core.fix.fixing import chosen_fixes, fix_verified

_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class FixReport:
    """What a fix run did: fixes applied and rolled back, files written, and what was not written, with why."""

    applied: int = 0
    rolled_back: int = 0
    written: list[str] = field(default_factory=list)
    #: (path, why) for files that had fixes but were left as they were
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: notes worth telling (a file written through a symlink named on the command line)
    notes: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)


Validate = Callable[[str, str], Iterable[Finding]]


def _validate_at(validate: Validate, path: str, text: str) -> Iterable[Finding]:
    return validate(text, path)


def fixable(findings: Iterable[Finding], unsafe: bool = False) -> int:
    """How many fixes `--fix` (with `unsafe`, `--fix --unsafe-fixes`) would try on these findings."""
    return len(chosen_fixes(findings, unsafe))


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff of one file's fixes, as `diff -u` and ruff's --diff print it."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), path, path)
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def walked_root(path: str, named: Sequence[str]) -> str | None:
    """The folder named on the command line that a walked file was found under; None for a file named itself.

    Folders are compared as the walk spells them (`./dir/` is walked as `dir`). A file under no named folder gets
    "": it is written only if it is no symlink at all.
    """
    if path in named:
        return None
    best = ""
    for root in named:
        spelled = str(Path(root))
        if path.startswith(os.path.join(spelled, "")) and len(spelled) > len(best):
            best = spelled
    return best


def target_of(path: str, root: str | None) -> tuple[str | None, str | None]:
    """The real file a fix of `path` is written to, or None and why not.

    A file met while walking a folder is written only if it really lies inside that folder (a symlink to a file
    outside it is left alone); a file named on the command line is written even through a symlink.
    """
    real = os.path.realpath(path)
    if root == "":
        if real != os.path.abspath(path):
            return None, "reached through a symlink outside the folders named: not written"
    elif root is not None:
        inside = os.path.join(os.path.realpath(root), "")
        if not real.startswith(inside):
            return None, f"a symlink to {real}, outside {root}: not written"
    return real, None


def write_atomic(path: str, data: bytes, expected: bytes) -> str | None:
    """Replace the file at `path` (a real path, no symlink) with `data`: None when done, else why it was not.

    The new text goes to a temporary file in the same folder, is flushed to disk, gets the original's mode (and owner,
    where allowed), and is renamed over the original; the folder is flushed too. If the file no longer holds
    `expected` (it changed since it was read), nothing is written. On any failure (a full disk) the original is
    left untouched and the temporary file removed.
    """
    try:
        read_only = not os.stat(path).st_mode & 0o222  # root passes os.access on any file: ask its mode too
    except OSError:
        read_only = False  # the read below says what is wrong
    if read_only or not os.access(path, os.W_OK):
        return "read-only: not written"  # a rename would replace it all the same: respect what its mode says
    try:
        st = os.stat(path)
        with open(path, "rb") as fh:
            if fh.read(len(expected) + 1) != expected:
                return "changed since it was read: not written"
    except OSError as exc:
        return f"cannot read it again: {exc.strerror or exc}"
    folder, name = os.path.split(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".wf-lsp-tmp", dir=folder or ".")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), st.st_mode & 0o7777)
            with contextlib.suppress(PermissionError):
                os.fchown(out.fileno(), st.st_uid, st.st_gid)
        now = os.stat(path)
        if (now.st_ino, now.st_size, now.st_mtime_ns) != (st.st_ino, st.st_size, st.st_mtime_ns):
            os.unlink(tmp)
            return "changed since it was read: not written"
        os.replace(tmp, path)
        tmp = None
        _sync_folder(folder or ".")
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return f"could not be written ({exc.strerror or exc}); the file is unchanged"
    return None


def _sync_folder(folder: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fix_files(
    files: Iterable[tuple[str, str, list[Finding]]],
    named: Sequence[str],
    validate: Validate,
    unsafe: bool = False,
    write: bool = True,
) -> FixReport:
    """Fix files: (path, the text validated, its findings). With `write` false, only diffs are made."""
    report = FixReport()
    done: set[str] = set()
    for path, text, findings in files:
        if not chosen_fixes(findings, unsafe):
            continue
        real, why = target_of(path, walked_root(path, named))
        if real is None:
            report.refused.append((path, why or "not written"))
            continue
        if real in done:
            continue  # the same file reached twice (a symlink to it inside the folder): fixed once
        try:
            with open(real, "rb") as fh:
                original = fh.read()
        except OSError as exc:
            report.refused.append((path, f"cannot read it again: {exc.strerror or exc}"))
            continue
        bom = _BOM if original.startswith(_BOM) else b""
        try:
            current = original[len(bom) :].decode("utf-8")
        except UnicodeDecodeError:
            report.refused.append((path, "not UTF-8: not written"))
            continue
        if current != text:
            report.refused.append((path, "changed since it was read: not written"))
            continue
        # The fixes applied are the ones this process computes for this very text (never ones from a cache).
        check = functools.partial(_validate_at, validate, path)
        outcome = fix_verified(text, list(check(text)), check, unsafe)
        report.rolled_back += outcome.rolled_back
        if not outcome.applied:
            continue
        done.add(real)
        if not write:
            report.applied += outcome.applied
            report.diffs.append(unified_diff(path, text, outcome.text))
            continue
        problem = write_atomic(real, bom + outcome.text.encode("utf-8", "surrogatepass"), original)
        if problem is not None:
            report.refused.append((path, problem))
            continue
        report.applied += outcome.applied
        report.written.append(path)
        if os.path.islink(path):
            report.notes.append(f"{path}: written through its symlink to {real}")
    return report
