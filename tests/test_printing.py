"""A tensor prints as PyTorch's does (tinygrad_np/printing.py); every expected text here is
PyTorch 2.x's for the same values and options."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.printing import OPTIONS


@pytest.fixture(autouse=True)
def default_print_options():
    tg.set_printoptions(profile="default")
    yield
    tg.set_printoptions(profile="default")


def test_a_scalar_loss_prints_four_decimals_and_its_grad_fn():
    loss = tg.tensor(2.2149, requires_grad=True) * 1
    assert repr(loss) == "tensor(2.2149, grad_fn=<MulBackward0>)"


def test_all_elements_of_a_float_tensor_get_the_same_decimals():
    assert repr(tg.tensor([1.5, 2.25])) == "tensor([1.5000, 2.2500])"


def test_integral_floats_print_with_a_trailing_point():
    assert repr(tg.tensor([[0.0, 1.0], [10.0, -2.0]])) == "tensor([[ 0.,  1.],\n        [10., -2.]])"


def test_integers_and_bools_print_right_aligned():
    assert repr(tg.tensor([1, -200000, 3], dtype=tg.int32)) == "tensor([      1, -200000,       3], dtype=int32)"
    assert repr(tg.tensor([True, False])) == "tensor([ True, False])"


def test_a_wide_range_prints_in_scientific_notation():
    assert repr(tg.tensor([1e-5, 1.0])) == "tensor([1.0000e-05, 1.0000e+00])"
    assert repr(tg.tensor([1e9, 1.0])) == "tensor([1.0000e+09, 1.0000e+00])"


def test_nan_and_inf_take_the_format_of_the_finite_values():
    assert repr(tg.tensor([np.nan, 1.5, np.inf, -2.0])) == "tensor([    nan,  1.5000,     inf, -2.0000])"
    assert repr(tg.tensor([np.nan, 1.0, np.inf, -2.0])) == "tensor([nan,  1., inf, -2.])"


def test_a_3d_tensor_separates_its_matrices_by_a_blank_line():
    expected = ("tensor([[[0., 1.],\n"
                "         [2., 3.]],\n"
                "\n"
                "        [[4., 5.],\n"
                "         [6., 7.]]])")
    assert repr(tg.arange(8.0).reshape(2, 2, 2)) == expected


def test_long_rows_wrap_at_the_line_width():
    expected = ("tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
                "        3.0000])")
    assert repr(tg.arange(10.0) / 3) == expected


def test_a_suffix_that_would_pass_the_line_width_goes_on_a_new_line():
    expected = ("tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
                "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000],\n"
                "       requires_grad=True)")
    assert repr((tg.arange(16.0) / 3).requires_grad_()) == expected


def test_more_than_threshold_elements_are_summarized():
    expected = ("tensor([[   0,    1,    2,  ...,   97,   98,   99],\n"
                "        [ 100,  101,  102,  ...,  197,  198,  199],\n"
                "        [ 200,  201,  202,  ...,  297,  298,  299],\n"
                "        ...,\n"
                "        [4700, 4701, 4702,  ..., 4797, 4798, 4799],\n"
                "        [4800, 4801, 4802,  ..., 4897, 4898, 4899],\n"
                "        [4900, 4901, 4902,  ..., 4997, 4998, 4999]])")
    assert repr(tg.arange(5000).reshape(50, 100)) == expected


def test_the_format_is_chosen_from_the_elements_shown():
    expected = ("tensor([0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 2.8529e+02, 2.8543e+02,\n"
                "        2.8557e+02])")
    assert repr(tg.arange(2000.0) / 7) == expected


def test_empty_tensors_show_their_size_and_a_non_default_dtype():
    assert repr(tg.zeros(0)) == "tensor([])"
    assert repr(tg.zeros(2, 0)) == "tensor([], size=(2, 0))"
    assert repr(tg.zeros(0, dtype=tg.int64)) == "tensor([], dtype=int64)"


def test_precision_sets_the_decimals():
    tg.set_printoptions(precision=2)
    assert repr(tg.tensor([1.5, 2.25])) == "tensor([1.50, 2.25])"


def test_sci_mode_forces_scientific_notation_on_or_off():
    tg.set_printoptions(sci_mode=True)
    assert repr(tg.tensor([1.5, 2.25])) == "tensor([1.5000e+00, 2.2500e+00])"
    tg.set_printoptions(sci_mode=False)
    assert repr(tg.tensor([1e-6, 2.25])) == "tensor([0.0000, 2.2500])"


def test_sci_mode_is_reset_by_a_call_that_does_not_give_it():
    tg.set_printoptions(sci_mode=True)
    tg.set_printoptions(precision=2)
    assert OPTIONS.sci_mode is None


def test_threshold_and_edgeitems_set_the_summary():
    tg.set_printoptions(threshold=5, edgeitems=1)
    assert repr(tg.arange(10.0)) == "tensor([0.,  ..., 9.])"


def test_linewidth_sets_where_rows_wrap():
    tg.set_printoptions(linewidth=40)
    assert repr(tg.arange(6.0) / 3) == "tensor([0.0000, 0.3333, 0.6667, 1.0000,\n        1.3333, 1.6667])"


def test_the_short_profile_prints_two_decimals_and_two_edge_items():
    tg.set_printoptions(profile="short")
    assert (OPTIONS.precision, OPTIONS.threshold, OPTIONS.edgeitems, OPTIONS.linewidth) == (2, 1000, 2, 80)


def test_the_full_profile_never_summarizes():
    tg.set_printoptions(profile="full")
    assert "..." not in repr(tg.arange(1200))


def test_the_default_profile_restores_pytorchs_defaults():
    tg.set_printoptions(precision=7, threshold=3, edgeitems=1, linewidth=20)
    tg.set_printoptions(profile="default")
    assert (OPTIONS.precision, OPTIONS.threshold, OPTIONS.edgeitems, OPTIONS.linewidth) == (4, 1000, 3, 80)


def test_an_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown profile 'wide'"):
        tg.set_printoptions(profile="wide")


def test_numpys_print_options_are_left_alone():
    before = np.get_printoptions()
    tg.set_printoptions(precision=1, linewidth=30)
    repr(tg.arange(100.0))
    assert np.get_printoptions() == before
