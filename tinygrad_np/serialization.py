"""`save` and `load`: state dicts and other nested values in one `.npz` file, never pickled.

A checkpoint is a NumPy zip: each Tensor, array or NumPy scalar is its own `.npy` member, and
the member `__tinygrad_np__` (a uint8 array) holds a JSON manifest of the tree and the format
version. Neither side pickles (PyTorch's checkpoints do; unpickling an untrusted file runs
code), so any NumPy installation can read the arrays back.

Manifest nodes: JSON null, true/false, integers and strings stand for themselves;
`{"float": "<16 hex digits>"}` is a Python float by its IEEE bits (so nan payloads and -0.0
survive); `{"list": [...]}`, `{"tuple": [...]}`, `{"dict": [[key, node], ...]}` (keys str or
int, in order); `{"tensor": member}`, `{"ndarray": member}`, `{"numpy": member}` (a 0-d array
that loads as a NumPy scalar).

Loading trusts nothing in the file. Before any array data is read, the zip's directory is checked
against its end record, and every member's .npy header is read (a few bytes each) and checked against
the directory: the declared sizes, computed in Python ints, must add up to at most `max_bytes`
(MAX_LOAD_BYTES, 4 GiB, by default); a member must hold exactly what its header declares; only stored
and deflate members are read (np.savez, np.savez_compressed), and a deflate member cannot claim more
than deflate's 1032:1 can expand. Data is then read in bounded chunks into arrays of the declared
size, so no member inflates past what it declared. The manifest is at most MAX_MANIFEST_BYTES and
nests at most MAX_DEPTH containers (`save` refuses deeper values), each array is referred to once,
and only bool, integer and floating-point dtypes (what a Tensor holds) are read. Anything else is a
CheckpointError naming the file.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import reprlib
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

import numpy as np

from .atomic import atomic_write
from .device import as_device, device
from .errors import CheckpointError
from .tensor import Tensor, as_tensor

MANIFEST = "__tinygrad_np__"
FORMAT_VERSION = 1
MAX_LOAD_BYTES = 4 * 2**30  # `load`'s default max_bytes: the arrays of one file, in all
MAX_MANIFEST_BYTES = 16 * 2**20  # about 400,000 state-dict entries
MAX_DEPTH = 100  # containers nested in a saved value
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first member, or an empty zip (np.load's test)
# What zipfile, zlib and reading a file raise on damaged input (NotImplementedError: zip features it lacks).
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)
_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integers, floating point: what a Tensor holds
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
            zipfile.ZIP_LZMA: "lzma"}
_DEFLATE_MAX_RATIO = 1032  # a 258-byte match coded in 2 bits: no deflate stream expands more
_NPY_MAX_HEADER = 10_000  # bytes of .npy header dict, np.load's own limit
_CHUNK = 1 << 20
_SHORT = reprlib.Repr()  # file content in messages: bounded in length and nesting
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 3, 60, 60
_SAVABLE = "dicts, lists, tuples, Tensors, NumPy arrays and scalars, int, float, bool, str and None"
_TORCH_HINT = (
    "it looks like a torch.save file, which is pickled; in PyTorch, export the state dict as arrays with "
    "tg.save({k: v.numpy() for k, v in sd.items()}, path) (or np.savez(path, **that_dict)) and load that"
)


def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Write `obj` (e.g. a model's or an optimizer's `state_dict()`) to `f` as a checkpoint.

    `obj` may nest dicts (str or int keys), lists and tuples of Tensors, NumPy arrays and scalars
    of bool, integer or floating-point dtype, int, float, bool, str and None, at most MAX_DEPTH
    containers deep; anything else raises TypeError naming where it is (a container holding itself
    or nested deeper, ValueError), before anything is written. Tensors are stored without their
    graph or `requires_grad`.

    A path is written atomically (`tinygrad_np.atomic.atomic_write`): to a temporary file
    `.<name>.<random>.tmp` in the same directory, fsynced, then renamed onto `f`, so a crash or an
    error mid-save leaves any previous file intact. Only a regular file is replaced, keeping its
    permission bits; a directory, FIFO, device or socket at `f` (or where a symlink at `f` points)
    raises NotARegularFileError (an OSError) before anything is written. Temporary files left by
    killed saves of the same path are removed once nothing writes them. The file is written at
    exactly that path (no ".npz" is appended). A binary file object is written from its current
    position and left open; that write is not atomic.
    """
    arrays: dict[str, np.ndarray] = {}
    root = _encode(obj, "obj", arrays, set())
    manifest = json.dumps({"format": "tinygrad_np", "version": FORMAT_VERSION, "root": root})
    if len(manifest) > MAX_MANIFEST_BYTES:
        raise ValueError(
            f"obj: its manifest (the tree, its strings and numbers) would be {len(manifest):,} bytes, more than the "
            f"{MAX_MANIFEST_BYTES:,} tg.load reads; keep large data in arrays"
        )
    members = {MANIFEST: np.frombuffer(manifest.encode("ascii"), dtype=np.uint8), **arrays}
    if not isinstance(f, (str, os.PathLike)):
        _write_zip(f, members)
        return
    with atomic_write(f) as file:
        _write_zip(file, members)


