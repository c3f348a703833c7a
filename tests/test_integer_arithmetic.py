"""`%`, `//`, `div(rounding_mode=...)` and the bitwise operators: PyTorch's signs, dtypes,
errors and gradients at the points the registry's smooth cases cannot show (the values
themselves are checked against NumPy in test_ops.py)."""

import numpy as np
import pytest

import tinygrad_np as tg


def test_remainder_takes_the_divisors_sign_and_fmod_the_dividends():
    a, b = tg.tensor([7, -7, 7, -7]), tg.tensor([2, 2, -2, -2])
    assert (a % b).tolist() == [1, 1, -1, -1]
    assert tg.fmod(a, b).tolist() == [1, -1, 1, -1]


def test_a_zero_float_remainder_keeps_the_dividends_sign_as_pytorch():
    assert np.signbit((tg.tensor(-4.0) % 2.0).item())
    assert not np.signbit((tg.tensor(4.0) % -2.0).item())


def test_remainder_is_exact_where_a_minus_b_times_the_quotient_rounds():
    assert (tg.tensor(0.7, dtype=tg.float64) % 0.1).item() == np.fmod(0.7, 0.1)


def test_float_division_by_zero_gives_nan_and_inf_as_pytorch():
    x = tg.tensor([1.0, -1.0, 0.0])
    assert np.isnan((x % 0.0).numpy()).all()
    assert (x // 0.0).tolist()[:2] == [np.inf, -np.inf] and np.isnan((x // 0.0)[2].item())


@pytest.mark.parametrize("op", [lambda a: a % 0, lambda a: a // 0, lambda a: tg.fmod(a, 0),
                                lambda a: a.div(tg.tensor([1, 0]), rounding_mode="trunc")])
def test_integer_division_by_zero_raises(op):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        op(tg.tensor([7, 8]))


@pytest.mark.parametrize("op", [lambda a: a // a, lambda a: a % a, lambda a: a.div(a, rounding_mode="floor")])
def test_bool_division_is_not_implemented(op):
    with pytest.raises(NotImplementedError):
        op(tg.tensor([True, False]))


def test_rounded_division_keeps_integers_and_truncates_towards_zero():
    a, b = tg.tensor([7, -7]), tg.tensor([2, 2])
    assert a.div(b, rounding_mode="trunc").tolist() == [3, -3]
    assert (a // b).tolist() == [3, -4]
    assert (a // b).dtype == tg.int64
    assert (a // 2.5).tolist() == [2.0, -3.0]


def test_an_unknown_rounding_mode_raises():
    with pytest.raises(RuntimeError, match="rounding_mode"):
        tg.tensor([1.0]).div(2.0, rounding_mode="round")


def test_reflected_remainder_and_floor_division_put_the_number_first():
    t = tg.tensor([3, -3])
    assert (5 % t).tolist() == [2, -1]
    assert (5 // t).tolist() == [1, -2]


def test_remainder_gradient_is_one_and_minus_the_floored_quotient():
    a = tg.tensor([5.3, -5.3], requires_grad=True)
    b = tg.tensor([2.0, 2.0], requires_grad=True)
    (a % b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [-2.0, 3.0]


def test_rounded_quotients_have_a_zero_gradient():
    a = tg.tensor([5.3, -5.3], requires_grad=True)
    b = tg.tensor([2.0, 2.0], requires_grad=True)
    ((a // b) + a.div(b, rounding_mode="trunc")).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0] and b.grad.tolist() == [0.0, 0.0]


def test_unary_plus_is_the_tensor_itself_and_refuses_bool():
    t = tg.tensor([1.0])
    assert +t is t
    with pytest.raises(RuntimeError, match="bool"):
        +tg.tensor([True])


def test_bitwise_ops_on_bool_stay_bool_and_an_int_scalar_makes_int64():
    m = tg.tensor([True, False])
    assert (m & tg.tensor([True, True])).dtype == tg.bool
    assert (True ^ m).tolist() == [False, True]
    assert (m & 1).dtype == tg.int64 and (2 | m).tolist() == [3, 2]


def test_bitwise_ops_refuse_floats():
    with pytest.raises(NotImplementedError):
        tg.tensor([1.0]) & tg.tensor([1.0])
    with pytest.raises(NotImplementedError):
        tg.tensor([1]) | 1.5
    with pytest.raises(NotImplementedError):
        tg.bitwise_not(tg.tensor([1.0]))


def test_in_place_operators_change_the_tensor_itself():
    t = tg.tensor([7, -7])
    same = t
    t %= 3
    t //= 2
    t |= 4
    t ^= 1
    t &= 6
    assert t is same and t.tolist() == [4, 4]


def test_in_place_forms_refuse_a_result_that_does_not_cast_back():
    with pytest.raises(RuntimeError, match="can't be cast"):
        tg.tensor([3]).floor_divide_(2.0)
    with pytest.raises(RuntimeError, match="can't be cast"):
        tg.tensor([True]).bitwise_and_(tg.tensor([3]))
