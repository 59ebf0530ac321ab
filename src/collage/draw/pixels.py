"""Pixel formats between the composer and the encoder.

Slides are drawn as RGB; the encoder takes planar YUV 4:2:0 (what H.264 stores). Converting each slide
once here, instead of every frame in ffmpeg's scaler, halves the bytes through the pipe and removes
per-frame colour conversion; blends are computed on the YUV planes directly (the conversion is linear,
so blending before or after it gives the same picture).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

PixelFormat = Literal["rgb24", "yuv420p"]
Frame = NDArray[np.uint8]  # (H, W, 3) RGB
Packed = NDArray[np.uint8]  # one frame in the encoder's pixel format, flat

# BT.709 luma weights; limited ("TV") range: Y in 16-235, Cb/Cr in 16-240.
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB


def pack(frame: Frame, fmt: PixelFormat, band: int = 64) -> Packed:
    """An RGB frame in `fmt`, flat. Even width and height (H.264 4:2:0 needs them anyway). Converted in
    bands of `band` rows, so the float intermediates stay a few MB instead of 50 MB for a 1080p frame."""
    if fmt == "rgb24":
        return np.ascontiguousarray(frame).reshape(-1)
    h, w = frame.shape[:2]
    out = np.empty(w * h * 3 // 2, np.uint8)
    y_plane = out[: w * h].reshape(h, w)
    cb_plane = out[w * h: w * h * 5 // 4].reshape(h // 2, w // 2)
    cr_plane = out[w * h * 5 // 4:].reshape(h // 2, w // 2)
    for top in range(0, h, band):
        rgb = frame[top:top + band].astype(np.float32)
        rows = rgb.shape[0]
        y = 16.0 + (219.0 / 255.0) * (_KR * rgb[..., 0] + _KG * rgb[..., 1] + _KB * rgb[..., 2])
        # Chroma from the 2x2 mean of RGB (linear, so the same as the mean of full-size chroma).
        quad = rgb.reshape(rows // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))
        luma = _KR * quad[..., 0] + _KG * quad[..., 1] + _KB * quad[..., 2]
        cb = 128.0 + (224.0 / 255.0) * (quad[..., 2] - luma) / (2 * (1 - _KB))
        cr = 128.0 + (224.0 / 255.0) * (quad[..., 0] - luma) / (2 * (1 - _KR))
        for plane, values, at in ((y_plane, y, top), (cb_plane, cb, top // 2), (cr_plane, cr, top // 2)):
            plane[at:at + values.shape[0]] = np.clip(np.rint(values), 0, 255)
    return out


def black(width: int, height: int, fmt: PixelFormat) -> Packed:
    if fmt == "rgb24":
        return np.zeros(width * height * 3, np.uint8)
    out = np.full(width * height * 3 // 2, 128, np.uint8)
    out[: width * height] = 16
    return out


class Blender:
    """Frames between `a` and `b`: out = a + (b - a) * w, in 7-bit fixed point on int16 (about 3 ms
    for a 1080p RGB frame, 1.5 ms in YUV 4:2:0; float32 takes ~12 ms)."""

    def __init__(self, a: Packed, b: Packed) -> None:
        self.a = a.astype(np.int16)
        self.diff = b.astype(np.int16) - self.a
        self.tmp = np.empty_like(self.a)
        self.out = np.empty(a.shape, np.uint8)

    def at(self, weight: float) -> Packed:
        """The mix with `weight` of b (0..1). The returned array is reused by the next call."""
        w = round(128 * weight)
        np.multiply(self.diff, w, out=self.tmp)
        self.tmp += 64
        self.tmp >>= 7
        self.tmp += self.a
        np.copyto(self.out, self.tmp, casting="unsafe")
        return self.out


def _planes(frame: Packed, width: int, height: int, fmt: PixelFormat) -> list[tuple[NDArray[np.uint8], int]]:
    """2-D views of a packed frame's planes, each with its horizontal subsampling (1 or 2)."""
    if fmt == "rgb24":
        return [(frame.reshape(height, width, 3), 1)]
    y, c = width * height, width * height // 4
    return [(frame[:y].reshape(height, width), 1), (frame[y:y + c].reshape(height // 2, width // 2), 2),
            (frame[y + c:].reshape(height // 2, width // 2), 2)]


class Slider:
    """`b` pushes `a` out to the left, eased so the motion starts and ends gently. Whole columns only
    (even ones, so 4:2:0 chroma stays aligned): no resampling, so it costs a copy per frame."""

    def __init__(self, a: Packed, b: Packed, width: int, height: int, fmt: PixelFormat) -> None:
        self.width = width
        self.out = np.empty_like(a)
        self.planes = list(zip(_planes(a, width, height, fmt), _planes(b, width, height, fmt),
                               _planes(self.out, width, height, fmt), strict=True))

    def at(self, weight: float) -> Packed:
        eased = 0.5 - 0.5 * np.cos(np.pi * weight)
        offset = round(eased * self.width / 2) * 2
        for (a, sub), (b, _), (out, _) in self.planes:
            o, w = offset // sub, a.shape[1]
            out[:, : w - o] = a[:, o:]
            out[:, w - o:] = b[:, :o]
        return self.out
