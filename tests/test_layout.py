"""Layout geometry: safe areas, even gutters, centred partial rows, pagination, and grid slides whose photos
(their own pixels, each whole in a box of its shape) fill the frame."""

from __future__ import annotations

import functools
import itertools
import statistics
from typing import Any

import pytest

from collage.plan import captions, layout

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(("count", "per_page", "pages"), [
    (9, 4, [3, 3, 3]), (8, 4, [4, 4]), (5, 4, [3, 2]), (1, 4, [1]), (0, 4, []), (13, 6, [5, 4, 4]),
])
def test_paginate_evenly(count: int, per_page: int, pages: list[int]) -> None:
    assert layout.paginate(count, per_page) == pages


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1080, 1080), (640, 360)])
@pytest.mark.parametrize(("cols", "rows", "count"), [(2, 2, 4), (3, 2, 5), (1, 1, 1), (3, 3, 7)])
def test_an_explicit_grid_stays_in_the_safe_area_and_does_not_overlap(size: tuple[int, int], cols: int, rows: int,
                                                                    count: int) -> None:
    w, h = size
    safe = layout.safe_area(w, h)
    cells = layout.grid_page(([4 / 3, 3 / 4, 1.0] * 3)[:count], w, h, shape=(cols, rows))
    assert len(cells) == count
    _assert_inside_and_apart(cells, safe)


def _assert_inside_and_apart(cells: list[layout.CellBoxes], safe: layout.Rect) -> None:
    """Every photo and caption box inside the title-safe area (a photo alone on its slide may run to the
    frame's left and right edges), and none overlapping another."""
    boxes = [c.photo for c in cells] + [c.caption for c in cells if c.caption]
    for b in boxes:
        assert safe.y <= b.y and b.y + b.h <= safe.y + safe.h
        if len(cells) == 1 and b is cells[0].photo:
            assert b.x >= 0 and b.x + b.w <= safe.w + 2 * safe.x
        else:
            assert safe.x <= b.x and b.x + b.w <= safe.x + safe.w
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y


def test_gutters_are_even_and_partial_rows_centred() -> None:
    cells = layout.grid_page([4 / 3] * 5, 1920, 1080, shape=(3, 2))
    top = [c.photo for c in cells[:3]]
    gaps = {top[i + 1].x - (top[i].x + top[i].w) for i in range(2)}
    assert max(gaps) - min(gaps) <= 1 and min(gaps) > 0
    bottom = [c.photo for c in cells[3:]]
    left_margin = bottom[0].x - top[0].x
    right_margin = (top[2].x + top[2].w) - (bottom[1].x + bottom[1].w)
    assert abs(left_margin - right_margin) <= 1
    assert abs(bottom[0].w - top[0].w) <= 1  # the short row keeps its columns' width


def test_caption_size_scales_with_the_frame() -> None:
    assert layout.caption_px(1080) == round(1080 * layout.CAPTION)
    assert layout.caption_px(2160) == 2 * layout.caption_px(1080)


def test_full_screen_photo_stops_above_its_caption() -> None:
    boxes = layout.full_screen(1920, 1080)
    assert boxes.caption is not None
    assert boxes.photo.y + boxes.photo.h < boxes.caption.y


def test_full_screen_cover_fills_the_frame_under_its_caption() -> None:
    boxes = layout.full_screen(1920, 1080, cover=True)
    assert boxes.photo == layout.Rect(0, 0, 1920, 1080) and boxes.caption is not None


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1080, 1080)])
@pytest.mark.parametrize("aspects", [[0.75, 1.333, 1.333, 0.75], [0.75, 0.75, 1.778], [1.333] * 4, [0.5625] * 3,
                                     [1.0], [3.0, 0.75]])
def test_auto_gives_each_photo_a_box_of_its_shape_as_large_as_the_frame_allows(size: tuple[int, int],
                                                                             aspects: list[float]) -> None:
    """Every box has its photo's shape; photos side by side share a top and a height; and the slide reaches
    the safe area's width or its height (nothing is left to spare on both)."""
    w, h = size
    safe = layout.safe_area(w, h)
    cells = layout.grid_page(aspects, w, h)
    _assert_inside_and_apart(cells, safe)
    for cell, aspect in zip(cells, aspects, strict=True):
        assert abs(cell.photo.w / cell.photo.h - aspect) < 0.02 * aspect + 2 / cell.photo.h
    left = min(c.photo.x for c in cells)
    right = max(c.photo.x + c.photo.w for c in cells)
    top = min(c.photo.y for c in cells)
    bottom = max((c.caption or c.photo).y + (c.caption or c.photo).h for c in cells)
    assert right - left >= safe.w - 2 or bottom - top >= safe.h - 2


