"""The look of the video: colours, type sizes and weights, caption style and background.

Themes are YAML files in the package (`data/themes/`: `calm`, the default, and `light`; read by
`collage.manifest.themes`); a manifest picks one with `style: {theme: NAME}` (or a path to its own
theme file inside the folder) and overrides single values beside it. Sizes are fractions of the frame
height, so every output shape keeps its proportions. Caption colours are checked against what is
behind them: text is kept at a contrast of at least 4.5:1 (WCAG AA), darkening a caption band when the
photo under it could be white.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Literal

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]
CaptionPosition = Literal["auto", "below", "over"]
Weight = Literal["regular", "bold"]

MIN_CONTRAST = 4.5
CAPTION_FLOOR = 0.035  # captions are never smaller than this fraction of the frame height


@dataclass(frozen=True)
class Theme:
    name: str = "calm"
    background: RGB = (16, 21, 30)  # deep blue-black: calm, and photos read well against it
    background_image: str | None = None  # relative to the folder (manifest) or the theme file's folder
    fonts: tuple[str, ...] = ()  # `style.fonts`: the folder's fonts (absolute paths), tried before the bundled ones
    title: RGB = (246, 242, 233)
    subtitle: RGB = (214, 190, 134)  # muted gold
    body: RGB = (206, 210, 218)
    caption: RGB = (246, 242, 233)
    caption_band: RGBA = (8, 10, 14, 170)  # behind captions over photos
    rule: RGB = (214, 190, 134)
    fill_darken: float = 0.35  # brightness of the blurred fill behind a contained photo
    title_px: float = 0.074
    subtitle_px: float = 0.052
    body_px: float = 0.036
    caption_px: float = CAPTION_FLOOR  # under grid photos
    caption_over_px: float = 0.042  # over a full-screen photo
    title_weight: Weight = "bold"
    caption_weight: Weight = "regular"
    caption_name_weight: Weight = "bold"  # the name in a caption, stronger than the details after it
    caption_position: CaptionPosition = "auto"  # auto: below grid photos, over full-screen ones
    max_upscale: float = 2.0  # a small photo is never blown up more than this
    # The captions files' cue where only music plays (captioning norms ask for sound that carries meaning):
    # an organisation may put it in its audience's language.
    music_cue: str = "[music]"


DEFAULT = Theme()

_COLOURS = {"background", "title", "subtitle", "body", "caption", "rule"}
_SIZES = {"title_px", "subtitle_px", "body_px", "caption_px", "caption_over_px"}
# The manifest and theme files spell keys for people; the dataclass keeps short names.
ALIASES = {"title_colour": "title", "subtitle_colour": "subtitle", "body_colour": "body",
           "caption_colour": "caption", "rule_colour": "rule", "title_size": "title_px",
           "subtitle_size": "subtitle_px", "body_size": "body_px", "caption_size": "caption_px",
           "caption_over_size": "caption_over_px", "captions": "caption_position"}
KEYS = tuple(sorted({*ALIASES, "background", "background_image", "caption_band", "fill_darken", "title_weight",
                     "caption_weight", "caption_name_weight", "max_upscale", "music_cue"}))
MUSIC_CUE_MAX = 32  # characters: at most two lines of a caption, in any script


class ThemeError(ValueError):
    """A theme value that cannot be used; the message names the key and what is allowed."""


def parse_colour(value: Any, alpha: bool = False) -> RGB | RGBA:
    """`#rrggbb`, `#rrggbbaa` (with alpha), or [r, g, b(, a)]."""
    if isinstance(value, str):
        m = re.fullmatch(r"#?([0-9a-fA-F]{6})([0-9a-fA-F]{2})?", value.strip())
        if m:
            rgb = tuple(int(m.group(1)[i:i + 2], 16) for i in (0, 2, 4))
            a = int(m.group(2), 16) if m.group(2) else 255
            return (*rgb, a) if alpha else rgb  # type: ignore[return-value]
    elif isinstance(value, list | tuple) and len(value) in (3, 4) and all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value):
        if alpha:
            return (value[0], value[1], value[2], value[3] if len(value) == 4 else 255)
        if len(value) == 3:
            return (value[0], value[1], value[2])
    raise ThemeError(f"'{value}' is not a colour; write #rrggbb" + ("aa" if alpha else "") + " or [r, g, b]")


def with_values(theme: Theme, values: dict[str, Any]) -> Theme:
    """`theme` with `values` (people's key names) set; raises ThemeError naming the first bad key."""
    changes: dict[str, Any] = {}
    for key, value in values.items():
        name = ALIASES.get(key, key)
        if key not in KEYS or name == "name":
            raise ThemeError(f"unknown theme key '{key}'")
        try:
            changes[name] = _value(name, value)
        except ThemeError as exc:
            raise ThemeError(f"{key}: {exc}") from None
    return dataclasses.replace(theme, **changes)


def _value(name: str, value: Any) -> Any:
    if name in _COLOURS:
        return parse_colour(value)
    if name == "caption_band":
        return parse_colour(value, alpha=True)
    if name in _SIZES:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.01 <= value <= 0.25:
            raise ThemeError("a size is a fraction of the frame height, 0.01 to 0.25")
        if name == "caption_px" and value < CAPTION_FLOOR:
            raise ThemeError(f"captions must stay legible: at least {CAPTION_FLOOR} of the frame height")
        return float(value)
    if name in ("fill_darken",):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ThemeError("a brightness from 0 to 1")
        return float(value)
    if name == "max_upscale":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 4:
            raise ThemeError("a factor from 1 to 4")
        return float(value)
    if name in ("title_weight", "caption_weight", "caption_name_weight"):
        if value not in ("regular", "bold"):
            raise ThemeError("regular or bold")
        return value
    if name == "caption_position":
        if value not in ("auto", "below", "over"):
            raise ThemeError("auto, below or over")
        return value
    if name == "music_cue":
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > MUSIC_CUE_MAX or any(
                ch.isspace() and ch != " " for ch in value.strip()):
            raise ThemeError(f"a short text on one line (at most {MUSIC_CUE_MAX} characters), e.g. \"[music]\"")
        return value.strip()
    if name == "background_image":
        if value is not None and not isinstance(value, str):
            raise ThemeError("a path to an image")
        return value
    raise ThemeError("not a theme value")


def luminance(colour: tuple[int, ...]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _over(band: RGBA, under: RGB) -> RGB:
    a = band[3] / 255
    return tuple(round(band[i] * a + under[i] * (1 - a)) for i in range(3))  # type: ignore[return-value]


def band_contrast(text: RGB, band: RGBA) -> float:
    """The worst contrast of `text` on `band` over any photo (its pixels may be black or white)."""
    return min(contrast(text, _over(band, (0, 0, 0))), contrast(text, _over(band, (255, 255, 255))))


def readable(theme: Theme) -> Theme:
    """The theme with captions at >= 4.5:1 wherever they can fall: on the background (below photos)
    and on the band over any photo. A caption colour that fails on the background becomes black or
    white, whichever reads better; a band too thin for its text is made more opaque."""
    caption = theme.caption
    if contrast(caption, theme.background) < MIN_CONTRAST:
        caption = max(((0, 0, 0), (255, 255, 255)), key=lambda c: contrast(c, theme.background))
    band = theme.caption_band
    if band_contrast(caption, band) < MIN_CONTRAST:
        # The band's colour toward the opposite of the text, then more opaque until it reads.
        dark_text = luminance(caption) < 0.5
        base: RGB = (255, 255, 255) if dark_text else (0, 0, 0)
        if contrast(caption, base) < MIN_CONTRAST:
            base = band[:3]
        for alpha in range(band[3], 256):
            band = (*base, alpha)
            if band_contrast(caption, band) >= MIN_CONTRAST:
                break
    return dataclasses.replace(theme, caption=caption, caption_band=band)
