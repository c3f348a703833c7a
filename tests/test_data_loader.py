"""The data pipeline: Dataset, TensorDataset, Subset, default_collate and DataLoader.

Each test states one behaviour. The DataLoader's contract: `len(loader)` counts the batches an
epoch yields (a final partial batch included unless `drop_last`); every sample appears exactly
once per epoch, in order 0..n-1 without shuffling and in the permutation the generator draws
with it (a new one each `iter`); batches are Tensors of the samples' dtypes that never require
grad. Datasets with `get_batch` (TensorDataset, Subset) are fetched with one vectorised call per
batch, never one `__getitem__` per sample, unless a `collate_fn` is given, which always receives
the list of samples. Any other dataset is collated by `default_collate`.
"""

import inspect
import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_np as tg
from tinygrad_np.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
)

sizes = st.integers(min_value=0, max_value=300)
nonempty_sizes = st.integers(min_value=1, max_value=300)  # a RandomSampler refuses an empty dataset, as PyTorch's
batch_sizes = st.integers(min_value=1, max_value=64)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def indexed(n):
    """A TensorDataset whose only field is each sample's own index, so batches show the order."""
    return TensorDataset(np.arange(n, dtype=np.int64))


def epoch_order(loader):
    """The sample indices an epoch of `loader` over `indexed(n)` yields, in order."""
    batches = [batch[0].numpy() for batch in loader]
    return np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)


def images_and_labels(n, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((n, 1, 4, 4)).astype(np.float32)
    labels = rng.integers(0, 10, size=n).astype(np.int64)
    return images, labels


class CountingTensorDataset(TensorDataset):
    """A TensorDataset that counts how often a single sample is fetched."""

    def __init__(self, *tensors):
        super().__init__(*tensors)
        self.getitem_calls = 0

    def __getitem__(self, index):
        self.getitem_calls += 1
        return super().__getitem__(index)


@pytest.fixture
def no_per_sample_fetch(monkeypatch):
    """TensorDataset's and Subset's __getitem__ raise: only the whole-batch fetch may be used."""

    def per_sample_fetch(self, index):
        raise AssertionError("a per-sample __getitem__ was called on the vectorised path")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_sample_fetch)
    monkeypatch.setattr(Subset, "__getitem__", per_sample_fetch)


class Pairs(Dataset):
    """A plain map-style dataset (no get_batch): (float32 feature row, Python int label)."""

    def __init__(self, n, width=3):
        self.features = np.arange(n * width, dtype=np.float32).reshape(n, width)
        self.getitem_calls = 0

    def __getitem__(self, index):
        self.getitem_calls += 1
        return self.features[index], int(index) % 7

    def __len__(self):
        return len(self.features)


class Samples(Dataset):
    """A plain dataset returning the given samples verbatim."""

    def __init__(self, samples):
        self.samples = list(samples)

    def __getitem__(self, index):
        return self.samples[index]

    def __len__(self):
        return len(self.samples)


# ------------------------------------------------------------------ length and batch sizes


@given(n=sizes, batch_size=batch_sizes, drop_last=st.booleans())
def test_len_counts_the_final_partial_batch_unless_drop_last(n, batch_size, drop_last):
    loader = DataLoader(indexed(n), batch_size=batch_size, drop_last=drop_last)
    expected = n // batch_size if drop_last else math.ceil(n / batch_size)
    assert len(loader) == expected


@given(n=nonempty_sizes, batch_size=batch_sizes, drop_last=st.booleans(), shuffle=st.booleans(), seed=seeds)
def test_an_epoch_yields_exactly_len_loader_batches(n, batch_size, drop_last, shuffle, seed):
    loader = DataLoader(
        indexed(n), batch_size=batch_size, drop_last=drop_last, shuffle=shuffle, generator=np.random.default_rng(seed)
    )
    assert sum(1 for _ in loader) == len(loader)


@given(n=nonempty_sizes, batch_size=batch_sizes, shuffle=st.booleans(), seed=seeds)
def test_every_sample_appears_exactly_once_per_epoch(n, batch_size, shuffle, seed):
    loader = DataLoader(indexed(n), batch_size=batch_size, shuffle=shuffle, generator=np.random.default_rng(seed))
    order = epoch_order(loader)
    assert len(order) == n
    np.testing.assert_array_equal(np.sort(order), np.arange(n))