def load(f: str | os.PathLike | IO[bytes], map_location=None, *, weights_only: bool | None = None,
         mmap: bool | None = None, max_bytes: int = MAX_LOAD_BYTES) -> Any:
    """Read what `save` wrote, with the same nesting, key order and dtypes. Never unpickles.

    Tensors come back as detached `Tensor`s, tuples as tuples, NumPy scalars with their dtype.
    A plain `.npz` of named arrays without a manifest, such as a PyTorch state dict exported with
    `np.savez(path, **{k: v.numpy() for k, v in sd.items()})`, loads as {name: Tensor} in file
    order. Every member is read (and its CRC checked) here, so a corrupt or truncated file, or a
    zip that is not a checkpoint, raises CheckpointError now rather than later.

    `max_bytes` bounds the arrays' total size as their headers declare it (the manifest included),
    checked before any is read: a file declaring more raises CheckpointError naming the limit. Pass
    a larger value for a bigger checkpoint you trust.

    PyTorch's keywords are accepted for its scripts: `map_location` may name the CPU (a device,
    a string, or a dict mapping device names to "cpu"); `weights_only` and `mmap` change nothing,
    a checkpoint holding only data (loading is always "weights only").
    """
    _check_map_location(map_location)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise TypeError(f"load: max_bytes must be an int, got {type(max_bytes).__name__}")
    if max_bytes < 0:
        raise ValueError(f"load: max_bytes must be >= 0, got {max_bytes}")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            return _load(file, os.fspath(f), max_bytes)
    return _load(f, str(getattr(f, "name", "the file object")), max_bytes)


def _check_map_location(map_location) -> None:
    """Everything loads onto the CPU; a map_location naming any other device raises."""
    if map_location is None:
        return
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        if not isinstance(target, (str, device)):
            raise TypeError(f"load: map_location must name a device (e.g. 'cpu'), got {type(target).__name__}")
        as_device(target)


# ------------------------------------------------------------------ saving


def _encode(value: Any, path: str, arrays: dict[str, np.ndarray], open_containers: set[int]) -> Any:
    """The manifest node for `value`; its arrays go into `arrays`. `path` names it in errors."""
    if isinstance(value, Tensor):
        return {"tensor": _add_array(value._array, path, arrays)}
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{path}: cannot save a masked array (its mask would be lost); save .data and .mask")
    if isinstance(value, np.ndarray):
        return {"ndarray": _add_array(np.asarray(value), path, arrays)}
    if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
        return {"numpy": _add_array(np.asarray(value), path, arrays)}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {"float": struct.pack(">d", value).hex()}
    if not isinstance(value, (dict, list, tuple)):
        if callable(getattr(value, "state_dict", None)):
            raise TypeError(f"{path}: cannot save a whole {type(value).__name__} (tinygrad_np never pickles code); "
                            "save its state_dict() and load that into a new one with load_state_dict(tg.load(path))")
        raise TypeError(f"{path}: cannot save a {type(value).__name__} (only {_SAVABLE})")
    if id(value) in open_containers:
        raise ValueError(f"{path}: circular reference; a container that holds itself cannot be saved")
    if len(open_containers) == MAX_DEPTH:
        raise ValueError(f"{path}: containers nested more than {MAX_DEPTH} deep, which tg.load refuses")
    open_containers.add(id(value))
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(
                    f"{path}: cannot save a dict key of type {type(key).__name__} ({key!r}); keys must be str or int"
                )
            items.append([key, _encode(item, f"{path}[{key!r}]", arrays, open_containers)])
        node = {"dict": items}
    else:
        kind = "tuple" if isinstance(value, tuple) else "list"
        node = {kind: [_encode(item, f"{path}[{i}]", arrays, open_containers) for i, item in enumerate(value)]}
    open_containers.remove(id(value))
    return node


