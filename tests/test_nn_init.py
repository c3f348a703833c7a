"""nn.init beyond uniform/normal/xavier/kaiming: eye_, dirac_, orthogonal_, trunc_normal_, the
zero-element kaiming no-op and the deprecated names without the underscore, each with PyTorch's
errors and warnings."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import init


def test_eye_puts_ones_on_the_main_diagonal_of_any_2d_shape():
    np.testing.assert_array_equal(init.eye_(tg.empty(2, 3)).numpy(), np.eye(2, 3))


def test_eye_of_other_ranks_raises_value_error():
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(tg.empty(2, 2, 2))


def test_dirac_makes_the_identity_convolution():
    weight = init.dirac_(tg.empty(3, 3, 3, 3))
    x = tg.randn(1, 3, 5, 5)
    np.testing.assert_allclose(nn.functional.conv2d(x, weight, padding=1).numpy(), x.numpy(), rtol=1e-6)


def test_dirac_with_groups_repeats_the_identity_per_group_as_pytorch():
    expected = np.zeros((4, 2, 3))
    expected[0, 0, 1] = expected[1, 1, 1] = expected[2, 0, 1] = expected[3, 1, 1] = 1
    np.testing.assert_array_equal(init.dirac_(tg.empty(4, 2, 3), groups=2).numpy(), expected)


@pytest.mark.parametrize("call, message", [
    (lambda: init.dirac_(tg.empty(2, 2)), "Only tensors with 3, 4, or 5 dimensions are supported"),
    (lambda: init.dirac_(tg.empty(3, 2, 3), groups=2), "dim 0 must be divisible by groups"),
    (lambda: init.orthogonal_(tg.empty(3)), "Only tensors with 2 or more dimensions are supported"),
])
def test_init_shape_errors_are_pytorch_s(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (4, 2, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    weight = init.orthogonal_(tg.empty(*shape, dtype=tg.float64), gain=2.0).numpy().reshape(shape[0], -1)
    small = min(weight.shape)
    gram = weight @ weight.T if weight.shape[0] == small else weight.T @ weight
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)


def test_orthogonal_draws_from_the_seeded_generator():
    tg.manual_seed(3)
    first = init.orthogonal_(tg.empty(3, 3)).numpy()
    tg.manual_seed(3)
    np.testing.assert_array_equal(init.orthogonal_(tg.empty(3, 3)).numpy(), first)


def test_orthogonal_takes_a_generator():
    first = init.orthogonal_(tg.empty(3, 3), generator=np.random.default_rng(1)).numpy()
    np.testing.assert_array_equal(init.orthogonal_(tg.empty(3, 3), generator=np.random.default_rng(1)).numpy(), first)


def test_trunc_normal_stays_in_bounds_with_the_truncated_normal_s_moments():
    tg.manual_seed(0)
    values = init.trunc_normal_(tg.empty(200_000, dtype=tg.float64), mean=1.0, std=2.0, a=0.0, b=3.0).numpy()
    assert values.min() >= 0.0 and values.max() <= 3.0
    # N(1, 4) truncated to [0, 3]: α = −0.5, β = 1; mean 1 + 2(φ(α) − φ(β))/Z, Z = Φ(β) − Φ(α)
    phi = lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    z = 0.8413447460685429 - 0.3085375387259869
    assert values.mean() == pytest.approx(1 + 2 * (phi(-0.5) - phi(1.0)) / z, abs=0.01)


def test_trunc_normal_default_bounds_are_values_not_standard_deviations():
    values = init.trunc_normal_(tg.empty(10_000), std=0.02).numpy()
    assert values.std() == pytest.approx(0.02, rel=0.05)


def test_trunc_normal_warns_as_pytorch_when_the_mean_is_far_outside_the_interval():
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        init.trunc_normal_(tg.empty(100), mean=-2.5, std=0.2, a=-2.0, b=2.0)


def test_trunc_normal_of_an_interval_with_almost_no_mass_raises_value_error():
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="holds a probability of only"):
        init.trunc_normal_(tg.empty(3), mean=10.0)


@pytest.mark.parametrize("function", [init.kaiming_uniform_, init.kaiming_normal_])
def test_kaiming_of_a_zero_element_tensor_is_a_no_op_with_pytorch_s_warning(function):
    empty = tg.empty(0, 3)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        assert function(empty) is empty


def test_kaiming_takes_pytorch_s_full_signature():
    weight = init.kaiming_normal_(tg.empty(50, 40, dtype=tg.float64), 0.1, "fan_out", "leaky_relu",
                                  generator=np.random.default_rng(0))
    assert weight.numpy().std() == pytest.approx(np.sqrt(2 / 1.01) / np.sqrt(50), rel=0.05)


@pytest.mark.parametrize("name, args", [
    ("uniform", ()), ("normal", ()), ("constant", (0.5,)), ("eye", ()), ("xavier_uniform", ()),
    ("xavier_normal", ()), ("kaiming_uniform", ()), ("kaiming_normal", ()), ("orthogonal", ()),
])
def test_deprecated_names_without_underscore_warn_and_initialise(name, args):
    tensor = tg.zeros(3, 4)
    with pytest.warns(FutureWarning, match=f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`."):
        assert getattr(init, name)(tensor, *args) is tensor
    assert np.any(tensor.numpy() != 0)


def test_deprecated_dirac_warns_and_initialises():
    with pytest.warns(FutureWarning, match="nn.init.dirac_"):
        assert init.dirac(tg.zeros(2, 2, 3)).numpy().sum() == 2
