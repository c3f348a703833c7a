"""Samplers, random_split, ConcatDataset and tg.Generator, as torch.utils.data's.

A sampler's contract: iterating it gives indices (ints) — all of them once, in order, for
SequentialSampler; a permutation drawn from its generator each epoch for RandomSampler and
SubsetRandomSampler; weighted draws for WeightedRandomSampler — and `len()` is how many. A
BatchSampler groups any iterable of indices into lists. Errors are PyTorch's, word for word.
"""

import itertools
import math
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_np as tg
from tinygrad_np.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)

sizes = st.integers(min_value=1, max_value=200)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def data(n):
    return list(range(n))


# ------------------------------------------------------------------ Sampler, SequentialSampler


def test_the_base_sampler_requires_iter():
    with pytest.raises(NotImplementedError):
        iter(Sampler())


def test_the_base_sampler_has_no_len():
    with pytest.raises(TypeError):
        len(Sampler())


@given(n=st.integers(min_value=0, max_value=100))
def test_sequential_sampler_gives_0_to_n_minus_1(n):
    sampler = SequentialSampler(data(n))
    assert list(sampler) == list(range(n)) and len(sampler) == n
    assert all(type(index) is int for index in sampler)


# ------------------------------------------------------------------ RandomSampler


@given(n=sizes, seed=seeds)
def test_random_sampler_gives_the_permutation_its_generator_draws(n, seed):
    sampler = RandomSampler(data(n), generator=np.random.default_rng(seed))
    assert list(sampler) == np.random.default_rng(seed).permutation(n).tolist()
    assert len(sampler) == n


def test_random_sampler_draws_a_new_permutation_each_epoch():
    sampler = RandomSampler(data(50), generator=tg.Generator().manual_seed(0))
    first, second = list(sampler), list(sampler)
    assert first != second and sorted(first) == sorted(second) == list(range(50))


def test_random_sampler_without_a_generator_follows_manual_seed():
    sampler = RandomSampler(data(50))
    tg.manual_seed(7)
    first = list(sampler)
    tg.manual_seed(7)
    assert list(sampler) == first


@given(n=sizes, num_samples=st.integers(min_value=1, max_value=500), seed=seeds)
def test_random_sampler_without_replacement_repeats_whole_permutations_past_n(n, num_samples, seed):
    drawn = list(RandomSampler(data(n), num_samples=num_samples, generator=np.random.default_rng(seed)))
    assert len(drawn) == num_samples
    for start in range(0, num_samples, n):
        piece = drawn[start : start + n]
        assert len(set(piece)) == len(piece) and set(piece) <= set(range(n))


@given(n=sizes, num_samples=st.integers(min_value=1, max_value=500), seed=seeds)
def test_random_sampler_with_replacement_draws_num_samples_indices_in_range(n, num_samples, seed):
    sampler = RandomSampler(data(n), replacement=True, num_samples=num_samples, generator=np.random.default_rng(seed))
    drawn = list(sampler)
    assert len(drawn) == len(sampler) == num_samples
    assert all(0 <= index < n for index in drawn)


def test_random_sampler_with_replacement_repeats_indices():
    drawn = list(RandomSampler(data(5), replacement=True, num_samples=100, generator=np.random.default_rng(0)))
    assert len(set(drawn)) < len(drawn)


def test_random_sampler_length_follows_the_dataset_when_num_samples_is_not_given():
    source = data(4)
    sampler = RandomSampler(source)
    source.append(4)
    assert len(sampler) == 5 and sorted(sampler) == list(range(5))


@pytest.mark.parametrize("replacement", [1, "yes", None])
def test_random_sampler_replacement_must_be_a_bool(replacement):
    with pytest.raises(TypeError, match=f"replacement should be a boolean value, but got replacement={replacement}"):
        RandomSampler(data(3), replacement=replacement)


@pytest.mark.parametrize("num_samples", [0, -1, 2.0])
def test_random_sampler_num_samples_must_be_a_positive_int(num_samples):
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples="):
        RandomSampler(data(3), num_samples=num_samples)


def test_random_sampler_refuses_an_empty_dataset():
    with pytest.raises(ValueError, match="but got num_samples=0"):
        RandomSampler([])


@pytest.mark.parametrize("generator", [0, np.random.RandomState(0), "seed"], ids=["int", "RandomState", "str"])
def test_random_sampler_generator_must_be_a_generator(generator):
    with pytest.raises(TypeError, match="generator"):
        RandomSampler(data(3), generator=generator)


