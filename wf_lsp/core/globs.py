"""Gitignore-style path patterns anchored at a folder (the config file's), and `.gitignore` files met on a walk."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return _gitignore_spec(patterns)


def _gitignore_spec(lines: tuple[str, ...] | list[str]) -> pathspec.GitIgnoreSpec:
    """pathspec's gitignore matcher for `lines` (pathspec is imported on first use: it costs start-up time)."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def relative(path: str, root: str | None) -> str:
    """`path` relative to `root` (the current folder when None), with `/` separators; as given when outside it."""
    base = os.path.abspath(root or os.getcwd())
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, base)
    except ValueError:  # another drive (Windows)
        return full.replace(os.sep, "/")
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return full.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


def matches(path: str, patterns: tuple[str, ...], root: str | None, is_dir: bool = False) -> bool:
    """Whether gitignore-style `patterns`, anchored at `root`, match `path` (a folder when `is_dir`)."""
    if not patterns:
        return False
    rel = relative(path, root)
    if rel == ".":
        return False
    return bool(_spec(patterns).match_file(rel + "/" if is_dir else rel))


class GitIgnores:
    """The `.gitignore` files that apply during one walk: those of the repository above the walk's root, and those
    found below it. The deepest file with a verdict on a path decides, as in git."""

    def __init__(self, root: str) -> None:
        self._specs: dict[str, pathspec.GitIgnoreSpec] = {}
        top = _repo_top(os.path.abspath(root))
        if top is not None:
            here = os.path.abspath(root)
            chain = [here]
            while here != top:
                here = os.path.dirname(here)
                chain.append(here)
            for folder in chain[1:]:
                self.add(folder)

    def add(self, folder: str) -> None:
        """Read `folder/.gitignore`, if there is one."""
        folder = os.path.abspath(folder)
        try:
            with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return
        self._specs[folder] = _gitignore_spec(lines)

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether git would ignore `path`."""
        if not self._specs:
            return False
        full = os.path.abspath(path)
        folder = os.path.dirname(full)
        while True:
            spec = self._specs.get(folder)
            if spec is not None:
                rel = os.path.relpath(full, folder).replace(os.sep, "/")
                verdict = spec.check_file(rel + "/" if is_dir else rel).include
                if verdict is not None:
                    return verdict
            parent = os.path.dirname(folder)
            if parent == folder:
                return False
            folder = parent


def _repo_top(start: str) -> str | None:
    """The nearest folder at or above `start` holding `.git` (a folder, or a file in worktrees)."""
    here = start
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