def _add_array(array: np.ndarray, path: str, arrays: dict[str, np.ndarray]) -> str:
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{path}: cannot save an array of dtype {array.dtype}; only bool, integer and floating-point arrays "
            "(what a Tensor holds) are saved, never pickled objects, strings, records or dates"
        )
    name = str(len(arrays))
    arrays[name] = array
    return name


def _write_zip(file: IO[bytes], members: dict[str, np.ndarray]) -> None:
    """What np.savez writes, but refusing pickle outright and never renaming the file."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in members.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


# ------------------------------------------------------------------ loading


class _Member(NamedTuple):
    """A zip member's .npy header: what the member declares it holds."""

    info: zipfile.ZipInfo
    key: str  # the member's name without ".npy"
    header_size: int  # the bytes before the array data
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _load(file: IO[bytes], name: str, max_bytes: int) -> Any:
    start = file.read(4)
    if start not in _ZIP_MAGICS:
        what = "the file is empty" if not start else "not a zip (.npz) file"
        raise CheckpointError(f"{name}: not a tinygrad_np checkpoint ({what}); re-save it, or restore a backup")
    file.seek(-len(start), os.SEEK_CUR)
    with _reading(name, "truncated or corrupt zip"):
        archive = zipfile.ZipFile(file)
    with archive:
        _check_directory(archive, file, name)
        members = _members(archive, name, max_bytes)
        manifest_member = members.pop(MANIFEST, None)
        if manifest_member is None:
            return {key: as_tensor(_read_array(archive, member, name)) for key, member in members.items()}
        manifest = _parse_manifest(_read_array(archive, manifest_member, name), name)
        arrays = {key: _read_array(archive, member, name) for key, member in members.items()}
    return _decode(manifest["root"], arrays, name, 0)


@contextlib.contextmanager
def _reading(name: str, what: str) -> Iterator[None]:
    """Turn what damaged input makes zipfile, zlib or the file raise into CheckpointError."""
    try:
        yield
    except CheckpointError:
        raise
    except _READ_ERRORS as error:
        raise CheckpointError(
            f"{name}: not a tinygrad_np checkpoint ({what}: {error}); re-save it, or restore a backup"
        ) from error


def _check_directory(archive: zipfile.ZipFile, file: IO[bytes], name: str) -> None:
    """What the zip's central directory says of each member, checked before anything of it is read."""
    file_length = file.seek(0, os.SEEK_END)
    declared, listed = _declared_member_count(file, file_length), len(archive.infolist())
    if declared is None:
        raise _corrupt(name, "the zip's end record and its comment do not end the file")
    if declared != listed:
        raise _corrupt(name, f"its end record declares {declared} members, its directory lists {listed}")
    for info in archive.infolist():
        _check_directory_entry(archive, info, file_length, name)


def _declared_member_count(file: IO[bytes], file_length: int) -> int | None:
    """The member count in the zip's end record (the ZIP64 record's if the plain one says 0xFFFF, too many for
    it), or None if that record and its comment do not end the file exactly, as they must."""
    start = max(0, file_length - (22 + 0xFFFF + 76))  # the end record, a comment, and the ZIP64 record and locator
    file.seek(start)
    tail = file.read()
    end = tail.rfind(b"PK\x05\x06")  # where zipfile found it: the last one
    count, comment_length = struct.unpack_from("<H8xH", tail, end + 10)
    if end + 22 + comment_length != len(tail):
        return None
    locator, record = end - 20, end - 76
    if count == 0xFFFF and record >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        if tail[record : record + 4] == b"PK\x06\x06":
            (count,) = struct.unpack_from("<Q", tail, record + 32)
    return count


