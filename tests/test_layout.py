"""Layout geometry: safe areas, even gutters, centred partial rows, even pagination."""

from __future__ import annotations

import pytest

from collage.plan import layout

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(("count", "per_page", "pages"), [
    (9, 4, [3, 3, 3]), (8, 4, [4, 4]), (5, 4, [3, 2]), (1, 4, [1]), (0, 4, []), (13, 6, [5, 4, 4]),
])
def test_paginate_evenly(count: int, per_page: int, pages: list[int]) -> None:
    assert layout.paginate(count, per_page) == pages


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1080, 1080), (640, 360)])
@pytest.mark.parametrize(("cols", "rows", "count"), [(2, 2, 4), (3, 2, 5), (1, 1, 1), (3, 3, 7)])
def test_grid_cells_stay_in_the_safe_area_and_do_not_overlap(size: tuple[int, int], cols: int, rows: int,
                                                            count: int) -> None:
    w, h = size
    safe = layout.safe_area(w, h)
    cells = layout.grid_cells(w, h, cols, rows, count)
    assert len(cells) == count
    _assert_inside_and_apart(cells, safe)


def _assert_inside_and_apart(cells: list[layout.CellBoxes], safe: layout.Rect) -> None:
    """Every photo and caption box inside the title-safe area, and none overlapping another."""
    boxes = [c.photo for c in cells] + [c.caption for c in cells if c.caption]
    for b in boxes:
        assert safe.x <= b.x and b.x + b.w <= safe.x + safe.w and safe.y <= b.y and b.y + b.h <= safe.y + safe.h
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y


def test_gutters_are_even_and_partial_rows_centred() -> None:
    cells = layout.grid_cells(1920, 1080, 3, 2, 5)
    top = [c.photo for c in cells[:3]]
    gaps = {top[i + 1].x - (top[i].x + top[i].w) for i in range(2)}
    assert len(gaps) == 1 and gaps.pop() > 0
    bottom = [c.photo for c in cells[3:]]
    left_margin = bottom[0].x - top[0].x
    right_margin = (top[2].x + top[2].w) - (bottom[1].x + bottom[1].w)
    assert abs(left_margin - right_margin) <= 1


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


def _shown_area(cell: layout.CellBoxes, aspect: float) -> float:
    """Area of a photo of `aspect` contained in the cell's photo box."""
    w, h = cell.photo.w, cell.photo.h
    return min(w, h * aspect) * min(h, w / aspect)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1080, 1080)])
@pytest.mark.parametrize("aspects", [[0.75, 1.333, 1.333, 0.75], [0.75, 0.75, 1.778], [1.333] * 4, [0.5625] * 3,
                                     [1.0], [3.0, 0.75]])
def test_justified_rows_show_photos_whole_and_large(size: tuple[int, int], aspects: list[float]) -> None:
    w, h = size
    safe = layout.safe_area(w, h)
    chosen = layout.auto(aspects, w, h)
    rows = layout.justified(aspects, w, h)
    for cells in (chosen, rows or []):
        _assert_inside_and_apart(cells, safe)
    if rows is not None:
        assert len(rows) == len(aspects)
        for cell, aspect in zip(rows, aspects, strict=True):
            assert abs(cell.photo.w / cell.photo.h - aspect) < 0.02 * aspect + 2 / cell.photo.h  # no letterbox
        by_row: dict[int, set[int]] = {}
        for c in rows:
            by_row.setdefault(c.photo.y, set()).add(c.photo.h)
        assert all(len(heights) == 1 for heights in by_row.values())  # one height per row
    # `auto` shows the photos about as large as every even grid would (in all, and the smallest), or larger
    def shown(cells: list[layout.CellBoxes]) -> float:
        areas = [_shown_area(c, a) for c, a in zip(cells, aspects, strict=True)]
        return sum(areas) + len(areas) * min(areas)

    n = len(aspects)
    for cols in range(1, n + 1):
        rows_n = -(-n // cols)
        grid = layout.fill(layout.grid_cells(w, h, cols, rows_n, n), w, h)
        font = layout.caption_px(h)
        fits = all(layout.text_px(layout.TYPICAL_CAPTION_EMS, font) <= 3 * c.photo.w for c in grid)  # in 3 lines
        if fits and all(c.photo.h > 0 for c in grid) and cols * rows_n - n < cols:
            assert shown(chosen) >= layout.JUSTIFIED_MARGIN * shown(grid) - 1, (cols, rows_n)


def test_caption_band_leaves_room_for_what_it_holds() -> None:
    px = 38
    assert layout.caption_band(900, px, layout.text_ems("Bo"))[1] == 1
    assert layout.caption_band(450, px, layout.text_ems("Amina Yusuf · Human-rights lawyer · Nairobi, Kenya"))[1] == 3
    assert layout.text_ems("陳大文") == 3.0 and layout.text_ems("abc") == pytest.approx(1.68)


def test_auto_takes_justified_rows_when_they_show_the_photos_as_large() -> None:
    aspects = [4 / 3, 4 / 3, 4 / 3]  # one row of three landscapes spans a wide frame exactly
    names = [layout.text_ems("Amina Yusuf")] * 3
    rows = layout.justified(aspects, 1920, 1080, ems=names)
    assert rows is not None
    assert layout.auto(aspects, 1920, 1080, ems=names) == layout.fill(rows, 1920, 1080)


SHAPES = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}
PHOTO_SETS = {"landscape": [4 / 3], "portrait": [3 / 4], "mixed": [4 / 3, 3 / 4, 4 / 3, 16 / 9, 1.0, 3 / 4]}
CAPTIONS = ["Amina Yusuf · Human-rights lawyer · Nairobi, Kenya", "陳大文 · 律師 · 香港", "Bo",
            "فاطمة السيد · محامية · برلين"]