@given(n=nonempty_sizes, batch_size=batch_sizes, shuffle=st.booleans(), seed=seeds)
def test_drop_last_drops_only_the_remainder_and_repeats_no_sample(n, batch_size, shuffle, seed):
    loader = DataLoader(
        indexed(n), batch_size=batch_size, drop_last=True, shuffle=shuffle, generator=np.random.default_rng(seed)
    )
    order = epoch_order(loader)
    assert len(order) == (n // batch_size) * batch_size
    assert len(np.unique(order)) == len(order)
    assert np.all((0 <= order) & (order < n))


@given(n=nonempty_sizes, batch_size=batch_sizes, drop_last=st.booleans(), shuffle=st.booleans())
def test_batches_hold_batch_size_samples_except_a_final_partial_batch(n, batch_size, drop_last, shuffle):
    loader = DataLoader(indexed(n), batch_size=batch_size, drop_last=drop_last, shuffle=shuffle)
    lengths = [batch[0].shape[0] for batch in loader]
    expected = [batch_size] * (n // batch_size)
    if n % batch_size and not drop_last:
        expected.append(n % batch_size)
    assert lengths == expected


def test_last_partial_batch_is_kept_unless_drop_last():
    # The origin notebook's bug: 10 samples in batches of 4 must give 4, 4, 2, not a mis-sized or lost last batch.
    images, labels = images_and_labels(10)
    dataset = TensorDataset(images, labels)

    kept = list(DataLoader(dataset, batch_size=4))
    assert len(DataLoader(dataset, batch_size=4)) == 3
    assert [x.shape for x, _ in kept] == [(4, 1, 4, 4), (4, 1, 4, 4), (2, 1, 4, 4)]
    assert [y.shape for _, y in kept] == [(4,), (4,), (2,)]
    np.testing.assert_array_equal(kept[-1][0].numpy(), images[8:10])
    np.testing.assert_array_equal(kept[-1][1].numpy(), labels[8:10])

    dropped = list(DataLoader(dataset, batch_size=4, drop_last=True))
    assert len(DataLoader(dataset, batch_size=4, drop_last=True)) == 2
    assert [x.shape for x, _ in dropped] == [(4, 1, 4, 4), (4, 1, 4, 4)]


def test_an_empty_dataset_yields_no_batches():
    loader = DataLoader(indexed(0), batch_size=4)
    assert len(loader) == 0
    assert list(loader) == []


def test_shuffling_an_empty_dataset_raises_value_error_as_pytorch():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        DataLoader(indexed(0), batch_size=4, shuffle=True)


def test_a_dataset_smaller_than_one_batch_yields_one_partial_batch_or_none_with_drop_last():
    assert [b[0].shape for b in DataLoader(indexed(3), batch_size=8)] == [(3,)]
    assert list(DataLoader(indexed(3), batch_size=8, drop_last=True)) == []


# ------------------------------------------------------------------ order and shuffling


@given(n=sizes, batch_size=batch_sizes)
def test_without_shuffle_samples_come_in_order_0_to_n_minus_1(n, batch_size):
    np.testing.assert_array_equal(epoch_order(DataLoader(indexed(n), batch_size=batch_size)), np.arange(n))


@given(n=nonempty_sizes, batch_size=batch_sizes, seed=seeds)
def test_shuffle_with_a_generator_follows_the_permutation_that_generator_draws(n, batch_size, seed):
    loader = DataLoader(indexed(n), batch_size=batch_size, shuffle=True, generator=np.random.default_rng(seed))
    np.testing.assert_array_equal(epoch_order(loader), np.random.default_rng(seed).permutation(n))


@given(seed=seeds)
def test_shuffle_with_the_same_seed_is_reproducible(seed):
    def order():
        return epoch_order(DataLoader(indexed(100), batch_size=7, shuffle=True, generator=np.random.default_rng(seed)))

    np.testing.assert_array_equal(order(), order())


def test_shuffle_draws_a_new_order_every_epoch():
    loader = DataLoader(indexed(100), batch_size=16, shuffle=True, generator=np.random.default_rng(3))
    first, second = epoch_order(loader), epoch_order(loader)
    assert not np.array_equal(first, second)
    reference = np.random.default_rng(3)
    np.testing.assert_array_equal(first, reference.permutation(100))
    np.testing.assert_array_equal(second, reference.permutation(100))


def test_shuffle_without_a_generator_follows_manual_seed():
    loader = DataLoader(indexed(100), batch_size=16, shuffle=True)
    tg.manual_seed(1234)
    first = epoch_order(loader)
    tg.manual_seed(1234)
    again = epoch_order(loader)
    tg.manual_seed(4321)
    other = epoch_order(loader)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(np.sort(first), np.arange(100))


def test_shuffle_without_a_generator_draws_a_new_order_every_epoch():
    loader = DataLoader(indexed(100), batch_size=16, shuffle=True)
    tg.manual_seed(0)
    assert not np.array_equal(epoch_order(loader), epoch_order(loader))


def test_without_shuffle_a_generator_is_ignored_and_order_is_sequential():
    loader = DataLoader(indexed(20), batch_size=6, generator=np.random.default_rng(0))
    np.testing.assert_array_equal(epoch_order(loader), np.arange(20))
    np.testing.assert_array_equal(epoch_order(loader), np.arange(20))


# ------------------------------------------------------------------ batch contents and dtypes


def test_batches_are_tensors_with_float32_inputs_and_int64_labels():
    images, labels = images_and_labels(10)
    for x, y in DataLoader(TensorDataset(images, labels), batch_size=4, shuffle=True):
        assert isinstance(x, tg.Tensor) and isinstance(y, tg.Tensor)
        assert x.dtype == tg.float32
        assert y.dtype == tg.int64


@given(n=st.integers(min_value=1, max_value=60), batch_size=batch_sizes, seed=seeds)
def test_each_batch_row_equals_the_dataset_sample_at_its_index(n, batch_size, seed):
    images, labels = images_and_labels(n, seed % 1000)
    dataset = TensorDataset(images, labels)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=np.random.default_rng(seed))
    order = np.random.default_rng(seed).permutation(n)
    position = 0
    for x, y in loader:
        for row in range(x.shape[0]):
            sample_x, sample_y = dataset[int(order[position])]
            np.testing.assert_array_equal(x[row].numpy(), sample_x.numpy())
            assert y[row].item() == sample_y.item()
            position += 1
    assert position == n


def test_batches_never_require_grad_even_when_the_dataset_tensors_do():
    inputs = tg.randn(10, 3, requires_grad=True)
    targets = tg.randn(10, requires_grad=True)
    dataset = TensorDataset(inputs, targets)
    for loader in (
        DataLoader(dataset, batch_size=4),
        DataLoader(dataset, batch_size=4, shuffle=True),
        DataLoader(Subset(dataset, [1, 3, 5]), batch_size=2),
        DataLoader(Samples([inputs[i] for i in range(10)]), batch_size=4),
    ):
        for batch in loader:
            fields = batch if isinstance(batch, tuple) else (batch,)
            assert not any(field.requires_grad for field in fields)


@pytest.mark.parametrize("shuffle", [False, True])
def test_writing_into_a_batch_leaves_the_dataset_unchanged(shuffle):
    images, labels = images_and_labels(8)
    dataset = TensorDataset(images.copy(), labels.copy())
    for x, y in DataLoader(dataset, batch_size=4, shuffle=shuffle, generator=np.random.default_rng(0)):
        x.numpy()[...] = -1.0
        y.numpy()[...] = -1
    np.testing.assert_array_equal(dataset.tensors[0].numpy(), images)
    np.testing.assert_array_equal(dataset.tensors[1].numpy(), labels)


# ------------------------------------------------------------------ the vectorised path and collate_fn


@pytest.mark.parametrize("shuffle", [False, True])
def test_a_tensor_dataset_is_batched_without_a_getitem_call_per_sample(shuffle, no_per_sample_fetch):
    batches = list(DataLoader(TensorDataset(*images_and_labels(50)), batch_size=8, shuffle=shuffle))
    assert [x.shape[0] for x, _ in batches] == [8] * 6 + [2]


def test_a_subclass_overriding_getitem_is_fetched_through_it():
    images, labels = images_and_labels(10)
    dataset = CountingTensorDataset(images, labels)
    batches = list(DataLoader(dataset, batch_size=4, shuffle=True))
    assert dataset.getitem_calls == 10 and [x.shape[0] for x, _ in batches] == [4, 4, 2]


def test_a_subset_of_a_subclass_overriding_getitem_is_fetched_through_it():
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            (value,) = super().__getitem__(index)
            return (value * 2,)

    (batch,) = next(iter(DataLoader(Subset(Doubled(np.arange(5)), [4, 1]), batch_size=2)))
    assert batch.tolist() == [8, 2]


def test_a_subclass_keeping_getitem_keeps_the_whole_batch_fetch(no_per_sample_fetch):
    class Named(TensorDataset):
        name = "kept"

    assert [batch.tolist() for (batch,) in DataLoader(Named(np.arange(5)), batch_size=3)] == [[0, 1, 2], [3, 4]]


def test_a_custom_collate_fn_receives_the_list_of_samples():
    images, labels = images_and_labels(10)
    dataset = CountingTensorDataset(images, labels)
    received = []

    def collate(samples):
        received.append(samples)
        return len(samples)

    assert list(DataLoader(dataset, batch_size=4, collate_fn=collate)) == [4, 4, 2]
    assert dataset.getitem_calls == 10
    flat = [sample for batch in received for sample in batch]
    assert all(isinstance(batch, list) for batch in received)
    for index, (x, y) in enumerate(flat):
        np.testing.assert_array_equal(x.numpy(), images[index])
        assert y.item() == labels[index]


def test_a_custom_collate_fn_sees_samples_in_the_shuffled_order():
    dataset = indexed(30)
    def collate(samples):
        return [index.item() for (index,) in samples]

    loader = DataLoader(dataset, batch_size=8, shuffle=True, generator=np.random.default_rng(5), collate_fn=collate)
    order = [index for batch in loader for index in batch]
    assert order == np.random.default_rng(5).permutation(30).tolist()


def test_default_collate_as_collate_fn_gives_the_same_batches_as_the_vectorised_path():
    dataset = TensorDataset(*images_and_labels(10))
    for (x1, y1), (x2, y2) in zip(
        DataLoader(dataset, batch_size=4), DataLoader(dataset, batch_size=4, collate_fn=default_collate)
    ):
        np.testing.assert_array_equal(x1.numpy(), x2.numpy())
        np.testing.assert_array_equal(y1.numpy(), y2.numpy())
        assert (x1.dtype, y1.dtype) == (x2.dtype, y2.dtype)


# ------------------------------------------------------------------ plain datasets and default_collate


def test_a_plain_dataset_is_fetched_sample_by_sample_and_collated_by_default_collate():
    dataset = Pairs(10)
    batches = list(DataLoader(dataset, batch_size=4))
    assert dataset.getitem_calls == 10
    assert len(batches) == 3
    x, y = batches[0]
    assert isinstance(x, tg.Tensor) and isinstance(y, tg.Tensor)
    assert x.shape == (4, 3) and x.dtype == tg.float32
    assert y.shape == (4,) and y.dtype == tg.int64
    np.testing.assert_array_equal(x.numpy(), dataset.features[:4])
    np.testing.assert_array_equal(y.numpy(), [0, 1, 2, 3])
    assert batches[-1][0].shape == (2, 3)


def test_a_plain_dataset_is_shuffled_by_the_generator_too():
    dataset = Pairs(20)
    x, _ = next(iter(DataLoader(dataset, batch_size=20, shuffle=True, generator=np.random.default_rng(9))))
    np.testing.assert_array_equal(x.numpy(), dataset.features[np.random.default_rng(9).permutation(20)])


def test_default_collate_stacks_tensors_and_arrays_along_a_new_first_dimension():
    tensors = [tg.tensor([[1.0, 2.0]]), tg.tensor([[3.0, 4.0]])]
    batch = default_collate(tensors)
    assert isinstance(batch, tg.Tensor)
    assert batch.shape == (2, 1, 2)
    np.testing.assert_array_equal(batch.numpy(), [[[1, 2]], [[3, 4]]])

    arrays = [np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)]
    stacked = default_collate(arrays)
    assert isinstance(stacked, tg.Tensor)
    assert stacked.shape == (2, 2, 2) and stacked.dtype == tg.float32


