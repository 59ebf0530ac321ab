"""Layout geometry: safe areas, even gutters, centred partial rows, even pagination."""

from __future__ import annotations

import pytest

from collage import layout


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
