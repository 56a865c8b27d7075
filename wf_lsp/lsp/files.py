"""Files the server reads on a client's word: regular files in workspace folders, bounded, never a device or FIFO."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable


class Refused(Exception):
    """Why a file is not read (the message names the rule, never the file's content)."""


def inside(path: str, folders: Iterable[str]) -> bool:
    """Whether a path, symlinks resolved, is in one of the folders (symlinks in them resolved too)."""
    real = os.path.realpath(path)
    for folder in folders:
        root = os.path.realpath(folder)
        if real == root or real.startswith(os.path.join(root, "")):
            return True
    return False


def read_regular(path: str, max_bytes: int) -> bytes:
    """A regular file's bytes, at most max_bytes: opened without blocking (a FIFO or a device is refused after
    `fstat`, before any read), so no file can hang the server or grow it without bound."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Refused(exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused("not a regular file")
        if st.st_size > max_bytes:
            raise Refused(f"the file is larger than maxFileBytes ({max_bytes} bytes)")
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise Refused(f"the file is larger than maxFileBytes ({max_bytes} bytes)")
        return data
    except OSError as exc:
        raise Refused(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


def read_workspace_file(path: str | None, folders: list[str], max_bytes: int) -> bytes:
    """The bytes of a file the client named: only a regular file inside a workspace folder, under max_bytes."""
    if path is None:
        raise Refused("not a file: URI")
    if not inside(path, folders):
        raise Refused("it is not open, and not inside a workspace folder")
    return read_regular(path, max_bytes)