def test_default_collate_keeps_the_dtype_of_arrays_and_numpy_scalars():
    assert default_collate([np.zeros(3, np.float32)] * 2).dtype == tg.float32
    assert default_collate([np.zeros(3, np.float64)] * 2).dtype == tg.float64
    assert default_collate([np.zeros(3, np.int32)] * 2).dtype == tg.int32
    assert default_collate([np.uint8(1), np.uint8(2)]).dtype == tg.uint8
    scalars = default_collate([np.float32(1.5), np.float32(2.5)])
    assert scalars.shape == (2,) and scalars.dtype == tg.float32


def test_default_collate_turns_python_ints_into_int64_and_bools_into_bool():
    ints = default_collate([3, 1, 4])
    assert ints.dtype == tg.int64 and ints.tolist() == [3, 1, 4]
    bools = default_collate([True, False])
    assert bools.dtype == tg.bool_ and bools.tolist() == [True, False]


def test_default_collate_turns_python_floats_into_the_default_float_dtype():
    floats = default_collate([0.5, 1.5])
    assert floats.dtype == tg.float32 and floats.tolist() == [0.5, 1.5]
    tg.set_default_dtype(tg.float64)
    try:
        assert default_collate([0.5, 1.5]).dtype == tg.float64
    finally:
        tg.set_default_dtype(tg.float32)


