"""MNIST and FashionMNIST: where the IDX files are looked for (root, $TINYGRAD_NP_DATA, the user cache,
the system dataset folder, then the mirrors), how their contents are checked, what a sample is, and
how downloads behave — against files the tests write and a local HTTP server on 127.0.0.1.

Every test runs with HOME, $TINYGRAD_NP_DATA and SYSTEM_DATA_DIR pointing into its own tmp_path, the
mirrors pointing at a closed local port, and connections to any other host refused, so neither the
machine's real files nor the internet can affect (or be touched by) a test."""

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from data_files import (
    ALL,
    closed_port_url,
    corrupted,
    isolate_from_real_data,
    md5_of,
    md5s,
    serve,
    split_stems,
    write_bytes,
    write_idx,
    write_mnist_folder,
    write_mnist_split,
)

import tinygrad_np as tg
from tinygrad_np.data import MNIST, FashionMNIST, download, folders

REAL_DATA = os.environ.get("TINYGRAD_NP_DATA")  # read before any test's monkeypatching
DEFAULT_SYSTEM_DATA_DIR = folders.SYSTEM_DATA_DIR
DATASETS = [MNIST, FashionMNIST]
TRAIN_IMAGES, TRAIN_LABELS = split_stems(train=True)
TEST_IMAGES, TEST_LABELS = split_stems(train=False)


@dataclass
class Places:
    """The folders a test's datasets may be looked for in, all inside its tmp_path."""

    tmp: Path
    root: Path  # passed as root= by the tests that want it
    env: Path  # what $TINYGRAD_NP_DATA is set to by the tests that set it
    home: Path
    system: Path

    @property
    def cache(self) -> Path:
        return self.home / ".cache" / "tinygrad_np"

    def set_env(self, monkeypatch) -> Path:
        monkeypatch.setenv("TINYGRAD_NP_DATA", str(self.env))
        return self.env


@pytest.fixture(autouse=True)
def places(tmp_path, monkeypatch):
    home = isolate_from_real_data(tmp_path, monkeypatch)
    root = tmp_path / "root"
    root.mkdir()
    return Places(tmp=tmp_path, root=root, env=tmp_path / "env", home=home, system=tmp_path / "system")


def assert_loaded(dataset, images, labels):
    np.testing.assert_array_equal(dataset.data.numpy(), images)
    np.testing.assert_array_equal(dataset.targets.numpy(), labels)


def message_of(error) -> str:
    return str(error.value)


def not_found_message(dataset=MNIST, **kwargs) -> str:
    """The message of the DatasetNotFoundError that `dataset(download=False, **kwargs)` raises."""
    with pytest.raises(tg.DatasetNotFoundError) as error:
        dataset(download=False, **kwargs)
    return message_of(error)


def test_the_tests_cannot_reach_the_internet():
    import urllib.request

    with pytest.raises(AssertionError, match="must not touch the internet"):
        urllib.request.urlopen("http://example.com/", timeout=1)


# ================================================================================================ lookup order

LOCATIONS = ["root", "root/<name>", "$TINYGRAD_NP_DATA/<name>", "~/.cache/tinygrad_np/<name>", "system/<name>"]


def location_folder(places, location, name):
    return {
        "root": places.root,
        "root/<name>": places.root / name,
        "$TINYGRAD_NP_DATA/<name>": places.env / name,
        "~/.cache/tinygrad_np/<name>": places.cache / name,
        "system/<name>": places.system / name,
    }[location]


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.__name__)
@pytest.mark.parametrize("winner", range(len(LOCATIONS)), ids=LOCATIONS)
def test_each_location_wins_over_the_later_ones(places, monkeypatch, dataset, winner):
    places.set_env(monkeypatch)
    written = {}
    for index in range(winner, len(LOCATIONS)):
        folder = location_folder(places, LOCATIONS[index], dataset.name)
        written[index] = write_mnist_split(folder, train=True, n=2 + index, seed=index)
    loaded = dataset(root=places.root, train=True, download=False)
    assert loaded.folder == location_folder(places, LOCATIONS[winner], dataset.name)
    assert_loaded(loaded, *written[winner])


