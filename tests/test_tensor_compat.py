"""The Tensor's PyTorch surface beyond the ops: tg.Size, the legacy constructor tg.Tensor(...),
tensor / as_tensor / from_numpy (copy or share), dtype names and limits, type names, formatting,
and the small methods PyTorch scripts call (t, mm, bmm, contiguous, new_*, ...), each as
PyTorch 2.x does it."""

import pickle

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.device import NoDeviceError

# ------------------------------------------------------------------ tg.Size


def test_shape_and_size_are_a_size_that_prints_as_pytorchs():
    t = tg.zeros(2, 3)
    assert type(t.shape) is tg.Size and type(t.size()) is tg.Size
    assert repr(t.shape) == str(t.size()) == f"{t.shape}" == "torch.Size([2, 3])"
    assert repr(tg.tensor(1.0).shape) == "torch.Size([])"


def test_size_is_a_tuple_of_ints():
    s = tg.Size([2, 3])
    assert s == (2, 3) and hash(s) == hash((2, 3)) and isinstance(s, tuple)
    assert s[1] == 3 and type(s[1]) is int
    assert np.zeros(s).shape == (2, 3)


def test_size_slicing_adding_and_repeating_keep_the_type():
    s = tg.Size([2, 3])
    assert [type(x) for x in (s[1:], s + (4,), (1,) + s, s * 2)] == [tg.Size] * 4
    assert s + (4,) == (2, 3, 4) and (1,) + s == (1, 2, 3)


def test_size_numel_is_the_product_of_the_sizes():
    assert tg.Size([2, 3, 4]).numel() == 24
    assert tg.Size([]).numel() == 1


def test_size_takes_only_ints():
    assert tg.Size([np.int64(3), tg.tensor(2)]) == (3, 2)
    with pytest.raises(TypeError):
        tg.Size([2.5])
    with pytest.raises(TypeError):
        tg.Size([tg.tensor(2.0)])


def test_size_survives_pickling():
    s = pickle.loads(pickle.dumps(tg.Size([2, 3])))
    assert type(s) is tg.Size and s == (2, 3)


def test_size_with_a_dim_is_an_int():
    t = tg.zeros(2, 3)
    assert t.size(1) == 3 and t.size(-2) == 2 and type(t.size(0)) is int


# ------------------------------------------------------------------ the legacy constructor tg.Tensor(...)


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int64, np.int8, np.uint8, np.bool_], ids=str)
def test_legacy_constructor_converts_an_ndarray_to_the_default_float_dtype(dtype):
    t = tg.Tensor(np.array([1, 0, 1], dtype=dtype))
    assert t.dtype == tg.float32
    np.testing.assert_array_equal(t.numpy(), [1.0, 0.0, 1.0])


def test_legacy_constructor_shares_an_ndarray_of_the_default_float_dtype():
    array = np.zeros(3, dtype=np.float32)
    assert tg.Tensor(array).numpy() is array


def test_legacy_constructor_follows_the_default_dtype():
    previous = tg.get_default_dtype()
    tg.set_default_dtype(tg.float64)
    try:
        assert tg.Tensor([1, 2]).dtype == tg.Tensor(2).dtype == tg.float64
    finally:
        tg.set_default_dtype(previous)


@pytest.mark.parametrize("make", [lambda: tg.Tensor(2, 3), lambda: tg.Tensor(size=(2, 3)),
                                  lambda: tg.Tensor(tg.Size([2, 3])), lambda: tg.Tensor(np.int64(2), 3)],
                         ids=["ints", "size=", "Size", "numpy ints"])
def test_legacy_constructor_with_sizes_makes_a_zero_filled_float_tensor_of_that_shape(make):
    t = make()
    assert t.shape == (2, 3) and t.dtype == tg.float32
    assert not t.numpy().any()


def test_legacy_constructor_with_a_tuple_reads_it_as_data_not_as_a_shape():
    np.testing.assert_array_equal(tg.Tensor((2, 3)).numpy(), [2.0, 3.0])


def test_legacy_constructor_without_arguments_makes_an_empty_float_tensor():
    t = tg.Tensor()
    assert t.shape == (0,) and t.dtype == tg.float32


def test_legacy_constructor_of_a_tensor_is_an_alias_keeping_its_dtype():
    x = tg.tensor([1, 2])
    y = tg.Tensor(x)
    assert y is not x and y.dtype == tg.int64
    y[0] = 5
    assert x.tolist() == [5, 2] and x._version == y._version == 1