def test_default_collate_does_not_truncate_floats_that_follow_an_int():
    batch = default_collate([1, 2.5])
    assert batch.tolist() == [1.0, 2.5]


def test_default_collate_collates_tuples_field_by_field():
    batch = default_collate([(np.zeros(2, np.float32), 1, 0.5), (np.ones(2, np.float32), 2, 1.5)])
    assert isinstance(batch, tuple) and len(batch) == 3
    features, labels, weights = batch
    assert features.shape == (2, 2) and features.dtype == tg.float32
    assert labels.dtype == tg.int64 and labels.tolist() == [1, 2]
    assert weights.dtype == tg.float32 and weights.tolist() == [0.5, 1.5]


def test_default_collate_collates_lists_field_by_field_as_a_tuple():
    batch = default_collate([[1, 2.0], [3, 4.0]])
    assert isinstance(batch, tuple)
    assert batch[0].tolist() == [1, 3] and batch[0].dtype == tg.int64
    assert batch[1].tolist() == [2.0, 4.0] and batch[1].dtype == tg.float32


def test_default_collate_collates_dicts_key_by_key_and_nests():
    samples = [
        {"image": np.full((2,), i, np.float32), "label": i, "meta": (i * 0.5, bool(i % 2))} for i in range(3)
    ]
    batch = default_collate(samples)
    assert isinstance(batch, dict) and list(batch) == ["image", "label", "meta"]
    assert batch["image"].shape == (3, 2) and batch["image"].dtype == tg.float32
    assert batch["label"].tolist() == [0, 1, 2]
    weights, odd = batch["meta"]
    assert weights.tolist() == [0.0, 0.5, 1.0]
    assert odd.dtype == tg.bool_ and odd.tolist() == [False, True, False]