@pytest.mark.parametrize("location", LOCATIONS, ids=LOCATIONS)
def test_each_location_alone_is_found(places, monkeypatch, location):
    places.set_env(monkeypatch)
    folder = location_folder(places, location, "mnist")
    images, labels = write_mnist_split(folder, train=False, n=3)
    loaded = MNIST(root=places.root, train=False, download=False)
    assert loaded.folder == folder
    assert_loaded(loaded, images, labels)


def test_root_may_hold_the_files_directly(places):
    images, labels = write_mnist_split(places.root, train=True, n=3)
    assert_loaded(MNIST(root=places.root, download=False), images, labels)


def test_root_may_hold_the_files_in_a_subfolder_named_after_the_dataset(places):
    images, labels = write_mnist_split(places.root / "fashion-mnist", train=True, n=3)
    assert_loaded(FashionMNIST(root=places.root, download=False), images, labels)


def test_root_may_be_a_string(places):
    images, labels = write_mnist_split(places.root, train=True, n=3)
    assert_loaded(MNIST(root=str(places.root), download=False), images, labels)


def test_without_root_the_environment_variable_is_used(places, monkeypatch):
    places.set_env(monkeypatch)
    images, labels = write_mnist_split(places.env / "mnist", train=True, n=3)
    loaded = MNIST(download=False)
    assert loaded.folder == places.env / "mnist"
    assert_loaded(loaded, images, labels)


def test_the_environment_variable_names_the_parent_of_the_dataset_folder(places, monkeypatch):
    places.set_env(monkeypatch)
    write_mnist_split(places.env, train=True, n=3)  # directly in $TINYGRAD_NP_DATA: not where it is looked for
    with pytest.raises(tg.DatasetNotFoundError):
        MNIST(download=False)


def test_the_user_cache_is_under_home(places):
    images, labels = write_mnist_split(places.home / ".cache" / "tinygrad_np" / "mnist", train=True, n=3)
    loaded = MNIST(download=False)
    assert loaded.folder == places.home / ".cache" / "tinygrad_np" / "mnist"
    assert_loaded(loaded, images, labels)


def test_the_system_dataset_folder_is_used_last(places):
    images, labels = write_mnist_split(places.system / "fashion-mnist", train=True, n=3)
    loaded = FashionMNIST(download=False)
    assert loaded.folder == places.system / "fashion-mnist"
    assert_loaded(loaded, images, labels)


def test_the_system_dataset_folder_is_debians_by_default():
    assert DEFAULT_SYSTEM_DATA_DIR == Path("/usr/share/datasets")


def test_a_folder_holding_only_the_images_file_is_skipped(places):
    write_idx(places.root / f"{TRAIN_IMAGES}.gz", np.zeros((3, 28, 28), np.uint8), gz=True)
    images, labels = write_mnist_split(places.cache / "mnist", train=True, n=3, seed=7)
    loaded = MNIST(root=places.root, download=False)
    assert loaded.folder == places.cache / "mnist"
    assert_loaded(loaded, images, labels)


def test_a_folder_holding_only_the_labels_file_is_skipped(places, monkeypatch):
    places.set_env(monkeypatch)
    write_idx(places.env / "mnist" / TRAIN_LABELS, np.zeros(3, np.uint8))
    images, labels = write_mnist_split(places.system / "mnist", train=True, n=3, seed=7)
    loaded = MNIST(download=False)
    assert loaded.folder == places.system / "mnist"
    assert_loaded(loaded, images, labels)


def test_a_folder_holding_only_the_other_split_is_skipped(places):
    write_mnist_split(places.root, train=False, n=3)
    images, labels = write_mnist_split(places.cache / "mnist", train=True, n=4)
    loaded = MNIST(root=places.root, train=True, download=False)
    assert loaded.folder == places.cache / "mnist"
    assert_loaded(loaded, images, labels)


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "raw"])
def test_files_may_be_gzipped_or_raw(places, gz):
    images, labels = write_mnist_split(places.root, train=True, n=4, gz=gz)
    assert_loaded(MNIST(root=places.root, download=False), images, labels)


def test_one_file_may_be_gzipped_and_the_other_raw(places):
    images, labels = write_mnist_split(places.tmp / "source", train=False, n=4)
    write_idx(places.root / f"{TEST_IMAGES}.gz", images, gz=True)
    write_idx(places.root / TEST_LABELS, labels, gz=False)
    assert_loaded(MNIST(root=places.root, train=False, download=False), images, labels)


