"""MNIST and FashionMNIST as torchvision's datasets: `datasets.MNIST(root, train, transform,
target_transform, download)`, a sample `(transform(image), target_transform(label))` with the
image given as its uint8 (28, 28) pixels, and the loader's whole-batch path for affine transforms
giving exactly the samples' values.

Every test runs on files it writes, isolated from the machine's data and the network
(data_files.isolate_from_real_data), except the last, which reads the real Fashion-MNIST when
$TINYGRAD_NP_DATA holds it.
"""

import inspect
import os
from pathlib import Path

import numpy as np
import pytest
from data_files import isolate_from_real_data, write_mnist_split

import tinygrad_np as tg
from tinygrad_np.data import MNIST, DataLoader, FashionMNIST, datasets, transforms

REAL_DATA = os.environ.get("TINYGRAD_NP_DATA")  # read before any test's monkeypatching
AFFINE = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
DCGAN = transforms.Compose([transforms.Resize(64), transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])


@pytest.fixture
def root(tmp_path, monkeypatch):
    isolate_from_real_data(tmp_path, monkeypatch)
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


@pytest.fixture
def digits(root):
    """A training split of 10 samples in root, and the arrays written."""
    images, labels = write_mnist_split(root, train=True, n=10, seed=5)
    return root, images, labels


def stacked_samples(dataset, indices):
    images, labels = zip(*(dataset[i] for i in indices))
    return np.stack([image.numpy() for image in images]), np.array(labels)


def test_the_datasets_namespace_holds_mnist_and_fashion_mnist():
    assert datasets.MNIST is MNIST and datasets.FashionMNIST is FashionMNIST


def test_the_signature_is_torchvisions_with_download_on_by_default():
    parameters = inspect.signature(MNIST).parameters
    assert list(parameters) == ["root", "train", "transform", "target_transform", "download"]
    assert parameters["download"].default is True


def test_the_transform_gets_a_copy_of_the_uint8_pixels(digits):
    root, images, _ = digits
    dataset = MNIST(root, download=False, transform=transforms.Lambda(lambda image: image.fill(0) or image))
    image, _ = dataset[3]
    assert image.dtype == np.uint8 and image.shape == (28, 28) and not image.any()
    np.testing.assert_array_equal(dataset.data.numpy()[3], images[3])


def test_without_a_transform_the_image_is_what_to_tensor_makes_of_it(digits):
    root, images, _ = digits
    image, _ = MNIST(root, download=False)[4]
    np.testing.assert_array_equal(image.numpy(), transforms.ToTensor()(images[4]).numpy())


def test_the_target_transform_gets_the_int_label(digits):
    root, _, labels = digits
    dataset = MNIST(root, download=False, target_transform=transforms.Lambda(lambda y: np.eye(10, dtype=np.float32)[y]))
    _, one_hot = dataset[2]
    assert one_hot.tolist() == np.eye(10)[labels[2]].tolist()


@pytest.mark.parametrize("transform", [AFFINE, DCGAN], ids=["affine", "dcgan-resize"])
def test_a_batchable_transform_is_batched_without_a_per_sample_fetch(digits, monkeypatch, transform):
    root, _, _ = digits
    dataset = MNIST(root, download=False, transform=transform)
    expected = stacked_samples(dataset, range(10))

    def per_sample(self, index):
        raise AssertionError("a per-sample fetch on the whole-batch path")

    monkeypatch.setattr(MNIST, "__getitem__", per_sample)
    batches = list(DataLoader(dataset, batch_size=4))
    np.testing.assert_array_equal(np.concatenate([images.numpy() for images, _ in batches]), expected[0])
    np.testing.assert_array_equal(np.concatenate([labels.numpy() for _, labels in batches]), expected[1])


def test_shuffled_affine_batches_hold_exactly_the_samples_values(digits):
    root, _, _ = digits
    dataset = MNIST(root, download=False, transform=AFFINE)
    loader = DataLoader(dataset, batch_size=3, shuffle=True, generator=tg.Generator().manual_seed(1))
    order = tg.Generator().manual_seed(1).numpy.permutation(10)
    images = np.concatenate([batch.numpy() for batch, _ in loader])
    assert images.dtype == np.float32 and images.shape == (10, 1, 28, 28)
    np.testing.assert_array_equal(images, stacked_samples(dataset, order)[0])


@pytest.mark.parametrize(
    "arguments",
    [
        {"transform": transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x * 2)])},
        {"transform": AFFINE, "target_transform": transforms.Lambda(lambda y: y + 1)},
    ],
    ids=["lambda", "target_transform"],
)
def test_other_transforms_are_applied_sample_by_sample(digits, arguments):
    root, _, _ = digits
    dataset = MNIST(root, download=False, **arguments)
    images, labels = next(iter(DataLoader(dataset, batch_size=10)))
    expected_images, expected_labels = stacked_samples(dataset, range(10))
    np.testing.assert_array_equal(images.numpy(), expected_images)
    np.testing.assert_array_equal(labels.numpy(), expected_labels)


def test_class_to_idx_maps_each_class_name_to_its_label(digits):
    root, _, _ = digits
    mapping = MNIST(root, download=False).class_to_idx
    assert list(mapping) == MNIST.classes and mapping["7 - seven"] == 7


@pytest.mark.parametrize(("old", "new"), [("train_data", "data"), ("test_data", "data"),
                                          ("train_labels", "targets"), ("test_labels", "targets")])  # fmt: skip
def test_torchvisions_old_names_of_data_and_targets_warn_and_give_them(digits, old, new):
    root, _, _ = digits
    dataset = MNIST(root, download=False)
    with pytest.warns(UserWarning, match=f"{old} has been renamed {new}"):
        assert getattr(dataset, old) is getattr(dataset, new)


def test_torchvisions_folder_layout_under_root_is_found(root):
    write_mnist_split(root / "FashionMNIST" / "raw", train=False, n=3)
    dataset = FashionMNIST(root, train=False, download=False)
    assert dataset.folder == root / "FashionMNIST" / "raw" and len(dataset) == 3


@pytest.mark.skipif(
    not REAL_DATA or not (Path(REAL_DATA) / "fashion-mnist").is_dir(),
    reason="set TINYGRAD_NP_DATA to a folder holding fashion-mnist/ to run",
)
def test_the_tutorials_quickstart_reads_the_real_fashion_mnist(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    test_data = datasets.FashionMNIST(root="data", train=False, download=True, transform=transforms.ToTensor())
    image, label = test_data[0]
    assert image.shape == (1, 28, 28) and image.dtype == tg.float32 and test_data.classes[label] == "Ankle boot"
    images, labels = next(iter(DataLoader(test_data, batch_size=64)))
    assert images.shape == (64, 1, 28, 28) and labels.dtype == tg.int64
    np.testing.assert_array_equal(images.numpy(), stacked_samples(test_data, range(64))[0])