# ------------------------------------------------------------------ SubsetRandomSampler


@given(seed=seeds, indices=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=50))
def test_subset_random_sampler_gives_its_indices_in_the_drawn_order(seed, indices):
    sampler = SubsetRandomSampler(indices, generator=np.random.default_rng(seed))
    expected = [indices[position] for position in np.random.default_rng(seed).permutation(len(indices))]
    assert list(sampler) == expected and len(sampler) == len(indices)


def test_subset_random_sampler_of_no_indices_is_empty():
    assert list(SubsetRandomSampler([])) == [] and len(SubsetRandomSampler([])) == 0


# ------------------------------------------------------------------ WeightedRandomSampler


def test_weighted_random_sampler_never_draws_a_zero_weight_with_replacement():
    drawn = list(WeightedRandomSampler([0.0, 1.0, 3.0, 0.0], 400, generator=np.random.default_rng(0)))
    assert len(drawn) == 400 and set(drawn) == {1, 2}


def test_weighted_random_sampler_draws_in_proportion_to_the_weights():
    drawn = np.array(list(WeightedRandomSampler([1.0, 3.0], 20000, generator=np.random.default_rng(1))))
    assert abs(np.mean(drawn == 1) - 0.75) < 0.02


def test_weighted_random_sampler_without_replacement_draws_distinct_indices():
    drawn = list(WeightedRandomSampler([5, 1, 1, 1, 1], 5, replacement=False, generator=np.random.default_rng(2)))
    assert sorted(drawn) == [0, 1, 2, 3, 4]


def test_weighted_random_sampler_without_replacement_takes_zero_weights_last():
    drawn = list(WeightedRandomSampler([0.1, 0.9, 0.0], 3, replacement=False, generator=np.random.default_rng(0)))
    assert sorted(drawn[:2]) == [0, 1] and drawn[2] == 2


def test_weighted_random_sampler_accepts_a_tensor_of_weights():
    assert set(WeightedRandomSampler(tg.tensor([0.0, 2.0]), 10)) == {1}


def test_weighted_random_sampler_length_is_num_samples():
    assert len(WeightedRandomSampler([1.0, 1.0], 7)) == 7


@pytest.mark.parametrize(
    ("weights", "num_samples", "replacement", "message"),
    [
        ([-0.1, 0.9], 3, True, r"invalid multinomial distribution \(encountering probability entry < 0\)"),
        ([0.0, 0.0], 3, True, r"invalid multinomial distribution \(sum of probabilities <= 0\)"),
        ([np.inf, 1.0], 3, True, r"encountering probability entry = infinity or NaN"),
        ([np.nan, 1.0], 3, True, r"encountering probability entry = infinity or NaN"),
        ([0.5, 0.5], 3, False, r"cannot sample n_sample > prob_dist.size\(-1\) samples without replacement"),
    ],
)
def test_weighted_random_sampler_bad_weights_raise_runtime_error_when_drawn(weights, num_samples, replacement, message):
    sampler = WeightedRandomSampler(weights, num_samples, replacement=replacement)
    with pytest.raises(RuntimeError, match=message):
        list(sampler)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([[0.1, 0.9]], 5), r"weights should be a 1d sequence but given weights have shape \(1, 2\)"),
        (([0.1, 0.9], 0), "num_samples should be a positive integer value, but got num_samples=0"),
        (([0.1, 0.9], 2.0), "num_samples should be a positive integer value, but got num_samples=2.0"),
        (([0.1, 0.9], True), "num_samples should be a positive integer value, but got num_samples=True"),
        (([0.1, 0.9], 5, 1), "replacement should be a boolean value, but got replacement=1"),
    ],
)
def test_weighted_random_sampler_checks_its_arguments_with_value_error(arguments, message):
    with pytest.raises(ValueError, match=message):
        WeightedRandomSampler(*arguments)


# ------------------------------------------------------------------ BatchSampler


@given(n=st.integers(min_value=0, max_value=100), batch_size=st.integers(min_value=1, max_value=20),
       drop_last=st.booleans())  # fmt: skip
def test_batch_sampler_cuts_its_sampler_into_lists_of_batch_size(n, batch_size, drop_last):
    batches = list(BatchSampler(range(n), batch_size, drop_last))
    expected = [list(range(start, min(start + batch_size, n))) for start in range(0, n, batch_size)]
    if drop_last and n % batch_size:
        expected = expected[:-1]
    assert batches == expected
    assert len(BatchSampler(range(n), batch_size, drop_last)) == len(expected)