@pytest.mark.parametrize("translated", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("photos", PHOTO_SETS)
@pytest.mark.parametrize("count", range(1, 13))
def test_every_grid_slide_fills_its_frame_and_shows_each_photo_large(shape: str, photos: str, count: int,
                                                                     translated: bool) -> None:
    """`grid: auto` of 1 to 12 photos at 16:9, 9:16 and 1:1 (with a line for translations under the
    captions, or not): on every slide the photos' boxes cover at least 60 % of the frame, each photo is
    drawn at least MIN_SHOWN of the frame tall (so that a held sign stands 10 % of it), and nothing
    leaves the title-safe area or overlaps."""
    w, h = SHAPES[shape]
    aspects = [PHOTO_SETS[photos][i % len(PHOTO_SETS[photos])] for i in range(count)]
    ems = [layout.text_ems(CAPTIONS[i % len(CAPTIONS)]) for i in range(count)]
    captions = layout.Captions(extra_lines=1 if translated else 0)
    pages = layout.page_sizes(aspects, w, h, captions, ems)
    assert sum(pages) == count and all(1 <= n <= layout.MAX_PER_SLIDE for n in pages)
    start = 0
    for n in pages:
        part = aspects[start:start + n]
        cells = layout.grid_page(part, w, h, captions, ems[start:start + n])
        start += n
        _assert_inside_and_apart(cells, layout.safe_area(w, h))
        assert layout.filled(cells, w, h) >= layout.MIN_FILL, (n, [c.photo for c in cells])
        for c, a in zip(cells, part, strict=True):
            if n > 1:  # (a photo alone is as large as the frame allows, however wide it is)
                assert layout.shown_height(c.photo, a) >= layout.MIN_SHOWN * h - 1, (n, c.photo, a)
            else:
                assert c.photo.w == layout.safe_area(w, h).w
            assert c.caption_px >= layout.caption_floor_px(h)


def test_a_vertical_frame_shows_fewer_photos_a_slide_than_a_wide_one() -> None:
    aspects = [4 / 3] * 8
    wide, tall, square = (layout.page_sizes(aspects, *SHAPES[k]) for k in ("16:9", "9:16", "1:1"))
    assert len(wide) < len(square) <= len(tall)
    assert wide == [4, 4] and max(tall) <= 2


def test_one_row_of_photos_grows_to_the_frame_instead_of_leaving_bands() -> None:
    """The old justified row of three portraits filled ~45 % of the height of a 16:9 frame."""
    aspects = [3 / 4, 3 / 4, 4 / 3]
    w, h = SHAPES["16:9"]
    rows = layout.justified(aspects, w, h)
    assert rows is not None and layout.filled(rows, w, h) < layout.MIN_FILL  # what it was
    grown = layout.fill(rows, w, h)
    assert layout.filled(grown, w, h) >= layout.MIN_FILL
    safe = layout.safe_area(w, h)
    top = min(c.photo.y for c in grown)
    bottom = max((c.caption or c.photo).y + (c.caption or c.photo).h for c in grown)
    assert top == safe.y and safe.y + safe.h - bottom <= 2  # no band above or below
    _assert_inside_and_apart(grown, safe)
