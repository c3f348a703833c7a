"""A small PNG encoder, for `utils.save_image`: 8-bit grayscale, RGB or RGBA, no PIL needed.

A PNG file (RFC 2083) is the 8-byte signature then chunks, each `length (4 bytes, big-endian)
| type (4 ASCII letters) | data | CRC-32 of type and data`: IHDR (width, height, bit depth 8,
colour type 0 gray / 2 RGB / 6 RGBA, compression 0, filter 0, interlace 0), one IDAT holding
the zlib-compressed rows, each row preceded by its filter type (0: none), and an empty IEND.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {1: 0, 3: 2, 4: 6}  # channels -> PNG colour type: gray, RGB, RGBA


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(pixels: np.ndarray) -> bytes:
    """The PNG file of a uint8 image H x W (gray) or H x W x C, C = 1 (gray), 3 (RGB) or 4 (RGBA)."""
    if pixels.dtype != np.uint8:
        raise TypeError(f"encode_png: pixels must be uint8, got {pixels.dtype}")
    image = pixels[:, :, None] if pixels.ndim == 2 else pixels
    if image.ndim != 3 or image.shape[2] not in COLOUR_TYPES:
        raise ValueError(
            f"encode_png: an image H x W or H x W x C with C = 1, 3 or 4 can be written as PNG, got shape "
            f"{tuple(pixels.shape)}"
        )
    height, width, channels = image.shape
    if height == 0 or width == 0:
        raise ValueError(f"encode_png: a PNG image has at least one pixel, got shape {tuple(pixels.shape)}")
    rows = np.concatenate([np.zeros((height, 1), np.uint8), image.reshape(height, width * channels)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, COLOUR_TYPES[channels], 0, 0, 0)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes())) + _chunk(b"IEND", b"")
