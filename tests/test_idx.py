"""The IDX reader: `read_idx(path)` and `parse_idx(bytes)` return the stored array for every IDX type,
from gzipped or raw files alike, and reject anything that is not exactly what its header says with a
`tg.DatasetError` that names the file."""

import re

import numpy as np
import pytest
from data_files import IDX_TYPES, corrupted, gzip_bytes, idx_bytes, idx_header, write_bytes, write_idx
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_np as tg
from tinygrad_np.data import parse_idx, read_idx


@st.composite
def idx_arrays(draw):
    """(type code, an array of that type with 1 to 3 dims of size 0 to 5)."""
    type_code = draw(st.sampled_from(sorted(IDX_TYPES)))
    dtype = np.dtype(IDX_TYPES[type_code]).newbyteorder("=")
    array = draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5)))
    return type_code, array


def raises_naming(path):
    """pytest.raises(tg.DatasetError) whose message must name `path`; use as `with raises_naming(p):`."""
    return pytest.raises(tg.DatasetError, match=re.escape(str(path)))


SAMPLE = np.arange(12, dtype=np.int16).reshape(3, 4) - 6  # type 0x0B: a header of 4 + 2 * 4 bytes, 24 data bytes


# ---------------------------------------------------------------------------------------------- round trips


@given(idx_arrays())
def test_parse_idx_returns_the_stored_array_for_every_type_code_and_1_to_3_dims(case):
    type_code, array = case
    result = parse_idx(idx_bytes(array, type_code))
    assert result.dtype == array.dtype
    assert result.shape == array.shape
    assert result.tobytes() == array.tobytes()  # bit for bit: NaNs and -0.0 included


@given(idx_arrays())
def test_parse_idx_returns_native_byte_order(case):
    type_code, array = case
    assert parse_idx(idx_bytes(array, type_code)).dtype.isnative


@pytest.mark.parametrize("type_code", sorted(IDX_TYPES), ids=[f"0x{code:02X}" for code in sorted(IDX_TYPES)])
def test_each_type_code_reads_as_its_dtype(type_code):
    array = np.array([[0, 1, 2], [3, 4, 5]], dtype=np.dtype(IDX_TYPES[type_code]).newbyteorder("="))
    result = parse_idx(idx_bytes(array, type_code))
    assert result.dtype == np.dtype(IDX_TYPES[type_code]).newbyteorder("=")
    np.testing.assert_array_equal(result, array)


@given(case=idx_arrays())
def test_read_idx_gzipped_and_raw_files_give_the_same_array(tmp_path_factory, case):
    type_code, array = case
    folder = tmp_path_factory.mktemp("idx")
    raw = read_idx(write_idx(folder / "array-idx", array, gz=False, type_code=type_code))
    gzipped = read_idx(write_idx(folder / "array-idx.gz", array, gz=True, type_code=type_code))
    assert raw.dtype == gzipped.dtype == array.dtype
    assert raw.tobytes() == gzipped.tobytes() == array.tobytes()


def test_gzip_is_recognised_by_content_not_by_file_name(tmp_path):
    gzipped_without_suffix = write_idx(tmp_path / "labels-idx1-ubyte", SAMPLE, gz=True)
    raw_with_suffix = write_idx(tmp_path / "labels-idx1-ubyte.gz", SAMPLE, gz=False)
    np.testing.assert_array_equal(read_idx(gzipped_without_suffix), SAMPLE)
    np.testing.assert_array_equal(read_idx(raw_with_suffix), SAMPLE)


def test_read_idx_accepts_str_and_path(tmp_path):
    path = write_idx(tmp_path / "sample-idx2", SAMPLE)
    np.testing.assert_array_equal(read_idx(str(path)), read_idx(path))


def test_mnist_shaped_uint8_arrays_round_trip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    result = read_idx(write_idx(tmp_path / "images-idx3-ubyte.gz", images, gz=True))
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, images)


# ---------------------------------------------------------------------------------------------- bad files

CONTENT = idx_bytes(SAMPLE)
HEADER_LENGTH = 4 + 4 * SAMPLE.ndim
TRUNCATIONS = {
    "empty": 0,
    "inside the zero bytes": 1,
    "inside the magic number": 3,
    "inside the first size": 6,
    "between the sizes": 8,
    "inside the second size": 10,
    "at the end of the header": HEADER_LENGTH,
    "inside the first item": HEADER_LENGTH + 1,
    "in the middle of the data": HEADER_LENGTH + 12,
    "one byte short": len(CONTENT) - 1,
}


@pytest.mark.parametrize("length", TRUNCATIONS.values(), ids=TRUNCATIONS.keys())
def test_truncated_raw_file_raises_dataset_error_naming_the_file(tmp_path, length):
    path = write_bytes(tmp_path / "train-images-idx3-ubyte", CONTENT[:length])
    with raises_naming(path):
        read_idx(path)


@pytest.mark.parametrize("length", TRUNCATIONS.values(), ids=TRUNCATIONS.keys())
def test_truncated_content_inside_a_valid_gzip_raises_dataset_error_naming_the_file(tmp_path, length):
    path = write_bytes(tmp_path / "train-images-idx3-ubyte.gz", gzip_bytes(CONTENT[:length]))
    with raises_naming(path):
        read_idx(path)


