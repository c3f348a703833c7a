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
from typing import IO

import numpy as np

from ..errors import DatasetError

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"
MAX_IDX_BYTES = 256 * 2**20  # read_idx's default max_bytes: 5x MNIST's largest file (47,040,000 bytes of images)
_DEFLATE_MAX_RATIO = 1032  # a 258-byte match coded in 2 bits: no deflate stream expands more
_CHUNK = 1 << 20


def read_idx(path: str | os.PathLike, *, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """The array stored in the IDX file at `path` (gzipped or raw), in native byte order.

    Raises DatasetError naming the file when the gzip stream is corrupt or truncated, the
    header is not IDX, the length disagrees with the header, or the header declares an array of
    more than `max_bytes` bytes. The header is read first and checked against the file's size
    (a gzip file cannot inflate to more than 1032 times its size); the data is then read into an
    array of the declared size, so a gzip stream is never inflated past the declared length and one
    byte, and memory is bounded by both `max_bytes` and the file's size.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise TypeError(f"read_idx: max_bytes must be an int, got {type(max_bytes).__name__}")
    if max_bytes < 0:
        raise ValueError(f"read_idx: max_bytes must be >= 0, got {max_bytes}")
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        gzipped = file.read(2) == _GZIP_MAGIC
        file.seek(0)
        if not gzipped:
            return _read(file, path, max_bytes, size, gzipped)
        try:
            with gzip.GzipFile(fileobj=file) as stream:
                return _read(stream, path, max_bytes, size, gzipped)
        except (OSError, EOFError, zlib.error) as error:
            raise DatasetError(f"{path}: corrupt or truncated gzip file ({error})") from error


def parse_idx(content: bytes, path: str | os.PathLike = "<bytes>") -> np.ndarray:
    """The array in IDX bytes `content`; `path` only names the source in errors."""
    dtype, shape, header = _header(content, path)
    expected = header + math.prod(shape) * dtype.itemsize
    if len(content) != expected:
        raise _length_error(path, shape, expected, len(content))
    return np.frombuffer(content, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _read(stream: IO[bytes], path: str | os.PathLike, max_bytes: int, size: int, gzipped: bool) -> np.ndarray:
    """The array in the IDX `stream` read from a file of `size` bytes: the IDX content itself, or gzipped."""
    content = stream.read(4)
    if len(content) == 4:
        content += stream.read(4 * content[3])  # the sizes, if the magic number is right (`_header` checks)
    dtype, shape, header = _header(content, path)
    nbytes = math.prod(shape) * dtype.itemsize
    if not gzipped and size != header + nbytes:
        raise _length_error(path, shape, header + nbytes, size)
    if gzipped and header + nbytes > _DEFLATE_MAX_RATIO * size:
        raise DatasetError(
            f"{path}: truncated: the IDX header says shape {shape} ({header + nbytes:,} bytes), more than "
            f"a {size:,}-byte gzip file can hold"
        )
    if nbytes > max_bytes:
        raise DatasetError(
            f"{path}: the IDX header says shape {shape}, {nbytes:,} bytes of data, more than max_bytes={max_bytes:,}; "
            "if the file is right, read it with a larger max_bytes"
        )
    data = np.empty(nbytes, np.uint8)
    view = memoryview(data)
    for start in range(0, nbytes, _CHUNK):
        chunk = stream.read(min(_CHUNK, nbytes - start))
        if len(chunk) < min(_CHUNK, nbytes - start):
            raise _length_error(path, shape, header + nbytes, header + start + len(chunk))
        view[start : start + len(chunk)] = chunk
    if stream.read(1):
        raise _length_error(path, shape, header + nbytes, None)
    array = data.view(dtype)
    if not dtype.isnative:
        array = array.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return array.reshape(shape)


def _header(content: bytes, path: str | os.PathLike) -> tuple[np.dtype, tuple[int, ...], int]:
    """(dtype, shape, header length) from the IDX header at the start of `content`."""
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
    if 0 in shape and math.prod(size for size in shape if size) * dtype.itemsize > np.iinfo(np.intp).max:
        raise DatasetError(f"{path}: not an IDX file NumPy can read (shape {shape} is empty, yet too big for NumPy)")
    return dtype, shape, header


def _length_error(path: str | os.PathLike, shape: tuple[int, ...], expected: int, actual: int | None) -> DatasetError:
    """The file is not the length its header says: `actual` bytes, or more than `expected` when None."""
    problem = "truncated" if actual is not None and actual < expected else "has trailing bytes"
    has = "more" if actual is None else f"{actual:,}"
    return DatasetError(
        f"{path}: {problem}: the IDX header says shape {shape} ({expected:,} bytes), the file has {has}"
    )
