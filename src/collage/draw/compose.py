"""Pixels: each slide drawn once with Pillow; per-frame work only where frames differ (transitions).

Slides are drawn as (H, W, 3) RGB, packed once into the encoder's pixel format, and streamed from
there. They are drawn lazily and dropped once the timeline has moved past them, so at most two slides
(and never all photos) are in memory at once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from collage.draw import captions, pixels, text
from collage.draw.pixels import Frame, Packed, PixelFormat
from collage.errors import InputError
from collage.media import photos
from collage.model.theme import DEFAULT, Theme
from collage.model.timeline import Area, Cell, Rect, Segment, Slide, Timeline
from collage.plan import layout


class Artist:
    """Draws slides with Pillow. Needs only the frame size, so a worker can draw one slide on its own.

    Slides are laid out for the `design` size (the video's); drawn at another `size` (a preview), every
    box is scaled and text is fitted at the design size and then drawn scaled, so a preview breaks its
    lines and places its cells exactly as the full render does."""

    def __init__(self, folder: Path, size: tuple[int, int], theme: Theme = DEFAULT,
                 manifest_name: str = "collage.yaml", design: tuple[int, int] | None = None):
        self.folder, self.theme, self.manifest_name = folder, theme, manifest_name
        self.width, self.height = size
        self.design = design or size
        self.sx, self.sy = self.width / self.design[0], self.height / self.design[1]

    def draw(self, slide: Slide, progress: float = 0.0) -> Image.Image:
        """The slide as drawn; a moving slide `progress` (0..1) of the way through its time."""
        if slide.moving:
            return Scene(self, slide).at(progress)
        canvas = self._background()
        if slide.kind == "title":
            self._title(canvas, slide)
            return canvas
        for cell in slide.cells:
            shown = self.at_size(cell)
            self._place_photo(canvas, shown, self._fill_rect(slide, shown))
        for cell in slide.cells:
            if cell.caption and cell.caption_box:
                self._caption(canvas, cell)
        return canvas

    def _rect(self, r: Rect) -> Rect:
        if (self.sx, self.sy) == (1, 1):
            return r
        x0, y0 = round(r.x * self.sx), round(r.y * self.sy)
        return Rect(x0, y0, max(1, round((r.x + r.w) * self.sx) - x0), max(1, round((r.y + r.h) * self.sy) - y0))

    def at_size(self, cell: Cell) -> Cell:
        """The cell's geometry in the drawn frame (the cell itself when drawn at the design size)."""
        if (self.sx, self.sy) == (1, 1):
            return cell
        return replace(cell, box=self._rect(cell.box),
                       caption_box=None if cell.caption_box is None else self._rect(cell.caption_box),
                       caption_px=max(1, round(cell.caption_px * self.sy)))

    def _background(self) -> Image.Image:
        """The theme's colour, or its image cropped to fill the frame (read like a photo: upright, sRGB)."""
        size = (self.width, self.height)
        if not self.theme.background_image:
            return Image.new("RGB", size, self.theme.background)
        try:
            image = photos.load(Path(self.theme.background_image), size, self.theme.background, cover=True)
        except photos.PhotoError as exc:
            raise InputError([photos.problem(self.theme.background_image, "style", self.manifest_name, None,
                                             exc, "style.background_image")]) from None
        return _cover(image, size, (0.5, 0.5))

    def packed(self, slide: Slide, pixel_format: PixelFormat) -> Packed:
        return pixels.pack(np.asarray(self.draw(slide), dtype=np.uint8), pixel_format)

    def _fill_rect(self, slide: Slide, cell: Cell) -> Rect:
        # A full-screen photo's fill spans the frame, or the part above a caption set below it.
        if slide.kind == "grid":
            return cell.box
        return Rect(0, 0, self.width, self.height if cell.caption_over else cell.box.h)

    def _place_photo(self, canvas: Image.Image, cell: Cell, fill: Rect) -> None:
        """The photo in its box as its fit says: whole over a blurred fill of itself (painted over
        `fill`), whole on the background, or cropped to fill the box."""
        box = cell.box
        photo = self._photo(cell)
        if cell.fit == "cover":
            canvas.paste(_cover(photo, (box.w, box.h), cell.focus, cell.crop), (box.x, box.y))
            return
        if cell.fit == "blur":
            canvas.paste(self._fill(photo, (fill.w, fill.h)), (fill.x, fill.y))
        self._paste_contained(canvas, photo, cell)

    def _photo(self, cell: Cell, scale: float = 1.0) -> Image.Image:
        """The cell's photo decoded at no less than its box (times `scale`, for a push in) needs."""
        try:
            size = (math.ceil(cell.box.w * scale), math.ceil(cell.box.h * scale))
            photo = photos.load(self.folder / cell.photo, size, self.theme.background, cover=cell.fit == "cover")
        except photos.PhotoError as exc:  # damaged past its header, which `check` read
            raise InputError([photos.problem(cell.photo, cell.message, self.manifest_name, None, exc)]) from None
        return covered(photo, cell.cover)

    def _contained_size(self, photo: Image.Image, cell: Cell) -> tuple[int, int]:
        pw, ph = photo.size
        # Enlargement is capped against the photo's own pixels in the design frame: the decoded copy may be
        # reduced (JPEG draft), and a preview's boxes are smaller, yet a small photo shows as the full render
        # shows it (the cap is the old one exactly when the copy is whole and the frame is the design's).
        own_height = photos.probe(self.folder / cell.photo).height
        scale = min(cell.box.w / pw, cell.box.h / ph, self.theme.max_upscale * self.sy * own_height / ph)
        return max(1, round(pw * scale)), max(1, round(ph * scale))

    def _contained_rect(self, photo: Image.Image, cell: Cell) -> Rect:
        w, h = self._contained_size(photo, cell)
        return Rect(cell.box.x + (cell.box.w - w) // 2, cell.box.y + (cell.box.h - h) // 2, w, h)

    def _paste_contained(self, canvas: Image.Image, photo: Image.Image, cell: Cell) -> None:
        rect = self._contained_rect(photo, cell)
        size = (rect.w, rect.h)
        shown = photo if photo.size == size else photo.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        canvas.paste(shown, (rect.x, rect.y))

    def _fill(self, photo: Image.Image, size: tuple[int, int]) -> Image.Image:
        """The photo cropped to cover `size`, blurred and darkened: a quiet background made of itself."""
        w, h = size
        # Blurred at a sixteenth of the design size, whatever size it is drawn at: a preview's fill
        # is the full render's, scaled.
        small = (max(1, round(w / self.sx) // 16), max(1, round(h / self.sy) // 16))
        pw, ph = photo.size
        scale = max(small[0] / pw, small[1] / ph)
        cw, ch = small[0] / scale, small[1] / scale
        left, top = max(0.0, (pw - cw) / 2), max(0.0, (ph - ch) / 2)  # float error must not go below 0
        tiny = photo.resize(small, Image.Resampling.BOX, box=(left, top, min(pw, left + cw), min(ph, top + ch)))
        tiny = tiny.filter(ImageFilter.GaussianBlur(radius=3.5))
        dark = Image.eval(tiny, lambda v: int(v * self.theme.fill_darken))
        return dark.resize((w, h), Image.Resampling.BICUBIC)

    # -- text ----------------------------------------------------------------------------------------------

    def _caption(self, canvas: Image.Image, cell: Cell) -> None:
        """On the background below the photo, or over its lower edge on a band (its colour and opacity
        chosen by the theme for a contrast of at least 4.5:1 over any photo). `cell` is as laid out
        (design size): the text is fitted there, then drawn at the frame's size."""
        assert cell.caption_box is not None
        blocks = [b.scaled(self.sy) for b in caption_blocks(cell, self.design[1], self.theme.caption_weight,
                                                            self.theme.fonts, self.theme.caption_name_weight)]
        box = self._rect(cell.caption_box)
        height = sum(b.height for b in blocks)
        if not cell.caption_over:
            _stack(canvas, blocks, box.x, box.y + (box.h - height) // 2, box.w, self.theme.caption)
            return
        px = cell.caption_px * self.sy
        pad = round(px * 0.7)
        width = max(b.style.width(line) for b in blocks for line in b.lines)
        band_w = min(box.w, round(width) + 2 * pad)
        band_h = min(box.h, height + pad)
        x = box.x + (box.w - band_w) // 2
        y = box.y + box.h - band_h - (0 if box.h - band_h < pad else pad // 2)
        band = Image.new("RGBA", (band_w, band_h), (0, 0, 0, 0))
        ImageDraw.Draw(band).rounded_rectangle((0, 0, band_w - 1, band_h - 1), radius=round(px * 0.35),
                                               fill=self.theme.caption_band)
        canvas.paste(band, (x, y), band)
        _stack(canvas, blocks, x, y + (band_h - height) // 2, band_w, self.theme.caption)

    def _title(self, canvas: Image.Image, slide: Slide) -> None:
        w, h = canvas.size
        t = self.theme
        area = layout.safe_area(w, h)
        dh = self.design[1]  # fitted at the design size, drawn at this one
        max_w = round(layout.safe_area(*self.design).w * 0.86)
        fitted: list[tuple[text.TextBlock, tuple[int, int, int]]] = []
        if slide.title:
            fitted.append((text.fit(slide.title, max_w, 3, round(dh * t.title_px), round(dh * t.title_px * 0.6),
                                    weight=t.title_weight, line_spacing=1.18, fonts=t.fonts), t.title))
        if slide.subtitle:
            fitted.append((text.fit(slide.subtitle, max_w, 2, round(dh * t.subtitle_px),
                                    round(dh * t.subtitle_px * 0.6), line_spacing=1.3, fonts=t.fonts), t.subtitle))
        if slide.body:
            fitted.append((text.fit(slide.body, max_w, 6, round(dh * t.body_px), round(dh * t.body_px * 0.8),
                                    line_spacing=1.45, fonts=t.fonts), t.body))
        blocks = [(b.scaled(self.sy), colour) for b, colour in fitted]
        gap = round(h * 0.045)
        rule = bool(slide.title and slide.subtitle)
        total = sum(b.height for b, _ in blocks) + gap * (len(blocks) - 1) + (gap if rule else 0)
        y = area.y + (area.h - total) // 2
        for i, (block, colour) in enumerate(blocks):
            y += gap if i else 0
            block.draw(canvas, (area.x, y, area.w, block.height), colour)
            y += block.height
            if i == 0 and rule:
                # A short rule centred between title and subtitle: quiet structure for a bilingual card.
                rw, rh, cy = round(w * 0.06), max(2, round(h * 0.003)), y + gap
                ImageDraw.Draw(canvas).rectangle(((w - rw) // 2, cy - rh // 2, (w + rw) // 2, cy + rh // 2),
                                                 fill=t.rule)
                y += gap

class Scene:
    """A moving slide (Ken Burns): what stands still (background, fills, still photos) is drawn once;
    each frame pastes the moving photos, resampled from their window at that moment (sub-pixel: the
    window's edges are floats), and draws the captions over them."""

    def __init__(self, artist: Artist, slide: Slide) -> None:
        self.artist, self.slide = artist, slide
        base = artist._background()
        self.movers: list[tuple[Cell, Image.Image, Rect]] = []
        for design_cell in slide.cells:
            cell = artist.at_size(design_cell)
            fill = artist._fill_rect(slide, cell)
            if not cell.motion:
                artist._place_photo(base, cell, fill)
                continue
            photo = artist._photo(cell, layout.KENBURNS_ZOOM)
            if cell.fit == "blur":
                base.paste(artist._fill(photo, (fill.w, fill.h)), (fill.x, fill.y))
            rect = cell.box if cell.fit == "cover" else artist._contained_rect(photo, cell)
            self.movers.append((cell, photo, rect))
        self.base = base

    def at(self, progress: float) -> Image.Image:
        frame = self.base.copy()
        for cell, photo, rect in self.movers:
            assert cell.motion is not None
            (s0, s1, s2, s3), (e0, e1, e2, e3) = cell.motion
            pw, ph = photo.size
            box = (max(0.0, (s0 + (e0 - s0) * progress) * pw), max(0.0, (s1 + (e1 - s1) * progress) * ph),
                   min(pw, (s2 + (e2 - s2) * progress) * pw), min(ph, (s3 + (e3 - s3) * progress) * ph))
            frame.paste(photo.resize((rect.w, rect.h), Image.Resampling.BICUBIC, box=box), (rect.x, rect.y))
        for cell in self.slide.cells:
            if cell.caption and cell.caption_box:
                self.artist._caption(frame, cell)
        return frame


@functools.lru_cache(maxsize=2)
def _scene(folder: Path, size: tuple[int, int], design: tuple[int, int], theme: Theme, manifest_name: str,
           slide: Slide, photo_states: tuple[tuple[int, int, int], ...]) -> Scene:
    """A moving slide's still parts and decoded photos, shared by the segments it spans (its transition
    in, its hold's pieces, its transition out) instead of decoded again for each. Read-only once made,
    so tasks on other threads may use it at once; two at most are kept (a slide and its neighbour)."""
    return Scene(Artist(folder, size, theme, manifest_name, design), slide)


def _states(folder: Path, slide: Slide) -> tuple[tuple[int, int, int], ...]:
    """The slide's photos' file states (size, mtime, inode): a photo replaced while a long-lived
    process runs is never drawn from a scene decoded before."""
    out = []
    for c in slide.cells:
        st = (folder / c.photo).stat()
        out.append((st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


def moving_frames(seg: Segment, slides: tuple[Slide | None, Slide | None], artist: Artist) -> Iterator[Packed]:
    """A segment with a moving slide in it, frame by frame, as flat RGB: each frame is drawn at its
    moment, then held or blended as `segment_frames` does for still slides."""
    size = (artist.width, artist.height)
    sources = [_SlideFrames(artist, s) for s in slides]
    for k in range(seg.frames):
        frame = seg.start + k
        if seg.kind == "hold":
            yield sources[0].at(frame)
            continue
        a, b = sources[0].at(frame), sources[1].at(frame)
        step = Segment("blend", 0, 1, None, None, seg.style)  # one frame at this weight
        weight = (k + 1) / (seg.frames + 1)
        yield next(iter(segment_frames(step, a, b, size, "rgb24", weights=[weight])))


class _SlideFrames:
    """A slide's RGB frame at any frame number: drawn once if it stands still, else at its moment."""

    def __init__(self, artist: Artist, slide: Slide | None) -> None:
        self.slide = slide
        self.scene = _scene(artist.folder, (artist.width, artist.height), artist.design, artist.theme,
                            artist.manifest_name, slide, _states(artist.folder, slide)) \
            if slide is not None and slide.moving else None
        still = None if slide is None or slide.moving else artist.draw(slide)
        self.still = (pixels.black(artist.width, artist.height, "rgb24") if slide is None else
                      None if still is None else np.asarray(still, dtype=np.uint8).reshape(-1))

    def at(self, frame: int) -> Packed:
        if self.scene is None:
            assert self.still is not None
            return self.still
        assert self.slide is not None
        return np.asarray(self.scene.at(self.slide.progress(frame)), dtype=np.uint8).reshape(-1)


class Composer:
    """The frame stream of a whole timeline in one process: slides drawn lazily and dropped once the
    timeline has moved past them. The segmented render draws and encodes per segment instead."""

    def __init__(self, folder: Path, timeline: Timeline, theme: Theme = DEFAULT, manifest_name: str = "collage.yaml",
                 pixel_format: PixelFormat = "rgb24", size: tuple[int, int] | None = None):
        """`size`: the frames' size when not the timeline's (a preview of the same layout)."""
        self.timeline, self.pixel_format = timeline, pixel_format
        self.width, self.height = size or (timeline.width, timeline.height)
        self.artist = Artist(folder, (self.width, self.height), theme, manifest_name,
                             design=(timeline.width, timeline.height))
        self._cache: dict[int, Frame] = {}
        self._packed: dict[int, Packed] = {}

    def draw(self, slide: Slide) -> Image.Image:
        return self.artist.draw(slide)

    def slide(self, index: int) -> Frame:
        """The slide's frame, drawn on first use; earlier slides are forgotten (the timeline only moves on)."""
        if index not in self._cache:
            for old in [k for k in self._cache if k < index - 1]:
                del self._cache[old]
            self._cache[index] = np.asarray(self.draw(self.timeline.slides[index]), dtype=np.uint8)
        return self._cache[index]

    def packed(self, index: int | None) -> Packed:
        """Slide `index` (None: black) in the stream's pixel format, converted once per slide."""
        if index is None:
            return pixels.black(self.width, self.height, self.pixel_format)
        if index not in self._packed:
            for old in [k for k in self._packed if k < index - 1]:
                del self._packed[old]
            self._packed[index] = pixels.pack(self.slide(index), self.pixel_format)
            self._cache.pop(index, None)  # the RGB drawing is not needed once packed
        return self._packed[index]

    def frames(self) -> Iterator[Packed]:
        """Every frame in order, flat in the stream's pixel format. Holds yield the same array object
        repeatedly and transitions reuse one buffer: consume each frame before asking for the next."""
        for seg in self.timeline.segments():
            yield from self._segment(seg)

    def _segment(self, seg: Segment) -> Iterator[Packed]:
        t = self.timeline
        if seg.moving:
            slides = (None if seg.a is None else t.slides[seg.a],
                      None if seg.kind == "hold" or seg.b is None else t.slides[seg.b])
            for frame in moving_frames(seg, slides, self.artist):
                yield frame if self.pixel_format == "rgb24" else pixels.pack(
                    frame.reshape(self.height, self.width, 3), self.pixel_format)
            return
        yield from segment_frames(seg, self.packed(seg.a), self.packed(seg.b) if seg.kind == "blend" else None,
                                  (self.width, self.height), self.pixel_format)

    def frame_at(self, index: int) -> Frame:
        """One frame by number as RGB (H, W, 3), for tests and contact sheets; needs rgb24."""
        assert self.pixel_format == "rgb24"
        shape = (self.height, self.width, 3)
        for seg in self.timeline.segments():
            if seg.start <= index < seg.start + seg.frames:
                for k, frame in enumerate(self._segment(seg)):
                    if seg.start + k == index:
                        return frame.reshape(shape).copy()
        raise IndexError(index)


def segment_frames(seg: Segment, a: Packed, b: Packed | None, size: tuple[int, int],
                   pixel_format: PixelFormat, weights: list[float] | None = None) -> Iterator[Packed]:
    """The segment's frames from its packed slides (`a`, and `b` for a blend; black stands in for None).
    A hold yields `a` itself `seg.frames` times; a blend reuses one buffer: consume each frame first."""
    if seg.kind == "hold":
        for _ in range(seg.frames):
            yield a
        return
    assert b is not None
    weights = weights or [(k + 1) / (seg.frames + 1) for k in range(seg.frames)]
    if seg.style == "fade":  # through black: out in the first half, in in the second
        black = pixels.black(size[0], size[1], pixel_format)
        fade_out, fade_in = pixels.Blender(a, black), pixels.Blender(black, b)
        for w in weights:
            yield fade_out.at(2 * w) if w < 0.5 else fade_in.at(2 * w - 1)
    elif seg.style == "slide":
        slider = pixels.Slider(a, b, size[0], size[1], pixel_format)
        for w in weights:
            yield slider.at(w)
    else:
        blender = pixels.Blender(a, b)
        for w in weights:
            yield blender.at(w)


def _cover(photo: Image.Image, size: tuple[int, int], focus: tuple[float, float],
           crop: tuple[float, float, float, float] | None = None) -> Image.Image:
    """The photo scaled to fill `size`: the planned `crop` of it (fractions), or else cropped around
    `focus` (fractions of the photo) without leaving it."""
    w, h = size
    pw, ph = photo.size
    if crop is not None:
        box = (max(0.0, crop[0] * pw), max(0.0, crop[1] * ph), min(pw, crop[2] * pw), min(ph, crop[3] * ph))
        return photo.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    scale = max(w / pw, h / ph)
    cw, ch = w / scale, h / scale
    left = max(0.0, min(max(focus[0] * pw - cw / 2, 0), pw - cw))
    top = max(0.0, min(max(focus[1] * ph - ch / 2, 0), ph - ch))
    return photo.resize(size, Image.Resampling.LANCZOS, box=(left, top, left + cw, top + ch), reducing_gap=3.0)


MASK_COLOUR = (62, 62, 66)  # a flat, neutral grey: reads as "withheld", not as a glitch


def covered(photo: Image.Image, areas: tuple[Area, ...]) -> Image.Image:
    """The photo with each area (fractions of it) painted over opaquely, on the decoded pixels, before
    any crop, scale or move: what is under it is gone from every frame drawn from this copy. Edges
    are rounded outwards to whole pixels, so no sliver of the area survives."""
    if not areas:
        return photo
    w, h = photo.size
    painter = ImageDraw.Draw(photo)
    for x0, y0, x1, y1 in areas:
        painter.rectangle((math.floor(x0 * w), math.floor(y0 * h), math.ceil(x1 * w) - 1, math.ceil(y1 * h) - 1),
                          fill=MASK_COLOUR)
    return photo


def caption_blocks(cell: Cell, height: int, weight: text.Weight = "regular",
                   fonts: text.Fonts = (), name_weight: text.Weight = "bold") -> list[text.TextBlock]:
    """A caption fitted to its box as the plan set it: the name (in `name_weight`), then the details,
    broken between parts first and never inside a word, at its planned size (`collage.draw.captions`).
    `fonts`: the manifest's, tried first."""
    return captions.blocks(cell, height, weight, name_weight, fonts)


def _stack(canvas: Image.Image, blocks: list[text.TextBlock], x: int, y: int, w: int,
           colour: tuple[int, ...]) -> None:
    """Text blocks one under another from `y`, each centred across `w`."""
    for block in blocks:
        block.draw(canvas, (x, y, w, block.height), colour)
        y += block.height


def contact_sheet(frames: list[Frame], columns: int = 4, width: int = 480, labels: Sequence[str] = ()) -> Image.Image:
    """Frames scaled to `width` and tiled, for a person to look at; `labels` (each frame's slide number)
    are drawn in each tile's top left corner, white on a dark plate, legible over any picture."""
    images = [Image.fromarray(f) for f in frames]
    if not images:
        return Image.new("RGB", (width, width * 9 // 16))
    scale = width / images[0].width
    size = (width, round(images[0].height * scale))
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * size[0] + (columns + 1) * 8, rows * size[1] + (rows + 1) * 8), (40, 40, 40))
    style = text.TextStyle(max(14, round(size[1] * 0.1)), "bold")
    for i, im in enumerate(images):
        r, c = divmod(i, columns)
        x, y = 8 + c * (size[0] + 8), 8 + r * (size[1] + 8)
        sheet.paste(im.resize(size, Image.Resampling.LANCZOS), (x, y))
        if i < len(labels):
            _label(sheet, x, y, labels[i], style)
    return sheet


def _label(sheet: Image.Image, x: int, y: int, label: str, style: text.TextStyle) -> None:
    pad = round(style.px * 0.35)
    w, h = round(style.width(label)) + 2 * pad, round(style.px * 1.2) + pad
    plate = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(plate).rounded_rectangle((0, 0, w - 1, h - 1), radius=pad, fill=(0, 0, 0, 200))
    sheet.paste(plate, (x + pad, y + pad), plate)
    style.draw_line(sheet, x + 2 * pad, round(y + pad + h / 2 + 0.36 * style.px), label, (255, 255, 255))