def test_truncated_data_is_reported_as_truncated_with_the_expected_and_actual_sizes(tmp_path):
    path = write_bytes(tmp_path / "t10k-images-idx3-ubyte", CONTENT[:-5])
    with raises_naming(path) as error:
        read_idx(path)
    message = str(error.value)
    assert "truncated" in message
    assert str(len(CONTENT)) in message and str(len(CONTENT) - 5) in message


def test_truncated_header_is_reported_as_truncated(tmp_path):
    path = write_bytes(tmp_path / "t10k-images-idx3-ubyte", CONTENT[: HEADER_LENGTH - 2])
    with raises_naming(path) as error:
        read_idx(path)
    assert "truncated" in str(error.value)


@pytest.mark.parametrize("extra", [b"\x00", b"\x00\x00", b"garbage" * 10])
def test_trailing_bytes_raise_dataset_error_naming_the_file(tmp_path, extra):
    path = write_bytes(tmp_path / "train-labels-idx1-ubyte", CONTENT + extra)
    with raises_naming(path) as error:
        read_idx(path)
    assert "trailing bytes" in str(error.value)


BAD_MAGIC = {
    "first byte not zero": b"\x01\x00\x0b\x02",
    "second byte not zero": b"\x00\x01\x0b\x02",
    "unknown type code 0x0A": b"\x00\x00\x0a\x02",
    "unknown type code 0x07": b"\x00\x00\x07\x02",
    "unknown type code 0xFF": b"\x00\x00\xff\x02",
    "text file": b"<htm",
    "zip file": b"PK\x03\x04",
}


@pytest.mark.parametrize("magic", BAD_MAGIC.values(), ids=BAD_MAGIC.keys())
def test_bad_magic_number_raises_dataset_error_naming_the_file(tmp_path, magic):
    path = write_bytes(tmp_path / "train-images-idx3-ubyte", magic + CONTENT[4:])
    with raises_naming(path) as error:
        read_idx(path)
    assert "not an IDX file" in str(error.value)


def test_zero_dimensions_raise_dataset_error_naming_the_file(tmp_path):
    path = write_bytes(tmp_path / "train-labels-idx1-ubyte", b"\x00\x00\x08\x00" + b"\x07")
    with raises_naming(path):
        read_idx(path)


def test_sizes_whose_product_overflows_64_bits_raise_dataset_error_naming_the_file(tmp_path):
    # 2**22 * 2**21 * 2**21 == 2**64 items: a corrupt idx3 header whose item count wraps to 0 in int64 arithmetic.
    path = write_bytes(tmp_path / "train-images-idx3-ubyte", idx_header(0x08, (2**22, 2**21, 2**21)))
    with raises_naming(path):
        read_idx(path)


HUGE_SHAPES = [(2**32 - 1, 28, 28), (2**32 - 1, 2**32 - 1), (2**31, 2**31, 4), (2**32 - 1,) * 3]


@pytest.mark.parametrize("shape", HUGE_SHAPES, ids=str)
def test_huge_sizes_in_a_short_file_are_reported_as_truncated(tmp_path, shape):
    path = write_bytes(tmp_path / "train-images-idx3-ubyte", idx_header(0x08, shape) + b"\x00" * 10)
    with raises_naming(path) as error:
        read_idx(path)
    assert "truncated" in str(error.value)


def test_corrupt_gzip_stream_raises_dataset_error_naming_the_file(tmp_path):
    gzipped = gzip_bytes(idx_bytes(np.arange(1000, dtype=np.uint8)))
    path = write_bytes(tmp_path / "train-images-idx3-ubyte.gz", corrupted(gzipped))
    with raises_naming(path) as error:
        read_idx(path)
    assert "gzip" in str(error.value)


@pytest.mark.parametrize("keep", [2, 10, 0.5, -1], ids=["magic only", "header only", "half", "one byte short"])
def test_truncated_gzip_file_raises_dataset_error_naming_the_file(tmp_path, keep):
    gzipped = gzip_bytes(idx_bytes(np.arange(1000, dtype=np.uint8)))
    length = int(len(gzipped) * keep) if isinstance(keep, float) else keep % len(gzipped)
    path = write_bytes(tmp_path / "train-images-idx3-ubyte.gz", gzipped[:length])
    with raises_naming(path) as error:
        read_idx(path)
    assert "gzip" in str(error.value)


def test_gzip_with_a_bad_crc_raises_dataset_error_naming_the_file(tmp_path):
    gzipped = bytearray(gzip_bytes(idx_bytes(SAMPLE)))
    gzipped[-8] ^= 0xFF  # the CRC32 of the trailer
    path = write_bytes(tmp_path / "t10k-labels-idx1-ubyte.gz", bytes(gzipped))
    with raises_naming(path):
        read_idx(path)


def test_the_dataset_error_keeps_the_gzip_error_as_its_cause(tmp_path):
    path = write_bytes(tmp_path / "t10k-labels-idx1-ubyte.gz", gzip_bytes(CONTENT)[:20])
    with raises_naming(path) as error:
        read_idx(path)
    assert error.value.__cause__ is not None


def test_parse_idx_names_the_source_it_is_given():
    with pytest.raises(tg.DatasetError, match="my-source-name"):
        parse_idx(CONTENT[:-1], "my-source-name")


def test_parse_idx_of_bytes_without_a_name_still_raises_dataset_error():
    with pytest.raises(tg.DatasetError):
        parse_idx(CONTENT + b"\x00")


def test_dataset_error_is_a_runtime_error():
    assert issubclass(tg.DatasetError, RuntimeError)
