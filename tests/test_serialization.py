"""`save`/`load`: every kind of value a state dict holds comes back identical, the file is a
pickle-free `.npz`, the write is atomic, and a damaged or foreign file raises CheckpointError
naming the file."""

import io
import json
import math
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_np as tg
from tinygrad_np.errors import CheckpointError
from tinygrad_np.serialization import MANIFEST, load, save

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint8, np.bool_]
SHAPES = [(), (0,), (3,), (2, 0, 3), (2, 3)]


def assert_identical(expected, actual):
    """Same structure, same types (dict, list, tuple, Tensor, ndarray, NumPy scalar) and the same bits."""
    assert type(actual) is (tg.Tensor if isinstance(expected, tg.Tensor) else type(expected))
    if isinstance(expected, dict):
        assert [(type(k), k) for k in actual] == [(type(k), k) for k in expected]
        for key in expected:
            assert_identical(expected[key], actual[key])
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for e, a in zip(expected, actual):
            assert_identical(e, a)
    elif isinstance(expected, tg.Tensor):
        assert actual.grad_fn is None and actual.grad is None and not actual.requires_grad
        assert_identical(expected.numpy(), actual.numpy())
    elif isinstance(expected, (np.ndarray, np.generic)):
        assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape)
        assert actual.tobytes() == expected.tobytes()
    elif isinstance(expected, float):
        assert struct.pack("<d", actual) == struct.pack("<d", expected)
    else:
        assert actual == expected


def round_trip(obj):
    buffer = io.BytesIO()
    save(obj, buffer)
    buffer.seek(0)
    return load(buffer)


def write_zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def manifest_bytes(manifest: dict) -> bytes:
    return npy_bytes(np.frombuffer(json.dumps(manifest).encode(), dtype=np.uint8))


UNPICKLED = []


def _record_unpickling():
    UNPICKLED.append(True)


class Trap:
    """Unpickling this records it: a test that loads one asserts nothing was recorded."""

    def __reduce__(self):
        return (_record_unpickling, ())


@pytest.fixture
def no_unpickling():
    UNPICKLED.clear()
    yield
    assert not UNPICKLED, "a pickle was loaded"


@pytest.fixture
def old_checkpoint(tmp_path):
    """A checkpoint already on disk, and its bytes."""
    path = tmp_path / "model.ckpt"
    save({"weight": tg.ones(2, 2)}, path)
    return path, path.read_bytes()


# ------------------------------------------------------------------ round trips

small_arrays = st.sampled_from(DTYPES).flatmap(
    lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
)
numpy_scalars = st.sampled_from(DTYPES).flatmap(lambda dtype: hnp.from_dtype(np.dtype(dtype)).map(np.dtype(dtype).type))
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=4),
    small_arrays,
    small_arrays.map(tg.Tensor),
    numpy_scalars,
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), children, max_size=3),
    ),
    max_leaves=8,
)


@given(trees)
def test_nested_values_of_every_allowed_kind_round_trip_identically(obj):
    assert_identical(obj, round_trip(obj))


def test_an_optimizer_state_dict_with_int_keys_round_trips():
    state_dict = {
        "state": {0: {"step": tg.tensor(3.0), "exp_avg": tg.randn(2, 3)}, 1: {"step": tg.tensor(3.0)}},
        "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False, "params": [0, 1]}],
    }
    assert_identical(state_dict, round_trip(state_dict))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_a_tensor_loads_as_a_tensor_with_its_dtype_and_shape(dtype, shape):
    tensor = tg.tensor(np.arange(math.prod(shape)).reshape(shape).astype(dtype))
    assert_identical(tensor, round_trip(tensor))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_an_array_loads_as_an_array_with_its_dtype_and_shape(dtype, shape):
    array = np.arange(math.prod(shape)).reshape(shape).astype(dtype)
    assert_identical(array, round_trip(array))


