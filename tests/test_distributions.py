"""tinygrad_np.distributions behaves as torch.distributions: shapes, argument validation,
log-densities, entropies, KL divergences and sampling, with gradients flowing through
log_prob, rsample, entropy and kl_divergence (gradcheck in float64 over Hypothesis shapes).

The sampling tests draw 200,000 values from a fixed seed; each tolerance is more than six
standard deviations of the estimate from that many draws, so they hold for any seed.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, shapes

import tinygrad_np as tg
from tinygrad_np.distributions import (
    Bernoulli,
    Categorical,
    Distribution,
    Independent,
    Normal,
    OneHotCategorical,
    Uniform,
    constraints,
    kl_divergence,
    register_kl,
)

DRAWS = 200_000


def leaf(array) -> tg.Tensor:
    return tg.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def simplex(shape) -> np.ndarray:
    """Positive weights (not normalised: Categorical divides by their sum)."""
    return np.random.default_rng(len(shape)).uniform(0.2, 1.0, shape)


# ---------------------------------------------------------------------- shapes


@pytest.mark.parametrize("make, batch, event", [
    (lambda: Normal(tg.zeros(2, 3), 1.0), (2, 3), ()),
    (lambda: Normal(0.0, 1.0), (), ()),
    (lambda: Uniform(tg.zeros(3), tg.ones(2, 1)), (2, 3), ()),
    (lambda: Bernoulli(tg.full((4,), 0.3)), (4,), ()),
    (lambda: Categorical(tg.ones(2, 5)), (2,), ()),
    (lambda: Categorical(logits=tg.zeros(5)), (), ()),
    (lambda: OneHotCategorical(tg.ones(2, 5)), (2,), (5,)),
    (lambda: Independent(Normal(tg.zeros(2, 3), 1.0), 1), (2,), (3,)),
    (lambda: Independent(OneHotCategorical(tg.ones(2, 3, 5)), 2), (), (2, 3, 5)),
])
def test_sample_has_shape_sample_shape_plus_batch_shape_plus_event_shape(make, batch, event):
    dist = make()
    assert dist.batch_shape == batch and dist.event_shape == event
    assert isinstance(dist.batch_shape, tg.Size) and isinstance(dist.event_shape, tg.Size)
    assert dist.sample().shape == batch + event
    assert dist.sample((4, 1)).shape == (4, 1) + batch + event
    assert dist.sample(tg.Size([3])).shape == (3,) + batch + event


def test_a_number_as_sample_shape_is_a_type_error():
    with pytest.raises(TypeError):
        Normal(0.0, 1.0).sample(3)


def test_a_tensor_parameter_of_one_element_gives_its_shape_as_batch_shape():
    assert Bernoulli(tg.tensor([0.3])).batch_shape == (1,)
    assert Bernoulli(0.3).batch_shape == ()


def test_numbers_take_the_dtype_of_the_tensor_parameter():
    dist = Normal(tg.zeros(2, dtype=tg.float64), 1.0)
    assert dist.scale.dtype == tg.float64 and dist.scale.shape == (2,)
    assert dist.sample().dtype == tg.float64


def test_parameters_of_other_types_are_a_value_error():
    with pytest.raises(ValueError, match="instances of numbers.Number, torch.Tensor"):
        Normal([0.0], 1.0)


def test_repr_names_the_given_parameters_as_pytorch():
    categorical = Categorical(tg.tensor([0.2, 0.8]))
    assert repr(categorical) == "Categorical(probs: torch.Size([2]))"
    _ = categorical.logits  # computed on first use, then shown
    assert repr(categorical) == "Categorical(probs: torch.Size([2]), logits: torch.Size([2]))"
    assert repr(Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    assert repr(Normal(tg.zeros(2), 1.0)) == "Normal(loc: torch.Size([2]), scale: torch.Size([2]))"
    assert repr(OneHotCategorical(tg.ones(2))) == "OneHotCategorical()"


def test_constraints_print_as_pytorch():
    assert repr(Normal(0.0, 1.0).arg_constraints) == "{'loc': Real(), 'scale': GreaterThan(lower_bound=0.0)}"
    assert repr(Categorical(logits=tg.zeros(3)).arg_constraints) == \
        "{'probs': Simplex(), 'logits': IndependentConstraint(Real(), 1)}"
    assert repr(Categorical(tg.ones(3)).support) == "IntegerInterval(lower_bound=0, upper_bound=2)"
    assert repr(Uniform(0.0, 1.0).support) == "Interval(lower_bound=0.0, upper_bound=1.0)"
    assert repr(Bernoulli(0.5).support) == "Boolean()"
    assert repr(OneHotCategorical(tg.ones(2)).support) == "OneHot()"


def test_only_normal_and_uniform_have_rsample():
    assert Normal(0.0, 1.0).has_rsample and Uniform(0.0, 1.0).has_rsample
    assert not Categorical(tg.ones(2)).has_rsample and not Bernoulli(0.5).has_rsample
    for dist in (Categorical(tg.ones(2)), Bernoulli(0.5), OneHotCategorical(tg.ones(2))):
        with pytest.raises(NotImplementedError):
            dist.rsample()


def test_the_base_class_raises_not_implemented_for_what_a_family_defines():
    dist = Distribution(validate_args=False)
    for method in (dist.rsample, dist.sample, dist.entropy, dist.enumerate_support):
        with pytest.raises(NotImplementedError):
            method()
    for method in (dist.log_prob, dist.cdf, dist.icdf):
        with pytest.raises(NotImplementedError):
            method(tg.tensor(0.0))
    for name in ("mean", "mode", "variance", "stddev", "support"):
        with pytest.raises(NotImplementedError):
            getattr(dist, name)


def test_expand_broadcasts_the_parameters_to_a_new_batch_shape():
    for dist in (Normal(tg.zeros(3), 1.0), Uniform(tg.zeros(3), 1.0), Bernoulli(tg.full((3,), 0.3)),
                 Categorical(tg.ones(3, 4)), OneHotCategorical(tg.ones(3, 4)),
                 Independent(Normal(tg.zeros(3, 4), 1.0), 1)):
        expanded = dist.expand((2, 3))
        assert type(expanded) is type(dist) and expanded.batch_shape == (2, 3)
        assert expanded.event_shape == dist.event_shape
        assert expanded.sample().shape == (2, 3) + dist.event_shape
        np.testing.assert_allclose(expanded.entropy().numpy(), np.broadcast_to(dist.entropy().numpy(), (2, 3)))


def test_stddev_is_the_square_root_of_the_variance():
    np.testing.assert_allclose(Uniform(0.0, 3.0).stddev.item(), math.sqrt(Uniform(0.0, 3.0).variance.item()))
    np.testing.assert_allclose(Normal(0.0, 2.0).variance.item(), 4.0)


def test_perplexity_is_the_exponential_of_the_entropy():
    dist = Categorical(tg.ones(4))
    np.testing.assert_allclose(dist.perplexity().item(), 4.0, rtol=1e-6)


# ---------------------------------------------------------------------- validation


@pytest.mark.parametrize("make, message", [
    (lambda: Normal(0.0, -1.0), r"Expected parameter scale \(Tensor of shape \(\)\) of distribution "
                                r"Normal\(loc: 0.0, scale: -1.0\) to satisfy the constraint "
                                r"GreaterThan\(lower_bound=0.0\), but found invalid values:\n-1.0"),
    (lambda: Normal(tg.tensor([0.0, math.nan]), 1.0), "parameter loc .* constraint Real()"),
    (lambda: Categorical(tg.tensor([-1.0, 3.0])), "parameter probs .* constraint Simplex()"),
    (lambda: Categorical(logits=tg.tensor([0.0, math.nan])), "parameter logits"),
    (lambda: Bernoulli(1.5), r"parameter probs .* constraint Interval\(lower_bound=0.0, upper_bound=1.0\)"),
    (lambda: Uniform(1.0, 1.0), r"parameter low .* constraint LessThan\(upper_bound=1.0\)"),
])
def test_invalid_parameters_are_a_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_validate_args_false_skips_the_checks():
    assert Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
    assert Categorical(tg.ones(2), validate_args=False).log_prob(tg.tensor(0.5)).item() == pytest.approx(math.log(0.5))


def test_set_default_validate_args_changes_the_default():
    Distribution.set_default_validate_args(False)
    try:
        Normal(0.0, -1.0)
    finally:
        Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        Normal(0.0, -1.0)


@pytest.mark.parametrize("make, value, support", [
    (lambda: Categorical(tg.ones(2)), tg.tensor([0, 3]), r"IntegerInterval\(lower_bound=0, upper_bound=1\)"),
    (lambda: Categorical(tg.ones(2)), tg.tensor(0.5), r"IntegerInterval\(lower_bound=0, upper_bound=1\)"),
    (lambda: Bernoulli(0.3), tg.tensor(0.5), r"Boolean\(\)"),
    (lambda: Uniform(0.0, 1.0), tg.tensor(2.0), r"Interval\(lower_bound=0.0, upper_bound=1.0\)"),
    (lambda: Normal(0.0, 1.0), tg.tensor(math.nan), r"Real\(\)"),
    (lambda: OneHotCategorical(tg.ones(2)), tg.tensor([0.0, 0.0]), r"OneHot\(\)"),
])
def test_log_prob_outside_the_support_is_a_value_error(make, value, support):
    dist = make()
    with pytest.raises(ValueError, match=rf"Expected value argument \(Tensor of shape .*\) to be within the support "
                                         rf"\({support}\) of the distribution"):
        dist.log_prob(value)


def test_log_prob_of_a_value_that_does_not_broadcast_is_a_value_error():
    with pytest.raises(ValueError, match="Value is not broadcastable with batch_shape"):
        Normal(tg.zeros(2), 1.0).log_prob(tg.zeros(3))
    with pytest.raises(ValueError, match="The right-most size of value must match event_shape"):
        OneHotCategorical(tg.ones(2)).log_prob(tg.tensor([0.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        Normal(0.0, 1.0).log_prob(0.0)


@pytest.mark.parametrize("family", [Categorical, Bernoulli, OneHotCategorical])
def test_exactly_one_of_probs_and_logits_is_required(family):
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both."):
        family()
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both."):
        family(tg.ones(2) / 2, tg.zeros(2))


def test_categorical_parameters_need_a_category_dim():
    with pytest.raises(ValueError, match="`probs` parameter must be at least one-dimensional."):
        Categorical(tg.tensor(1.0))
    with pytest.raises(ValueError, match="`logits` parameter must be at least one-dimensional."):
        Categorical(logits=tg.tensor(1.0))


# ---------------------------------------------------------------------- Categorical


def test_categorical_normalises_probs_and_logits():
    dist = Categorical(tg.tensor([1.0, 3.0]))
    np.testing.assert_allclose(dist.probs.numpy(), [0.25, 0.75])
    np.testing.assert_allclose(dist.logits.numpy(), np.log([0.25, 0.75]), rtol=1e-6)
    dist = Categorical(logits=tg.tensor([[0.0, math.log(3.0)]]))
    np.testing.assert_allclose(dist.logits.numpy(), np.log([[0.25, 0.75]]), rtol=1e-6)
    np.testing.assert_allclose(dist.probs.numpy(), [[0.25, 0.75]], rtol=1e-6)
    assert dist.param_shape == (1, 2) and dist.batch_shape == (1,)


def test_categorical_log_prob_is_the_log_probability_of_each_value_broadcast_over_the_batch():
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    values = np.array([[2], [0]])  # (2, 1) against batch (2,): a (2, 2) result
    got = Categorical(tg.tensor(probs)).log_prob(tg.tensor(values)).numpy()
    np.testing.assert_allclose(got, np.log(probs[np.arange(2), np.broadcast_to(values, (2, 2))]))


def test_categorical_entropy_is_minus_sum_p_log_p_and_zero_terms_count_zero():
    probs = np.array([0.1, 0.2, 0.7])
    np.testing.assert_allclose(Categorical(tg.tensor(probs)).entropy().item(), -(probs * np.log(probs)).sum())
    assert Categorical(tg.tensor([0.0, 1.0], dtype=tg.float64)).entropy().item() == pytest.approx(0.0, abs=1e-12)


def test_categorical_samples_follow_the_probabilities():
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    tg.manual_seed(0)
    drawn = Categorical(tg.tensor(probs)).sample((DRAWS,))
    assert drawn.dtype == tg.int64 and drawn.shape == (DRAWS,)
    np.testing.assert_allclose(np.bincount(drawn.numpy(), minlength=4) / DRAWS, probs, atol=0.01)


def test_categorical_samples_each_batch_row_from_its_own_probabilities():
    tg.manual_seed(0)
    drawn = Categorical(tg.tensor([[1.0, 0.0], [0.0, 1.0]])).sample((50,)).numpy()
    assert (drawn[:, 0] == 0).all() and (drawn[:, 1] == 1).all()


def test_manual_seed_fixes_the_draws():
    dists = [Categorical(tg.ones(5)), Bernoulli(0.5), Normal(0.0, 1.0), Uniform(0.0, 1.0)]
    tg.manual_seed(3)
    first = [dist.sample((20,)).numpy() for dist in dists]
    tg.manual_seed(3)
    second = [dist.sample((20,)).numpy() for dist in dists]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_categorical_mean_and_variance_are_nan_and_mode_is_the_most_probable():
    dist = Categorical(tg.tensor([[0.2, 0.8], [0.6, 0.4]]))
    assert np.isnan(dist.mean.numpy()).all() and dist.mean.shape == (2,)
    assert np.isnan(dist.variance.numpy()).all()
    np.testing.assert_array_equal(dist.mode.numpy(), [1, 0])


def test_categorical_enumerate_support_lists_every_category_over_the_batch():
    dist = Categorical(tg.ones(2, 3))
    np.testing.assert_array_equal(dist.enumerate_support().numpy(), [[0, 0], [1, 1], [2, 2]])
    assert dist.enumerate_support(expand=False).shape == (3, 1)
    assert dist.enumerate_support().dtype == tg.int64


@given(shapes(min_dims=1, max_dims=3), st.booleans())
def test_categorical_log_prob_and_entropy_are_differentiable(shape, use_logits):
    weights = simplex(shape)
    param = leaf(np.log(weights) if use_logits else weights)
    values = tg.tensor(np.arange(int(np.prod(shape[:-1]))).reshape(shape[:-1]) % shape[-1])

    def dist(p):
        return Categorical(logits=p) if use_logits else Categorical(p)

    assert tg.autograd.gradcheck(lambda p: dist(p).log_prob(values), (param,))
    assert tg.autograd.gradcheck(lambda p: dist(p).entropy(), (param,))


# ---------------------------------------------------------------------- Bernoulli


def test_bernoulli_log_prob_is_the_log_likelihood_of_zero_or_one():
    p = np.array([0.1, 0.5, 0.9])
    dist = Bernoulli(tg.tensor(p))
    np.testing.assert_allclose(dist.log_prob(tg.ones(3)).numpy(), np.log(p), rtol=1e-6)
    np.testing.assert_allclose(dist.log_prob(tg.zeros(3)).numpy(), np.log(1 - p), rtol=1e-6)


def test_bernoulli_log_prob_from_large_logits_stays_finite():
    dist = Bernoulli(logits=tg.tensor([100.0, -100.0]))
    np.testing.assert_allclose(dist.log_prob(tg.tensor([0.0, 1.0])).numpy(), [-100.0, -100.0])
    np.testing.assert_allclose(dist.log_prob(tg.tensor([1.0, 0.0])).numpy(), [0.0, 0.0], atol=1e-30)


def test_bernoulli_log_prob_of_an_integer_value_is_an_error():
    with pytest.raises(RuntimeError, match="floating-point"):
        Bernoulli(0.3).log_prob(tg.tensor([0, 1]))


def test_bernoulli_probs_and_logits_are_sigmoid_and_logit_of_each_other():
    np.testing.assert_allclose(Bernoulli(logits=0.0).probs.item(), 0.5)
    np.testing.assert_allclose(Bernoulli(0.75).logits.item(), math.log(3), rtol=1e-6)


def test_bernoulli_moments_mode_and_entropy():
    dist = Bernoulli(tg.tensor([0.2, 0.5, 0.9], dtype=tg.float64))
    np.testing.assert_allclose(dist.mean.numpy(), [0.2, 0.5, 0.9])
    np.testing.assert_allclose(dist.variance.numpy(), [0.16, 0.25, 0.09])
    np.testing.assert_array_equal(dist.mode.numpy(), [0.0, np.nan, 1.0])
    p = np.array([0.2, 0.5, 0.9])
    np.testing.assert_allclose(dist.entropy().numpy(), -(p * np.log(p) + (1 - p) * np.log(1 - p)))


def test_bernoulli_samples_are_zero_or_one_at_rate_p():
    tg.manual_seed(0)
    drawn = Bernoulli(tg.tensor([0.3, 0.9])).sample((DRAWS,))
    assert drawn.dtype == tg.float32 and set(np.unique(drawn.numpy())) == {0.0, 1.0}
    np.testing.assert_allclose(drawn.numpy().mean(0), [0.3, 0.9], atol=0.01)


def test_bernoulli_enumerate_support_is_zero_and_one_in_the_parameter_dtype():
    support = Bernoulli(tg.full((2,), 0.5)).enumerate_support()
    np.testing.assert_array_equal(support.numpy(), [[0.0, 0.0], [1.0, 1.0]])
    assert support.dtype == tg.float32


@given(shapes(), st.booleans())
def test_bernoulli_log_prob_and_entropy_are_differentiable(shape, use_logits):
    rng = np.random.default_rng(0)
    p = rng.uniform(0.1, 0.9, shape)
    param = leaf(np.log(p / (1 - p)) if use_logits else p)
    values = tg.tensor(rng.integers(0, 2, shape).astype(np.float64))

    def dist(x):
        return Bernoulli(logits=x) if use_logits else Bernoulli(x)

    assert tg.autograd.gradcheck(lambda x: dist(x).log_prob(values), (param,))
    assert tg.autograd.gradcheck(lambda x: dist(x).entropy(), (param,))


# ---------------------------------------------------------------------- Normal


def test_normal_log_prob_cdf_and_entropy_follow_the_formulas():
    x = np.array([-1.0, 0.5, 2.0])
    dist = Normal(tg.tensor(0.5, dtype=tg.float64), tg.tensor(2.0, dtype=tg.float64))
    expected = -((x - 0.5) ** 2) / 8 - math.log(2.0) - 0.5 * math.log(2 * math.pi)
    np.testing.assert_allclose(dist.log_prob(tg.tensor(x)).numpy(), expected)
    np.testing.assert_allclose(dist.cdf(tg.tensor(x)).numpy(), [0.5 * (1 + math.erf((v - 0.5) / (2 * math.sqrt(2))))
                                                              for v in x])
    np.testing.assert_allclose(dist.entropy().item(), 0.5 + 0.5 * math.log(2 * math.pi) + math.log(2.0))
    assert dist.mean.item() == dist.mode.item() == 0.5 and dist.stddev.item() == 2.0


def test_normal_rsample_is_loc_plus_scale_times_standard_normal_noise():
    loc, scale = leaf([1.0, -2.0]), leaf([0.5, 3.0])
    tg.manual_seed(7)
    eps = tg.randn(4, 2, dtype=tg.float64).numpy()
    tg.manual_seed(7)
    drawn = Normal(loc, scale).rsample((4,))
    np.testing.assert_allclose(drawn.numpy(), loc.numpy() + scale.numpy() * eps)
    drawn.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [4.0, 4.0])
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0))


def test_sample_is_outside_the_graph():
    loc = leaf([0.0])
    assert not Normal(loc, 1.0).sample().requires_grad
    assert Normal(loc, 1.0).rsample().requires_grad


def test_normal_samples_have_the_mean_and_standard_deviation():
    tg.manual_seed(0)
    drawn = Normal(tg.tensor([-1.0, 3.0]), tg.tensor([0.5, 2.0])).sample((DRAWS,)).numpy()
    np.testing.assert_allclose(drawn.mean(0), [-1.0, 3.0], atol=0.03)  # 6 σ/√n is 0.027 for σ = 2
    np.testing.assert_allclose(drawn.std(0), [0.5, 2.0], rtol=0.01)


@given(shapes(max_dims=2), st.data())
def test_normal_log_prob_rsample_and_entropy_are_differentiable(shape, data):
    loc = leaf(data.draw(arrays(shape)))
    scale = leaf(data.draw(arrays(shape, 0.5, 3.0)))
    value = leaf(data.draw(arrays(shape)))

    def rsample(m, s):
        tg.manual_seed(1)  # the same noise at every evaluation
        return Normal(m, s).rsample((2,))

    assert tg.autograd.gradcheck(lambda m, s, v: Normal(m, s).log_prob(v), (loc, scale, value))
    assert tg.autograd.gradcheck(rsample, (loc, scale))
    assert tg.autograd.gradcheck(lambda s: Normal(0.0, s).entropy(), (scale,))
    assert tg.autograd.gradcheck(lambda m, s, v: Normal(m, s).cdf(v), (loc, scale, value))


# ---------------------------------------------------------------------- Uniform


def test_uniform_log_prob_is_minus_log_width_inside_and_minus_inf_outside():
    dist = Uniform(tg.tensor([0.0, -1.0]), tg.tensor([2.0, 3.0]))
    np.testing.assert_allclose(dist.log_prob(tg.tensor([1.0, 0.0])).numpy(), -np.log([2.0, 4.0]), rtol=1e-6)
    outside = Uniform(0.0, 2.0, validate_args=False).log_prob(tg.tensor([-1.0, 2.0, 3.0]))
    assert (outside.numpy() == -np.inf).all()


def test_uniform_moments_cdf_icdf_and_entropy():
    dist = Uniform(tg.tensor(1.0, dtype=tg.float64), tg.tensor(4.0, dtype=tg.float64))
    assert dist.mean.item() == 2.5 and dist.variance.item() == pytest.approx(0.75)
    assert math.isnan(dist.mode.item())
    np.testing.assert_allclose(dist.cdf(tg.tensor([1.0, 2.5, 4.0])).numpy(), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(dist.icdf(tg.tensor([0.0, 0.5])).numpy(), [1.0, 2.5])
    assert dist.entropy().item() == pytest.approx(math.log(3.0))


def test_uniform_samples_cover_the_interval_evenly():
    tg.manual_seed(0)
    drawn = Uniform(-1.0, 3.0).sample((DRAWS,)).numpy()
    assert drawn.min() >= -1.0 and drawn.max() < 3.0
    np.testing.assert_allclose(np.histogram(drawn, bins=4, range=(-1, 3))[0] / DRAWS, [0.25] * 4, atol=0.01)


@given(shapes(max_dims=2), st.data())
def test_uniform_log_prob_rsample_and_entropy_are_differentiable(shape, data):
    low = leaf(data.draw(arrays(shape, -3.0, -1.0)))
    high = leaf(data.draw(arrays(shape, 1.0, 3.0)))
    value = tg.tensor(data.draw(arrays(shape, -0.9, 0.9)))

    def rsample(a, b):
        tg.manual_seed(1)
        return Uniform(a, b).rsample((2,))

    assert tg.autograd.gradcheck(lambda a, b: Uniform(a, b).log_prob(value), (low, high))
    assert tg.autograd.gradcheck(rsample, (low, high))
    assert tg.autograd.gradcheck(lambda a, b: Uniform(a, b).entropy(), (low, high))


# ---------------------------------------------------------------------- OneHotCategorical


def test_one_hot_categorical_samples_one_hot_vectors_at_the_categorical_rates():
    probs = np.array([0.2, 0.3, 0.5])
    tg.manual_seed(0)
    drawn = OneHotCategorical(tg.tensor(probs)).sample((DRAWS,)).numpy()
    assert drawn.shape == (DRAWS, 3) and (drawn.sum(-1) == 1).all()
    np.testing.assert_allclose(drawn.mean(0), probs, atol=0.01)


def test_one_hot_categorical_log_prob_is_the_categorical_one_at_the_hot_index():
    probs = tg.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    got = OneHotCategorical(probs).log_prob(tg.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))
    np.testing.assert_allclose(got.numpy(), np.log([0.5, 0.3]), rtol=1e-6)
    np.testing.assert_allclose(OneHotCategorical(probs).entropy().numpy(), Categorical(probs).entropy().numpy())


def test_one_hot_categorical_moments_and_support():
    dist = OneHotCategorical(tg.tensor([0.2, 0.8]))
    np.testing.assert_allclose(dist.mean.numpy(), [0.2, 0.8])
    np.testing.assert_allclose(dist.variance.numpy(), [0.16, 0.16], rtol=1e-6)
    np.testing.assert_array_equal(dist.mode.numpy(), [0.0, 1.0])
    np.testing.assert_array_equal(dist.enumerate_support().numpy(), np.eye(2))


# ---------------------------------------------------------------------- Independent


def test_independent_moves_batch_dims_into_the_event_and_sums_log_prob_and_entropy_over_them():
    base = Normal(tg.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]), tg.tensor([1.0, 2.0, 3.0]))
    dist = Independent(base, 1)
    value = tg.tensor([[0.5, 0.5, 0.5], [1.0, 1.0, 1.0]])
    np.testing.assert_allclose(dist.log_prob(value).numpy(), base.log_prob(value).numpy().sum(-1), rtol=1e-6)
    np.testing.assert_allclose(dist.entropy().numpy(), base.entropy().numpy().sum(-1), rtol=1e-6)
    np.testing.assert_array_equal(dist.mean.numpy(), base.mean.numpy())
    assert dist.has_rsample and repr(dist.support) == "IndependentConstraint(Real(), 1)"
    assert repr(dist) == "Independent(Normal(loc: torch.Size([2, 3]), scale: torch.Size([2, 3])), 1)"


def test_independent_cannot_reinterpret_more_dims_than_the_batch_has():
    with pytest.raises(ValueError, match=r"Expected reinterpreted_batch_ndims <= "
                                         r"len\(base_distribution.batch_shape\), actual 3 vs 2"):
        Independent(Normal(tg.zeros(2, 3), 1.0), 3)


def test_independent_enumerates_no_cartesian_product():
    assert not Independent(Bernoulli(tg.full((3,), 0.5)), 1).has_enumerate_support
    with pytest.raises(NotImplementedError, match="Enumeration over cartesian product is not implemented"):
        Independent(Bernoulli(tg.full((3,), 0.5)), 1).enumerate_support()
    assert Independent(Bernoulli(tg.full((3,), 0.5)), 0).enumerate_support().shape == (2, 3)


@given(shapes(min_dims=1, max_dims=3), st.data())
def test_independent_log_prob_and_rsample_are_differentiable(shape, data):
    loc, scale = leaf(data.draw(arrays(shape))), leaf(data.draw(arrays(shape, 0.5, 2.0)))
    value = tg.tensor(data.draw(arrays(shape)))
    ndims = data.draw(st.integers(0, len(shape)))

    def rsample(m, s):
        tg.manual_seed(1)
        return Independent(Normal(m, s), ndims).rsample((2,))

    assert tg.autograd.gradcheck(lambda m, s: Independent(Normal(m, s), ndims).log_prob(value), (loc, scale))
    assert tg.autograd.gradcheck(rsample, (loc, scale))


# ---------------------------------------------------------------------- KL divergence


def test_kl_normal_normal_is_the_closed_form():
    got = kl_divergence(Normal(1.0, 2.0), Normal(tg.tensor([0.0, 1.0]), 1.0)).numpy()
    np.testing.assert_allclose(got, [math.log(0.5) + (4 + 1) / 2 - 0.5, math.log(0.5) + 4 / 2 - 0.5], rtol=1e-6)


def test_kl_categorical_is_the_expected_log_ratio_and_infinite_off_q_support():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    got = kl_divergence(Categorical(tg.tensor(p)), Categorical(tg.tensor(q))).item()
    np.testing.assert_allclose(got, 0.5 * math.log(2) * 2, rtol=1e-6)
    assert kl_divergence(Categorical(tg.tensor(q)), Categorical(tg.tensor(p))).item() == math.inf
    one_hot = kl_divergence(OneHotCategorical(tg.tensor(p)), OneHotCategorical(tg.tensor(q))).item()
    np.testing.assert_allclose(one_hot, got)


def test_kl_bernoulli_is_the_closed_form_and_infinite_where_q_is_certain():
    got = kl_divergence(Bernoulli(0.3), Bernoulli(tg.tensor([0.6, 0.0, 1.0]))).numpy()
    expected = 0.3 * math.log(0.3 / 0.6) + 0.7 * math.log(0.7 / 0.4)
    np.testing.assert_allclose(got, [expected, np.inf, np.inf], rtol=1e-5)
    assert kl_divergence(Bernoulli(0.0), Bernoulli(0.0)).item() == 0.0


def test_kl_uniform_is_the_log_width_ratio_when_nested_and_infinite_otherwise():
    assert kl_divergence(Uniform(0.0, 1.0), Uniform(0.0, 2.0)).item() == pytest.approx(math.log(2))
    assert kl_divergence(Uniform(0.0, 2.0), Uniform(0.0, 1.0)).item() == math.inf


def test_kl_of_a_distribution_with_itself_is_zero():
    for dist in (Normal(tg.tensor([0.3, -1.0]), 2.0), Categorical(tg.ones(2, 3)), Bernoulli(tg.tensor([0.2, 0.7])),
                 Uniform(0.0, 1.0)):
        np.testing.assert_allclose(kl_divergence(dist, dist).numpy(), 0.0, atol=1e-6)


def test_kl_of_independent_distributions_sums_the_base_kl_over_the_event_dims():
    p, q = Normal(tg.zeros(2, 3), 1.0), Normal(tg.ones(2, 3), 2.0)
    got = kl_divergence(Independent(p, 2), Independent(q, 2))
    np.testing.assert_allclose(got.item(), kl_divergence(p, q).numpy().sum(), rtol=1e-6)
    with pytest.raises(NotImplementedError):
        kl_divergence(Independent(p, 1), Independent(q, 2))


def test_kl_of_an_unregistered_pair_is_not_implemented():
    with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p type Uniform and q "
                                                  "type Categorical"):
        kl_divergence(Uniform(0.0, 1.0), Categorical(tg.ones(2)))


def test_register_kl_adds_a_pair_and_the_closest_registered_pair_wins():
    class Wide(Normal):
        pass

    @register_kl(Wide, Normal)
    def kl_wide_normal(p, q):
        return tg.tensor(42.0)

    assert kl_divergence(Wide(0.0, 1.0), Normal(0.0, 1.0)).item() == 42.0
    assert kl_divergence(Normal(0.0, 1.0), Wide(0.0, 1.0)).item() == 0.0  # Normal-Normal still applies
    with pytest.raises(TypeError, match="Distribution subclass"):
        register_kl(int, Normal)


@given(shapes(max_dims=2), st.data())
def test_kl_divergences_are_differentiable(shape, data):
    loc_p, loc_q = leaf(data.draw(arrays(shape))), leaf(data.draw(arrays(shape)))
    scale_p, scale_q = leaf(data.draw(arrays(shape, 0.5, 2.0))), leaf(data.draw(arrays(shape, 0.5, 2.0)))
    assert tg.autograd.gradcheck(lambda a, b, c, d: kl_divergence(Normal(a, b), Normal(c, d)),
                                 (loc_p, scale_p, loc_q, scale_q))
    p, q = leaf(data.draw(arrays(shape, 0.1, 0.9))), leaf(data.draw(arrays(shape, 0.1, 0.9)))
    assert tg.autograd.gradcheck(lambda a, b: kl_divergence(Bernoulli(a), Bernoulli(b)), (p, q))
    logits_p, logits_q = leaf(data.draw(arrays(shape + (3,)))), leaf(data.draw(arrays(shape + (3,))))
    assert tg.autograd.gradcheck(lambda a, b: kl_divergence(Categorical(logits=a), Categorical(logits=b)),
                                 (logits_p, logits_q))


# ---------------------------------------------------------------------- constraints


def test_constraints_check_elementwise_and_over_event_dims():
    np.testing.assert_array_equal(constraints.positive.check(tg.tensor([-1.0, 0.0, 2.0])).numpy(),
                                  [False, False, True])
    np.testing.assert_array_equal(constraints.simplex.check(tg.tensor([[0.5, 0.5], [0.5, 0.6]])).numpy(),
                                  [True, False])
    np.testing.assert_array_equal(constraints.integer_interval(0, 2).check(tg.tensor([0.0, 1.5, 3.0])).numpy(),
                                  [True, False, False])
    assert constraints.real_vector.event_dim == 1 and constraints.real_vector.check(tg.zeros(2, 3)).shape == (2,)


# ---------------------------------------------------------------------- REINFORCE


def test_reinforce_with_categorical_log_prob_learns_the_better_arm_of_a_bandit():
    """Arm 1 pays 1 and arm 0 pays 0; the score-function gradient -log π(a) R pushes the policy
    towards arm 1, as PyTorch's reinforce example does with its policy network."""
    tg.manual_seed(0)
    logits = tg.zeros(2, requires_grad=True)
    optimizer = tg.optim.SGD([logits], lr=0.5)
    for _ in range(100):
        dist = Categorical(logits=logits)
        actions = dist.sample((8,))
        rewards = (actions == 1).float()
        loss = (-dist.log_prob(actions) * (rewards - rewards.mean())).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert Categorical(logits=logits).probs[1].item() > 0.95
