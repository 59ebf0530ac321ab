"""Pure geometry: safe areas, grid cells and caption bands, in integer pixels of the output frame.

Sizes scale with the frame so that 16:9, 9:16 and 1:1 outputs all keep their margins; nothing is placed
outside the title-safe area (the central 90 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SAFE = 0.05  # title-safe margin on each side, as a fraction of that side
GUTTER = 0.018  # between grid cells, as a fraction of the frame's shorter side
CAPTION = 0.035  # caption type size, as a fraction of the frame height (the legibility floor)
CAPTION_FULL = 0.042  # caption type size over a full-screen photo
MAX_PER_SLIDE = 4  # `grid: auto` puts at most this many messages on a slide


@dataclass(frozen=True)
class Captions:
    """How captions are set, from the theme: type sizes (fractions of the frame height) and where they
    go: `below` the photo on the background, `over` its lower edge on a band, or `auto` (below grid
    photos, over full-screen ones)."""

    size: float = CAPTION
    over_size: float = CAPTION_FULL
    position: str = "auto"

    def over(self, full_screen: bool) -> bool:
        return self.position == "over" or (self.position == "auto" and full_screen)


DEFAULT_CAPTIONS = Captions()


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]


def safe_area(width: int, height: int) -> Rect:
    mx, my = round(width * SAFE), round(height * SAFE)
    return Rect(mx, my, width - 2 * mx, height - 2 * my)


def caption_px(height: int, full_screen: bool = False, captions: Captions = DEFAULT_CAPTIONS) -> int:
    return max(8, round(height * (captions.over_size if full_screen else captions.size)))


def caption_floor_px(height: int) -> int:
    """The smallest caption type allowed: 3.5 % of the frame height."""
    return max(8, round(height * CAPTION))


def caption_band(cell_w: int, font_px: int) -> tuple[int, int]:
    """(height, lines) of the caption band under a photo: two lines where the cell is narrow."""
    lines = 1 if cell_w >= 26 * font_px else 2
    return round(font_px * (0.5 + 1.3 * lines)), lines


def auto_shape(count: int, width: int, height: int, captions: Captions = DEFAULT_CAPTIONS) -> tuple[int, int]:
    """Columns and rows for `count` photos that give each photo the most room (photos assumed 4:3)."""
    best: tuple[float, int, int] = (-1.0, 1, 1)
    area = safe_area(width, height)
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        if cols * rows - count >= cols:  # a whole empty row
            continue
        cw = (area.w - (cols - 1) * _gutter(width, height)) / cols
        band = 0 if captions.over(False) else caption_band(int(cw), caption_px(height, False, captions))[0]
        ch = (area.h - (rows - 1) * _gutter(width, height)) / rows - band
        if ch <= 0:
            continue
        shown_w = min(cw, ch * 4 / 3)  # a 4:3 photo contained in the cell
        score = shown_w * shown_w * 3 / 4
        if score > best[0] + 1e-6:
            best = (score, cols, rows)
    return best[1], best[2]


def paginate(count: int, per_page: int) -> list[int]:
    """Page sizes that spread `count` evenly: 9 over pages of 4 is 3, 3, 3, not 4, 4, 1."""
    if count <= 0:
        return []
    pages = math.ceil(count / per_page)
    base, extra = divmod(count, pages)
    return [base + (1 if i < extra else 0) for i in range(pages)]


def _gutter(width: int, height: int) -> int:
    return max(2, round(min(width, height) * GUTTER))


@dataclass(frozen=True)
class CellBoxes:
    photo: Rect
    caption: Rect | None
    caption_lines: int
    caption_px: int = 0
    caption_over: bool = False  # on a band over the photo's lower edge, not on the background below it


def grid_cells(width: int, height: int, cols: int, rows: int, count: int,
               captions: Captions = DEFAULT_CAPTIONS) -> list[CellBoxes]:
    """Boxes for `count` photos on a cols×rows grid in reading order; a short last row is centred and
    unused rows are balanced above and below, so a partial page still sits in the middle."""
    area = safe_area(width, height)
    gutter = _gutter(width, height)
    cell_w = (area.w - (cols - 1) * gutter) // cols
    cell_h = (area.h - (rows - 1) * gutter) // rows
    font_px = caption_px(height, False, captions)
    over = captions.over(False)
    band, lines = caption_band(cell_w, font_px)
    used_rows = math.ceil(count / cols)
    top = area.y + ((rows - used_rows) * (cell_h + gutter)) // 2
    out: list[CellBoxes] = []
    for i in range(count):
        row, col = divmod(i, cols)
        in_row = min(cols, count - row * cols)
        left = area.x + ((cols - in_row) * (cell_w + gutter)) // 2
        x = left + col * (cell_w + gutter)
        y = top + row * (cell_h + gutter)
        photo = Rect(x, y, cell_w, cell_h if over else cell_h - band)
        caption = Rect(x, y + cell_h - band, cell_w, band)
        out.append(CellBoxes(photo, caption, lines, font_px, over))
    return out


def full_screen(width: int, height: int, caption: bool = True, cover: bool = False,
                captions: Captions = DEFAULT_CAPTIONS) -> CellBoxes:
    """A single photo as large as the frame allows; its caption is a lower third inside the safe area.
    A whole photo stops above the caption so it never covers the sign (over: the blurred fill runs on
    behind the caption's band; below: the caption sits on the background); a cover crop fills the frame,
    or with captions below, the frame above them."""
    frame = Rect(0, 0, width, height)
    if not caption:
        return CellBoxes(frame, None, 0)
    area = safe_area(width, height)
    over = captions.over(True)
    font_px = caption_px(height, True, captions)
    band = round(font_px * 1.9)
    cap = Rect(area.x, area.y + area.h - band, area.w, band)
    gap = round(font_px * 0.4)
    above = Rect(0, 0, width, cap.y - gap)
    return CellBoxes(frame if cover and over else above, cap, 1, font_px, over)
