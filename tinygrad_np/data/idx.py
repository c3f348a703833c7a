"""The IDX file format of MNIST and Fashion-MNIST, read and validated.

Layout (big-endian): two zero bytes; a type code (0x08 unsigned byte, 0x09 signed byte,
0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64); the number of dimensions d; d sizes as
uint32; then exactly prod(sizes) items. A file may be gzip-compressed (recognised by its
content, not its name).
"""

from __future__ import annotations

import gzip
import math
import os
import zlib

import numpy as np

from ..errors import DatasetError

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the IDX file at `path` (gzipped or raw), in native byte order.

    Raises DatasetError naming the file when the gzip stream is corrupt or truncated, the
    header is not IDX, or the length disagrees with the header.
    """
    with open(path, "rb") as file:
        content = file.read()
    if content[:2] == _GZIP_MAGIC:
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError, zlib.error) as error:
            raise DatasetError(f"{path}: corrupt or truncated gzip file ({error})") from error
    return parse_idx(content, path)


def parse_idx(content: bytes, path: str | os.PathLike = "<bytes>") -> np.ndarray:
    """The array in IDX bytes `content`; `path` only names the source in errors."""
    if len(content) < 4:
        raise DatasetError(f"{path}: not an IDX file (only {len(content)} bytes, shorter than the 4-byte magic number)")
    zero, type_code, ndim = content[:2], content[2], content[3]
    if zero != b"\x00\x00" or type_code not in _TYPES or ndim == 0:
        raise DatasetError(f"{path}: not an IDX file (magic number 0x{content[:4].hex()} is not 0x0000TTDD)")
    header = 4 + 4 * ndim
    if len(content) < header:
        raise DatasetError(f"{path}: truncated IDX header ({len(content)} bytes, the header needs {header})")
    shape = tuple(int(size) for size in np.frombuffer(content, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_TYPES[type_code])
    expected = header + math.prod(shape) * dtype.itemsize
    if len(content) != expected:
        problem = "truncated" if len(content) < expected else "has trailing bytes"
        raise DatasetError(
            f"{path}: {problem}: the IDX header says shape {shape} ({expected:,} bytes), the file has {len(content):,}"
        )
    return np.frombuffer(content, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))