def test_legacy_constructor_of_a_tensor_that_requires_grad_stays_in_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (tg.Tensor(x) * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_legacy_constructor_takes_dtype_and_requires_grad_as_an_extension():
    t = tg.Tensor([1, 2], dtype=tg.float64, requires_grad=True)
    assert t.dtype == tg.float64 and t.requires_grad


@pytest.mark.parametrize("data", [2.5, np.float64(1.0), "ab"], ids=repr)
def test_legacy_constructor_refuses_a_number_or_string_as_data(data):
    with pytest.raises(TypeError):
        tg.Tensor(data)


def test_legacy_constructor_refuses_a_negative_size():
    with pytest.raises(RuntimeError, match="negative dimension"):
        tg.Tensor(-1)


def test_legacy_constructor_refuses_complex_data():
    with pytest.raises(TypeError, match="cannot make a tensor of dtype"):
        tg.Tensor(np.array([1 + 2j]))


# ------------------------------------------------------------------ tensor, as_tensor, from_numpy


def test_tensor_of_a_tensor_is_a_detached_copy():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = tg.tensor(x)
    assert y.is_leaf and not y.requires_grad
    assert not np.shares_memory(x.numpy(), y.numpy())


def test_tensor_takes_pytorchs_keywords():
    t = tg.tensor([1, 2], dtype=tg.float64, device="cpu", requires_grad=True, pin_memory=False)
    assert t.dtype == tg.float64 and t.requires_grad


def test_as_tensor_returns_a_tensor_of_its_dtype_itself():
    x = tg.tensor([1.0, 2.0])
    assert tg.as_tensor(x) is x and tg.as_tensor(x, dtype=tg.float32) is x


def test_as_tensor_converts_a_tensor_to_another_dtype_in_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = tg.as_tensor(x, dtype=tg.float64)
    assert y.dtype == tg.float64 and y.grad_fn is not None


def test_as_tensor_of_python_data_follows_the_dtype_policy():
    assert tg.as_tensor([1.5, 2]).dtype == tg.float32
    assert tg.as_tensor(3).dtype == tg.int64


def test_as_tensor_converts_an_ndarray_of_another_dtype_without_touching_it():
    array = np.arange(3.0)
    t = tg.as_tensor(array, dtype=tg.float32)
    assert t.dtype == tg.float32 and array.dtype == np.float64


def test_from_numpy_shares_memory_both_ways():
    array = np.zeros(3)
    t = tg.from_numpy(array)
    array[0] = 1.0
    t[1] = 2.0
    assert t.tolist() == [1.0, 2.0, 0.0] and array.tolist() == [1.0, 2.0, 0.0]


@pytest.mark.parametrize("data", [[1, 2], np.float64(1.0), tg.zeros(2)], ids=["list", "numpy scalar", "tensor"])
def test_from_numpy_refuses_anything_but_an_ndarray(data):
    with pytest.raises(TypeError, match="expected np.ndarray"):
        tg.from_numpy(data)


def test_from_numpy_refuses_an_unsupported_dtype():
    with pytest.raises(TypeError, match="cannot make a tensor of dtype"):
        tg.from_numpy(np.array(["a"]))


def test_from_numpy_refuses_a_non_native_byte_order():
    with pytest.raises(ValueError, match="byte order"):
        tg.from_numpy(np.zeros(2, dtype=">f4"))


def test_is_tensor_and_numel():
    assert tg.is_tensor(tg.zeros(1)) and not tg.is_tensor(np.zeros(1))
    assert tg.numel(tg.zeros(2, 3)) == tg.zeros(2, 3).nelement() == 6


def test_element_size_is_bytes_per_element():
    assert tg.zeros(1).element_size() == 4 and tg.zeros(1, dtype=tg.float64).element_size() == 8
    assert tg.tensor([True]).element_size() == 1


# ------------------------------------------------------------------ nn.Parameter


@pytest.mark.parametrize("dtype", [tg.float16, tg.float32, tg.float64], ids=str)
def test_parameter_keeps_its_datas_dtype_and_memory(dtype):
    data = tg.zeros(2, dtype=dtype)
    p = nn.Parameter(data)
    assert p.dtype == dtype and p.numpy() is data.numpy() and p.requires_grad


def test_parameter_shares_its_tensors_version_counter():
    data = tg.zeros(2)
    p = nn.Parameter(data)
    data.add_(1)
    assert p._version == 1


def test_parameter_without_data_is_empty_of_the_default_dtype():
    p = nn.Parameter()
    assert p.shape == (0,) and p.dtype == tg.float32 and p.requires_grad


def test_parameter_of_an_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(tg.tensor([1, 2]))
    assert nn.Parameter(tg.tensor([1, 2]), requires_grad=False).dtype == tg.int64


# ------------------------------------------------------------------ dtypes


@pytest.mark.parametrize("name, dtype", [("float", np.float32), ("double", np.float64), ("half", np.float16),
                                         ("long", np.int64), ("int", np.int32), ("short", np.int16),
                                         ("bool", np.bool_), ("uint8", np.uint8), ("int8", np.int8)])
def test_pytorchs_dtype_names_are_dtypes(name, dtype):
    assert getattr(tg, name) == np.dtype(dtype)
    assert isinstance(getattr(tg, name), tg.dtype)


def test_is_floating_point():
    assert tg.zeros(1).is_floating_point() and tg.is_floating_point(tg.zeros(1, dtype=tg.float16))
    assert not tg.tensor([1]).is_floating_point() and not tg.is_floating_point(tg.tensor([True]))


@pytest.mark.parametrize("dtype", [tg.float16, tg.float32, tg.float64], ids=str)
def test_finfo_gives_the_limits_of_a_float_dtype_as_python_floats(dtype):
    info, reference = tg.finfo(dtype), np.finfo(dtype)
    assert (info.eps, info.max, info.min, info.tiny) == (reference.eps, reference.max, reference.min,
                                                         reference.smallest_normal)
    assert type(info.eps) is float and info.bits == reference.bits and info.dtype == np.dtype(dtype).name


def test_finfo_without_a_dtype_describes_the_default_float_dtype():
    assert tg.finfo().eps == np.finfo(np.float32).eps


@pytest.mark.parametrize("dtype", [tg.int8, tg.int16, tg.int32, tg.int64, tg.uint8], ids=str)
def test_iinfo_gives_the_limits_of_an_integer_dtype_as_python_ints(dtype):
    info = tg.iinfo(dtype)
    assert (info.min, info.max, info.bits) == (np.iinfo(dtype).min, np.iinfo(dtype).max, np.iinfo(dtype).bits)
    assert type(info.max) is int


def test_finfo_and_iinfo_refuse_the_other_kind_of_dtype():
    with pytest.raises(TypeError, match="iinfo"):
        tg.finfo(tg.int32)
    with pytest.raises(TypeError, match="finfo"):
        tg.iinfo(tg.float32)
    with pytest.raises(TypeError):
        tg.iinfo(tg.bool)


# ------------------------------------------------------------------ type names


@pytest.mark.parametrize("dtype, name", [(tg.float32, "torch.FloatTensor"), (tg.float64, "torch.DoubleTensor"),
                                         (tg.float16, "torch.HalfTensor"), (tg.int64, "torch.LongTensor"),
                                         (tg.int32, "torch.IntTensor"), (tg.int16, "torch.ShortTensor"),
                                         (tg.int8, "torch.CharTensor"), (tg.uint8, "torch.ByteTensor"),
                                         (tg.bool, "torch.BoolTensor")])
def test_type_names_the_tensor_type_and_converts_to_it(dtype, name):
    assert tg.zeros(1, dtype=dtype).type() == name
    assert tg.zeros(1).type(name).dtype == dtype


def test_type_with_a_dtype_converts_and_returns_self_when_it_already_has_it():
    x = tg.tensor([1.5, 2.5])
    assert x.type(tg.long).tolist() == [1, 2]
    assert x.type(tg.float32) is x and x.type("torch.FloatTensor") is x


def test_type_refuses_an_unknown_name_and_cuda_types():
    with pytest.raises(ValueError, match="invalid type"):
        tg.zeros(1).type("LongTensor")
    with pytest.raises(NoDeviceError, match="cuda"):
        tg.zeros(1).type("torch.cuda.FloatTensor")


def test_type_as_converts_to_the_others_dtype():
    assert tg.tensor([1.5]).type_as(tg.tensor([1])).dtype == tg.int64
    assert tg.tensor([1]).type_as(tg.zeros(1)).dtype == tg.float32


# ------------------------------------------------------------------ formatting


def test_a_0d_tensor_formats_as_its_number():
    t = tg.tensor(3.14159, dtype=tg.float64)
    assert f"{t:.2f}" == "3.14" and format(t, "+.2f") == "+3.14" and f"{tg.tensor(3):d}" == "3"
    assert f"{t}" == str(3.14159)


def test_other_tensors_format_only_with_an_empty_spec():
    t = tg.tensor([1.5, 2.5])
    assert f"{t}" == str(t)
    with pytest.raises(TypeError):
        f"{t:.2f}"
    with pytest.raises(TypeError):
        f"{tg.tensor([1.5]):.2f}"  # one element but one dim: refused, as PyTorch


# ------------------------------------------------------------------ small methods


def test_t_transposes_a_matrix_and_leaves_vectors_and_scalars():
    m = tg.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(m.t().numpy(), m.numpy().T)
    assert tg.t(tg.arange(3)).tolist() == [0, 1, 2] and tg.tensor(1.0).t().item() == 1.0


def test_t_refuses_more_than_two_dims():
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        tg.zeros(2, 2, 2).t()


def test_mm_multiplies_matrices():
    a, b = tg.arange(6.0).reshape(2, 3), tg.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(tg.mm(a, b).numpy(), a.numpy() @ b.numpy())


@pytest.mark.parametrize("a, b, message", [((2, 3), (2, 3), "cannot be multiplied"), ((3,), (3, 2), "must be a matrix"),
                                           ((2, 3), (3,), "must be a matrix"), ((1, 2, 3), (3, 2), "must be a matrix")])
def test_mm_refuses_what_is_not_two_fitting_matrices(a, b, message):
    with pytest.raises(tg.ShapeError, match=message):
        tg.zeros(a).mm(tg.zeros(b))


@pytest.mark.parametrize("op", ["mm", "bmm"])
def test_mm_and_bmm_refuse_mixed_dtypes(op):
    shape = (2, 2) if op == "mm" else (1, 2, 2)
    with pytest.raises(RuntimeError, match="same dtype"):
        getattr(tg.zeros(shape), op)(tg.zeros(shape, dtype=tg.float64))


def test_bmm_multiplies_batches_of_matrices():
    a, b = tg.randn(4, 2, 3), tg.randn(4, 3, 5)
    np.testing.assert_allclose(tg.bmm(a, b).numpy(), a.numpy() @ b.numpy(), rtol=1e-6)


@pytest.mark.parametrize("a, b, message", [((2, 3), (2, 3, 2), "batch1 must be a 3D"),
                                           ((4, 2, 3), (3, 2), "batch2 must be a 3D"),
                                           ((4, 2, 3), (4, 2, 3), r"\[4, 3\] but got: \[4, 2\]"),
                                           ((4, 2, 3), (1, 3, 2), r"\[4, 3\] but got: \[1, 3\]")])
def test_bmm_refuses_what_is_not_two_fitting_batches(a, b, message):
    with pytest.raises(tg.ShapeError, match=message):
        tg.zeros(a).bmm(tg.zeros(b))


def test_contiguous_is_self_for_a_c_ordered_tensor():
    t = tg.zeros(2, 3)
    assert t.is_contiguous() and t.contiguous() is t


def test_contiguous_copies_a_transposed_tensor_into_c_order_in_the_graph():
    x = tg.arange(6.0).reshape(2, 3).requires_grad_()
    t = x.t()
    assert not t.is_contiguous()
    c = t.contiguous()
    assert c.is_contiguous() and c.numpy().flags.c_contiguous
    np.testing.assert_array_equal(c.numpy(), t.numpy())
    (c * tg.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0).reshape(3, 2).T)


