"""Finding workflow files under paths: by content, skipping vendored folders, and saying what was skipped."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wf_lsp.core.globs import GitIgnores, matches

SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".tox",
        ".wf-lsp-cache",
    }
)
EXTENSIONS = (".json", ".jsonc")
#: Bytes that every workflow file contains (cheap pre-filter before parsing).
MARKERS = (b'"nodes"', b'"connections"')


@dataclass(slots=True)
class Candidate:
    """A file to check; `explicit` when named on the command line (always checked, whatever it holds)."""

    path: str
    explicit: bool
    #: (size, mtime_ns, ctime_ns, inode) from discovery, for the local result cache; None when not known
    stat: tuple[int, int, int, int] | None = None


@dataclass(slots=True)
class Discovery:
    """Files to check and files passed over, with the reason."""

    files: list[Candidate] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: files and folders left out by `exclude`
    excluded: int = 0
    #: Folder entries looked at, and whether the walk ended early (its limit reached, or it was stopped).
    looked_at: int = 0
    truncated: bool = False


@dataclass(slots=True)
class Budget:
    """Bounds on a walk: at most `limit` entries looked at; `stop()` asked before each folder; `tick(n)` told the
    count."""

    limit: int | None = None
    stop: Callable[[], bool] | None = None
    tick: Callable[[int], None] | None = None


def discover(
    paths: Iterable[str],
    exclude: tuple[str, ...] = (),
    include: tuple[str, ...] = (),
    root: str | None = None,
    gitignore: bool = True,
    force_exclude: bool = False,
    budget: Budget | None = None,
) -> Discovery:
    """Expand files and folders into candidate files (symlink loops, FIFOs, sockets and unreadable entries skipped).

    `exclude` and `include` are gitignore-style patterns anchored at `root` (the config file's folder; None: the
    current folder). A folder named here is skipped when `exclude` matches it; a named file is always checked, unless
    `force_exclude` (then it is treated like a file found in a folder: excluded files are passed over, and so are
    files that hold no workflow). With `gitignore`, what `.gitignore` files ignore is not walked into. With a budget,
    the walk ends early (`truncated`) once its limit is reached or it is stopped.
    """
    out = Discovery()
    seen: set[tuple[int, int]] = set()
    walk = _Walk(out, seen, exclude, include, root, gitignore, budget or Budget())
    for raw in paths:
        p = Path(raw)
        try:
            st = p.stat()
        except OSError as exc:
            out.skipped.append((raw, f"cannot access: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            if matches(raw, exclude, root, is_dir=True):
                out.excluded += 1
                continue
            walk.run(p)
            if out.truncated:
                break
        elif stat.S_ISREG(st.st_mode):
            if force_exclude and matches(raw, exclude, root):
                out.excluded += 1
                continue
            named = not force_exclude or matches(raw, include, root)
            out.files.append(Candidate(raw, named, _ident(st)))
        else:
            out.skipped.append((raw, "not a regular file"))
    return out


def _ident(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


class _Walk:
    """One folder walk's filters: vendored folders, `exclude`, `.gitignore`, and `include` for non-JSON names."""

    def __init__(
        self,
        out: Discovery,
        seen: set[tuple[int, int]],
        exclude: tuple[str, ...],
        include: tuple[str, ...],
        root: str | None,
        gitignore: bool,
        budget: Budget,
    ) -> None:
        self.out, self.seen, self.exclude, self.include, self.root, self.gitignore = (
            out,
            seen,
            exclude,
            include,
            root,
            gitignore,
        )
        self.budget = budget

    def _dropped(self, path: str, is_dir: bool, ignores: GitIgnores | None) -> bool:
        if matches(path, self.exclude, self.root, is_dir):
            self.out.excluded += 1
            return True
        return ignores is not None and ignores.ignored(path, is_dir)

    def run(self, top: Path) -> None:
        out = self.out
        ignores = GitIgnores(str(top)) if self.gitignore else None

        def onerror(exc: OSError) -> None:
            out.skipped.append((str(exc.filename), f"cannot read folder: {exc.strerror}"))

        budget = self.budget
        for folder, dirs, files in os.walk(top, onerror=onerror, followlinks=False):
            out.looked_at += len(dirs) + len(files)
            if (budget.stop is not None and budget.stop()) or (
                budget.limit is not None and out.looked_at > budget.limit
            ):
                out.truncated = True
                return
            if budget.tick is not None:
                budget.tick(out.looked_at)
            try:
                st = os.stat(folder)
                ident = (st.st_dev, st.st_ino)
            except OSError:
                continue
            if ident in self.seen:
                dirs[:] = []
                continue
            self.seen.add(ident)
            if ignores is not None and ".gitignore" in files:
                ignores.add(folder)
            dirs[:] = sorted(
                d for d in dirs if d not in SKIP_DIRS and not self._dropped(os.path.join(folder, d), True, ignores)
            )
            prefix = os.path.join(folder, "")
            for name in sorted(files):
                full = prefix + name
                chosen = bool(self.include) and matches(full, self.include, self.root)
                if not (chosen or name.endswith(EXTENSIONS)) or self._dropped(full, False, ignores):
                    continue
                try:
                    st = os.stat(full)
                except OSError as exc:
                    out.skipped.append((full, f"cannot access: {exc.strerror}"))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    out.skipped.append((full, "not a regular file"))
                    continue
                out.files.append(Candidate(full, chosen, _ident(st)))


def read_candidate(c: Candidate, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The file's bytes, or None and why it is skipped (unreadable, or clearly not a workflow).

    A file over the limit is read only far enough that its decoded text is still over it (the parser then reports
    FILE_TOO_LARGE), cut on a whole character so the cut itself is no encoding error.
    """
    try:
        with open(c.path, "rb") as fh:
            limit = max_bytes + 8
            # Asking for the limit itself would allocate it (20 MB) for every small file: ask for the size plus one
            # byte, and read on only when the file turns out bigger (it grew since, or its size was not known).
            want = min(limit, (c.stat[0] if c.stat is not None else os.fstat(fh.fileno()).st_size) + 1)
            data = fh.read(want)
            if len(data) == want < limit:
                data += fh.read(limit - want)
            unit = _unit(data)
            # The limit is on the text's UTF-8 size: beyond the BOM, enough UTF-16/32 that even ASCII is over it once
            # decoded.
            head = (
                unit * (max_bytes + 2) if unit > 1 else max_bytes + 1 + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
            )
            if len(data) > max_bytes + 1 and unit > 1:
                data += fh.read(head + 4 - len(data))
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    if len(data) > head:
        data = _cut(data, head, unit)
    if not c.explicit and not any(m in data for m in MARKERS):
        return None, "not a workflow"
    return data, None


def _unit(data: bytes) -> int:
    """Bytes per code unit of a file's encoding: 4 or 2 for UTF-32/16 with a BOM, else 1 (UTF-8)."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return 4
    return 2 if data.startswith((b"\xff\xfe", b"\xfe\xff")) else 1


def _cut(data: bytes, at: int, unit: int) -> bytes:
    """The first `at` bytes or a little more, so that the cut falls between whole characters."""
    end = at + (-at % unit)
    if unit == 2 and end >= 2:
        hi = data[end - 1] if data.startswith(b"\xff\xfe") else data[end - 2]
        if 0xD8 <= hi <= 0xDB:  # a high surrogate: keep its low half
            end += 2
    elif unit == 1:
        while end < len(data) and 0x80 <= data[end] <= 0xBF:  # UTF-8 continuation bytes
            end += 1
    return data[:end]