def test_train_and_test_splits_read_their_own_files(places):
    written = write_mnist_folder(places.root, n_train=5, n_test=3)
    assert_loaded(MNIST(root=places.root, train=True, download=False), *written["train"])
    assert_loaded(MNIST(root=places.root, train=False, download=False), *written["test"])


def test_mnist_and_fashion_mnist_use_their_own_folders(places, monkeypatch):
    places.set_env(monkeypatch)
    digits = write_mnist_split(places.env / "mnist", train=True, n=3, seed=1)
    clothes = write_mnist_split(places.env / "fashion-mnist", train=True, n=5, seed=2)
    assert MNIST.name == "mnist" and FashionMNIST.name == "fashion-mnist"
    assert_loaded(MNIST(download=False), *digits)
    assert_loaded(FashionMNIST(download=False), *clothes)


def test_fashion_mnist_does_not_read_mnist_files(places):
    write_mnist_split(places.cache / "mnist", train=True, n=3)
    with pytest.raises(tg.DatasetNotFoundError):
        FashionMNIST(download=False)


# ================================================================================================ bad files


def test_a_corrupt_file_in_the_first_location_raises_instead_of_falling_back(places):
    images, labels = write_mnist_split(places.root, train=True, n=4)
    path = places.root / f"{TRAIN_IMAGES}.gz"
    path.write_bytes(path.read_bytes()[:-10])  # truncated
    write_mnist_split(places.cache / "mnist", train=True, n=4)  # a good copy later in the search path
    with pytest.raises(tg.DatasetError) as error:
        MNIST(root=places.root, download=False)
    assert str(path) in message_of(error)


@pytest.mark.parametrize("stem", [TRAIN_IMAGES, TRAIN_LABELS])
def test_a_corrupt_file_message_names_the_file_and_says_how_to_fix_it(places, stem):
    write_mnist_split(places.cache / "mnist", train=True, n=4, gz=False)
    path = places.cache / "mnist" / stem
    path.write_bytes(path.read_bytes() + b"\x00\x00")  # trailing bytes
    with pytest.raises(tg.DatasetError) as error:
        MNIST(download=False)
    message = message_of(error)
    assert str(path) in message
    assert "delete it" in message and "replace it" in message


def test_a_corrupt_file_in_the_cache_is_not_replaced_by_a_download(places, monkeypatch):
    served = places.tmp / "served"
    write_mnist_split(served, train=True, n=3)
    write_mnist_split(places.cache / "mnist", train=True, n=3)
    path = places.cache / "mnist" / f"{TRAIN_LABELS}.gz"
    path.write_bytes(corrupted(path.read_bytes()))
    with serve(served) as server:
        monkeypatch.setattr(MNIST, "mirrors", (server.url,))
        monkeypatch.setattr(MNIST, "md5", md5s(served))
        with pytest.raises(tg.DatasetError, match=re.escape(str(path))):
            MNIST(download=True)
    assert server.requests == []


def test_a_corrupt_file_in_the_system_folder_says_to_reinstall_the_debian_package(places):
    write_mnist_split(places.system / "fashion-mnist", train=True, n=3)
    path = places.system / "fashion-mnist" / f"{TRAIN_IMAGES}.gz"
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(tg.DatasetError) as error:
        FashionMNIST(download=False)
    assert str(path) in message_of(error)
    assert "apt-get install --reinstall dataset-fashion-mnist" in message_of(error)