def test_a_tensor_that_requires_grad_loads_detached():
    weight = tg.randn(3, requires_grad=True)
    (weight * 2).sum().backward()
    loaded = round_trip(weight)
    assert loaded.is_leaf and not loaded.requires_grad and loaded.grad is None
    np.testing.assert_array_equal(loaded.numpy(), weight.numpy())


def test_a_loaded_tensor_can_be_updated_in_place():
    loaded = round_trip({"w": tg.zeros(2)})["w"]
    loaded.data -= 1.0
    np.testing.assert_array_equal(loaded.numpy(), [-1.0, -1.0])


@pytest.mark.parametrize(
    "scalar", [np.float32(1.5), np.float16(-2.0), np.float64(0.1), np.int64(-7), np.uint8(255), np.bool_(True)]
)
def test_a_numpy_scalar_loads_as_a_numpy_scalar_of_its_dtype(scalar):
    assert_identical(scalar, round_trip(scalar))


@pytest.mark.parametrize("value", [None, True, False, 0, -(2**70), 1.5, "", "é\U0001f600\ud800", [], (), {}])
def test_a_python_value_loads_as_itself(value):
    assert_identical(value, round_trip(value))


def test_int_and_str_dict_keys_stay_apart():
    obj = {0: "int", "0": "str", -5: [], "": None}
    assert_identical(obj, round_trip(obj))


def test_tuples_load_as_tuples_and_lists_as_lists():
    obj = [(1, [2, (3,)]), [(), []]]
    assert_identical(obj, round_trip(obj))


@given(st.permutations(["weight", "bias", "running_mean", 0, 1, 2, "z", "a"]))
def test_dict_key_order_is_kept(keys):
    assert list(round_trip({key: None for key in keys})) == keys


def test_floats_keep_their_bits_including_nan_payloads_signed_zero_and_infinities():
    special = [
        math.nan,
        -math.nan,
        struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000001))[0],
        -0.0,
        math.inf,
        -math.inf,
        5e-324,
    ]
    obj = {"python": special, "float64": np.array(special), "float32": np.array(special, dtype=np.float32)}
    assert_identical(obj, round_trip(obj))


def test_a_namedtuple_and_an_ordered_dict_load_as_tuple_and_dict():
    values, indices = tg.tensor([[1.0, 3.0]]).max(1)
    loaded = round_trip(OrderedDict(b=(values, indices), a=1))
    assert type(loaded) is dict and list(loaded) == ["b", "a"] and type(loaded["b"]) is tuple


# ------------------------------------------------------------------ the file


def test_the_file_is_an_npz_that_numpy_reads_without_pickle(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"w": tg.randn(2, 3), "step": np.int64(4), "names": ["a"]}, path)
    with np.load(path, allow_pickle=False) as npz:
        members = {name: npz[name] for name in npz.files}
    assert all(member.dtype != object for member in members.values())
    assert members[MANIFEST].dtype == np.uint8
    assert json.loads(members[MANIFEST].tobytes())["version"] == 1


def test_save_writes_exactly_the_given_path_without_appending_npz(tmp_path):
    path = tmp_path / "model.ckpt"
    save({"w": tg.ones(1)}, str(path))
    assert os.listdir(tmp_path) == ["model.ckpt"]
    assert_identical({"w": tg.ones(1)}, load(str(path)))


def test_save_and_load_work_on_binary_file_objects(tmp_path):
    path = tmp_path / "model.npz"
    with open(path, "wb") as file:
        save({"w": tg.ones(2)}, file)
    with open(path, "rb") as file:
        assert_identical({"w": tg.ones(2)}, load(file))


def test_saving_replaces_an_existing_checkpoint(old_checkpoint):
    path, _ = old_checkpoint
    save({"new": 1}, path)
    assert load(path) == {"new": 1}


@pytest.mark.skipif(os.name != "posix", reason="symlinks and umask are POSIX")
def test_saving_through_a_symlink_keeps_the_link_and_the_umask_permissions(tmp_path):
    target, link = tmp_path / "real.npz", tmp_path / "link.npz"
    save({"old": 0}, target)
    link.symlink_to(target)
    save({"new": 1}, link)
    assert link.is_symlink() and load(target) == {"new": 1}
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