def test_batch_sampler_follows_a_random_sampler():
    sampler = RandomSampler(data(10), generator=np.random.default_rng(4))
    batches = list(BatchSampler(sampler, 4, False))
    assert [index for batch in batches for index in batch] == np.random.default_rng(4).permutation(10).tolist()


@pytest.mark.parametrize("batch_size", [0, -2, True, 2.5, None])
def test_batch_sampler_batch_size_must_be_a_positive_int(batch_size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size="):
        BatchSampler(range(4), batch_size, False)


@pytest.mark.parametrize("drop_last", [0, 1, None, "no"])
def test_batch_sampler_drop_last_must_be_a_bool(drop_last):
    with pytest.raises(ValueError, match=f"drop_last should be a boolean value, but got drop_last={drop_last}"):
        BatchSampler(range(4), 2, drop_last)


# ------------------------------------------------------------------ random_split


@given(n=st.integers(min_value=0, max_value=100), cut=st.floats(min_value=0, max_value=1), seed=seeds)
def test_random_split_by_counts_partitions_the_generators_permutation(n, cut, seed):
    first = int(n * cut)
    parts = random_split(data(n), [first, n - first], generator=np.random.default_rng(seed))
    order = np.random.default_rng(seed).permutation(n).tolist()
    assert [list(part) for part in parts] == [order[:first], order[first:]]
    assert all(isinstance(part, Subset) for part in parts)


@pytest.mark.parametrize(
    ("n", "fractions", "lengths"),
    [(10, [0.33, 0.33, 0.34], [4, 3, 3]), (11, [0.5, 0.5], [6, 5]), (10, [0.8, 0.2], [8, 2]), (7, [1.0], [7])],
)
def test_random_split_by_fractions_deals_the_remainder_from_the_first_split(n, fractions, lengths):
    assert [len(part) for part in random_split(data(n), fractions)] == lengths


def test_random_split_by_fractions_warns_about_an_empty_split():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        parts = random_split(data(3), [0.9, 0.1])
    assert [len(part) for part in parts] == [3, 0]


def test_random_split_fractions_must_lie_between_0_and_1():
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(data(10), [1.5, -0.5])


def test_random_split_counts_must_sum_to_the_dataset_length():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        random_split(data(10), [3, 3])


def test_random_split_with_the_same_seeded_generator_is_reproducible():
    def split():
        return [list(part) for part in random_split(data(20), [0.5, 0.5], generator=tg.Generator().manual_seed(42))]

    assert split() == split()


def test_random_split_without_a_generator_follows_manual_seed():
    tg.manual_seed(3)
    first = [list(part) for part in random_split(data(20), [10, 10])]
    tg.manual_seed(3)
    assert [list(part) for part in random_split(data(20), [10, 10])] == first


def test_random_split_of_a_tensor_dataset_keeps_the_whole_batch_fetch():
    dataset = TensorDataset(np.arange(12))
    train, _ = random_split(dataset, [8, 4], generator=np.random.default_rng(0))
    (batch,) = train.get_batch(np.arange(8))
    np.testing.assert_array_equal(batch.numpy(), np.random.default_rng(0).permutation(12)[:8])


# ------------------------------------------------------------------ ConcatDataset, ChainDataset, +


def test_concat_dataset_is_its_datasets_one_after_the_other():
    joined = ConcatDataset([data(3), [10, 11, 12, 13]])
    assert len(joined) == 7 and joined.cumulative_sizes == [3, 7]
    assert [joined[i] for i in range(7)] == [0, 1, 2, 10, 11, 12, 13]


def test_concat_dataset_counts_negative_indices_from_the_end():
    joined = ConcatDataset([data(3), [10, 11]])
    assert joined[-1] == 11 and joined[-5] == 0


def test_concat_dataset_negative_index_beyond_its_length_raises_value_error():
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        ConcatDataset([data(3)])[-4]


def test_concat_dataset_index_past_the_end_raises_index_error():
    with pytest.raises(IndexError):
        ConcatDataset([data(3)])[3]


def test_concat_dataset_of_nothing_raises_value_error():
    with pytest.raises(ValueError, match="datasets should not be an empty iterable"):
        ConcatDataset([])


class Stream(IterableDataset):
    def __init__(self, values):
        self.values = values

    def __iter__(self):
        return iter(self.values)


def test_concat_dataset_refuses_iterable_datasets():
    with pytest.raises(TypeError, match="IterableDataset"):
        ConcatDataset([Stream([1])])


def test_adding_datasets_concatenates_them():
    joined = TensorDataset(np.arange(2)) + TensorDataset(np.arange(5, 8))
    assert isinstance(joined, ConcatDataset)
    assert [joined[i][0].item() for i in range(len(joined))] == [0, 1, 5, 6, 7]


def test_adding_iterable_datasets_chains_them():
    chained = Stream([1, 2]) + Stream([3])
    assert isinstance(chained, ChainDataset) and list(chained) == [1, 2, 3]


# ------------------------------------------------------------------ tg.Generator


def test_an_unseeded_generator_starts_from_pytorchs_default_seed():
    assert tg.Generator().initial_seed() == 67280421310721
    assert list(RandomSampler(data(30), generator=tg.Generator())) == list(
        RandomSampler(data(30), generator=tg.Generator())
    )


def test_generator_manual_seed_returns_the_generator_and_restarts_it():
    generator = tg.Generator()
    assert generator.manual_seed(5) is generator and generator.initial_seed() == 5
    first = generator.numpy.random(3)
    generator.manual_seed(5)
    np.testing.assert_array_equal(generator.numpy.random(3), first)


def test_generator_takes_negative_seeds_modulo_2_to_the_64():
    assert tg.Generator().manual_seed(-1).initial_seed() == 2**64 - 1


def test_generator_state_round_trips():
    generator = tg.Generator().manual_seed(1)
    state = generator.get_state()
    first = generator.numpy.random(4)
    generator.set_state(state)
    np.testing.assert_array_equal(generator.numpy.random(4), first)


def test_generator_seed_restarts_from_the_seed_it_returns():
    generator = tg.Generator()
    seed = generator.seed()
    assert generator.initial_seed() == seed


def test_generator_draws_leave_the_librarys_generator_alone():
    tg.manual_seed(0)
    expected = tg.rand(3).numpy()
    tg.manual_seed(0)
    list(RandomSampler(data(10), generator=tg.Generator().manual_seed(9)))
    np.testing.assert_array_equal(tg.rand(3).numpy(), expected)


def test_generator_refuses_a_device_other_than_the_cpu():
    assert tg.Generator("cpu").device == tg.device("cpu")
    with pytest.raises(RuntimeError):
        tg.Generator("cuda")


def test_no_warning_when_fractions_leave_no_split_empty():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [len(part) for part in random_split(data(10), [0.5, 0.5])] == [5, 5]


def test_fractions_summing_to_1_up_to_rounding_are_fractions():
    assert sum([0.1] * 10) != 1 and math.isclose(sum([0.1] * 10), 1)
    assert [len(part) for part in random_split(data(20), [0.1] * 10)] == [2] * 10


# ---------------------------------------------------------------- drawn lazily: makemore's endless sampler

ENDLESS = 10**10


def test_random_sampler_with_replacement_draws_10_10_indices_lazily_in_bounded_memory():
    tracemalloc.start()
    try:
        first = list(itertools.islice(iter(RandomSampler(data(7), replacement=True, num_samples=ENDLESS)), 100))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(first) == 100 and set(first) <= set(range(7))
    assert peak < 1_000_000


def test_random_sampler_with_replacement_gives_the_same_draws_after_the_same_seed():
    def first_draws():
        tg.manual_seed(3)
        return list(itertools.islice(iter(RandomSampler(data(50), replacement=True, num_samples=ENDLESS)), 3000))

    assert first_draws() == first_draws()


def test_weighted_random_sampler_draws_10_10_indices_lazily_in_bounded_memory():
    tracemalloc.start()
    try:
        first = list(itertools.islice(iter(WeightedRandomSampler([0.0, 1.0, 3.0], ENDLESS)), 100))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(first) == 100 and set(first) <= {1, 2}
    assert peak < 1_000_000


def test_weighted_random_sampler_with_replacement_draws_as_numpy_choice_with_p():
    weights = np.array([0.5, 2.0, 0.0, 1.5])
    drawn = list(WeightedRandomSampler(weights, 3000, generator=np.random.default_rng(4)))
    expected = np.random.default_rng(4).choice(4, size=3000, p=weights / weights.sum())
    assert drawn == expected.tolist()