def test_a_corrupt_file_error_is_not_a_not_found_error(places):
    write_mnist_split(places.root, train=True, n=3)
    (places.root / f"{TRAIN_LABELS}.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(tg.DatasetError) as error:
        MNIST(root=places.root, download=False)
    assert not isinstance(error.value, tg.DatasetNotFoundError)


BAD_IMAGES = {
    "28x27 images": np.zeros((3, 28, 27), np.uint8),
    "flat 784 images": np.zeros((3, 784), np.uint8),
    "one 28x28 image without the count": np.zeros((28, 28), np.uint8),
    "int16 images": np.zeros((3, 28, 28), np.int16),
    "float32 images": np.zeros((3, 28, 28), np.float32),
}


@pytest.mark.parametrize("images", BAD_IMAGES.values(), ids=BAD_IMAGES.keys())
def test_images_of_the_wrong_shape_or_type_raise_dataset_error_naming_the_images_file(places, images):
    write_mnist_split(places.root, train=True, n=3)
    path = write_idx(places.root / f"{TRAIN_IMAGES}.gz", images, gz=True)
    with pytest.raises(tg.DatasetError) as error:
        MNIST(root=places.root, download=False)
    assert str(path) in message_of(error)
    assert "28, 28" in message_of(error)


BAD_LABELS = {
    "label 10": np.array([0, 10, 3], np.uint8),
    "label 255": np.array([255, 1, 3], np.uint8),
    "2-d labels": np.zeros((3, 1), np.uint8),
    "int32 labels": np.array([0, 1, 2], np.int32),
}


@pytest.mark.parametrize("labels", BAD_LABELS.values(), ids=BAD_LABELS.keys())
def test_bad_labels_raise_dataset_error_naming_the_labels_file(places, labels):
    write_mnist_split(places.root, train=True, n=3)
    path = write_idx(places.root / f"{TRAIN_LABELS}.gz", labels, gz=True)
    with pytest.raises(tg.DatasetError) as error:
        MNIST(root=places.root, download=False)
    assert str(path) in message_of(error)


def test_a_label_out_of_range_is_named_in_the_message(places):
    write_mnist_split(places.root, train=True, n=3)
    write_idx(places.root / f"{TRAIN_LABELS}.gz", np.array([0, 12, 3], np.uint8), gz=True)
    with pytest.raises(tg.DatasetError, match="12"):
        MNIST(root=places.root, download=False)


@pytest.mark.parametrize("n_labels", [2, 4])
def test_a_label_count_different_from_the_image_count_raises_dataset_error_naming_the_file(places, n_labels):
    write_mnist_split(places.root, train=False, n=3)
    labels_path = write_idx(places.root / f"{TEST_LABELS}.gz", np.zeros(n_labels, np.uint8), gz=True)
    with pytest.raises(tg.DatasetError) as error:
        MNIST(root=places.root, train=False, download=False)
    message = message_of(error)
    assert str(labels_path) in message
    assert str(n_labels) in message and "3" in message


def test_bad_file_errors_say_how_to_fix_them(places):
    write_mnist_split(places.root, train=True, n=3)
    write_idx(places.root / f"{TRAIN_LABELS}.gz", np.array([0, 10, 3], np.uint8), gz=True)
    with pytest.raises(tg.DatasetError) as error:
        MNIST(root=places.root, download=False)
    assert "delete it" in message_of(error) or "replace it" in message_of(error)


# ================================================================================================ samples


@pytest.fixture
def digits(places):
    """An MNIST training split of 6 samples in root, and the arrays written."""
    images, labels = write_mnist_split(places.root, train=True, n=6, seed=3)
    return MNIST(root=places.root, download=False), images, labels


def test_a_sample_is_a_float32_tensor_of_shape_1_28_28_and_an_int_label(digits):
    dataset, images, labels = digits
    image, label = dataset[2]
    assert isinstance(image, tg.Tensor)
    assert image.dtype == tg.float32 and image.shape == (1, 28, 28)
    assert type(label) is int and label == labels[2]


def test_sample_pixels_are_the_stored_bytes_over_255_in_0_1(digits):
    dataset, images, _ = digits
    for index in range(len(images)):
        pixels = dataset[index][0].data
        assert pixels.min() >= 0 and pixels.max() <= 1
        np.testing.assert_allclose(pixels[0], images[index] / 255, rtol=1e-6, atol=0)
    assert dataset[0][0].data[0, 0, 0] == 0 and dataset[0][0].data[0, 0, 1] == 1


def test_sample_pixels_equal_torchvisions_to_tensor_exactly(places):
    # torchvision's ToTensor: the uint8 pixels as float32, divided by 255 (correctly rounded).
    images = np.resize(np.arange(256, dtype=np.uint8), (1, 28, 28))  # every pixel value
    write_idx(places.root / f"{TRAIN_IMAGES}.gz", images, gz=True)
    write_idx(places.root / f"{TRAIN_LABELS}.gz", np.zeros(1, np.uint8), gz=True)
    dataset = MNIST(root=places.root, download=False)
    expected = images.astype(np.float32) / np.float32(255)
    np.testing.assert_array_equal(dataset[0][0].data, expected)


def test_a_sample_does_not_require_grad(digits):
    dataset, _, _ = digits
    assert not dataset[0][0].requires_grad


def test_negative_indices_count_from_the_end(digits):
    dataset, images, labels = digits
    image, label = dataset[-1]
    np.testing.assert_array_equal(image.numpy()[0], dataset[len(images) - 1][0].data[0])
    assert label == labels[-1]


def test_data_and_targets_hold_the_whole_split(digits):
    dataset, images, labels = digits
    assert isinstance(dataset.data, tg.Tensor) and isinstance(dataset.targets, tg.Tensor)
    assert dataset.data.dtype == tg.uint8 and dataset.data.shape == (6, 28, 28)
    assert dataset.targets.dtype == tg.int64 and dataset.targets.shape == (6,)
    assert_loaded(dataset, images, labels)


def test_len_is_the_number_of_samples(digits):
    dataset, images, _ = digits
    assert len(dataset) == len(images) == 6


def test_get_batch_of_an_index_array_stacks_the_samples(digits):
    dataset, _, labels = digits
    index = np.array([4, 0, 2])
    images, targets = dataset.get_batch(index)
    assert images.dtype == tg.float32 and images.shape == (3, 1, 28, 28)
    assert targets.dtype == tg.int64
    np.testing.assert_array_equal(images.numpy(), np.stack([dataset[i][0].data for i in index]))
    np.testing.assert_array_equal(targets.numpy(), labels[index])


def test_get_batch_of_a_slice_stacks_the_samples(digits):
    dataset, _, labels = digits
    images, targets = dataset.get_batch(slice(1, 5, 2))
    np.testing.assert_array_equal(images.numpy(), np.stack([dataset[i][0].data for i in (1, 3)]))
    np.testing.assert_array_equal(targets.numpy(), labels[1:5:2])


def test_transform_is_applied_to_each_image_given_as_its_uint8_pixels(places):
    images, _ = write_mnist_split(places.root, train=True, n=3)
    dataset = MNIST(root=places.root, download=False, transform=lambda image: (image.dtype, image.reshape(784)))
    (dtype, pixels), _ = dataset[1]
    assert dtype == np.uint8
    np.testing.assert_array_equal(pixels, images[1].reshape(784))


def test_target_transform_is_applied_to_each_label(places):
    _, labels = write_mnist_split(places.root, train=True, n=3)
    dataset = MNIST(root=places.root, download=False, target_transform=lambda label: f"class {label}")
    assert dataset[2][1] == f"class {labels[2]}"


def test_get_batch_applies_the_transforms(places):
    images, labels = write_mnist_split(places.root, train=True, n=4)
    dataset = MNIST(
        root=places.root, download=False, transform=lambda image: np.ones((1, *image.shape), np.float32),
        target_transform=lambda y: y + 100,
    )
    batch_images, batch_labels = dataset.get_batch(np.array([3, 1]))
    np.testing.assert_array_equal(batch_images.numpy(), np.ones((2, 1, 28, 28), np.float32))
    np.testing.assert_array_equal(batch_labels.numpy(), labels[[3, 1]].astype(np.int64) + 100)


def test_mnist_classes_are_the_ten_digits():
    assert len(MNIST.classes) == 10
    assert MNIST.classes[0] == "0 - zero" and MNIST.classes[9] == "9 - nine"


def test_fashion_mnist_classes_are_the_ten_kinds_of_clothing():
    assert FashionMNIST.classes == [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]  # fmt: skip


def test_repr_names_the_dataset_the_size_the_split_and_the_folder(places):
    write_mnist_folder(places.root, n_train=5, n_test=3)
    train, test = (FashionMNIST(root=places.root, train=split, download=False) for split in (True, False))
    assert "FashionMNIST" in repr(train)
    assert "Number of datapoints: 5" in repr(train) and "Split: Train" in repr(train)
    assert "Number of datapoints: 3" in repr(test) and "Split: Test" in repr(test)
    assert str(places.root) in repr(train)


def test_the_dataloader_batches_an_mnist_split(digits):
    dataset, _, labels = digits
    batches = list(tg.data.DataLoader(dataset, batch_size=4))
    assert [images.shape for images, _ in batches] == [(4, 1, 28, 28), (2, 1, 28, 28)]
    np.testing.assert_array_equal(np.concatenate([targets.numpy() for _, targets in batches]), labels)


# ================================================================================================ not found


def test_not_found_raises_dataset_not_found_error_which_is_a_file_not_found_error(places):
    with pytest.raises(tg.DatasetNotFoundError) as error:
        MNIST(root=places.root, download=False)
    assert isinstance(error.value, FileNotFoundError)
    assert isinstance(error.value, tg.DatasetError)


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.__name__)
def test_not_found_message_lists_every_folder_looked_in(places, monkeypatch, dataset):
    places.set_env(monkeypatch)
    message = not_found_message(dataset, root=places.root)
    for location in LOCATIONS:
        assert f"{location_folder(places, location, dataset.name)} (" in message, location


