"""Keep freed memory for reuse: the C allocator settings that spare a NumPy framework its page faults.

Every op result is a fresh NumPy array. When a large one is freed, glibc's malloc gives its pages
back to the OS (unmapping blocks above its mmap threshold, trimming the top of its heap), so the
next training step faults the same memory back in, a page at a time, each zeroed by the kernel.
With the multi-megabyte arrays of a convolution that is a large part of a step: a Conv2d(16, 32, 3)
forward and backward at batch 128 faults ~3,200 pages and takes ~20 ms with glibc's defaults, and
faults none and takes ~12 ms with freed memory kept (docs/performance.md, "Convolutions").

`keep_freed_memory` serves blocks up to 32 MB (glibc's own largest dynamic threshold) from the heap
and lets malloc keep up to `megabytes` of freed memory at its top. Whether it pays depends on the
process's allocation history: in examples/mnist_cnn.py's epochs the heap, kept large by the dataset,
is rarely trimmed (~250 page faults a step) and the epoch takes the same time with or without it;
a model stepped on its own, as a benchmark does, faults thousands of pages a step without it. It
is a process-wide setting, so the library never makes it on import: a script calls it once. The
memory kept stays in the process's resident size.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
HEAP_BLOCKS_UP_TO = 32 << 20


def keep_freed_memory(megabytes: int = 64) -> bool:
    """Let the C allocator reuse freed memory instead of returning it to the OS: blocks up to 32 MB
    come from the heap (M_MMAP_THRESHOLD), and up to `megabytes` of freed memory stays there
    (M_TRIM_THRESHOLD, a C int of bytes: hence at most 2047).

    Returns True when the settings took effect, False where the C library has no such settings
    (not Linux, or a C library other than glibc): then nothing changed."""
    if not isinstance(megabytes, int) or isinstance(megabytes, bool) or not 0 <= megabytes < 2048:
        raise ValueError(f"keep_freed_memory: megabytes must be an int from 0 to 2047, got {megabytes!r}")
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, HEAP_BLOCKS_UP_TO) == 1 and mallopt(M_TRIM_THRESHOLD, megabytes << 20) == 1
