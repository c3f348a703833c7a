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
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import zipfile
from typing import IO, Any

import numpy as np

from .atomic import atomic_write
from .errors import CheckpointError
from .tensor import Tensor

MANIFEST = "__tinygrad_np__"
FORMAT_VERSION = 1
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first member, or an empty zip (np.load's test)
# What zipfile and np.load raise on damaged input (RuntimeError: an entry flagged as encrypted).
_READ_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError)
_SAVABLE = "dicts, lists, tuples, Tensors, NumPy arrays and scalars, int, float, bool, str and None"
_TORCH_HINT = (
    "it looks like a torch.save file, which is pickled; in PyTorch, export the state dict as arrays with "
    "tg.save({k: v.numpy() for k, v in sd.items()}, path) (or np.savez(path, **that_dict)) and load that"
)


def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Write `obj` (e.g. a model's or an optimizer's `state_dict()`) to `f` as a checkpoint.

    `obj` may nest dicts (str or int keys), lists and tuples of Tensors, NumPy arrays and scalars,
    int, float, bool, str and None; anything else raises TypeError naming where it is (a
    container holding itself, ValueError), before anything is written. Tensors are stored without
    their graph or `requires_grad`.

    A path is written atomically: to a temporary file in the same directory, fsynced, then
    renamed onto `f`, so a crash or an error mid-save leaves any previous file intact (a killed
    process may leave its `.<name>.<random>.tmp` behind). The file is written at exactly that
    path (no ".npz" is appended). A binary file object is written from its current position and
    left open; that write is not atomic.
    """
    arrays: dict[str, np.ndarray] = {}
    root = _encode(obj, "obj", arrays, set())
    manifest = json.dumps({"format": "tinygrad_np", "version": FORMAT_VERSION, "root": root})
    members = {MANIFEST: np.frombuffer(manifest.encode("ascii"), dtype=np.uint8), **arrays}
    if not isinstance(f, (str, os.PathLike)):
        _write_zip(f, members)
        return
    with atomic_write(f) as file:
        _write_zip(file, members)


def load(f: str | os.PathLike | IO[bytes]) -> Any:
    """Read what `save` wrote, with the same nesting, key order and dtypes. Never unpickles.

    Tensors come back as detached `Tensor`s, tuples as tuples, NumPy scalars with their dtype.
    A plain `.npz` of named arrays without a manifest, such as a PyTorch state dict exported with
    `np.savez(path, **{k: v.numpy() for k, v in sd.items()})`, loads as {name: Tensor} in file
    order. Every member is read (and its CRC checked) here, so a corrupt or truncated file, or a
    zip that is not a checkpoint, raises CheckpointError now rather than later.
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            return _load(file, os.fspath(f))
    return _load(f, str(getattr(f, "name", "the file object")))


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
        raise TypeError(f"{path}: cannot save a {type(value).__name__} (only {_SAVABLE})")
    if id(value) in open_containers:
        raise ValueError(f"{path}: circular reference; a container that holds itself cannot be saved")
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
    if array.dtype.hasobject:
        raise TypeError(f"{path}: cannot save an array of dtype {array.dtype} (Python objects would need pickle)")
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


def _load(file: IO[bytes], name: str) -> Any:
    arrays = _read_members(file, name)
    manifest_bytes = arrays.pop(MANIFEST, None)
    if manifest_bytes is None:
        return {key: Tensor(array) for key, array in arrays.items()}
    try:
        manifest = json.loads(manifest_bytes.tobytes().decode("ascii"))
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise _corrupt(name, f"unreadable manifest: {error}") from error
    if not (isinstance(manifest, dict) and manifest.get("format") == "tinygrad_np" and "root" in manifest):
        raise _corrupt(name, "the manifest is not a tinygrad_np manifest")
    if manifest.get("version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{name}: checkpoint format version {manifest.get('version')!r} is not one this tinygrad_np reads "
            f"({FORMAT_VERSION}); load it with the tinygrad_np that wrote it, or upgrade tinygrad_np"
        )
    return _decode(manifest["root"], arrays, name)


def _read_members(file: IO[bytes], name: str) -> dict[str, np.ndarray]:
    """Every member of the zip, read in full so that zip CRCs are checked; never unpickles."""
    start = file.read(4)
    if start not in _ZIP_MAGICS:
        what = "the file is empty" if not start else "not a zip (.npz) file"
        raise CheckpointError(f"{name}: not a tinygrad_np checkpoint ({what}); re-save it, or restore a backup")
    file.seek(-len(start), os.SEEK_CUR)
    arrays = {}
    try:
        with np.load(file, allow_pickle=False) as npz:
            for key in npz.files:
                try:
                    value = npz[key]
                except _READ_ERRORS as error:
                    raise CheckpointError(
                        f"{name}: not a tinygrad_np checkpoint (cannot read member {key!r}: {error}); "
                        "re-save it, or restore a backup"
                    ) from error
                if not isinstance(value, np.ndarray):  # np.load gives a member that is not .npy as bytes
                    hint = _TORCH_HINT if key.endswith("data.pkl") else "re-save it with tg.save"
                    raise CheckpointError(
                        f"{name}: not a tinygrad_np checkpoint (member {key!r} is not a NumPy array); {hint}"
                    )
                arrays[key] = value
    except CheckpointError:
        raise
    except _READ_ERRORS as error:
        raise CheckpointError(
            f"{name}: not a tinygrad_np checkpoint (truncated or corrupt zip: {error}); re-save it, or restore a backup"
        ) from error
    return arrays


def _decode(node: Any, arrays: dict[str, np.ndarray], name: str) -> Any:
    """The value a manifest node stands for; CheckpointError for anything `_encode` cannot have written."""
    if node is None or isinstance(node, (bool, int, str)):
        return node
    if not (isinstance(node, dict) and len(node) == 1):
        raise _corrupt(name, f"unknown manifest node {node!r}")
    ((kind, body),) = node.items()
    if kind == "float" and isinstance(body, str) and len(body) == 16:
        with contextlib.suppress(ValueError):
            return struct.unpack(">d", bytes.fromhex(body))[0]
    elif kind in ("list", "tuple") and isinstance(body, list):
        items = [_decode(item, arrays, name) for item in body]
        return tuple(items) if kind == "tuple" else items
    elif kind == "dict" and isinstance(body, list):
        result = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) in (str, int)):
                raise _corrupt(name, f"bad dict entry {pair!r} in the manifest")
            result[pair[0]] = _decode(pair[1], arrays, name)
        return result
    elif kind in ("tensor", "ndarray", "numpy") and isinstance(body, str):
        if body not in arrays:
            raise _corrupt(name, f"the manifest refers to array {body!r}, which is not in the file")
        array = arrays[body]
        if kind == "tensor":
            return Tensor(array)
        if kind == "ndarray":
            return array
        if array.ndim == 0:
            return array[()]
    raise _corrupt(name, f"bad manifest node {node!r}")


def _corrupt(name: str, what: str) -> CheckpointError:
    return CheckpointError(f"{name}: corrupt tinygrad_np checkpoint ({what}); re-save it, or restore a backup")