def _check_directory_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_length: int, name: str) -> None:
    member = info.filename
    if archive.getinfo(member) is not info:
        raise _corrupt(name, f"two members named {_SHORT.repr(member)}")
    if not member.endswith(".npy"):
        raise _not_an_array(name, member)
    if info.flag_bits & 0x1:
        raise CheckpointError(f"{name}: member {_SHORT.repr(member)} is encrypted; tg.load reads unencrypted files")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        method = _METHODS.get(info.compress_type, f"zip method {info.compress_type}")
        raise CheckpointError(
            f"{name}: member {_SHORT.repr(member)} is compressed with {method}; tg.load reads only stored and "
            "deflate members (what np.savez and np.savez_compressed write); re-save it with tg.save"
        )
    if info.header_offset + info.compress_size > file_length:
        raise _corrupt(name, f"member {_SHORT.repr(member)} extends past the end of the file")
    most = info.compress_size * (_DEFLATE_MAX_RATIO if info.compress_type == zipfile.ZIP_DEFLATED else 1)
    if info.file_size > most:
        raise _corrupt(
            name,
            f"member {_SHORT.repr(member)} claims {info.file_size:,} bytes from {info.compress_size:,} "
            f"{_METHODS[info.compress_type]}, more than its compression can hold",
        )


def _members(archive: zipfile.ZipFile, name: str, max_bytes: int) -> dict[str, _Member]:
    """Every member's .npy header, checked against the zip's directory and `max_bytes`; no array data is read."""
    members: dict[str, _Member] = {}
    total = 0
    for info in archive.infolist():
        member = _read_header(archive, info, name)
        if member.key == MANIFEST and (member.dtype != np.uint8 or len(member.shape) != 1):
            raise _corrupt(name, f"the manifest is a {member.dtype} array of shape {member.shape}, not uint8 bytes")
        if member.key == MANIFEST and member.nbytes > MAX_MANIFEST_BYTES:
            raise _corrupt(name, f"a manifest of {member.nbytes:,} bytes, more than the {MAX_MANIFEST_BYTES:,} allowed")
        total += member.nbytes
        if total > max_bytes:
            raise CheckpointError(
                f"{name}: its arrays declare {total:,} bytes or more (member {_SHORT.repr(member.key)} alone: "
                f"{member.dtype} {member.shape}, {member.nbytes:,} bytes), more than max_bytes={max_bytes:,}; "
                "if the file is trusted, load it with a larger max_bytes"
            )
        if math.prod(size for size in member.shape if size) * member.dtype.itemsize > np.iinfo(np.intp).max:
            raise _corrupt(name, f"member {_SHORT.repr(member.key)} declares shape {member.shape}, too big for NumPy")
        if info.file_size != member.header_size + member.nbytes:
            raise _corrupt(
                name,
                f"member {_SHORT.repr(member.key)} holds {info.file_size:,} bytes, its .npy header declares "
                f"{member.header_size + member.nbytes:,}",
            )
        members[member.key] = member
    return members


def _read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> _Member:
    """The member's .npy header, read without reading (or inflating) more than its few bytes."""
    key = info.filename.removesuffix(".npy")
    with _reading(name, f"cannot read member {_SHORT.repr(key)}"), archive.open(info) as stream:
        prefix = stream.read(len(np.lib.format.MAGIC_PREFIX) + 2)
        if not prefix.startswith(np.lib.format.MAGIC_PREFIX):
            raise _not_an_array(name, info.filename)
        version = tuple(prefix[-2:])
        if version not in ((1, 0), (2, 0)):
            raise _corrupt(name, f"member {_SHORT.repr(key)} is .npy version {version}, not 1.0 or 2.0")
        length_field = stream.read(2 if version == (1, 0) else 4)
        length = int.from_bytes(length_field, "little")
        if length > _NPY_MAX_HEADER:
            raise _corrupt(name, f"member {_SHORT.repr(key)} has a {length:,}-byte .npy header")
        header = stream.read(length)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    try:
        shape, fortran_order, dtype = read_header(io.BytesIO(length_field + header))
    except (ValueError, RecursionError, MemoryError) as error:  # ast.literal_eval: MemoryError when too complex
        raise _corrupt(name, f"member {_SHORT.repr(key)} has a malformed .npy header ({error!r})") from error
    if dtype.kind not in _NUMERIC_KINDS:
        raise CheckpointError(
            f"{name}: member {_SHORT.repr(key)} holds dtype {dtype}; tg.load reads only bool, integer and "
            "floating-point arrays (never pickled objects, strings, records or dates)"
        )
    if any(size < 0 for size in shape):
        raise _corrupt(name, f"member {_SHORT.repr(key)} declares shape {shape}")
    return _Member(info, key, len(prefix) + len(length_field) + length, dtype, shape, fortran_order)