def test_a_plain_dataset_of_dicts_yields_dict_batches():
    dataset = Samples({"x": np.float32(i), "y": i} for i in range(5))
    batches = list(DataLoader(dataset, batch_size=2))
    assert [list(b) for b in batches] == [["x", "y"]] * 3
    assert [b["y"].tolist() for b in batches] == [[0, 1], [2, 3], [4]]


def test_default_collate_batches_do_not_require_grad():
    batch = default_collate([tg.randn(3, requires_grad=True), tg.randn(3, requires_grad=True)])
    assert not batch.requires_grad


def test_default_collate_rejects_samples_of_different_shapes_naming_the_shapes():
    with pytest.raises(tg.ShapeError) as excinfo:
        default_collate([np.zeros(3, np.float32), np.zeros(4, np.float32)])
    assert "(3,)" in str(excinfo.value) and "(4,)" in str(excinfo.value)


def test_a_plain_dataset_with_ragged_samples_raises_shape_error_from_the_loader():
    dataset = Samples([np.zeros((2, 2), np.float32), np.zeros((2, 3), np.float32)])
    with pytest.raises(tg.ShapeError, match=r"\(2, 2\).*\(2, 3\)"):
        next(iter(DataLoader(dataset, batch_size=2)))


@pytest.mark.parametrize("sample", ["text", None, object(), {1, 2}], ids=["str", "None", "object", "set"])
def test_default_collate_rejects_an_unsupported_type_with_type_error(sample):
    with pytest.raises(TypeError, match=type(sample).__name__):
        default_collate([sample, sample])


def test_default_collate_rejects_tuples_with_different_numbers_of_fields():
    with pytest.raises(ValueError):
        default_collate([(1, 2), (1, 2, 3)])


def test_the_base_dataset_requires_getitem_and_len():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    with pytest.raises(NotImplementedError):
        len(Dataset())


# ------------------------------------------------------------------ TensorDataset


def test_tensor_dataset_samples_are_rows_of_its_tensors():
    images, labels = images_and_labels(5)
    dataset = TensorDataset(tg.tensor(images), tg.tensor(labels))
    assert len(dataset) == 5
    x, y = dataset[3]
    np.testing.assert_array_equal(x.numpy(), images[3])
    assert y.item() == labels[3]


def test_tensor_dataset_accepts_ndarrays_and_keeps_their_dtypes():
    images, labels = images_and_labels(6)
    dataset = TensorDataset(images, labels)
    assert all(isinstance(t, tg.Tensor) for t in dataset.tensors)
    assert dataset.tensors[0].dtype == tg.float32 and dataset.tensors[1].dtype == tg.int64
    np.testing.assert_array_equal(dataset[2][0].numpy(), images[2])


def test_tensor_dataset_accepts_a_mix_of_tensors_and_ndarrays():
    images, labels = images_and_labels(4)
    dataset = TensorDataset(tg.tensor(images), labels)
    x, y = next(iter(DataLoader(dataset, batch_size=4)))
    np.testing.assert_array_equal(x.numpy(), images)
    np.testing.assert_array_equal(y.numpy(), labels)


def test_tensor_dataset_with_mismatched_first_dimensions_raises_shape_error_naming_the_shapes():
    with pytest.raises(tg.ShapeError, match=r"\(5, 2\).*\(4,\)"):
        TensorDataset(np.zeros((5, 2), np.float32), np.zeros(4, np.int64))


def test_tensor_dataset_with_a_zero_dimensional_tensor_raises_shape_error():
    with pytest.raises(tg.ShapeError):
        TensorDataset(np.zeros(3, np.float32), tg.tensor(1.0))


def test_tensor_dataset_without_tensors_raises_value_error():
    with pytest.raises(ValueError):
        TensorDataset()


# ------------------------------------------------------------------ Subset


def test_subset_picks_the_given_indices_in_the_given_order():
    images, labels = images_and_labels(10)
    subset = Subset(TensorDataset(images, labels), [7, 2, 2, 9])
    assert len(subset) == 4
    for position, index in enumerate([7, 2, 2, 9]):
        x, y = subset[position]
        np.testing.assert_array_equal(x.numpy(), images[index])
        assert y.item() == labels[index]


def test_subset_batches_follow_its_indices_through_the_loader():
    images, labels = images_and_labels(20)
    indices = [19, 0, 5, 5, 11, 3, 8]
    batches = list(DataLoader(Subset(TensorDataset(images, labels), indices), batch_size=3))
    assert [x.shape[0] for x, _ in batches] == [3, 3, 1]
    np.testing.assert_array_equal(np.concatenate([x.numpy() for x, _ in batches]), images[indices])
    np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in batches]), labels[indices])


