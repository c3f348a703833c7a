"""utils.make_grid and utils.save_image, as torchvision's; the PNG written is checked by
decoding it here (chunks, CRCs, zlib, filter type 0) and reading the pixels back."""

import io
import struct
import zlib

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.data import utils
from tinygrad_np.data.png import encode_png


def decode_png(data):
    """(colour type, pixels H x W x C) of a PNG of 8-bit unfiltered rows, checking every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks.append((kind, body))
        position += 12 + length
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, compression, filtering, interlace) == (8, 0, 0, 0)
    channels = {0: 1, 2: 3, 6: 4}[colour]
    rows = np.frombuffer(zlib.decompress(chunks[1][1]), np.uint8).reshape(height, 1 + width * channels)
    assert not rows[:, 0].any()  # filter type 0 on every row
    return colour, rows[:, 1:].reshape(height, width, channels)


# ------------------------------------------------------------------ the PNG encoder


@pytest.mark.parametrize(("shape", "colour"), [((3, 5), 0), ((3, 5, 1), 0), ((3, 5, 3), 2), ((3, 5, 4), 6)])
def test_encode_png_round_trips_gray_rgb_and_rgba_pixels(shape, colour):
    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    decoded_colour, decoded = decode_png(encode_png(pixels))
    assert decoded_colour == colour
    np.testing.assert_array_equal(decoded, pixels.reshape(3, 5, -1))


def test_encode_png_refuses_two_channels():
    with pytest.raises(ValueError, match="C = 1, 3 or 4 can be written as PNG"):
        encode_png(np.zeros((2, 2, 2), np.uint8))


def test_encode_png_refuses_anything_but_uint8():
    with pytest.raises(TypeError, match="pixels must be uint8"):
        encode_png(np.zeros((2, 2), np.float32))


# ------------------------------------------------------------------ make_grid


def test_make_grid_lays_images_out_nrow_to_a_row_with_padding():
    grid = utils.make_grid(tg.ones(5, 3, 4, 3), nrow=2, padding=2)
    assert grid.shape == (3, 3 * (4 + 2) + 2, 2 * (3 + 2) + 2)


def test_make_grid_puts_image_k_at_row_k_div_nrow_and_column_k_mod_nrow():
    images = tg.arange(5.0).reshape(5, 1, 1, 1).expand(5, 3, 2, 2)
    grid = utils.make_grid(images, nrow=2, padding=1).numpy()
    for k in range(5):
        top, left = 1 + 3 * (k // 2), 1 + 3 * (k % 2)  # cells of 2 + 1 pixels, after a 1-pixel frame
        np.testing.assert_array_equal(grid[:, top : top + 2, left : left + 2], np.full((3, 2, 2), k))


def test_make_grid_fills_borders_and_empty_cells_with_pad_value():
    grid = utils.make_grid(tg.zeros(3, 3, 2, 2), nrow=2, padding=1, pad_value=0.5).numpy()
    assert grid[0, 0, 0] == 0.5 and np.all(grid[:, 4:6, 4:6] == 0.5)  # the fourth cell has no image


def test_make_grid_repeats_one_channel_to_three():
    assert utils.make_grid(tg.zeros(4, 1, 2, 2)).shape[0] == 3


def test_make_grid_of_a_single_image_gives_it_unpadded():
    assert utils.make_grid(tg.zeros(1, 3, 5, 4), padding=2).shape == (3, 5, 4)


def test_make_grid_takes_a_list_of_images():
    assert utils.make_grid([tg.zeros(3, 2, 2)] * 3, padding=0).shape == (3, 2, 6)


def test_make_grid_normalize_maps_the_min_and_max_to_0_and_1():
    grid = utils.make_grid(tg.tensor([[[[-2.0, 0.0]]], [[[2.0, 1.0]]]]), padding=0, normalize=True).numpy()
    np.testing.assert_allclose(grid[0], [[0.0, 0.5, 1.0, 0.75]])


def test_make_grid_normalize_with_value_range_clamps_first():
    grid = utils.make_grid(tg.tensor([[[[-3.0, 0.0, 3.0]]]]), normalize=True, value_range=(-1.0, 1.0)).numpy()
    np.testing.assert_allclose(grid[0], [[0.0, 0.5, 1.0]])


def test_make_grid_scale_each_normalizes_each_image_alone():
    images = tg.tensor([[[[0.0, 1.0]]], [[[0.0, 4.0]]]])
    np.testing.assert_allclose(utils.make_grid(images, padding=0, normalize=True, scale_each=True).numpy()[0],
                               [[0.0, 1.0, 0.0, 1.0]])


def test_make_grid_value_range_must_be_a_tuple():
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        utils.make_grid(tg.zeros(2, 3, 2, 2), normalize=True, value_range=[0, 1])


def test_make_grid_refuses_something_not_a_tensor():
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        utils.make_grid(np.zeros((2, 3, 2, 2)))


def test_make_grid_is_differentiable():
    images = tg.ones(3, 3, 2, 2, requires_grad=True)
    utils.make_grid(images, nrow=2).sum().backward()
    np.testing.assert_array_equal(images.grad.numpy(), np.ones((3, 3, 2, 2)))


# ------------------------------------------------------------------ save_image


def test_save_image_writes_a_png_of_the_grid_rounded_to_bytes(tmp_path):
    images = tg.tensor([[[[0.0, 0.5, 1.0, 0.2]]]] * 2)  # two one-channel 1 x 4 images
    utils.save_image(images, tmp_path / "grid.png", padding=0)
    colour, pixels = decode_png((tmp_path / "grid.png").read_bytes())
    assert colour == 2  # one channel becomes RGB, as torchvision's grid
    np.testing.assert_array_equal(pixels[0, :, 0], [0, 128, 255, 51, 0, 128, 255, 51])  # x * 255 + 0.5, truncated


def test_save_image_normalize_spreads_the_values_over_0_255(tmp_path):
    utils.save_image(tg.tensor([[[[-1.0, 3.0]]]]), str(tmp_path / "n.png"), normalize=True)
    np.testing.assert_array_equal(decode_png((tmp_path / "n.png").read_bytes())[1][0, :, 0], [0, 255])


def test_save_image_clamps_values_outside_0_1(tmp_path):
    utils.save_image(tg.tensor([[[[-1.0, 3.0]]]]), tmp_path / "c.png")
    np.testing.assert_array_equal(decode_png((tmp_path / "c.png").read_bytes())[1][0, :, 0], [0, 255])


def test_save_image_writes_to_a_binary_file_object_with_format_png():
    buffer = io.BytesIO()
    utils.save_image(tg.zeros(3, 2, 2), buffer, format="PNG")
    assert decode_png(buffer.getvalue())[1].shape == (2, 2, 3)


def test_save_image_refuses_a_format_other_than_png(tmp_path):
    with pytest.raises(ValueError, match="save_image writes PNG only"):
        utils.save_image(tg.zeros(3, 2, 2), tmp_path / "x.jpg")
    assert not (tmp_path / "x.jpg").exists()


def test_save_image_of_two_channel_images_raises_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError):
        utils.save_image(tg.zeros(2, 2, 2, 2), tmp_path / "two_channels.png")
    assert list(tmp_path.iterdir()) == []


def test_save_image_file_starts_with_the_png_signature(tmp_path):
    utils.save_image(tg.rand(4, 3, 5, 5), tmp_path / "s.png")
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
