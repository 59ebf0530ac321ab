"""Layout geometry: safe areas, even gutters, centred partial rows, even pagination."""

from __future__ import annotations

import pytest

from collage.plan import layout


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


def test_auto_shape_prefers_more_room() -> None:
    assert layout.auto_shape(4, 1920, 1080) == (2, 2)
    assert layout.auto_shape(2, 1920, 1080) == (2, 1)
    assert layout.auto_shape(2, 1080, 1920) == (1, 2)
    assert layout.auto_shape(1, 1920, 1080) == (1, 1)


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
    # `auto` shows the photos about as large as the even grid would, or larger
    cols, nrows = layout.auto_shape(len(aspects), w, h)
    grid = layout.grid_cells(w, h, cols, nrows, len(aspects))
    chosen_area = sum(_shown_area(c, a) for c, a in zip(chosen, aspects, strict=True))
    grid_area = sum(_shown_area(c, a) for c, a in zip(grid, aspects, strict=True))
    assert chosen_area >= layout.JUSTIFIED_MARGIN * grid_area


def test_caption_band_leaves_room_for_what_it_holds() -> None:
    px = 38
    assert layout.caption_band(900, px, layout.text_ems("Bo"))[1] == 1
    assert layout.caption_band(450, px, layout.text_ems("Amina Yusuf · Human-rights lawyer · Nairobi, Kenya"))[1] == 3
    assert layout.text_ems("陳大文") == 3.0 and layout.text_ems("abc") == pytest.approx(1.68)


def test_auto_prefers_justified_rows_for_mixed_shapes_on_a_wide_frame() -> None:
    aspects = [0.75, 1.333, 1.333]
    names = [layout.text_ems("Amina Yusuf")] * 3
    assert layout.auto(aspects, 1920, 1080, ems=names) == layout.justified(aspects, 1920, 1080, ems=names)