def test_subset_of_a_tensor_dataset_is_batched_without_any_getitem_call(no_per_sample_fetch):
    subset = Subset(TensorDataset(*images_and_labels(30)), np.arange(0, 30, 2))
    for shuffle in (False, True):
        batches = list(DataLoader(subset, batch_size=4, shuffle=shuffle))
        assert [x.shape[0] for x, _ in batches] == [4, 4, 4, 3]


def test_shuffled_subset_follows_the_generators_permutation_of_its_indices():
    indices = np.array([4, 8, 15, 16, 23, 42])
    loader = DataLoader(Subset(indexed(50), indices), batch_size=4, shuffle=True, generator=np.random.default_rng(1))
    np.testing.assert_array_equal(epoch_order(loader), indices[np.random.default_rng(1).permutation(6)])


def test_subset_of_a_plain_dataset_is_collated_by_default_collate():
    dataset = Pairs(10)
    x, y = next(iter(DataLoader(Subset(dataset, [9, 1]), batch_size=2)))
    np.testing.assert_array_equal(x.numpy(), dataset.features[[9, 1]])
    assert y.tolist() == [9 % 7, 1]


def test_subset_of_a_subset_composes_the_indices():
    inner = Subset(indexed(20), [10, 11, 12, 13, 14])
    outer = Subset(inner, [4, 0])
    assert epoch_order(DataLoader(outer, batch_size=2)).tolist() == [14, 10]


@pytest.mark.parametrize("indices", [[0, 10], [10], [-11], [3, 100]])
def test_subset_with_an_out_of_range_index_raises_index_error(indices):
    with pytest.raises(IndexError):
        Subset(indexed(10), indices)


def test_subset_accepts_an_empty_index_list():
    subset = Subset(indexed(10), [])
    assert len(subset) == 0
    assert list(DataLoader(subset, batch_size=3)) == []