def test_not_found_message_names_the_missing_files(places):
    message = not_found_message(train=False)
    assert TEST_IMAGES in message and TEST_LABELS in message


def test_not_found_message_says_the_environment_variable_is_not_set(places):
    message = not_found_message()
    assert "$TINYGRAD_NP_DATA/mnist (not set)" in message


def test_not_found_message_says_download_was_not_attempted(places):
    message = not_found_message()
    assert "download=False" in message


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.__name__)
def test_not_found_message_says_how_to_supply_the_files(places, dataset):
    message = not_found_message(dataset)
    assert "root=" in message and "--data-dir" in message
    assert "TINYGRAD_NP_DATA=" in message
    assert f"{places.cache / dataset.name}" in message


def test_fashion_mnist_not_found_message_suggests_the_debian_package(places):
    message = not_found_message(FashionMNIST)
    assert "apt-get install dataset-fashion-mnist" in message


def test_mnist_not_found_message_does_not_suggest_the_fashion_package(places):
    message = not_found_message()
    assert "apt-get" not in message


# ================================================================================================ downloads


def serve_good_files(places):
    folder = places.tmp / "served"
    written = write_mnist_folder(folder, n_train=5, n_test=3, seed=11)
    return folder, written


def use_mirrors(monkeypatch, dataset, *urls, md5):
    monkeypatch.setattr(dataset, "mirrors", tuple(urls))
    monkeypatch.setattr(dataset, "md5", md5)


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.__name__)
def test_download_puts_good_files_in_the_user_cache_and_loads_them(places, monkeypatch, dataset):
    folder, written = serve_good_files(places)
    with serve(folder) as server:
        use_mirrors(monkeypatch, dataset, server.url, md5=md5s(folder))
        loaded = dataset(train=True, download=True)
    assert loaded.folder == places.cache / dataset.name
    assert_loaded(loaded, *written["train"])
    for stem in (TRAIN_IMAGES, TRAIN_LABELS):
        assert (places.cache / dataset.name / f"{stem}.gz").read_bytes() == (folder / f"{stem}.gz").read_bytes()
    assert sorted(server.requests) == sorted([f"{TRAIN_IMAGES}.gz", f"{TRAIN_LABELS}.gz"])


