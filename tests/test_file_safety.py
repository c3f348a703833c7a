"""Files handled safely: `tg.save` replaces only regular files, keeps their permission mode and clears the
temporary files of killed saves; `tg.load` and `read_idx` check declared sizes against a limit before
allocating and never inflate more than a file declares, so a lying header or a compression bomb fails fast,
in little memory, with the library's own error."""

import io
import os
import socket
import stat
import struct
import threading
import time
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from data_files import gzip_bytes, idx_header, write_bytes

import tinygrad_np as tg
from tinygrad_np.atomic import STALE_AFTER_SECONDS
from tinygrad_np.data import read_idx
from tinygrad_np.data.idx import MAX_IDX_BYTES
from tinygrad_np.errors import CheckpointError, NotARegularFileError
from tinygrad_np.serialization import MANIFEST, MAX_DEPTH, MAX_LOAD_BYTES, MAX_MANIFEST_BYTES, load, save

MiB, GiB = 2**20, 2**30
MEMORY_BOUND = 64 * 10**6  # the peak traced memory a refused or bomb file may cost
posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, sockets, device nodes and modes are POSIX")


class TracedPeak:
    """`with TracedPeak() as peak:` ... then `peak.bytes`: the most memory tracemalloc saw in use, NumPy's included."""

    def __enter__(self):
        tracemalloc.start()
        return self

    def __exit__(self, *exc_info):
        self.bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def npy_header(dtype, shape, fortran_order=False) -> bytes:
    """The .npy header (magic included) declaring `shape` and `dtype`, whatever follows it."""
    buffer = io.BytesIO()
    descr = np.lib.format.dtype_to_descr(np.dtype(dtype))
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": fortran_order, "shape": shape})
    return buffer.getvalue()


def raw_zip(members) -> bytes:
    """A zip written field by field from (name, data as stored, method, file_size, crc) tuples, so that a test can
    make its central directory lie about the uncompressed size or the CRC."""
    local, central = b"", b""
    for name, data, method, file_size, crc in members:
        encoded = name.encode()
        sizes = (crc, len(data), file_size, len(encoded))
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, *sizes, 0, 0, 0, 0, 0,
                               len(local)) + encoded
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, *sizes, 0) + encoded + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0)
    return local + central + end


def stored(name: str, content: bytes) -> tuple:
    """A raw_zip member holding `content` uncompressed, with its true size and CRC."""
    return name, content, zipfile.ZIP_STORED, len(content), zlib.crc32(content)


