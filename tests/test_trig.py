"""Trigonometric and hyperbolic functions, hypot, logaddexp, lerp and erfinv at the points the
registry's smooth cases avoid: domain edges, the origin, dtypes and errors (PyTorch's)."""

import warnings

import numpy as np
import pytest

import tinygrad_np as tg


def test_erfinv_is_accurate_to_the_last_digits_up_to_the_tails():
    x = tg.tensor([0.5, -0.3, 0.99, 0.999999, 1 - 1e-12], dtype=tg.float64)
    # erf⁻¹ to 16 digits (mpmath): the tail needs the complementary residual 1 − |x| − erfc(y)
    expected = [0.4769362762044699, -0.2724627147267543, 1.8213863677184494, 3.458910737275499, 5.042031898572696]
    np.testing.assert_allclose(tg.erfinv(x).numpy(), expected, rtol=4e-16)


def test_erfinv_is_infinite_at_plus_minus_one_and_nan_outside():
    out = tg.tensor([-1.0, 1.0, 1.5, -2.0]).erfinv()
    assert out.tolist()[:2] == [-np.inf, np.inf] and np.isnan(out.numpy()[2:]).all()


def test_erf_of_erfinv_gives_back_the_input():
    x = tg.tensor(np.linspace(-0.999, 0.999, 101))
    np.testing.assert_allclose(x.erfinv().erf().numpy(), x.numpy(), rtol=0, atol=1e-15)


def test_out_of_domain_inputs_give_nan_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(tg.tensor([2.0]).asin().item())
        assert np.isnan(tg.tensor([0.5]).acosh().item())
        assert tg.tensor([1.0]).atanh().item() == np.inf


def test_integer_inputs_become_the_default_float():
    assert tg.tensor([1, 2]).tan().dtype == tg.float32
    assert tg.atan2(tg.tensor([1]), tg.tensor([1])).dtype == tg.float32
    assert tg.tensor([2, 4]).reciprocal().tolist() == [0.5, 0.25]


def test_float32_results_are_correctly_rounded():
    assert tg.atan2(tg.tensor([1.0]), tg.tensor([1.0])).item() == np.float32(np.pi / 4)


def test_atan2_has_a_zero_gradient_at_the_origin_as_pytorch():
    y = tg.tensor([0.0, 0.0], requires_grad=True)
    x = tg.tensor([0.0, 2.0], requires_grad=True)
    tg.atan2(y, x).sum().backward()
    assert y.grad.tolist() == [0.0, 0.5] and x.grad.tolist() == [0.0, 0.0]


def test_logaddexp_does_not_overflow_and_splits_a_tie_evenly():
    a = tg.tensor([1000.0, -1000.0, 1.0], requires_grad=True)
    b = tg.tensor([1000.0, 3.0, 1.0], requires_grad=True)
    out = tg.logaddexp(a, b)
    np.testing.assert_allclose(out.numpy(), [1000 + np.log(2), 3.0, 1 + np.log(2)], rtol=1e-6)
    out.sum().backward()
    assert a.grad.tolist()[0] == 0.5 and b.grad.tolist()[0] == 0.5


@pytest.mark.parametrize("op", [tg.hypot, tg.logaddexp])
def test_hypot_and_logaddexp_take_float_tensors_only(op):
    with pytest.raises(TypeError):
        op(tg.tensor([1.0]), 2.0)
    with pytest.raises(NotImplementedError):
        op(tg.tensor([1]), tg.tensor([2]))


def test_lerp_refuses_an_end_of_another_dtype_and_integer_tensors():
    with pytest.raises(RuntimeError, match="expected dtype"):
        tg.tensor([1.0]).lerp(tg.tensor([2.0], dtype=tg.float64), 0.5)
    with pytest.raises(NotImplementedError):
        tg.tensor([1]).lerp(tg.tensor([2]), 0.5)


def test_in_place_trig_refuses_an_integer_tensor():
    with pytest.raises(RuntimeError, match="can't be cast"):
        tg.tensor([1, 2]).tan_()
