"""PyTorch's legacy typed constructors (tinygrad_np/legacy_types.py): `tg.FloatTensor(2, 3)`
makes a shape, `tg.LongTensor([1, 2])` converts data, and isinstance checks the dtype."""

import numpy as np
import pytest

import tinygrad_np as tg

TYPES = {"FloatTensor": tg.float32, "DoubleTensor": tg.float64, "HalfTensor": tg.float16, "LongTensor": tg.int64,
         "IntTensor": tg.int32, "ShortTensor": tg.int16, "CharTensor": tg.int8, "ByteTensor": tg.uint8,
         "BoolTensor": tg.bool}


@pytest.mark.parametrize("name", TYPES)
def test_sizes_make_a_zero_filled_tensor_of_the_types_dtype(name):
    t = getattr(tg, name)(2, 3)
    assert t.shape == (2, 3) and t.dtype == TYPES[name] and not t.numpy().any()


@pytest.mark.parametrize("name", TYPES)
def test_the_type_string_of_what_it_makes_is_its_name(name):
    assert getattr(tg, name)([1]).type() == f"torch.{name}"


def test_data_is_converted_to_the_dtype():
    t = tg.LongTensor([1.7, 2])
    assert t.dtype == tg.int64 and t.tolist() == [1, 2]


def test_a_float64_array_becomes_float32_in_a_float_tensor():
    assert tg.FloatTensor(np.array([1.5])).dtype == tg.float32


def test_a_size_and_the_size_keyword_make_shapes():
    assert tg.FloatTensor(tg.Size([2])).shape == (2,)
    assert tg.DoubleTensor(size=(2, 1)).shape == (2, 1)


def test_no_arguments_make_an_empty_tensor():
    assert tg.FloatTensor().shape == (0,)


def test_a_tensor_of_the_same_dtype_is_accepted():
    assert tg.FloatTensor(tg.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]


def test_a_tensor_of_another_dtype_is_refused():
    with pytest.raises(TypeError, match="expected a tensor of dtype float32"):
        tg.FloatTensor(tg.tensor([1, 2]))


def test_a_number_is_not_data():
    with pytest.raises(TypeError, match="data must be a sequence"):
        tg.FloatTensor(2.5)


def test_the_result_is_a_plain_tensor():
    assert type(tg.FloatTensor([1.0])) is tg.Tensor
    assert not issubclass(tg.FloatTensor, tg.Tensor)


def test_isinstance_checks_the_dtype():
    assert isinstance(tg.zeros(2), tg.FloatTensor)
    assert not isinstance(tg.zeros(2), tg.DoubleTensor)
    assert not isinstance(np.zeros(2, np.float32), tg.FloatTensor)


def test_type_converts_to_a_legacy_type():
    assert tg.zeros(2).type(tg.LongTensor).dtype == tg.int64


def test_a_device_other_than_the_cpu_is_refused():
    tg.FloatTensor(2, device="cpu")
    with pytest.raises(RuntimeError, match="no 'cuda' device"):
        tg.FloatTensor(2, device="cuda")
