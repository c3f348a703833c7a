"""Atomic file writes: a reader sees the old file or the complete new one, never a partial one."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import IO


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[IO[bytes]]:
    """Open a temporary file next to `path` for writing; on success fsync it and rename it onto `path`.

    If the block raises, the temporary file is removed and `path` is untouched. A killed process
    may leave its `.<name>.<random>.tmp` behind, never a half-written `path`. A symlink at `path`
    is followed, so the link survives the rename.
    """
    target = os.path.realpath(path)
    directory, filename = os.path.split(target)
    temporary = os.path.join(directory, f".{filename}.{secrets.token_hex(8)}.tmp")
    try:
        with open(temporary, "xb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable where the OS allows it (POSIX; Windows cannot open a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