@pytest.mark.parametrize(("aspect", "size", "bled"), [(4 / 3, (1080, 1920), True), (1.0, (1080, 1920), True),
                                                     (16 / 9, (1080, 1080), True), (4 / 3, (1920, 1080), False),
                                                     (3 / 4, (1920, 1080), False)])
def test_a_photo_alone_runs_to_the_edges_its_width_holds_it_to(aspect: float, size: tuple[int, int],
                                                               bled: bool) -> None:
    """A landscape photo alone on a vertical slide is as wide as the frame (a strip between margins
    leaves a third of the photo's size dark); its caption stays title-safe. A photo whose height holds
    it back keeps its margins."""
    w, h = size
    safe = layout.safe_area(w, h)
    text = layout.Text(captions.Caption("Søren Ødegård · Student · Oslo, Norway, and a long way further", 13))
    cell = layout.grid_page([aspect], w, h, texts=[text])[0]
    assert (cell.photo.x, cell.photo.w) == ((0, w) if bled else (cell.photo.x, cell.photo.w))
    assert bled or cell.photo.x >= safe.x
    assert cell.caption is not None and cell.caption.x >= safe.x and cell.caption.x + cell.caption.w <= safe.x + safe.w
    assert cell.caption.y == cell.photo.y + cell.photo.h and cell.caption.y + cell.caption.h <= safe.y + safe.h


def test_caption_band_leaves_room_for_what_it_holds() -> None:
    """The name on the details' line where both fit, else on a line of its own, the details after it
    broken between parts first; a translation's line where it fits."""
    px = 38
    bo = layout.Text(captions.Caption("Bo · Lawyer", 2))
    assert layout.need(bo, 900, px).lines == 1
    amina = layout.Text(captions.Caption("Amina Yusuf · Human-rights lawyer · Nairobi, Kenya", 11))
    assert layout.need(amina, 1600, px).lines == 1
    assert layout.need(amina, 900, px).lines == 2
    assert layout.need(amina, 500, px).lines == 3
    assert layout.need(layout.Text(amina.caption, "Rule of law for all"), 900, px) == layout.Need(3, True, True)
    assert layout.need(layout.Text(amina.caption, "Rule of law for all " * 9), 900, px) == layout.Need(2, True, False)
    china = layout.Text(captions.Caption("中华人民共和国", 7))
    assert not layout.need(china, 200, px).fits  # one word: cut short, never broken
    assert layout.text_ems("陳大文") == 3.0 and layout.text_ems("abc") == pytest.approx(1.67)


SHAPES = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}
def test_a_vertical_frame_shows_fewer_photos_a_slide_than_a_wide_one() -> None:
    aspects = [4 / 3] * 8
    wide, tall, square = (layout.page_sizes(aspects, *SHAPES[k]) for k in ("16:9", "9:16", "1:1"))
    assert len(wide) <= len(square) < len(tall)
    assert wide == [4, 4] and max(tall) <= 2


# -- Photos large (issue 20): the photos' own pixels, not their boxes ---------------------------------------

SPREAD = {  # photo shapes, as a folder holds them (width / height)
    "landscape": [4 / 3], "portrait": [3 / 4], "square": [1.0], "phone": [9 / 16], "wide": [16 / 9],
    "mixed": [4 / 3, 3 / 4, 1.0, 16 / 9, 3 / 4, 4 / 3, 2 / 3, 1.0, 9 / 16, 3 / 2],
    "mostly landscape": [4 / 3, 4 / 3, 3 / 4, 4 / 3, 4 / 3, 4 / 3, 1.0, 4 / 3],
}
PEOPLE = [("Amina Yusuf", "Human-rights lawyer · Nairobi, Kenya"), ("陳大文", "律師 · 香港"), ("Bo", None),
          ("فاطمة السيد", "محامية · Berlin"), ("王芳", "记者 · 中华人民共和国"),
          ("Alice Chen", "Teacher · Taipei, Taiwan"), (None, "Engineer · Vancouver, Canada")]
TRANSLATIONS = ["我们与你们站在一起", None, "You are not alone", None, "Free the lawyers", None, "法治属于每一个人"]
COUNTS = [1, 2, 3, 4, 5, 6, 7, 9, 12]  # photos in a folder
SIGN_SHARE = 1 / 3  # a sign held to the camera fills about a third of a phone photo's height
BAND_MAX = 0.15  # of a box, left to the blurred fill around its photo