def deflated(content: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush()


def deflated_zeros(prefix: bytes, mib: int) -> bytes:
    """A raw deflate stream of `prefix` then `mib` MiB of zeros, about 1 KB per MiB. The dictionary is reset after
    every MiB, so one compressed MiB repeated is the whole stream: a 2 GiB bomb is built in milliseconds."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    one_mib = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return head + one_mib * mib + compressor.flush()


def gzip_of_zeros(prefix: bytes, mib: int) -> bytes:
    """A gzip file of `prefix` then `mib` MiB of zeros, with a wrong CRC: a reader that inflates it to the end
    reports the CRC, one that stops early never sees it."""
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + deflated_zeros(prefix, mib) + struct.pack("<2L", 0, 0)


def write_manifest_checkpoint(path, manifest_json: str, arrays=()) -> None:
    """A checkpoint whose manifest is exactly `manifest_json`, with arrays "0", "1", ... (valid CRCs)."""
    with zipfile.ZipFile(path, "w") as archive:
        with archive.open(f"{MANIFEST}.npy", "w") as member:
            np.lib.format.write_array(member, np.frombuffer(manifest_json.encode(), np.uint8))
        for i, array in enumerate(arrays):
            with archive.open(f"{i}.npy", "w") as member:
                np.lib.format.write_array(member, array)


def manifest_json(root_json: str) -> str:
    return '{"format": "tinygrad_np", "version": 1, "root": ' + root_json + "}"


def nested_lists(depth: int):
    value = 0
    for _ in range(depth):
        value = [value]
    return value


def age(path, seconds: float) -> None:
    """Set `path`'s modification time `seconds` into the past, without following a symlink."""
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


# ---------------------------------------------------------------------------------------------- what save replaces


@posix_only
def test_save_refuses_to_replace_a_fifo_and_leaves_it_as_it_was(tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFileError, match="FIFO") as error:
        save({"w": tg.ones(2)}, fifo)
    assert str(fifo) in str(error.value)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["model.npz"]


def test_save_refuses_to_replace_a_directory(tmp_path):
    directory = tmp_path / "model.npz"
    directory.mkdir()
    with pytest.raises(NotARegularFileError, match="directory") as error:
        save({"w": tg.ones(2)}, directory)
    assert str(directory) in str(error.value)
    assert directory.is_dir() and os.listdir(tmp_path) == ["model.npz"]


@posix_only
def test_save_refuses_to_replace_a_unix_socket(tmp_path):
    path = tmp_path / "model.npz"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        with pytest.raises(NotARegularFileError, match="socket"):
            save({"w": tg.ones(2)}, path)
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_save_refuses_to_replace_dev_null_and_leaves_it_as_it_was(monkeypatch):
    def must_not_rename(*args):
        raise AssertionError(f"save tried to rename onto /dev/null: {args}")

    monkeypatch.setattr(os, "replace", must_not_rename)  # were the refusal to regress, a root run must not hurt
    monkeypatch.setattr(os, "rename", must_not_rename)
    before = os.stat("/dev/null")
    with pytest.raises(NotARegularFileError, match="character device") as error:
        save({"w": tg.ones(2)}, "/dev/null")
    after = os.stat("/dev/null")
    assert "/dev/null" in str(error.value)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (before.st_ino, before.st_mode, before.st_rdev)
    assert stat.S_ISCHR(after.st_mode)


@posix_only
def test_save_through_a_symlink_to_a_fifo_is_refused_naming_the_link_and_its_target(tmp_path):
    fifo, link = tmp_path / "fifo", tmp_path / "model.npz"
    os.mkfifo(fifo)
    link.symlink_to(fifo)
    with pytest.raises(NotARegularFileError, match="FIFO") as error:
        save({"w": tg.ones(2)}, link)
    assert str(link) in str(error.value) and str(fifo) in str(error.value)
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(fifo).st_mode)


@posix_only
def test_save_through_a_dangling_symlink_creates_the_file_it_points_to(tmp_path):
    target, link = tmp_path / "real.npz", tmp_path / "model.npz"
    link.symlink_to(target)
    save({"w": 1}, link)
    assert link.is_symlink() and load(target) == {"w": 1}


def test_refusing_to_replace_is_an_os_error():
    assert issubclass(NotARegularFileError, OSError)


