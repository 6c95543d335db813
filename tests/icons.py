"""The app icons (static/img/icon-*.png), drawn from the favicon's design, and a small PNG
reader for the tests that check them.

Run `.venv/bin/python -m tests.icons` to write the PNG files again; a test checks that the
committed files hold exactly the pixels this draws. Only numpy and the standard library: the
shapes are signed distances, anti-aliased over one pixel, so the output is the same on every
machine.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

IMG_DIR = Path(__file__).resolve().parents[1] / "static" / "img"

# static/img/favicon.svg, in its 32-unit view box: a rounded square and five strokes.
VIEW_BOX = 32.0
CORNER_RADIUS = 6.0
STROKE_RADIUS = 1.25
STROKES = (
    ((16, 5), (16, 27)),
    ((11, 9), (21, 9)),
    ((10, 14), (22, 14)),
    ((11, 19), (21, 19)),
    ((12, 24), (20, 24)),
)
BACKGROUND = (0x0D, 0x47, 0xA1)  # the theme colour
FOREGROUND = (0xFF, 0xFF, 0xFF)
# A maskable icon may be cropped to any shape that keeps the centre circle of 40% radius:
# the strokes shrink to 80% so they stay well inside it.
MASKABLE_SCALE = 0.8

ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-192.png": (192, True),
    "icon-maskable-512.png": (512, True),
}


def _coverage(signed_distance: np.ndarray, pixel: float) -> np.ndarray:
    """How much of each pixel a shape covers, from its signed distance (negative inside)."""
    return np.clip(0.5 - signed_distance / pixel, 0.0, 1.0)


def _segment_distance(x: np.ndarray, y: np.ndarray, start, end) -> np.ndarray:
    (ax, ay), (bx, by) = start, end
    dx, dy = bx - ax, by - ay
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return np.hypot(x - (ax + t * dx), y - (ay + t * dy))


def draw(size: int, maskable: bool) -> np.ndarray:
    """The icon as a (size, size, 4) array of RGBA bytes."""
    pixel = VIEW_BOX / size
    centres = (np.arange(size) + 0.5) * pixel
    x, y = np.meshgrid(centres, centres)
    middle = VIEW_BOX / 2
    if maskable:
        background = np.ones_like(x)
        scale = MASKABLE_SCALE
    else:
        half = middle - CORNER_RADIUS
        qx, qy = np.abs(x - middle) - half, np.abs(y - middle) - half
        outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
        inside = np.minimum(np.maximum(qx, qy), 0)
        background = _coverage(outside + inside - CORNER_RADIUS, pixel)
        scale = 1.0
    # Draw the strokes at their scale by measuring in unscaled units.
    ux, uy = middle + (x - middle) / scale, middle + (y - middle) / scale
    distance = np.min([_segment_distance(ux, uy, *stroke) for stroke in STROKES], axis=0)
    strokes = _coverage((distance - STROKE_RADIUS) * scale, pixel)
    colour = [
        back * (1 - strokes) + fore * strokes
        for back, fore in zip(BACKGROUND, FOREGROUND, strict=True)
    ]
    rgba = np.stack([*colour, background * 255], axis=-1)
    return np.round(rgba).astype(np.uint8)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(pixels: np.ndarray) -> bytes:
    """An 8-bit RGBA PNG of the pixels (every row unfiltered)."""
    height, width, _ = pixels.shape
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    rows = b"".join(b"\x00" + row.tobytes() for row in pixels)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


class NotAPng(ValueError):
    pass


def read_png(data: bytes) -> dict:
    """Width, height, bit depth and colour type from a PNG's header, after checking the
    signature and every chunk's CRC; the pixels too when they are 8-bit RGBA, unfiltered."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise NotAPng("no PNG signature")
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise NotAPng(f"bad CRC in {kind!r}")
        chunks.append((kind, body))
        offset += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise NotAPng("chunks out of order")
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[0][1][:10])
    info = {"width": width, "height": height, "bit_depth": depth, "colour_type": colour_type}
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * 4 + 1
    if depth == 8 and colour_type == 6 and all(raw[i] == 0 for i in range(0, len(raw), stride)):
        rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride)[:, 1:]
        info["pixels"] = rows.reshape(height, width, 4)
    return info


def main() -> None:
    for name, (size, maskable) in ICONS.items():
        (IMG_DIR / name).write_bytes(png_bytes(draw(size, maskable)))
        print(IMG_DIR / name)


if __name__ == "__main__":
    main()