def test_downloaded_files_are_found_in_the_cache_next_time(places, monkeypatch):
    folder, written = serve_good_files(places)
    with serve(folder) as server:
        use_mirrors(monkeypatch, MNIST, server.url, md5=md5s(folder))
        MNIST(train=False, download=True)
    assert_loaded(MNIST(train=False, download=False), *written["test"])


def test_download_is_the_last_resort(places, monkeypatch):
    folder, _ = serve_good_files(places)
    images, labels = write_mnist_split(places.system / "mnist", train=True, n=2)
    with serve(folder) as server:
        use_mirrors(monkeypatch, MNIST, server.url, md5=md5s(folder))
        assert_loaded(MNIST(download=True), images, labels)
    assert server.requests == []


def test_download_is_the_default(places, monkeypatch):
    folder, written = serve_good_files(places)
    with serve(folder) as server:
        use_mirrors(monkeypatch, MNIST, server.url, md5=md5s(folder))
        assert_loaded(MNIST(), *written["train"])


@pytest.mark.parametrize("failure", ["missing", "corrupt", "truncate"], ids=["404", "checksum mismatch", "dropped"])
def test_when_the_first_mirror_fails_the_second_is_used(places, monkeypatch, failure):
    folder, written = serve_good_files(places)
    with serve(folder, **{failure: {ALL}}) as bad, serve(folder) as good:
        use_mirrors(monkeypatch, FashionMNIST, bad.url, good.url, md5=md5s(folder))
        loaded = FashionMNIST(train=False, download=True)
    assert_loaded(loaded, *written["test"])
    assert bad.requests and good.requests


