"""The library's generator as PyTorch's default one (manual_seed, seed, initial_seed and the
rng state), the in-place random fills' errors, and in-place view ops (unsqueeze_, squeeze_, t_,
transpose_) changing the tensor itself."""

import pytest

import tinygrad_np as tg
from tinygrad_np.random import default_generator


@pytest.fixture(autouse=True)
def _keep_the_library_generator():
    state = default_generator().bit_generator.state
    seed = tg.initial_seed()
    yield
    tg.manual_seed(seed)
    default_generator().bit_generator.state = state


def test_manual_seed_returns_the_library_generator():
    generator = tg.manual_seed(3)
    assert isinstance(generator, tg.Generator) and generator.initial_seed() == 3 == tg.initial_seed()
    assert tg.manual_seed(4) is generator


def test_rng_state_is_a_uint8_tensor_that_replays_the_draws():
    state = tg.get_rng_state()
    first = tg.rand(3)
    tg.set_rng_state(state)
    assert state.dtype == tg.uint8 and tg.equal(tg.rand(3), first)


def test_set_rng_state_refuses_anything_but_a_state():
    with pytest.raises(RuntimeError, match="size"):
        tg.set_rng_state(tg.zeros(3, dtype=tg.uint8))
    with pytest.raises(TypeError):
        tg.set_rng_state([1, 2])


def test_seed_starts_from_a_fresh_seed_it_returns():
    fresh = tg.seed()
    assert tg.initial_seed() == fresh


@pytest.mark.parametrize("fill, message", [
    (lambda t: t.bernoulli_(1.5), "p to be in"),
    (lambda t: t.exponential_(-1.0), "lambda > 0"),
    (lambda t: t.log_normal_(0.0, -1.0), "std > 0"),
    (lambda t: t.random_(5, 3), "less than 'to'"),
    (lambda t: t.long().exponential_(), "floating point"),
])
def test_random_fills_refuse_bad_parameters(fill, message):
    with pytest.raises(RuntimeError, match=message):
        fill(tg.zeros(3))


def test_random_fills_draw_integers_in_the_range_and_keep_the_dtype():
    assert set(tg.zeros(200).random_(3).tolist()) == {0.0, 1.0, 2.0}
    x = tg.zeros(50, dtype=tg.uint8).random_()
    assert x.dtype == tg.uint8
    assert tg.zeros(5, dtype=tg.int64).bernoulli_(tg.tensor([0.0, 1.0, 1.0, 0.0, 1.0])).tolist() == [0, 1, 1, 0, 1]


def test_random_fills_follow_a_generator_of_their_own():
    a = tg.zeros(4).exponential_(generator=tg.Generator().manual_seed(1))
    b = tg.zeros(4).exponential_(generator=tg.Generator().manual_seed(1))
    assert tg.equal(a, b)


def test_in_place_view_ops_change_the_tensor_itself_sharing_its_memory():
    x = tg.arange(6.0).reshape(2, 3)
    same = x
    assert x.t_() is same and x.shape == (3, 2) and x.stride() == (1, 3)
    assert x.unsqueeze_(0).shape == (1, 3, 2) and x.squeeze_().shape == (3, 2)
    assert x.transpose_(0, 1).tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_in_place_view_op_carries_the_history():
    e = tg.ones(2, 3, requires_grad=True)
    f = e * 2
    f.t_()
    (f * tg.arange(6.0).reshape(3, 2)).sum().backward()
    assert e.grad.tolist() == [[0.0, 4.0, 8.0], [2.0, 6.0, 10.0]]


def test_a_node_that_saved_the_tensor_refuses_after_an_in_place_view_op():
    f = tg.ones(2, 3, requires_grad=True) * 2
    h = f * f
    f.t_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        h.sum().backward()


def test_a_leaf_that_requires_grad_refuses_an_in_place_view_op():
    with pytest.raises(RuntimeError, match="leaf Variable"):
        tg.ones(2, 3, requires_grad=True).t_()


def test_a_view_in_the_graph_refuses_an_in_place_view_op():
    base = tg.ones(2, 3, requires_grad=True) * 1
    with pytest.raises(RuntimeError, match="out-of-place"):
        base[0].unsqueeze_(0)


def test_a_view_outside_the_graph_changes_shape_and_leaves_its_base_alone():
    base = tg.zeros(2, 3)
    view = base[0]
    view.unsqueeze_(0)
    view.fill_(1.0)
    assert view.shape == (1, 3) and base.shape == (2, 3) and base[0].tolist() == [1.0, 1.0, 1.0]


def test_t_refuses_more_than_two_dims():
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        tg.ones(2, 3, 4).t_()