def test_view_as_reshape_as_and_expand_as_take_the_others_shape():
    x, other = tg.arange(6), tg.zeros(3, 2)
    assert x.view_as(other).shape == x.reshape_as(other).shape == (3, 2)
    assert tg.ones(1, 2).expand_as(other).shape == (3, 2)


def test_new_factories_take_this_tensors_dtype_unless_given():
    x = tg.tensor([1, 2])
    assert x.new_zeros(2, 3).dtype == x.new_ones((2,)).dtype == x.new_empty(2).dtype == tg.int64
    assert x.new_zeros(2).tolist() == [0, 0] and x.new_ones(2).tolist() == [1, 1]
    assert x.new_zeros(2, dtype=tg.float64).dtype == tg.float64


def test_new_full_converts_the_fill_value_to_this_dtype():
    assert tg.tensor([1, 2]).new_full((2,), 7.5).tolist() == [7, 7]
    assert tg.zeros(1).new_full((2,), 7).dtype == tg.float32


def test_new_tensor_is_a_copy_in_this_dtype():
    x = tg.zeros(1)
    array = np.arange(2.0)
    t = x.new_tensor(array, requires_grad=True)
    assert t.dtype == tg.float32 and t.requires_grad and not np.shares_memory(t.numpy(), array)


def test_detach__cuts_the_tensor_itself_from_the_graph():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_randperm_is_a_permutation_of_int64_by_default():
    tg.manual_seed(0)
    p = tg.randperm(10)
    assert p.dtype == tg.int64 and sorted(p.tolist()) == list(range(10))
    assert tg.randperm(0).shape == (0,)
    assert tg.randperm(4, dtype=tg.float32, requires_grad=True).requires_grad


def test_randperm_refuses_a_negative_n_and_integer_tensors_requiring_grad():
    with pytest.raises(RuntimeError):
        tg.randperm(-1)
    with pytest.raises(RuntimeError, match="floating point"):
        tg.randperm(3, requires_grad=True)


def test_detach__refuses_a_view():
    with pytest.raises(RuntimeError, match="views in-place"):
        tg.ones(4)[:2].detach_()
