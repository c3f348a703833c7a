"""Fuzzing the file readers: whatever bytes `tg.load` and `read_idx` are given (random bytes, a valid file
with bytes flipped, inserted or deleted, a checkpoint whose manifest was changed structurally), they either
return what the file holds or raise the library's own error, CheckpointError or DatasetError, and their
peak memory stays under 64 MB. Any other exception (KeyError, RecursionError, zipfile.BadZipFile, ...)
fails the test."""

import gzip
import io
import json
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from data_files import idx_bytes, idx_header
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_np as tg
from tinygrad_np.data import parse_idx, read_idx
from tinygrad_np.errors import CheckpointError
from tinygrad_np.serialization import MANIFEST, load, save

MEMORY_BOUND = 64 * 10**6


def outcome(function, *args, expected_error):
    """`function(*args)`'s result, or the `expected_error` it raised; asserts its peak traced memory (NumPy's
    arrays included) stayed under MEMORY_BOUND. Any other exception propagates and fails the test."""
    tracemalloc.start()
    try:
        return function(*args)
    except expected_error as error:
        return error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < MEMORY_BOUND, f"peak traced memory {peak:,} bytes"


def canonical(value):
    """A comparable form of a loaded value: container types, key types, dtypes, shapes and bits included."""
    if isinstance(value, dict):
        return "dict", [(type(key).__name__, key, canonical(item)) for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [canonical(item) for item in value]
    if isinstance(value, tg.Tensor):
        return "Tensor", canonical(value.numpy())
    if isinstance(value, (np.ndarray, np.generic)):
        return type(value).__name__, value.dtype.str, value.shape, value.tobytes()
    if isinstance(value, float):
        return "float", struct.pack("<d", value)
    return type(value).__name__, value


# ---------------------------------------------------------------------------------------------- mutations


@st.composite
def mutated(draw, content: bytes, max_edits: int = 3) -> bytes:
    """`content` with 1 to `max_edits` edits: a bit flipped, a byte set, inserted or deleted, or a truncation."""
    data = bytearray(content)
    for _ in range(draw(st.integers(1, max_edits))):
        edit = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if edit == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "set" and data:
            data[at] = draw(st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0xFF]))
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 4))]
        elif edit == "truncate":
            del data[at:]
    return bytes(data)


# ---------------------------------------------------------------------------------------------- checkpoints

STATE = {
    "model": {"0.weight": tg.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3)), "0.bias": tg.zeros(2)},
    "optimizer": {
        "state": {0: {"step": np.int64(3), "exp_avg": np.asfortranarray(np.eye(2, 3))}},
        "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "name": "adam", "params": [0], "nesterov": False}],
    },
    "flags": np.array([True, False]),
    "epoch": 3,
    "best": float("-inf"),
    "note": None,
}


def saved(obj) -> bytes:
    buffer = io.BytesIO()
    save(obj, buffer)
    return buffer.getvalue()


def rezipped(content: bytes, compression: int) -> bytes:
    """The same zip members, compressed with `compression`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w", compression) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    return buffer.getvalue()


def plain_npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, weight=np.ones((2, 2), np.float32), step=np.int64(7))
    return buffer.getvalue()


CHECKPOINTS = {
    "stored": (saved(STATE), STATE),
    "deflated": (rezipped(saved(STATE), zipfile.ZIP_DEFLATED), STATE),
    "plain npz": (plain_npz(), {"weight": tg.ones(2, 2), "step": tg.tensor(np.int64(7))}),
}


def load_bytes(content: bytes):
    return outcome(load, io.BytesIO(content), expected_error=CheckpointError)


@given(st.one_of(st.binary(max_size=600), st.binary(max_size=600).map(lambda tail: b"PK\x03\x04" + tail)))
def test_load_of_arbitrary_bytes_returns_or_raises_checkpoint_error(content):
    load_bytes(content)


@pytest.mark.parametrize("kind", CHECKPOINTS)
@given(data=st.data())
def test_a_mutated_checkpoint_loads_what_was_saved_or_raises_checkpoint_error(kind, data):
    content, expected = CHECKPOINTS[kind]
    result = load_bytes(data.draw(mutated(content)))
    if not isinstance(result, CheckpointError):
        assert canonical(result) == canonical(expected)


def manifest_of(content: bytes) -> dict:
    with np.load(io.BytesIO(content)) as npz:
        return json.loads(npz[MANIFEST].tobytes())


def arrays_of(content: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(content)) as npz:
        return {name: npz[name] for name in npz.files if name != MANIFEST}


def node_paths(node, path=()):
    """The path (keys and indices) to every node of a JSON tree, the root's included."""
    yield path
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from node_paths(child, (*path, key))


