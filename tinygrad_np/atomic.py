"""Atomic file writes: a reader sees the old file or the complete new one, never a partial one.

The data goes to a temporary file `.<name>.<16 hex digits>.tmp` beside the target, which is renamed onto
the target when complete. Only a regular file (or nothing) is ever replaced, and a replaced file's
permission bits are kept. A process killed mid-write leaves its temporary file behind; the next write of
the same path removes such leftovers, but only those no writer is using: older than STALE_AFTER_SECONDS
and, on POSIX, not locked (every writer holds an exclusive `flock` on its temporary file while it writes,
so a concurrent or stalled write of the same path keeps its file however old it looks).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from typing import IO

from .errors import NotARegularFileError

try:
    import fcntl
except ImportError:  # Windows: no flock, but a file open for writing cannot be removed there either
    fcntl = None

STALE_AFTER_SECONDS = 60.0
_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[IO[bytes]]:
    """Open a temporary file next to `path` for writing; on success fsync it and rename it onto `path`.

    If the block raises, the temporary file is removed and `path` is untouched. A symlink at `path`
    is followed, so the link survives the rename (a dangling one gets its target created). Raises
    NotARegularFileError, before writing anything, when `path` is (or links to) a directory, FIFO,
    device or socket. An existing file's permission bits are kept; a new file gets 0o666 less the umask. The
    temporary files that killed writes of `path` left behind are removed first (see the module's notes).
    """
    target = os.path.realpath(path)
    mode = _regular_file_mode(path, target)
    directory, filename = os.path.split(target)
    _remove_stale_temporaries(directory, filename)
    temporary = os.path.join(directory, f".{filename}.{secrets.token_hex(8)}.tmp")
    try:
        with open(temporary, "xb") as file:
            if fcntl is not None:
                with contextlib.suppress(OSError):  # a file system without locks: the age alone protects it
                    fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            yield file
            file.flush()
            if mode is not None:
                os.chmod(temporary, mode)
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _regular_file_mode(path: str | os.PathLike, target: str) -> int | None:
    """The permission bits of the regular file at `target` (`path` with symlinks resolved), None if nothing is
    there; NotARegularFileError if something else is."""
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISREG(status.st_mode):
        return stat.S_IMODE(status.st_mode) & 0o777
    what = next((kind for is_kind, kind in _NOT_REGULAR if is_kind(status.st_mode)), "not a regular file")
    where = f"{os.fspath(path)} (a symlink to {target})" if os.path.islink(path) else os.fspath(path)
    raise NotARegularFileError(
        f"{where}: is {what}, not a regular file; refusing to replace it (nothing was written); "
        "write to the path of a regular file, or remove what is there first"
    )


def _remove_stale_temporaries(directory: str, filename: str) -> None:
    """Remove the temporary files of earlier writes of `filename` that no writer is using any more; best effort."""
    pattern = re.compile(re.escape(f".{filename}.") + r"[0-9a-f]{16}\.tmp")
    try:
        names = [name for name in os.listdir(directory) if pattern.fullmatch(name)]
    except OSError:
        return
    for name in names:
        with contextlib.suppress(OSError):  # gone already, or not ours to remove
            _remove_if_stale(os.path.join(directory, name))


def _remove_if_stale(path: str) -> None:
    # O_NOFOLLOW: never act on what a symlink points to; O_NONBLOCK: a FIFO of that name must not block us.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or time.time() - status.st_mtime < STALE_AFTER_SECONDS:
            return
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: a writer holds it
        os.unlink(path)
    finally:
        os.close(fd)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable where the OS allows it (POSIX; Windows cannot open a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