# ------------------------------------------------------------------ atomicity


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


def _fail_on_second_member(original):
    calls = []

    def write_array(*args, **kwargs):
        calls.append(None)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(*args, **kwargs)

    return write_array


@pytest.mark.parametrize(
    "target, attribute, make_failure, error",
    [
        (np.lib.format, "write_array", _fail_on_second_member, OSError),
        (os, "fsync", lambda original: _raise(KeyboardInterrupt()), KeyboardInterrupt),
        (os, "replace", lambda original: _raise(OSError("crash")), OSError),
    ],
    ids=["writer", "fsync", "replace"],
)
def test_a_crash_while_saving_leaves_the_old_file_intact_and_no_temp_file(
    old_checkpoint, monkeypatch, target, attribute, make_failure, error
):
    path, old_bytes = old_checkpoint
    monkeypatch.setattr(target, attribute, make_failure(getattr(target, attribute)))
    with pytest.raises(error):
        save({"a": tg.zeros(3), "b": tg.zeros(4)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert os.listdir(path.parent) == [path.name]


@pytest.mark.parametrize(
    "obj, where, what",
    [
        ({"param_groups": [{"lr": 0.1, "foo": {1, 2}}]}, "obj['param_groups'][0]['foo']", "set"),
        ({"fn": [len]}, "obj['fn'][0]", "builtin_function_or_method"),
        ((1, object()), "obj[1]", "object"),
        ({"state": {1.5: 0}}, "obj['state']", "float"),
        ({"state": {True: 0}}, "obj['state']", "bool"),
        ({"a": np.array([None])}, "obj['a']", "dtype object"),
        ({"b": b"bytes"}, "obj['b']", "bytes"),
        ({"m": np.ma.masked_array([1, 2], mask=[0, 1])}, "obj['m']", "masked array"),
    ],
)
def test_an_unsupported_value_raises_type_error_naming_its_path_and_leaves_the_old_file(
    old_checkpoint, obj, where, what
):
    path, old_bytes = old_checkpoint
    with pytest.raises(TypeError) as error:
        save(obj, path)
    assert str(error.value).startswith(f"{where}: ") and what in str(error.value)
    assert path.read_bytes() == old_bytes
    assert os.listdir(path.parent) == [path.name]


def test_a_container_that_holds_itself_raises_value_error():
    loop = {"a": []}
    loop["a"].append(loop)
    with pytest.raises(ValueError, match=r"obj\['a'\]\[0\]: circular"):
        save(loop, io.BytesIO())


# ------------------------------------------------------------------ damaged and foreign files


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.npz")


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.3, 0.5, 0.9, 0.999])
def test_a_truncated_file_raises_checkpoint_error_naming_it(old_checkpoint, fraction):
    path, old_bytes = old_checkpoint
    path.write_bytes(old_bytes[: int(len(old_bytes) * fraction)])
    with pytest.raises(CheckpointError, match="re-save it, or restore a backup") as error:
        load(path)
    assert str(path) in str(error.value)