# ---------------------------------------------------------------------------------------------- permission mode


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o755], ids=oct)
def test_save_keeps_the_permission_mode_of_the_file_it_replaces(tmp_path, mode):
    path = tmp_path / "model.npz"
    save({"old": 0}, path)
    path.chmod(mode)
    save({"new": 1}, path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert load(path) == {"new": 1}


@posix_only
def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path):
    path = tmp_path / "model.npz"
    previous = os.umask(0o027)
    try:
        save({"new": 1}, path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


# ---------------------------------------------------------------------------------------------- killed saves

STALE = STALE_AFTER_SECONDS + 1


def test_save_removes_the_temporary_file_a_killed_save_of_the_same_path_left(tmp_path):
    path = tmp_path / "model.npz"
    leftover = write_bytes(tmp_path / ".model.npz.0123456789abcdef.tmp", b"half a checkpoint")
    age(leftover, STALE)
    save({"w": 1}, path)
    assert os.listdir(tmp_path) == ["model.npz"]


def test_save_keeps_a_recent_temporary_file_that_another_save_may_still_be_writing(tmp_path):
    leftover = write_bytes(tmp_path / ".model.npz.0123456789abcdef.tmp", b"being written")
    age(leftover, STALE_AFTER_SECONDS - 5)
    save({"w": 1}, tmp_path / "model.npz")
    assert leftover.read_bytes() == b"being written"


@pytest.mark.parametrize(
    "name",
    [
        ".other.npz.0123456789abcdef.tmp",  # another path's
        ".model.npz.0123456789abcde.tmp",  # 15 hex digits
        ".model.npz.0123456789ABCDEF.tmp",  # upper case
        ".model.npz.0123456789abcdeg.tmp",  # not hex
        "model.npz.0123456789abcdef.tmp",  # no leading dot
        ".model.npz.0123456789abcdef.tmp.bak",
        ".model.npz.0123456789abcdef.tmpx",
        "..model.npz.0123456789abcdef.tmp",
    ],
)
def test_save_keeps_old_files_that_only_resemble_its_temporary_files(tmp_path, name):
    other = write_bytes(tmp_path / name, b"someone else's")
    age(other, STALE)
    save({"w": 1}, tmp_path / "model.npz")
    assert other.read_bytes() == b"someone else's"


@posix_only
def test_save_keeps_a_directory_or_a_symlink_named_like_its_temporary_file(tmp_path):
    directory = tmp_path / ".model.npz.0123456789abcdef.tmp"
    directory.mkdir()
    target = write_bytes(tmp_path / "precious", b"keep me")
    link = tmp_path / ".model.npz.fedcba9876543210.tmp"
    link.symlink_to(target)
    for path in (directory, link, target):
        age(path, STALE)
    save({"w": 1}, tmp_path / "model.npz")
    assert directory.is_dir() and link.is_symlink() and target.read_bytes() == b"keep me"


def test_a_save_leaves_alone_the_temporary_file_of_a_concurrent_stalled_save_of_the_same_path(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    stalled, resume, errors = threading.Event(), threading.Event(), []
    write_array = np.lib.format.write_array

    def stalling_write_array(*args, **kwargs):
        if threading.current_thread() is slow_save:
            stalled.set()
            resume.wait(10)
        return write_array(*args, **kwargs)

    def save_slowly():
        try:
            save({"slow": 1}, path)
        except Exception as error:
            errors.append(error)

    monkeypatch.setattr(np.lib.format, "write_array", stalling_write_array)
    slow_save = threading.Thread(target=save_slowly)
    slow_save.start()
    assert stalled.wait(10)
    (temporary,) = tmp_path.glob(".model.npz.*.tmp")
    age(temporary, STALE)  # stalled for longer than any age would tell
    save({"fast": 2}, path)
    assert temporary.exists()
    resume.set()
    slow_save.join(10)
    assert errors == [] and load(path) == {"slow": 1}
    assert os.listdir(tmp_path) == ["model.npz"]


# ---------------------------------------------------------------------------------------------- checkpoint limits


def test_load_refuses_arrays_declaring_more_than_max_bytes_naming_the_file_and_the_limit(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"w": np.zeros(1000)}, path)
    with np.load(path) as npz:
        total = sum(npz[name].nbytes for name in npz.files)  # the arrays, the manifest included
    assert load(path, max_bytes=total)["w"].shape == (1000,)
    with pytest.raises(CheckpointError, match=f"max_bytes={total - 1:,}") as error:
        load(path, max_bytes=total - 1)
    assert str(path) in str(error.value)


def test_the_default_limit_is_4_gib_and_a_bigger_declared_array_is_refused_before_allocating(tmp_path):
    assert MAX_LOAD_BYTES == 4 * GiB
    path = write_bytes(tmp_path / "ckpt.npz", raw_zip([stored("w.npy", npy_header(np.uint8, (4 * GiB + 1,)))]))
    with TracedPeak() as peak, pytest.raises(CheckpointError, match=f"max_bytes={4 * GiB:,}"):
        load(path)
    assert peak.bytes < MEMORY_BOUND


def test_declared_sizes_whose_product_overflows_64_bits_are_refused(tmp_path):
    header = npy_header(np.float64, (2**32, 2**32, 2**32))
    path = write_bytes(tmp_path / "ckpt.npz", raw_zip([stored("w.npy", header)]))
    with pytest.raises(CheckpointError, match="max_bytes"):
        load(path)


def test_an_empty_array_declaring_other_sizes_too_big_for_numpy_is_refused(tmp_path):
    path = write_bytes(tmp_path / "ckpt.npz", raw_zip([stored("w.npy", npy_header(np.float64, (0, 2**62, 2)))]))
    with pytest.raises(CheckpointError, match="too big for NumPy"):
        load(path)


def test_a_member_whose_zip_size_disagrees_with_its_npy_header_is_refused(tmp_path):
    content = npy_header(np.float64, (4,)) + bytes(32)
    path = write_bytes(tmp_path / "ckpt.npz", raw_zip([stored("w.npy", content + bytes(8))]))  # 8 bytes more
    with pytest.raises(CheckpointError, match="'w'"):
        load(path)


def test_a_deflate_member_claiming_more_than_deflate_can_expand_is_refused(tmp_path):
    content = npy_header(np.uint8, (10**6,)) + bytes(10**6)
    stream = deflated(content)
    claimed = 1033 * len(stream)
    path = write_bytes(tmp_path / "ckpt.npz", raw_zip([("w.npy", stream, zipfile.ZIP_DEFLATED, claimed, 0)]))
    with pytest.raises(CheckpointError, match="deflate"):
        load(path)


BOMB = 2048  # MiB: 2 GiB of zeros in about 2 MB of deflate
BOMBS = {
    # (the shape its .npy header declares, the uncompressed size the zip's directory declares, max_bytes)
    "declares 16 bytes, the zip too": ((16,), None, MAX_LOAD_BYTES),
    "declares 16 bytes, the zip 2 GiB": ((16,), BOMB * MiB, MAX_LOAD_BYTES),
    "declares 2 GiB, the zip 16 bytes": ((BOMB * MiB,), None, MAX_LOAD_BYTES),
    "declares 2 GiB, over max_bytes": ((BOMB * MiB,), BOMB * MiB, 64 * MiB),
    "declares 8 GiB, over the default": ((8 * GiB,), BOMB * MiB, MAX_LOAD_BYTES),
}


@pytest.mark.parametrize("shape, zip_size, max_bytes", BOMBS.values(), ids=BOMBS.keys())
def test_a_deflate_bomb_raises_checkpoint_error_in_little_memory(tmp_path, shape, zip_size, max_bytes):
    header = npy_header(np.uint8, shape)
    file_size = len(header) + (zip_size if zip_size is not None else 16)
    bomb = raw_zip([("w.npy", deflated_zeros(header, BOMB), zipfile.ZIP_DEFLATED, file_size, 0)])
    assert len(bomb) < 3 * 10**6
    path = write_bytes(tmp_path / "bomb.npz", bomb)
    with TracedPeak() as peak, pytest.raises(CheckpointError) as error:
        load(path, max_bytes=max_bytes)
    assert str(path) in str(error.value)
    assert peak.bytes < MEMORY_BOUND


def test_a_compressed_npz_loads(tmp_path):
    path = tmp_path / "compressed.npz"
    np.savez_compressed(path, w=np.arange(1000.0).reshape(10, 100), f=np.asfortranarray(np.eye(3)))
    loaded = load(path)
    np.testing.assert_array_equal(loaded["w"].numpy(), np.arange(1000.0).reshape(10, 100))
    np.testing.assert_array_equal(loaded["f"].numpy(), np.eye(3))


@pytest.mark.parametrize("method, what", [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "lzma")])
def test_members_compressed_with_bzip2_or_lzma_are_refused_naming_the_method(tmp_path, method, what):
    path = tmp_path / "ckpt.npz"
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        archive.writestr("w.npy", npy_header(np.uint8, (3,)) + bytes(3))
    with pytest.raises(CheckpointError, match=what):
        load(path)