def _texts(count: int, translated: bool = False) -> list[Any]:
    """The captions of `count` people (name, then details), and their translations when shown."""
    out = []
    for i in range(count):
        name, details = PEOPLE[i % len(PEOPLE)]
        text = " · ".join(p for p in (name, details) if p)
        out.append(layout.Text(captions.Caption(text, len(name) if name else 0),
                               TRANSLATIONS[i % len(TRANSLATIONS)] if translated else None))
    return out


def _drawn(cell: layout.CellBoxes, aspect: float) -> layout.Rect:
    """Where a photo of `aspect` is drawn whole in its box (contained, centred)."""
    w, h = min(cell.photo.w, cell.photo.h * aspect), min(cell.photo.h, cell.photo.w / aspect)
    return layout.Rect(round(cell.photo.x + (cell.photo.w - w) / 2), round(cell.photo.y + (cell.photo.h - h) / 2),
                       round(w), round(h))


@functools.cache
def _paged(aspects: tuple[float, ...], size: tuple[int, int],
           translated: bool) -> tuple[tuple[list[float], list[layout.CellBoxes]], ...]:
    return tuple(_pages(list(aspects), size, translated))


def _pages(aspects: list[float], size: tuple[int, int], translated: bool = False,
           captions_: layout.Captions = layout.DEFAULT_CAPTIONS) -> list[tuple[list[float], list[layout.CellBoxes]]]:
    w, h = size
    texts = _texts(len(aspects), translated)
    out, start = [], 0
    for n in layout.page_sizes(aspects, w, h, captions_, texts):
        part = aspects[start:start + n]
        out.append((part, layout.grid_page(part, w, h, captions_, texts[start:start + n])))
        start += n
    return out


def _better_cut(part: list[float], size: tuple[int, int], translated: bool) -> bool:
    """Whether some cut of `part` into smaller slides (in order) shows the photos on 40 % of every one."""
    texts = _texts(len(part), translated)
    for mask in range(1, 1 << (len(part) - 1)):
        bounds = [0, *(i for i in range(1, len(part)) if mask >> (i - 1) & 1), len(part)]
        if all(_photo_share(layout.grid_page(part[a:b], *size, layout.DEFAULT_CAPTIONS, texts[a:b]), part[a:b], size)
               >= 0.40 for a, b in itertools.pairwise(bounds)):
            return True
    return False


def _photo_share(cells: list[layout.CellBoxes], aspects: list[float], size: tuple[int, int]) -> float:
    return sum(_drawn(c, a).w * _drawn(c, a).h for c, a in zip(cells, aspects, strict=True)) / (size[0] * size[1])