# ------------------------------------------------------------------ argument validation


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, False, "4"])
def test_batch_size_must_be_a_positive_integer(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(indexed(10), batch_size=batch_size)


def test_batch_size_may_be_a_numpy_integer():
    loader = DataLoader(indexed(10), batch_size=np.int64(4))
    assert len(loader) == 3
    assert [b[0].shape[0] for b in loader] == [4, 4, 2]


@pytest.mark.parametrize(
    "generator", [0, np.random.RandomState(0), np.random.PCG64(0), "seed"], ids=["int", "RandomState", "bitgen", "str"]
)
def test_generator_must_be_a_numpy_generator(generator):
    with pytest.raises(TypeError, match="generator"):
        DataLoader(indexed(10), shuffle=True, generator=generator)


@pytest.mark.parametrize("indices", [np.array([True, False, True]), [1.5], np.array([0.0, 2.0])])
def test_subset_rejects_boolean_masks_and_float_indices(indices):
    dataset = TensorDataset(np.arange(5) * 10)
    with pytest.raises(TypeError, match="flatnonzero"):
        Subset(dataset, indices)


# ------------------------------------------------------------------ PyTorch's arguments and their rules


def test_the_signature_is_pytorchs():
    parameters = inspect.signature(DataLoader).parameters
    assert list(parameters) == [
        "dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers", "collate_fn", "pin_memory",
        "drop_last", "timeout", "worker_init_fn", "multiprocessing_context", "generator", "prefetch_factor",
        "persistent_workers", "pin_memory_device", "in_order",
    ]  # fmt: skip
    assert [parameters[name].default for name in ("batch_size", "shuffle", "num_workers", "pin_memory", "timeout")] == [
        1, None, 0, False, 0,
    ]  # fmt: skip
    assert parameters["prefetch_factor"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"sampler": [0, 1], "shuffle": True}, "sampler option is mutually exclusive with shuffle"),
        ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive with batch_size"),
        ({"batch_sampler": [[0]], "shuffle": True}, "batch_sampler option is mutually exclusive with batch_size"),
        ({"batch_sampler": [[0]], "sampler": [0]}, "batch_sampler option is mutually exclusive with batch_size"),
        ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually exclusive with batch_size"),
        ({"batch_size": None, "drop_last": True}, "batch_size=None option disables auto-batching"),
        ({"num_workers": -1}, "num_workers option should be non-negative"),
        ({"timeout": -1}, "timeout option should be non-negative"),
        ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in multiprocessing"),
        ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
        ({"multiprocessing_context": "fork"}, "multiprocessing_context can only be used with multi-process loading"),
    ],
)
def test_conflicting_arguments_raise_value_error_as_pytorch(arguments, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(indexed(4), **arguments)


def test_a_sampler_with_shuffle_false_is_accepted():
    assert epoch_order(DataLoader(indexed(5), sampler=[4, 0], shuffle=False, batch_size=2)).tolist() == [4, 0]


def test_a_batch_sampler_with_the_default_batch_size_is_accepted_and_batch_size_becomes_none():
    loader = DataLoader(indexed(10), batch_sampler=BatchSampler(SequentialSampler(range(10)), 3, False))
    assert loader.batch_size is None and loader.drop_last is False and len(loader) == 4


def test_the_loader_exposes_its_dataset_sampler_and_batch_sampler():
    dataset = indexed(6)
    loader = DataLoader(dataset, batch_size=4, shuffle=True)
    assert loader.dataset is dataset and len(loader.dataset) == 6
    assert isinstance(loader.sampler, RandomSampler) and isinstance(loader.batch_sampler, BatchSampler)
    assert isinstance(DataLoader(dataset).sampler, SequentialSampler)


@pytest.mark.parametrize(
    "name", ["batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"]
)
def test_the_ordering_attributes_cannot_be_set_after_init(name):
    loader = DataLoader(indexed(4))
    with pytest.raises(ValueError, match=f"{name} attribute should not be set after DataLoader is initialized"):
        setattr(loader, name, None)


def test_setting_collate_fn_after_init_gives_it_the_samples():
    loader = DataLoader(indexed(4), batch_size=2)
    loader.collate_fn = len
    assert list(loader) == [2, 2]


def test_a_custom_sampler_orders_the_samples():
    loader = DataLoader(indexed(10), batch_size=3, sampler=[9, 1, 1, 4])
    assert epoch_order(loader).tolist() == [9, 1, 1, 4] and len(loader) == 2


def test_a_batch_sampler_gives_the_batches():
    loader = DataLoader(indexed(10), batch_sampler=[[3, 1], [0], [7, 8, 9]])
    assert [batch.tolist() for (batch,) in loader] == [[3, 1], [0], [7, 8, 9]]


@pytest.mark.parametrize(
    "sampler",
    [
        RandomSampler(range(30), generator=np.random.default_rng(0)),
        SubsetRandomSampler([2, 4, 6, 8], generator=np.random.default_rng(0)),
        WeightedRandomSampler([1.0] * 30, 12, generator=np.random.default_rng(0)),
        [5, 3, 1],
    ],
    ids=["random", "subset-random", "weighted", "list"],
)
def test_samplers_keep_the_whole_batch_fetch_and_its_order(sampler, no_per_sample_fetch):
    expected = list(BatchSampler(sampler, 4, False))
    if hasattr(sampler, "generator"):
        sampler.generator = np.random.default_rng(0)
    loader = DataLoader(TensorDataset(np.arange(30)), batch_size=4, sampler=sampler)
    assert [batch.tolist() for (batch,) in loader] == expected


def test_batch_size_none_yields_samples_one_by_one_converted_to_tensors():
    dataset = Samples([(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 2)])
    samples = list(DataLoader(dataset, batch_size=None))
    assert len(samples) == 2 and len(DataLoader(dataset, batch_size=None)) == 2
    image, label = samples[1]
    assert isinstance(image, tg.Tensor) and image.tolist() == [1.0, 1.0] and label == 2 and type(label) is int


def test_batch_size_none_passes_each_sample_to_a_given_collate_fn():
    assert list(DataLoader(Samples([1, 2, 3]), batch_size=None, collate_fn=lambda x: x * 10)) == [10, 20, 30]


def test_a_tg_generator_orders_the_shuffle():
    def order(seed):
        generator = tg.Generator().manual_seed(seed)
        return epoch_order(DataLoader(indexed(50), batch_size=8, shuffle=True, generator=generator))

    np.testing.assert_array_equal(order(42), order(42))
    np.testing.assert_array_equal(order(42), tg.Generator().manual_seed(42).numpy.permutation(50))


@pytest.mark.parametrize("num_workers", [0, 1, 4])
@pytest.mark.parametrize("pin_memory", [False, True])
def test_num_workers_and_pin_memory_give_the_same_batches_in_the_main_process(num_workers, pin_memory):
    dataset = Pairs(10)
    loader = DataLoader(dataset, batch_size=4, num_workers=num_workers, pin_memory=pin_memory)
    batches = [(x.tolist(), y.tolist()) for x, y in loader]
    expected = [(x.tolist(), y.tolist()) for x, y in DataLoader(Pairs(10), batch_size=4)]
    assert batches == expected
    assert loader.num_workers == num_workers and loader.prefetch_factor == (2 if num_workers else None)


def test_worker_arguments_are_accepted_with_workers():
    loader = DataLoader(indexed(4), num_workers=2, prefetch_factor=4, persistent_workers=True, timeout=5,
                        worker_init_fn=lambda worker_id: None, multiprocessing_context="fork")  # fmt: skip
    assert len(list(loader)) == 4


def test_a_dataset_with_getitems_is_fetched_one_call_per_batch():
    class Batched(Pairs):
        batches = []

        def __getitems__(self, indices):
            self.batches.append(list(indices))
            return [self.features[i] for i in indices]

    dataset = Batched(5)
    assert [batch.shape for batch in DataLoader(dataset, batch_size=2)] == [(2, 3), (2, 3), (1, 3)]
    assert Batched.batches == [[0, 1], [2, 3], [4]] and dataset.getitem_calls == 0


# ------------------------------------------------------------------ IterableDataset


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


class SizedStream(Stream):
    def __len__(self):
        return self.n


@pytest.mark.parametrize(
    ("drop_last", "expected"), [(False, [[0, 1, 2], [3, 4, 5], [6]]), (True, [[0, 1, 2], [3, 4, 5]])]
)
def test_an_iterable_dataset_is_batched_in_the_order_it_yields(drop_last, expected):
    assert [batch.tolist() for batch in DataLoader(Stream(7), batch_size=3, drop_last=drop_last)] == expected


def test_get_worker_info_is_none_as_batches_are_made_in_the_calling_process():
    class Sharded(IterableDataset):
        def __iter__(self):
            assert tg.data.get_worker_info() is None
            return iter(range(4))

    assert [batch.tolist() for batch in DataLoader(Sharded(), batch_size=2, num_workers=2)] == [[0, 1], [2, 3]]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [({"batch_size": 0}, "batch_size should be a positive integer value"), ({"drop_last": 1}, "drop_last should be")],
)
def test_an_iterable_datasets_batch_size_and_drop_last_are_checked_as_a_batch_samplers(arguments, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Stream(3), **arguments)


