"""The look of the video: colours and type sizes, as fractions of the frame height."""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    background: RGB = (16, 21, 30)  # deep blue-black: calm, and photos read well against it
    title: RGB = (246, 242, 233)
    subtitle: RGB = (214, 190, 134)  # muted gold
    body: RGB = (206, 210, 218)
    caption: RGB = (246, 242, 233)
    caption_band: tuple[int, int, int, int] = (8, 10, 14, 170)  # under captions over photos
    rule: RGB = (214, 190, 134)
    fill_darken: float = 0.35  # brightness of the blurred fill behind a contained photo
    title_px: float = 0.074
    subtitle_px: float = 0.052
    body_px: float = 0.036
    max_upscale: float = 2.0  # a small photo is never blown up more than this


DEFAULT = Theme()
