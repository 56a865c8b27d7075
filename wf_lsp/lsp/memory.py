"""Keep a long-running server's memory flat while a large document is edited (glibc's mmap threshold)."""

# Every edit of a multi-megabyte document allocates a few buffers of its size (the new text, its UTF-8 bytes, the
# parser's scratch). glibc serves such blocks with mmap and unmaps them on free, but after the first free it raises its
# mmap threshold (dynamically, up to 32 MB), and from then on these buffers come from the heap, which fragments and
# grows with every edit (measured: +9 MB over 100 edits of a 5,000-node document, +15 MB over 200). Fixing the
# threshold turns the dynamic adjustment off, so big buffers keep going back to the operating system.

from __future__ import annotations

import ctypes
import gc
import logging
import os
import sys

log = logging.getLogger("wf_lsp.memory")

#: mallopt's parameter number for the mmap threshold (glibc malloc.h)
M_MMAP_THRESHOLD = -3
#: blocks of this size and larger are mmapped: far above what parsing a single node or key allocates
MMAP_THRESHOLD = 1 << 20


def pin_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold (a no-op elsewhere, or when MALLOC_MMAP_THRESHOLD_ is set); True when it was set."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_MMAP_THRESHOLD, threshold))  # glibc returns 1 on success; musl's stub returns 0
    log.debug("mmap threshold %s", f"fixed at {threshold} bytes" if done else "left to the C library")
    return done


def collect_start_up_garbage() -> bool:
    """Once, after the initialize response: collect the cyclic garbage the start-up imports left behind (`wf-lsp serve`
    imports the server with the collector off and freezes the result), then freeze what lives on, so that later
    collections skip it. True when there was a frozen start-up to collect."""
    global _start_up_collected
    if _start_up_collected or not gc.get_freeze_count():
        return False
    _start_up_collected = True
    gc.unfreeze()
    found = gc.collect()
    gc.freeze()
    log.debug("start-up garbage: %d objects collected, %d frozen", found, gc.get_freeze_count())
    return True


_start_up_collected = False