def test_an_iterable_dataset_without_batching_yields_its_samples():
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]


def test_an_iterable_datasets_loader_length_follows_its_len():
    assert len(DataLoader(SizedStream(7), batch_size=3)) == 3
    assert len(DataLoader(SizedStream(7), batch_size=3, drop_last=True)) == 2
    with pytest.raises(TypeError, match="has no len"):
        len(DataLoader(Stream(7), batch_size=3))


@pytest.mark.parametrize(
    ("arguments", "name"),
    [({"shuffle": True}, "shuffle"), ({"sampler": [0]}, "sampler"), ({"batch_sampler": [[0]]}, "batch_sampler")],
)
def test_an_iterable_dataset_refuses_shuffle_and_samplers(arguments, name):
    with pytest.raises(ValueError, match=f"DataLoader with IterableDataset: expected unspecified {name} option"):
        DataLoader(Stream(3), **arguments)


# ------------------------------------------------------------------ the torch.utils.data name


def test_tinygrad_np_utils_data_is_tinygrad_np_data():
    import tinygrad_np.utils.data
    from tinygrad_np.utils.data import DataLoader as Loader
    from tinygrad_np.utils.data import random_split

    assert tinygrad_np.utils.data is tg.data and tg.utils.data is tg.data
    assert Loader is DataLoader and random_split is tg.data.random_split


def test_submodules_under_the_utils_name_are_the_same_modules():
    from tinygrad_np.utils.data.dataset import Dataset as UtilsDataset
    from tinygrad_np.utils.data.sampler import RandomSampler as UtilsRandomSampler

    assert UtilsRandomSampler is RandomSampler and UtilsDataset is Dataset


# ---------------------------------------------------------------- lazy samplers: makemore's endless loader


def test_a_loader_over_an_endless_random_sampler_gives_its_first_batch_in_bounded_memory():
    dataset = TensorDataset(tg.arange(100).reshape(50, 2))
    sampler = RandomSampler(dataset, replacement=True, num_samples=int(1e10))
    loader = DataLoader(dataset, batch_size=32, sampler=sampler)
    tracemalloc.start()
    try:
        batches = iter(loader)
        first = [next(batches) for _ in range(5)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [tuple(x.shape) for (x,) in first] == [(32, 2)] * 5
    assert peak < 1_000_000


@pytest.mark.parametrize(
    "sampler",
    [
        lambda n, seed: RandomSampler(data_of(n), True, 3001, generator=np.random.default_rng(seed)),
        lambda n, seed: RandomSampler(data_of(n), num_samples=2 * n + 7, generator=np.random.default_rng(seed)),
        lambda n, seed: WeightedRandomSampler(np.arange(n) + 1.0, 3001, generator=np.random.default_rng(seed)),
    ],
)
@pytest.mark.parametrize("drop_last", [False, True])
def test_a_loader_cuts_batches_from_a_lazy_sampler_in_the_order_the_sampler_yields(sampler, drop_last):
    dataset = TensorDataset(tg.arange(40))
    (indices,) = zip(*DataLoader(dataset, batch_size=64, sampler=sampler(40, 5), drop_last=drop_last))
    expected = BatchSampler(list(sampler(40, 5)), 64, drop_last)
    assert [batch.tolist() for batch in indices] == list(expected)


def data_of(n):
    return list(range(n))