def _read_array(archive: zipfile.ZipFile, member: _Member, name: str) -> np.ndarray:
    """The member's array, read in bounded chunks into memory of its declared size (checked by `_members`)."""
    data = np.empty(member.nbytes, np.uint8)
    view = memoryview(data)
    with _reading(name, f"cannot read member {_SHORT.repr(member.key)}"), archive.open(member.info) as stream:
        stream.read(member.header_size)
        for start in range(0, member.nbytes, _CHUNK):
            chunk = stream.read(min(_CHUNK, member.nbytes - start))
            view[start : start + len(chunk)] = chunk  # all of it: file_size is exactly header + data
    array = data.view(member.dtype)
    if member.fortran_order:
        return array.reshape(member.shape[::-1]).transpose()
    return array.reshape(member.shape)


def _parse_manifest(manifest_bytes: np.ndarray, name: str) -> dict:
    try:
        manifest = json.loads(manifest_bytes.tobytes().decode("ascii"))
    except RecursionError as error:
        raise _corrupt(name, "the manifest is nested too deep to parse") from error
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise _corrupt(name, f"unreadable manifest: {error}") from error
    if not (isinstance(manifest, dict) and manifest.get("format") == "tinygrad_np" and "root" in manifest):
        raise _corrupt(name, "the manifest is not a tinygrad_np manifest")
    if manifest.get("version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{name}: checkpoint format version {_SHORT.repr(manifest.get('version'))} is not one this tinygrad_np "
            f"reads ({FORMAT_VERSION}); load it with the tinygrad_np that wrote it, or upgrade tinygrad_np"
        )
    return manifest


def _decode(node: Any, arrays: dict[str, np.ndarray], name: str, depth: int) -> Any:
    """The value a manifest node inside `depth` containers stands for; CheckpointError for anything `_encode` cannot
    have written. Each array is taken out of `arrays` when used, so a second reference to it is an error."""
    if node is None or isinstance(node, (bool, int, str)):
        return node
    if not (isinstance(node, dict) and len(node) == 1):
        raise _corrupt(name, f"unknown manifest node {_SHORT.repr(node)}")
    ((kind, body),) = node.items()
    if kind in ("list", "tuple", "dict") and depth == MAX_DEPTH:
        raise _corrupt(name, f"containers nested more than {MAX_DEPTH} deep")
    if kind == "float" and isinstance(body, str) and len(body) == 16:
        with contextlib.suppress(ValueError):
            return struct.unpack(">d", bytes.fromhex(body))[0]
    elif kind in ("list", "tuple") and isinstance(body, list):
        items = [_decode(item, arrays, name, depth + 1) for item in body]
        return tuple(items) if kind == "tuple" else items
    elif kind == "dict" and isinstance(body, list):
        result = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) in (str, int)):
                raise _corrupt(name, f"bad dict entry {_SHORT.repr(pair)} in the manifest")
            result[pair[0]] = _decode(pair[1], arrays, name, depth + 1)
        return result
    elif kind in ("tensor", "ndarray", "numpy") and isinstance(body, str):
        array = arrays.pop(body, None)
        if array is None:
            raise _corrupt(
                name, f"the manifest refers to array {_SHORT.repr(body)}, which is not in the file or was used already"
            )
        if kind == "tensor":
            return as_tensor(array)
        if kind == "ndarray":
            return array
        if array.ndim == 0:
            return array[()]
    raise _corrupt(name, f"bad manifest node {_SHORT.repr(node)}")


def _not_an_array(name: str, member: str) -> CheckpointError:
    hint = _TORCH_HINT if member.endswith("data.pkl") else "re-save it with tg.save"
    return CheckpointError(
        f"{name}: not a tinygrad_np checkpoint (member {_SHORT.repr(member)} is not a NumPy array); {hint}"
    )


def _corrupt(name: str, what: str) -> CheckpointError:
    return CheckpointError(f"{name}: corrupt tinygrad_np checkpoint ({what}); re-save it, or restore a backup")