def test_a_mirror_missing_only_one_file_is_used_for_the_other(places, monkeypatch):
    folder, written = serve_good_files(places)
    with serve(folder, missing={f"{TRAIN_LABELS}.gz"}) as first, serve(folder) as second:
        use_mirrors(monkeypatch, MNIST, first.url, second.url, md5=md5s(folder))
        assert_loaded(MNIST(download=True), *written["train"])
    assert first.requested(f"{TRAIN_IMAGES}.gz") and not second.requested(f"{TRAIN_IMAGES}.gz")
    assert second.requested(f"{TRAIN_LABELS}.gz")


def test_when_every_mirror_fails_the_error_lists_each_url_with_its_error(places, monkeypatch):
    folder, _ = serve_good_files(places)
    with serve(folder, missing={ALL}) as missing, serve(folder, corrupt={ALL}) as corrupt:
        use_mirrors(monkeypatch, MNIST, missing.url, corrupt.url, md5=md5s(folder))
        with pytest.raises(tg.DatasetNotFoundError) as error:
            MNIST(download=True)
    message = message_of(error)
    first_line = next(line for line in message.splitlines() if f"{missing.url}{TRAIN_IMAGES}.gz" in line)
    second_line = next(line for line in message.splitlines() if f"{corrupt.url}{TRAIN_IMAGES}.gz" in line)
    assert "404" in first_line
    assert "checksum mismatch" in second_line


def test_when_every_mirror_fails_nothing_is_left_in_the_cache(places, monkeypatch):
    folder, _ = serve_good_files(places)
    with serve(folder, corrupt={ALL}) as corrupt, serve(folder, truncate={ALL}) as dropped:
        use_mirrors(monkeypatch, MNIST, corrupt.url, dropped.url, md5=md5s(folder))
        with pytest.raises(tg.DatasetNotFoundError):
            MNIST(download=True)
    cache = places.cache / "mnist"
    assert not cache.exists() or list(cache.iterdir()) == []


def test_when_every_mirror_fails_the_error_still_lists_the_folders_and_remedies(places, monkeypatch):
    folder, _ = serve_good_files(places)
    with serve(folder, missing={ALL}) as missing:
        use_mirrors(monkeypatch, FashionMNIST, missing.url, md5=md5s(folder))
        with pytest.raises(tg.DatasetNotFoundError) as error:
            FashionMNIST(download=True)
    message = message_of(error)
    assert str(places.system / "fashion-mnist") in message
    assert "apt-get install dataset-fashion-mnist" in message


def test_an_unreachable_mirror_fails_fast_and_is_reported(places, monkeypatch):
    unreachable = closed_port_url()
    monkeypatch.setattr(MNIST, "mirrors", (unreachable,))
    start = time.monotonic()
    with pytest.raises(tg.DatasetNotFoundError) as error:
        MNIST(download=True)
    assert time.monotonic() - start < 5
    assert f"{unreachable}{TRAIN_IMAGES}.gz: " in message_of(error)


def test_an_unreachable_first_mirror_is_skipped(places, monkeypatch):
    folder, written = serve_good_files(places)
    with serve(folder) as server:
        use_mirrors(monkeypatch, MNIST, closed_port_url(), server.url, md5=md5s(folder))
        assert_loaded(MNIST(train=False, download=True), *written["test"])


def test_a_file_already_in_the_cache_is_not_downloaded_again(places, monkeypatch):
    folder, written = serve_good_files(places)
    cached = places.cache / "mnist" / f"{TRAIN_IMAGES}.gz"
    write_bytes(cached, (folder / f"{TRAIN_IMAGES}.gz").read_bytes())
    with serve(folder) as server:
        use_mirrors(monkeypatch, MNIST, server.url, md5=md5s(folder))
        assert_loaded(MNIST(download=True), *written["train"])
    assert server.requests == [f"{TRAIN_LABELS}.gz"]