def test_an_encrypted_member_is_refused(tmp_path):
    content = npy_header(np.uint8, (3,)) + bytes(3)
    data = bytearray(raw_zip([stored("w.npy", content)]))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.find(signature) + flags_at] |= 0x01
    path = write_bytes(tmp_path / "ckpt.npz", bytes(data))
    with pytest.raises(CheckpointError, match="encrypted"):
        load(path)


def test_two_members_of_one_name_are_refused(tmp_path):
    member = stored("w.npy", npy_header(np.uint8, (3,)) + bytes(3))
    path = write_bytes(tmp_path / "ckpt.npz", raw_zip([member, member]))
    with pytest.raises(CheckpointError, match="'w.npy'"):
        load(path)


def test_a_zip_whose_directory_hides_a_member_its_end_record_counts_is_refused(tmp_path):
    first, second = stored("a.npy", npy_header(np.uint8, (1,)) + b"\x01"), stored("b.npy", npy_header(np.uint8, (0,)))
    data = bytearray(raw_zip([first, second]))
    directory = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, directory + 32, 46 + len("b.npy"))  # the first entry's comment swallows the second
    path = write_bytes(tmp_path / "ckpt.npz", bytes(data))
    assert [info.filename for info in zipfile.ZipFile(path).infolist()] == ["a.npy"]
    with pytest.raises(CheckpointError, match="2 members"):
        load(path)