def test_a_flipped_byte_inside_an_array_raises_checkpoint_error(tmp_path):
    path = tmp_path / "ckpt.npz"
    weight = np.arange(1.0, 65.0)
    save({"w": weight}, path)
    data = bytearray(path.read_bytes())
    data[data.find(weight.tobytes()) + 100] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="CRC") as error:
        load(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("content", [b"", b"hello, world\n", npy_bytes(np.zeros(3)), pickle.dumps(Trap())])
def test_a_file_that_is_not_a_zip_raises_checkpoint_error(tmp_path, no_unpickling, content):
    path = tmp_path / "ckpt.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="not a tinygrad_np checkpoint") as error:
        load(path)
    assert str(path) in str(error.value)


def test_an_npz_with_a_pickled_member_raises_checkpoint_error_and_unpickles_nothing(tmp_path, no_unpickling):
    path = tmp_path / "ckpt.npz"
    np.savez(path, ok=np.zeros(2), trap=np.array([Trap()], dtype=object))
    with pytest.raises(CheckpointError, match="'trap'"):
        load(path)


def test_a_torch_save_file_raises_checkpoint_error_with_an_export_hint(tmp_path, no_unpickling):
    path = tmp_path / "model.pt"
    write_zip(
        path, {"model/data.pkl": pickle.dumps({"w": Trap()}), "model/version": b"3\n", "model/data/0": b"\0" * 16}
    )
    with pytest.raises(CheckpointError, match="torch.save") as error:
        load(path)
    assert "v.numpy()" in str(error.value) and str(path) in str(error.value)


def test_a_manifest_naming_a_missing_array_raises_checkpoint_error(tmp_path):
    path = tmp_path / "ckpt.npz"
    manifest = {"format": "tinygrad_np", "version": 1, "root": {"dict": [["w", {"tensor": "0"}]]}}
    write_zip(path, {f"{MANIFEST}.npy": manifest_bytes(manifest)})
    with pytest.raises(CheckpointError, match="'0'.*not in the file"):
        load(path)


def test_an_unknown_format_version_raises_checkpoint_error(tmp_path):
    path = tmp_path / "ckpt.npz"
    write_zip(path, {f"{MANIFEST}.npy": manifest_bytes({"format": "tinygrad_np", "version": 99, "root": None})})
    with pytest.raises(CheckpointError, match="version 99"):
        load(path)


@pytest.mark.parametrize("root", [{"set": []}, {"float": "xyz"}, {"dict": [[1.5, None]]}, {"numpy": "0"}, 1.5, [1]])
def test_a_malformed_manifest_raises_checkpoint_error(tmp_path, root):
    path = tmp_path / "ckpt.npz"
    manifest = {"format": "tinygrad_np", "version": 1, "root": root}
    write_zip(path, {f"{MANIFEST}.npy": manifest_bytes(manifest), "0.npy": npy_bytes(np.zeros(2))})
    with pytest.raises(CheckpointError, match="corrupt tinygrad_np checkpoint"):
        load(path)


# ------------------------------------------------------------------ plain .npz files


def test_a_plain_npz_of_arrays_loads_as_a_dict_of_tensors_in_file_order(tmp_path):
    path = tmp_path / "exported.npz"
    exported = {"0.weight": np.ones((2, 3), np.float32), "0.bias": np.zeros(2, np.float32), "num_batches": np.int64(5)}
    np.savez(path, **exported)
    loaded = load(path)
    assert list(loaded) == list(exported)
    for name, array in exported.items():
        assert_identical(tg.tensor(np.asarray(array)), loaded[name])


@pytest.mark.parametrize("make", [
    lambda: tg.nn.Linear(2, 3),
    lambda: tg.optim.SGD([tg.nn.Parameter(tg.zeros(1))], lr=0.1),
])
def test_saving_a_whole_module_or_optimizer_is_refused_with_what_to_do_instead(tmp_path, make):
    with pytest.raises(TypeError, match=r"cannot save a whole .*save its state_dict\(\)"):
        save(make(), tmp_path / "model.pth")
    assert not (tmp_path / "model.pth").exists()


def test_load_accepts_pytorchs_keywords_for_the_cpu(tmp_path):
    save({"w": tg.ones(2)}, tmp_path / "model.pth")
    for map_location in ("cpu", tg.device("cpu"), {"cuda:0": "cpu"}):
        loaded = load(tmp_path / "model.pth", map_location=map_location, weights_only=True)
        np.testing.assert_array_equal(loaded["w"].numpy(), np.ones(2, np.float32))


@pytest.mark.parametrize("map_location", ["cuda", "mps", {"cpu": "cuda:0"}])
def test_load_refuses_a_map_location_naming_another_device(tmp_path, map_location):
    save({"w": tg.ones(2)}, tmp_path / "model.pth")
    with pytest.raises(RuntimeError, match="runs on NumPy on the CPU"):
        load(tmp_path / "model.pth", map_location=map_location)