@pytest.mark.parametrize("translated", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("photos", SPREAD)
@pytest.mark.parametrize("count", COUNTS)
def test_every_grid_slide_shows_the_photos_themselves_large(photos: str, shape: str, count: int,
                                                          translated: bool) -> None:
    """On every slide of `grid: auto` the photos' own pixels (each drawn whole in its box) cover at least
    40 % of the frame (or no cut of its photos into smaller slides does that), or the slide holds one
    photo as large as the frame allows; each box has the shape of its photo (a blurred band of at most
    15 % of it), every sign stands at least 10 % of the frame tall (a sign a third of its photo) unless
    its photo spans the frame's width, captions are set at the legibility floor or larger, and nothing
    leaves the title-safe area or overlaps."""
    size = SHAPES[shape]
    aspects = [SPREAD[photos][i % len(SPREAD[photos])] for i in range(count)]
    pages = _paged(tuple(aspects), size, translated)
    assert sum(len(p) for p, _ in pages) == count and all(1 <= len(p) <= layout.MAX_PER_SLIDE for p, _ in pages)
    safe = layout.safe_area(*size)
    for part, cells in pages:
        _assert_inside_and_apart(cells, safe)
        share = _photo_share(cells, part, size)
        if len(part) == 1:  # alone, as large as the frame allows: it spans the safe area's width or height
            c = cells[0]
            below = c.caption.h if c.caption and not c.caption_over else 0
            assert c.photo.w >= safe.w - 1 or c.photo.h + below >= safe.h - 2, (c, share)
        elif share < 0.40:  # only where no cut of these photos into smaller slides shows each on 40 %
            assert not _better_cut(part, size, translated), (part, [c.photo for c in cells], f"{share:.1%}")
        for c, a in zip(cells, part, strict=True):
            drawn = _drawn(c, a)
            assert 1 - drawn.w * drawn.h / (c.photo.w * c.photo.h) <= BAND_MAX, (c.photo, a)
            assert c.caption_px >= layout.caption_floor_px(size[1])
            if len(part) > 1:  # (a wide photo on a vertical frame is as tall alone as across the frame)
                assert drawn.h * SIGN_SHARE >= layout.SIGN_MIN * size[1] - 1 or drawn.w >= safe.w - 1, (c.photo, a)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_median_slide_shows_photos_over_half_the_frame(shape: str) -> None:
    """Over a spread of folders (each shape of photo, and mixed), of 1 to 12 photos, with and without
    translations: the photos' own pixels cover at least half the frame on the median slide."""
    size = SHAPES[shape]
    shares = []
    for photos in SPREAD.values():
        for count in COUNTS:
            for translated in (False, True):
                aspects = [photos[i % len(photos)] for i in range(count)]
                shares += [_photo_share(cells, part, size) for part, cells in _paged(tuple(aspects), size, translated)]
    assert statistics.median(shares) >= 0.50, f"median {statistics.median(shares):.1%}"


def test_a_row_of_captions_each_takes_the_lines_it_needs() -> None:
    """A short caption beside a long one is not padded to the long one's lines; the row's photos stay
    aligned (one top, one height)."""
    aspects = [4 / 3, 4 / 3, 4 / 3]
    texts = [layout.Text(captions.Caption("Bo", 2)),
             layout.Text(captions.Caption("Amina Yusuf · Human-rights lawyer · Nairobi, Kenya", 11)),
             layout.Text(captions.Caption("陳大文 · 律師 · 香港", 3))]
    cells = layout.grid_page(aspects, 1920, 1080, layout.DEFAULT_CAPTIONS, texts, shape=(3, 1))
    assert len({(c.photo.y, c.photo.h) for c in cells}) == 1
    assert cells[0].caption_lines == 1 and cells[1].caption_lines >= 2
    assert cells[0].caption is not None and cells[1].caption is not None
    assert cells[0].caption.h < cells[1].caption.h
    assert cells[2].caption_lines <= 2  # "陳大文" and "律師 · 香港": never a line a part


@pytest.mark.parametrize("shape", [(2, 2), (3, 2), (2, 1), (1, 2)])
@pytest.mark.parametrize("photos", ["landscape", "portrait", "mixed"])
def test_an_explicit_grid_keeps_its_columns_and_rows_and_shapes_its_cells_to_the_photos(
        shape: tuple[int, int], photos: str) -> None:
    cols, rows = shape
    for size in SHAPES.values():
        count = cols * rows
        aspects = [SPREAD[photos][i % len(SPREAD[photos])] for i in range(count)]
        cells = layout.grid_page(aspects, *size, layout.DEFAULT_CAPTIONS, _texts(count), shape=shape)
        _assert_inside_and_apart(cells, layout.safe_area(*size))
        tops = sorted({c.photo.y for c in cells})
        assert len(tops) == rows  # its rows
        for top in tops:
            assert len([c for c in cells if c.photo.y == top]) == cols  # its columns
        for c, a in zip(cells, aspects, strict=True):
            drawn = _drawn(c, a)
            assert 1 - drawn.w * drawn.h / (c.photo.w * c.photo.h) <= BAND_MAX, (c.photo, a)


@pytest.mark.parametrize("shape", SHAPES)
def test_cover_photos_boxes_reach_further_cropped_a_little(shape: str) -> None:
    """`fit: cover`: a box may be up to COVER_STRETCH wider or taller than its photo (cropped that much) so
    that the slide reaches further into the safe area; photos shown whole keep their shapes."""
    size = SHAPES[shape]
    aspects = [4 / 3, 3 / 4, 4 / 3]
    texts = _texts(3)
    whole = layout.grid_page(aspects, *size, layout.DEFAULT_CAPTIONS, texts)
    cropped = layout.grid_page(aspects, *size, layout.DEFAULT_CAPTIONS, texts, crop=[True, False, True])
    _assert_inside_and_apart(cropped, layout.safe_area(*size))
    assert layout.filled(cropped, *size) >= layout.filled(whole, *size) - 1e-3
    for c, a, crop in zip(cropped, aspects, [True, False, True], strict=True):
        stretch = (c.photo.w / c.photo.h) / a
        assert 1 / layout.COVER_STRETCH - 0.01 <= stretch <= layout.COVER_STRETCH + 0.01
        if not crop:
            assert abs(stretch - 1) < 0.02