def test_a_truncated_file_behind_an_empty_zips_end_record_is_refused(tmp_path):
    content = npy_header(np.uint8, (3,)) + bytes(3)
    end_record = raw_zip([])
    data = end_record[:20] + b"\x00\x08" + raw_zip([stored("a.npy", content)])[:30]  # a comment ending past the end
    path = write_bytes(tmp_path / "ckpt.npz", data)
    with pytest.raises(CheckpointError, match="end record"):
        load(path)


def test_a_manifest_larger_than_the_manifest_limit_is_refused_before_reading_it(tmp_path):
    header = npy_header(np.uint8, (MAX_MANIFEST_BYTES + 1,))
    path = write_bytes(tmp_path / "ckpt.npz", raw_zip([stored(f"{MANIFEST}.npy", header)]))
    with TracedPeak() as peak, pytest.raises(CheckpointError, match="manifest"):
        load(path)
    assert peak.bytes < MEMORY_BOUND


# ---------------------------------------------------------------------------------------------- manifest and dtypes


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 600, 100_000])
def test_a_manifest_nested_too_deep_raises_checkpoint_error(tmp_path, depth):
    path = tmp_path / "ckpt.npz"
    write_manifest_checkpoint(path, manifest_json('{"list": [' * depth + "null" + "]}" * depth))
    with pytest.raises(CheckpointError, match="nested|deep"):
        load(path)


@pytest.mark.parametrize("depth", [600, 100_000])
def test_a_manifest_node_nested_deep_in_plain_json_raises_checkpoint_error(tmp_path, depth):
    path = tmp_path / "ckpt.npz"
    write_manifest_checkpoint(path, manifest_json('{"float": ' + "[" * depth + "]" * depth + "}"))
    with pytest.raises(CheckpointError):
        load(path)


def test_values_nested_as_deep_as_load_accepts_round_trip(tmp_path):
    path = tmp_path / "ckpt.npz"
    save(nested_lists(MAX_DEPTH), path)
    assert load(path) == nested_lists(MAX_DEPTH)


def test_save_refuses_values_nested_deeper_than_load_accepts(tmp_path):
    path = tmp_path / "ckpt.npz"
    with pytest.raises(ValueError, match=f"more than {MAX_DEPTH}"):
        save(nested_lists(MAX_DEPTH + 1), path)
    assert not path.exists()


def test_save_refuses_a_value_whose_manifest_would_exceed_the_manifest_limit(tmp_path):
    path = tmp_path / "ckpt.npz"
    with pytest.raises(ValueError, match="manifest"):
        save({"notes": "x" * MAX_MANIFEST_BYTES}, path)
    assert not path.exists()


NON_NUMERIC = {
    "str": np.array(["a", "bc"]),
    "bytes": np.array([b"a", b"bc"]),
    "void": np.zeros(2, "V4"),
    "structured": np.zeros(2, [("x", "<f4"), ("y", "<i4")]),
    "datetime": np.array(["2020-01-01"], "M8[D]"),
    "timedelta": np.array([5], "m8[s]"),
    "complex": np.array([1 + 2j]),
    "object": np.array([None, 1], dtype=object),
}


@pytest.mark.parametrize("array", NON_NUMERIC.values(), ids=NON_NUMERIC.keys())
def test_a_member_of_a_non_numeric_dtype_raises_checkpoint_error_naming_it(tmp_path, array):
    path = tmp_path / "ckpt.npz"
    np.savez(path, ok=np.zeros(2), odd=array)
    with pytest.raises(CheckpointError, match="'odd'") as error:
        load(path)
    assert str(array.dtype) in str(error.value)


@pytest.mark.parametrize("array", NON_NUMERIC.values(), ids=NON_NUMERIC.keys())
def test_save_refuses_arrays_of_non_numeric_dtypes_with_type_error(tmp_path, array):
    with pytest.raises(TypeError, match=r"obj\['odd'\]"):
        save({"odd": array}, tmp_path / "ckpt.npz")


