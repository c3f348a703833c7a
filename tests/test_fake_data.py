"""datasets.FakeData: random images with random labels, as torchvision's, each sample the same
every time it is read (seeded by its index), in the shapes torchvision's gives after ToTensor."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.data import DataLoader, datasets, transforms


def test_fake_data_has_size_samples():
    assert len(datasets.FakeData(size=7)) == 7


def test_fake_data_defaults_are_torchvisions():
    fake = datasets.FakeData()
    assert (len(fake), fake.image_size, fake.num_classes, fake.random_offset) == (1000, (3, 224, 224), 10, 0)


def test_fake_data_through_to_tensor_gives_a_c_h_w_image_in_0_1_and_an_int_label():
    image, label = datasets.FakeData(size=5, image_size=(3, 8, 6), num_classes=4, transform=transforms.ToTensor())[2]
    assert isinstance(image, tg.Tensor) and image.shape == (3, 8, 6) and image.dtype == tg.float32
    assert 0 <= float(image.min()) and float(image.max()) <= 1
    assert type(label) is int and 0 <= label < 4


def test_fake_data_gives_its_transform_a_uint8_h_w_c_array():
    seen = []
    datasets.FakeData(size=2, image_size=(3, 5, 4), transform=seen.append)[0]
    assert seen[0].dtype == np.uint8 and seen[0].shape == (5, 4, 3)


def test_fake_data_gives_its_transform_a_uint8_h_w_array_for_one_channel():
    seen = []
    datasets.FakeData(size=2, image_size=(1, 5, 4), transform=seen.append)[0]
    assert seen[0].shape == (5, 4)


def test_fake_data_gives_the_same_sample_every_time_it_is_read():
    fake = datasets.FakeData(size=3, image_size=(1, 4, 4))
    first, again = fake[1], fake[1]
    np.testing.assert_array_equal(first[0].numpy(), again[0].numpy())
    assert first[1] == again[1]


def test_fake_data_samples_differ_from_one_index_to_the_next():
    fake = datasets.FakeData(size=3, image_size=(1, 4, 4))
    assert not np.array_equal(fake[0][0].numpy(), fake[1][0].numpy())


def test_fake_data_random_offset_shifts_the_seeds():
    shifted = datasets.FakeData(size=3, image_size=(1, 4, 4), random_offset=1)
    np.testing.assert_array_equal(shifted[0][0].numpy(), datasets.FakeData(size=3, image_size=(1, 4, 4))[1][0].numpy())


def test_fake_data_leaves_the_library_generator_alone():
    tg.manual_seed(0)
    expected = tg.rand(3).tolist()
    tg.manual_seed(0)
    datasets.FakeData(size=2)[0]
    assert tg.rand(3).tolist() == expected


def test_fake_data_applies_target_transform_to_the_label():
    fake = datasets.FakeData(size=2, image_size=(1, 2, 2), target_transform=lambda label: label + 100)
    assert fake[0][1] >= 100


@pytest.mark.parametrize("index", [3, -1])
def test_fake_data_index_out_of_range_raises_index_error(index):
    with pytest.raises(IndexError, match="FakeData index out of range"):
        datasets.FakeData(size=3)[index]


def test_fake_data_batches_through_a_data_loader_as_dcgans_fake_dataset():
    fake = datasets.FakeData(size=10, image_size=(3, 16, 16), transform=transforms.ToTensor())
    images, labels = next(iter(DataLoader(fake, batch_size=4, shuffle=True)))
    assert images.shape == (4, 3, 16, 16) and labels.shape == (4,) and labels.dtype == tg.int64
