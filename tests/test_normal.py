"""tg.normal (tinygrad_np/normal.py): PyTorch's four forms, their dtypes, checks and zero gradient."""

import numpy as np
import pytest

import tinygrad_np as tg

N = 20000


def test_number_mean_and_std_with_a_size_draw_that_many():
    tg.manual_seed(0)
    x = tg.normal(2.0, 3.0, size=(N,))
    assert x.shape == (N,) and x.dtype == tg.float32
    assert abs(x.mean().item() - 2.0) < 6 * 3.0 / N**0.5
    assert abs(x.std().item() - 3.0) < 0.1


def test_tensor_mean_and_std_draw_one_value_per_element():
    tg.manual_seed(0)
    x = tg.normal(tg.tensor([-100.0, 100.0]).repeat(N // 2), tg.tensor([1.0, 0.0]).repeat(N // 2))
    values = x.numpy().reshape(-1, 2)
    assert np.all(values[:, 1] == 100.0)
    assert abs(values[:, 0].mean() + 100.0) < 6 / (N // 2) ** 0.5


@pytest.mark.parametrize("mean, std", [(tg.zeros(2, 1), 1.0), (0.0, tg.ones(2, 1)), (tg.zeros(2, 1), tg.ones(3))])
def test_tensor_forms_take_the_broadcast_shape(mean, std):
    expected = (2, 3) if isinstance(std, tg.Tensor) and std.shape == (3,) else (2, 1)
    assert tg.normal(mean, std).shape == expected


def test_tensor_forms_keep_the_tensors_dtype():
    assert tg.normal(tg.zeros(2, dtype=tg.float64), 1.0).dtype == tg.float64


def test_the_size_form_takes_dtype_and_requires_grad():
    x = tg.normal(0.0, 1.0, (2,), dtype=tg.float64, requires_grad=True)
    assert x.dtype == tg.float64 and x.requires_grad


def test_draws_come_from_the_given_generator():
    first = tg.normal(0.0, 1.0, (5,), generator=tg.Generator().manual_seed(7))
    assert tg.equal(first, tg.normal(0.0, 1.0, (5,), generator=tg.Generator().manual_seed(7)))


def test_the_gradient_to_mean_and_std_is_zero_as_pytorchs():
    mean, std = tg.zeros(3, requires_grad=True), tg.ones(3, requires_grad=True)
    tg.normal(mean, std).sum().backward()
    assert mean.grad.tolist() == [0.0] * 3 and std.grad.tolist() == [0.0] * 3


def test_a_negative_std_is_refused():
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1.0"):
        tg.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        tg.normal(tg.zeros(2), -tg.ones(2))


def test_numbers_without_a_size_are_refused():
    with pytest.raises(TypeError, match="give the size"):
        tg.normal(0.0, 1.0)


def test_tensors_with_a_size_are_refused():
    with pytest.raises(TypeError, match="size="):
        tg.normal(tg.zeros(2), tg.ones(2), size=(2,))


def test_integer_tensors_are_refused():
    with pytest.raises(NotImplementedError, match='"normal" is not implemented for int64'):
        tg.normal(tg.tensor([0, 1]), 1.0)


def test_normal_takes_out():
    out = tg.zeros(3)
    assert tg.normal(0.0, 1.0, (3,), out=out) is out