def test_an_array_referred_to_twice_in_the_manifest_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    write_manifest_checkpoint(path, manifest_json('{"list": [{"tensor": "0"}, {"tensor": "0"}]}'), [np.zeros(2)])
    with pytest.raises(CheckpointError, match="'0'"):
        load(path)


def test_a_manifest_that_is_not_a_uint8_vector_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    np.savez(path, **{MANIFEST: np.zeros(3, np.float32)})
    with pytest.raises(CheckpointError, match="manifest"):
        load(path)


def test_max_bytes_must_be_a_non_negative_int(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"w": 1}, path)
    with pytest.raises(ValueError, match="max_bytes"):
        load(path, max_bytes=-1)
    with pytest.raises(TypeError, match="max_bytes"):
        load(path, max_bytes=1e9)


# ---------------------------------------------------------------------------------------------- IDX limits

IMAGES = (60_000, 28, 28)  # MNIST's training images: 47,040,000 bytes


def test_the_default_idx_limit_fits_mnist_training_images():
    assert MAX_IDX_BYTES >= 60_000 * 28 * 28


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
def test_read_idx_refuses_a_header_declaring_more_than_max_bytes_naming_the_file_and_the_limit(tmp_path, gz):
    content = idx_header(0x0B, (10, 50)) + bytes(1000)
    path = write_bytes(tmp_path / "train-images-idx3-ubyte", gzip_bytes(content) if gz else content)
    assert read_idx(path, max_bytes=1000).shape == (10, 50)
    with pytest.raises(tg.DatasetError, match="max_bytes=999") as error:
        read_idx(path, max_bytes=999)
    assert str(path) in str(error.value)


def test_a_gzip_header_declaring_more_than_the_default_limit_is_refused_before_inflating(tmp_path):
    path = write_bytes(tmp_path / "train-images-idx3-ubyte.gz", gzip_of_zeros(idx_header(0x08, (GiB,)), BOMB))
    with TracedPeak() as peak, pytest.raises(tg.DatasetError, match=f"max_bytes={MAX_IDX_BYTES:,}"):
        read_idx(path)
    assert peak.bytes < 2 * MiB


def test_a_gzip_header_declaring_more_than_the_file_can_inflate_to_is_reported_as_truncated(tmp_path):
    path = write_bytes(tmp_path / "train-images-idx3-ubyte.gz", gzip_of_zeros(idx_header(0x08, (100 * MiB,)), 16))
    with TracedPeak() as peak, pytest.raises(tg.DatasetError, match="truncated.*gzip file can hold"):
        read_idx(path, max_bytes=GiB)
    assert peak.bytes < 2 * MiB


@pytest.mark.parametrize("shape", [IMAGES, (3,)], ids=["mnist header", "small header"])
def test_a_gzip_bomb_behind_an_idx_header_fails_on_its_trailing_bytes_in_little_memory(tmp_path, shape):
    bomb = gzip_of_zeros(idx_header(0x08, shape), BOMB)
    assert len(bomb) < 3 * 10**6
    path = write_bytes(tmp_path / "train-images-idx3-ubyte.gz", bomb)
    with TracedPeak() as peak, pytest.raises(tg.DatasetError, match="trailing bytes") as error:
        read_idx(path)
    assert str(path) in str(error.value)
    assert peak.bytes < MEMORY_BOUND


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
def test_an_empty_idx_array_declaring_other_sizes_too_big_for_numpy_is_refused(tmp_path, gz):
    content = idx_header(0x0E, (0, 2**32 - 1, 2**32 - 1))
    path = write_bytes(tmp_path / "labels", gzip_bytes(content) if gz else content)
    with pytest.raises(tg.DatasetError, match="too big for NumPy"):
        read_idx(path)


def test_a_raw_idx_file_with_trailing_bytes_reports_its_size(tmp_path):
    path = write_bytes(tmp_path / "labels", idx_header(0x08, (3,)) + bytes(5))
    with pytest.raises(tg.DatasetError, match="trailing bytes.*11 bytes.*13"):
        read_idx(path)


def test_the_idx_max_bytes_must_be_a_non_negative_int(tmp_path):
    path = write_bytes(tmp_path / "labels", idx_header(0x08, (3,)) + bytes(3))
    with pytest.raises(ValueError, match="max_bytes"):
        read_idx(path, max_bytes=-1)