def replaced(node, path, new):
    if not path:
        return new
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[path[0]] = replaced(node[path[0]], path[1:], new)
    return copy


KINDS = ["list", "tuple", "dict", "float", "tensor", "ndarray", "numpy", "format", "version", "root"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4) | st.sampled_from(["0", "1", "9"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(KINDS) | st.text(max_size=3), children, max_size=2),
    max_leaves=8,
)
PLACEHOLDER = "@@placeholder@@"
NESTINGS = [('{"list": [', "]}"), ('{"tuple": [', "]}"), ("[", "]")]


@st.composite
def mutated_manifests(draw) -> str:
    """The manifest of CHECKPOINTS["stored"] as JSON text with one node replaced by arbitrary JSON, or wrapped in
    containers up to 2,000 deep (written as text: json.dumps itself would recurse too deep)."""
    manifest = manifest_of(CHECKPOINTS["stored"][0])
    path = draw(st.sampled_from(list(node_paths(manifest))))
    if draw(st.booleans()):
        return json.dumps(replaced(manifest, path, draw(json_values)))
    opening, closing = draw(st.sampled_from(NESTINGS))
    depth = draw(st.integers(1, 2000))
    nested = opening * depth + json.dumps(node_at(manifest, path)) + closing * depth
    return json.dumps(replaced(manifest, path, PLACEHOLDER)).replace(json.dumps(PLACEHOLDER), nested)


def node_at(node, path):
    for key in path:
        node = node[key]
    return node


def checkpoint_with_manifest(manifest_text: str, arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in {MANIFEST: np.frombuffer(manifest_text.encode(), np.uint8), **arrays}.items():
            with archive.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, array)
    return buffer.getvalue()


@given(mutated_manifests())
def test_a_checkpoint_with_a_structurally_mutated_manifest_loads_or_raises_checkpoint_error(manifest_text):
    content = checkpoint_with_manifest(manifest_text, arrays_of(CHECKPOINTS["stored"][0]))
    load_bytes(content)


# ---------------------------------------------------------------------------------------------- IDX files

IDX_SAMPLES = {
    "uint8 images": idx_bytes(np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 4, 4)),
    "int16": idx_bytes(np.array([[1, -2, 300], [4, 5, -32768]], dtype=np.int16)),
    "float64": idx_bytes(np.array([0.5, -0.0, np.inf])),
}


@pytest.fixture(scope="module")
def idx_file(tmp_path_factory):
    """A path the IDX tests overwrite with each example's bytes."""
    return tmp_path_factory.mktemp("fuzz") / "train-images-idx3-ubyte"


def expected_idx(content: bytes):
    """What read_idx must give for a file of `content`: parse_idx of its gunzipped bytes, or DatasetError."""
    if content[:2] == b"\x1f\x8b":
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError, zlib.error):
            return tg.DatasetError
    try:
        return parse_idx(content)
    except tg.DatasetError:
        return tg.DatasetError


def check_read_idx(path, content: bytes) -> None:
    path.write_bytes(content)
    result, expected = outcome(read_idx, path, expected_error=tg.DatasetError), expected_idx(content)
    if expected is tg.DatasetError:
        assert isinstance(result, tg.DatasetError)
    else:
        assert result.dtype == expected.dtype and result.dtype.isnative
        assert result.shape == expected.shape and result.tobytes() == expected.tobytes()


@given(st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(gzip.compress),
    st.builds(lambda shape, data: idx_header(0x08, shape) + data,
              st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=3), st.binary(max_size=64)),
))
def test_read_idx_of_arbitrary_bytes_gives_what_parse_idx_gives_or_dataset_error(idx_file, content):
    check_read_idx(idx_file, content)


@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=3), st.binary(max_size=64))
def test_read_idx_of_a_gzipped_header_declaring_any_sizes_stays_small(idx_file, shape, data):
    check_read_idx(idx_file, gzip.compress(idx_header(0x08, tuple(shape)) + data))


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("sample", IDX_SAMPLES)
@given(data=st.data())
def test_a_mutated_idx_file_reads_as_parse_idx_reads_it_or_raises_dataset_error(idx_file, sample, gz, data):
    content = gzip.compress(IDX_SAMPLES[sample], mtime=0) if gz else IDX_SAMPLES[sample]
    check_read_idx(idx_file, data.draw(mutated(content)))