def test_a_raw_file_already_in_the_cache_is_not_downloaded_again(places, monkeypatch):
    folder, written = serve_good_files(places)
    write_idx(places.cache / "mnist" / TRAIN_LABELS, written["train"][1], gz=False)
    with serve(folder) as server:
        use_mirrors(monkeypatch, MNIST, server.url, md5=md5s(folder))
        assert_loaded(MNIST(download=True), *written["train"])
    assert server.requests == [f"{TRAIN_IMAGES}.gz"]


# ------------------------------------------------------------------------------------------- download() alone


def test_download_writes_the_file_when_the_checksum_matches(places):
    folder, _ = serve_good_files(places)
    source = folder / f"{TEST_LABELS}.gz"
    destination = places.tmp / "out" / "labels.gz"
    with serve(folder) as server:
        download(f"{server.url}{source.name}", destination, md5_of(source))
    assert destination.read_bytes() == source.read_bytes()


def test_download_checksum_mismatch_raises_and_leaves_the_existing_destination_untouched(places):
    folder, _ = serve_good_files(places)
    destination = write_bytes(places.tmp / "out" / "labels.gz", b"the previous contents")
    with serve(folder, corrupt={ALL}) as server:
        url = f"{server.url}{TEST_LABELS}.gz"
        with pytest.raises(tg.DatasetError, match="checksum mismatch") as error:
            download(url, destination, md5_of(folder / f"{TEST_LABELS}.gz"))
    assert url in message_of(error)
    assert destination.read_bytes() == b"the previous contents"
    assert list(destination.parent.iterdir()) == [destination]


def test_download_checksum_mismatch_creates_no_destination(places):
    folder, _ = serve_good_files(places)
    destination = places.tmp / "out" / "labels.gz"
    with serve(folder) as server, pytest.raises(tg.DatasetError):
        download(f"{server.url}{TEST_LABELS}.gz", destination, "0" * 32)
    assert list(destination.parent.iterdir()) == []


def test_download_http_error_propagates_and_leaves_the_destination_untouched(places):
    import urllib.error

    folder, _ = serve_good_files(places)
    destination = write_bytes(places.tmp / "out" / "labels.gz", b"the previous contents")
    with serve(folder, missing={ALL}) as server, pytest.raises(urllib.error.HTTPError):
        download(f"{server.url}{TEST_LABELS}.gz", destination, md5_of(folder / f"{TEST_LABELS}.gz"))
    assert destination.read_bytes() == b"the previous contents"
    assert list(destination.parent.iterdir()) == [destination]


def test_download_replaces_an_existing_destination_when_the_checksum_matches(places):
    folder, _ = serve_good_files(places)
    source = folder / f"{TRAIN_LABELS}.gz"
    destination = write_bytes(places.tmp / "out" / "labels.gz", b"stale")
    with serve(folder) as server:
        download(f"{server.url}{source.name}", destination, md5_of(source))
    assert destination.read_bytes() == source.read_bytes()
    assert list(destination.parent.iterdir()) == [destination]


# ================================================================================================ the real data


@pytest.mark.skipif(
    not REAL_DATA or not (Path(REAL_DATA) / "fashion-mnist").is_dir(),
    reason="set TINYGRAD_NP_DATA to a folder holding fashion-mnist/ to run",
)
def test_the_real_fashion_mnist(monkeypatch):
    monkeypatch.setenv("TINYGRAD_NP_DATA", REAL_DATA)
    train, test = (FashionMNIST(train=split, download=False) for split in (True, False))
    assert train.folder == Path(REAL_DATA) / "fashion-mnist"
    assert (len(train), len(test)) == (60000, 10000)
    assert train.data.shape == (60000, 28, 28) and test.data.shape == (10000, 28, 28)
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == tg.float32 and 0 <= label <= 9
    for split, per_class in ((train, 6000), (test, 1000)):
        assert split.targets.numpy().min() == 0 and split.targets.numpy().max() == 9
        np.testing.assert_array_equal(np.bincount(split.targets.numpy(), minlength=10), [per_class] * 10)
    assert test.targets.numpy()[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
