"""Pure geometry: safe areas, grid cells and caption bands, in integer pixels of the output frame.

Sizes scale with the frame so that 16:9, 9:16 and 1:1 outputs all keep their margins; nothing is placed
outside the title-safe area (the central 90 %).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from collage.model.timeline import Rect

SAFE = 0.05  # title-safe margin on each side, as a fraction of that side
GUTTER = 0.018  # between grid cells, as a fraction of the frame's shorter side
CAPTION = 0.035  # caption type size, as a fraction of the frame height (the legibility floor)
CAPTION_FULL = 0.042  # caption type size over a full-screen photo
MAX_PER_SLIDE = 4  # `grid: auto` puts at most this many messages on a slide
# A grid photo is shown at least this share of the frame height. A sheet held to the camera in a phone
# photo of head and shoulders fills about a third of its height, so it then stands 10 % of the frame
# tall: what the viewer came to read. (The planner reads no pixels; `check` measures each photo's own
# sign and names those that stay smaller.)
MIN_SHOWN = 0.30
SIGN_MIN = 0.10  # a sign's height on screen, as a share of the frame height
MIN_FILL = 0.60  # the photos' boxes cover at least this share of a grid slide (and the rest is space)


@dataclass(frozen=True)
class Captions:
    """How captions are set, from the theme: type sizes (fractions of the frame height) and where they
    go: `below` the photo on the background, `over` its lower edge on a band, or `auto` (below grid
    photos, over full-screen ones)."""

    size: float = CAPTION
    over_size: float = CAPTION_FULL
    position: str = "auto"
    extra_lines: int = 0  # a line more under grid captions, for translations shown on screen

    def over(self, full_screen: bool) -> bool:
        return self.position == "over" or (self.position == "auto" and full_screen)


DEFAULT_CAPTIONS = Captions()


def safe_area(width: int, height: int) -> Rect:
    mx, my = round(width * SAFE), round(height * SAFE)
    return Rect(mx, my, width - 2 * mx, height - 2 * my)


def caption_px(height: int, full_screen: bool = False, captions: Captions = DEFAULT_CAPTIONS) -> int:
    return max(8, round(height * (captions.over_size if full_screen else captions.size)))


def caption_floor_px(height: int) -> int:
    """The smallest caption type allowed: 3.5 % of the frame height."""
    return max(8, round(height * CAPTION))


TYPICAL_CAPTION_EMS = 24.0  # `name · profession · place`, about 24 type sizes wide


def text_ems(text: str | None) -> float:
    """A caption's width estimated in type sizes (ems): wide (CJK) characters 1, others 0.56. The
    planner reads no fonts; this only decides how many lines to leave room for (fitting is exact)."""
    if not text:
        return 0.0
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.56 for ch in text)


def text_px(ems: float, font_px: int) -> float:
    """How wide text `ems` wide is set at `font_px`, with a little room for the font's own spacing."""
    return ems * font_px * 1.04


def caption_band(cell_w: int, font_px: int, ems: float = TYPICAL_CAPTION_EMS, extra: int = 0) -> tuple[int, int]:
    """(height, lines) of the caption band under a photo: as many lines (up to 3) as a caption `ems`
    wide needs in the cell, and `extra` more."""
    lines = max(1, min(3, math.ceil(text_px(ems, font_px) / max(1, cell_w)))) + extra
    return round(font_px * (0.3 + 1.3 * lines)), lines


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
               captions: Captions = DEFAULT_CAPTIONS, ems: list[float] | None = None) -> list[CellBoxes]:
    """Boxes for `count` photos on a cols×rows grid in reading order; a short last row is centred and
    unused rows are balanced above and below, so a partial page still sits in the middle."""
    area = safe_area(width, height)
    gutter = _gutter(width, height)
    cell_w = (area.w - (cols - 1) * gutter) // cols
    cell_h = (area.h - (rows - 1) * gutter) // rows
    font_px = caption_px(height, False, captions)
    over = captions.over(False)
    band, lines = caption_band(cell_w, font_px, max(ems) if ems else TYPICAL_CAPTION_EMS, captions.extra_lines)
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


def filled(cells: list[CellBoxes], width: int, height: int) -> float:
    """The share of the frame the photos' boxes cover."""
    return sum(c.photo.w * c.photo.h for c in cells) / (width * height)


def shown_height(box: Rect, aspect: float, cover: bool = False) -> float:
    """How tall the whole photo (width/height `aspect`) is drawn in `box`: contained in it (blur,
    contain), or filling it, cropped (cover)."""
    tall = box.w / aspect
    return max(box.h, tall) if cover else min(box.h, tall)


def fill(cells: list[CellBoxes], width: int, height: int, widen: bool = True) -> list[CellBoxes]:
    """A grid page grown to use its frame: the rows made taller together until they reach the safe
    area's height (each row's photos keep their share of it), and (with `widen`) each row made wider
    until it spans the safe area's width. Gutters and caption bands keep their sizes; what a box gains
    around its photo is the photo's blurred fill (or, with `fit: cover`, less is cropped away)."""
    if not cells or any(c.photo.w < 1 or c.photo.h < 1 for c in cells):
        return cells  # no room at all: the planner reports it
    area = safe_area(width, height)
    gutter = _gutter(width, height)
    rows: list[list[CellBoxes]] = []
    for c in sorted(cells, key=lambda c: (c.photo.y, c.photo.x)):
        if rows and rows[-1][0].photo.y == c.photo.y:
            rows[-1].append(c)
        else:
            rows.append([c])

    def band(c: CellBoxes) -> int:
        return 0 if c.caption is None or c.caption_over else c.caption.h

    photo_h = [max(c.photo.h for c in row) for row in rows]
    bands = [max(band(c) for c in row) for row in rows]
    spare = area.h - sum(photo_h) - sum(bands) - gutter * (len(rows) - 1)
    grown = [h + max(0, spare) * h // max(1, sum(photo_h)) for h in photo_h]
    y = area.y + max(0, area.h - sum(grown) - sum(bands) - gutter * (len(rows) - 1)) // 2
    placed: dict[int, CellBoxes] = {}
    for row, h, b in zip(rows, grown, bands, strict=True):
        widths = [c.photo.w for c in row]
        room = area.w - gutter * (len(row) - 1)
        new_w = [max(1, w * room // max(1, sum(widths))) for w in widths] if widen and sum(widths) < room else widths
        x = area.x + (area.w - sum(new_w) - gutter * (len(row) - 1)) // 2
        for c, w in zip(row, new_w, strict=True):
            photo = Rect(x, y, w, h)
            caption = None
            if c.caption is not None:
                top = y + h - c.caption.h if c.caption_over else y + h
                caption = Rect(x, top, w, c.caption.h)
            placed[id(c)] = CellBoxes(photo, caption, c.caption_lines, c.caption_px, c.caption_over)
            x += w + gutter
        y += h + b + gutter
    return [placed[id(c)] for c in cells]


def grid_page(aspects: list[float], width: int, height: int, captions: Captions = DEFAULT_CAPTIONS,
              ems: list[float] | None = None, shape: tuple[int, int] | None = None) -> list[CellBoxes]:
    """One grid slide's boxes, filling the frame: `shape` (cols, rows) as the manifest gives it, or
    laid out by the photos' shapes (`auto`)."""
    if shape is not None:  # exact: a short last row keeps its columns' width
        return fill(grid_cells(width, height, shape[0], shape[1], len(aspects), captions, ems), width, height,
                    widen=False)
    return auto(aspects, width, height, captions, ems)


def page_sizes(aspects: list[float], width: int, height: int, captions: Captions = DEFAULT_CAPTIONS,
               ems: list[float] | None = None, most: int = MAX_PER_SLIDE) -> list[int]:
    """How many photos each slide of a `grid: auto` shows, in order: as many as `most` while every
    photo on the slide is shown at least MIN_SHOWN of the frame height and the photos fill MIN_FILL of
    the frame, so fewer on a frame with less room (a vertical one), spread as evenly as that allows."""
    ems = ems or [TYPICAL_CAPTION_EMS] * len(aspects)

    def large(start: int, count: int) -> bool:
        part = aspects[start:start + count]
        cells = grid_page(part, width, height, captions, ems[start:start + count])
        return (all(shown_height(c.photo, a) >= MIN_SHOWN * height - 1 for c, a in zip(cells, part, strict=True))
                and filled(cells, width, height) >= MIN_FILL)

    greedy: list[int] = []
    while sum(greedy) < len(aspects):
        start = sum(greedy)
        count = min(most, len(aspects) - start)
        while count > 1 and not large(start, count):
            count -= 1
        greedy.append(count)
    even = paginate(len(aspects), max(greedy, default=1))
    if len(even) == len(greedy) and all(large(sum(even[:i]), n) for i, n in enumerate(even)):
        return even
    return greedy


def full_screen(width: int, height: int, caption: bool = True, cover: bool = False,
                captions: Captions = DEFAULT_CAPTIONS, translation: float = 0.0,
                ems: float = TYPICAL_CAPTION_EMS) -> CellBoxes:
    """A single photo as large as the frame allows; its caption is a lower third inside the safe area
    (taller by the lines of a `translation`, in ems, under it).
    A whole photo stops above the caption so it never covers the sign (over: the blurred fill runs on
    behind the caption's band; below: the caption sits on the background); a cover crop fills the frame,
    or with captions below, the frame above them."""
    frame = Rect(0, 0, width, height)
    if not caption:
        return CellBoxes(frame, None, 0)
    area = safe_area(width, height)
    over = captions.over(True)
    font_px = caption_px(height, True, captions)
    # As many lines (up to 3) as a caption `ems` wide needs across the frame (a narrow frame's long
    # caption wraps rather than being cut short), and as many more as a translation `translation` ems wide.
    room = area.w - 2 * round(font_px * 0.7)
    lines = caption_band(room, font_px, ems)[1] + (caption_band(room, font_px, translation)[1] if translation else 0)
    band = round(font_px * (0.6 + 1.3 * lines))
    cap = Rect(area.x, area.y + area.h - band, area.w, band)
    gap = round(font_px * 0.4)
    above = Rect(0, 0, width, cap.y - gap)
    return CellBoxes(frame if cover and over else above, cap, lines, font_px, over)


def justified(aspects: list[float], width: int, height: int,
              captions: Captions = DEFAULT_CAPTIONS, ems: list[float] | None = None) -> list[CellBoxes] | None:
    """`grid: auto`: the photos (their width/height ratios, in reading order) in justified rows, the way
    photo galleries set them: every photo in a row is as tall as the others and shown whole, with no
    letterboxing, and each row spans the same width. Of all the ways to cut the sequence into rows, the
    one that shows the photos largest (in total area, the smallest photo weighted up so none is left
    tiny) wins; rows that would not fit the height are scaled down together and centred. None when no
    way leaves every caption room for three lines under its photo."""
    count = len(aspects)
    if count == 0:
        return []
    area = safe_area(width, height)
    gutter = _gutter(width, height)
    font_px = caption_px(height, False, captions)
    over = captions.over(False)
    ems = ems or [TYPICAL_CAPTION_EMS] * count
    best: tuple[float, list[list[int]], float, list[int]] | None = None
    for rows in _row_splits(count):
        heights = [(area.w - gutter * (len(row) - 1)) / sum(aspects[i] for i in row) for row in rows]
        scale, bands = 1.0, [0] * len(rows)
        for _ in range(4):  # narrower photos may need more caption lines, which leave less height
            bands = [0 if over else max(caption_band(int(aspects[i] * h * scale), font_px, ems[i],
                                                     captions.extra_lines)[0] for i in row)
                     for row, h in zip(rows, heights, strict=True)]
            fixed = sum(bands) + gutter * (len(rows) - 1) + len(rows)  # + rounding
            scale = min(1.0, (area.h - fixed) / sum(heights))
        if scale <= 0:
            continue
        if not over and any(text_px(ems[i], font_px) > 3 * aspects[i] * h * scale
                            for row, h in zip(rows, heights, strict=True) for i in row):
            continue  # a caption would not fit in three lines under its photo
        shown = [aspects[i] * (h * scale) ** 2 for row, h in zip(rows, heights, strict=True) for i in row]
        score = sum(shown) + count * min(shown)  # the total, but not at the price of one tiny photo
        if best is None or score > best[0] * (1 + 1e-9):
            best = (score, rows, scale, bands)
    if best is None:
        return None
    _, rows, scale, bands = best
    return _place_rows(rows, aspects, ems, bands, area, gutter, font_px, over, scale, captions.extra_lines)


def _row_splits(count: int) -> list[list[list[int]]]:
    """Every way to cut 0..count-1 into consecutive rows (2^(count-1) of them; count is small)."""
    out = []
    for mask in range(1 << (count - 1)):
        rows, row = [], [0]
        for i in range(1, count):
            if mask >> (i - 1) & 1:
                rows.append(row)
                row = []
            row.append(i)
        rows.append(row)
        out.append(rows)
    return out


def _place_rows(rows: list[list[int]], aspects: list[float], ems: list[float], bands: list[int], area: Rect,
                gutter: int, font_px: int, over: bool, scale: float, extra: int = 0) -> list[CellBoxes]:
    sized = []
    for row, band in zip(rows, bands, strict=True):
        h = (area.w - gutter * (len(row) - 1)) / sum(aspects[i] for i in row) * scale
        widths = [max(1, math.floor(aspects[i] * h)) for i in row]
        lines = max(caption_band(w, font_px, ems[i], extra)[1] for w, i in zip(widths, row, strict=True))
        band = band if not over else caption_band(min(widths), font_px, max(ems[i] for i in row), extra)[0]
        sized.append((row, math.floor(h), widths, band, lines))
    total = sum(h + (0 if over else band) for _, h, _, band, _ in sized) + gutter * (len(rows) - 1)
    y = area.y + (area.h - total) // 2
    out: list[CellBoxes] = []
    for _row, h, widths, band, lines in sized:
        x = area.x + (area.w - sum(widths) - gutter * (len(widths) - 1)) // 2
        for w in widths:
            photo = Rect(x, y, w, h)
            caption = Rect(x, y + h - band, w, band) if over else Rect(x, y + h, w, band)
            out.append(CellBoxes(photo, caption, lines, font_px, over))
            x += w + gutter
        y += h + (0 if over else band) + gutter
    return out


def auto(aspects: list[float], width: int, height: int, captions: Captions = DEFAULT_CAPTIONS,
         ems: list[float] | None = None) -> list[CellBoxes]:
    """`grid: auto` for photos of known shapes, filling the frame (`fill`): justified rows, unless an
    even grid (photos whole over a blurred fill of themselves) shows them clearly larger, as a portrait
    among landscapes, or photos on a vertical frame, can make it. Shapes whose cells leave a caption no
    room for three lines lose to those that do."""
    count = len(aspects)
    if count == 0:
        return []
    ems = ems or [TYPICAL_CAPTION_EMS] * count
    font_px = caption_px(height, False, captions)
    candidates: list[tuple[bool, float, list[CellBoxes]]] = []
    rows = justified(aspects, width, height, captions, ems)
    if rows is not None and all(c.photo.w >= 1 and c.photo.h >= 1 for c in rows):
        candidates.append((True, 1 / JUSTIFIED_MARGIN, fill(rows, width, height)))
    for cols in range(1, count + 1):
        nrows = math.ceil(count / cols)
        if cols * nrows - count >= cols:  # a whole empty row
            continue
        cells = fill(grid_cells(width, height, cols, nrows, count, captions, ems), width, height)
        if any(c.photo.w < 1 or c.photo.h < 1 for c in cells):
            continue  # captions and gutters leave these cells no room
        fits = captions.over(False) or all(text_px(e, font_px) <= 3 * c.photo.w
                                           for c, e in zip(cells, ems, strict=True))
        candidates.append((fits, 1.0, cells))

    def score(candidate: tuple[bool, float, list[CellBoxes]]) -> tuple[bool, float]:
        fits, weight, cells = candidate
        shown = [_contained_area(c.photo, a) for c, a in zip(cells, aspects, strict=True)]
        return fits, weight * (sum(shown) + count * min(shown))  # the total, but not at the price of one tiny photo

    if not candidates:  # nothing leaves the photos room (a tiny frame): the planner reports it
        return fill(grid_cells(width, height, 1, count, count, captions, ems), width, height)
    return max(candidates, key=score)[2]


JUSTIFIED_MARGIN = 0.9  # justified rows win unless the grid shows photos over 10 % larger


def _contained_area(box: Rect, aspect: float) -> float:
    return min(box.w, box.h * aspect) * min(box.h, box.w / aspect)


Crop = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the photo


def cover_crop(photo: tuple[int, int], box: tuple[int, int], keep: tuple[Crop, ...] = (),
               focus: tuple[float, float] | None = None) -> Crop | None:
    """The part of a photo (w, h) that fills a box (w, h) of another shape: as much of the photo as
    that shape allows, placed to keep every `keep` box (faces, the sign) whole and centred between
    them; or around `focus`, or the middle. None when no window of that shape holds them all."""
    pw, ph = photo
    target = box[0] / box[1]
    if pw / ph > target:  # the photo is wider: full height, slide sideways
        ww, wh = ph * target / pw, 1.0
    else:
        ww, wh = 1.0, pw / target / ph
    if keep and focus is None:
        x0, y0 = min(k[0] for k in keep), min(k[1] for k in keep)
        x1, y1 = max(k[2] for k in keep), max(k[3] for k in keep)
        if x1 - x0 > ww + 1e-6 or y1 - y0 > wh + 1e-6:
            return None
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    else:
        cx, cy = focus or (0.5, 0.5)
    left = min(max(cx - ww / 2, 0.0), 1.0 - ww)
    top = min(max(cy - wh / 2, 0.0), 1.0 - wh)
    return (left, top, left + ww, top + wh)


KENBURNS_ZOOM = 1.1  # the push in over a slide's time: slow enough to read, enough to feel alive


def kenburns(start: Crop, keep: tuple[Crop, ...] = (), focus: tuple[float, float] | None = None) -> Crop:
    """Where a Ken Burns push in ends: the `start` window 10 % smaller (same shape), moved toward the
    middle of what must stay whole (faces and sign), or `focus`; kept inside the photo, and around the
    subjects whenever they fit."""
    sw, sh = start[2] - start[0], start[3] - start[1]
    ew, eh = sw / KENBURNS_ZOOM, sh / KENBURNS_ZOOM
    if keep and focus is None:
        x0, y0 = min(k[0] for k in keep), min(k[1] for k in keep)
        x1, y1 = max(k[2] for k in keep), max(k[3] for k in keep)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    else:
        x0 = y0 = 1.0
        x1 = y1 = 0.0
        cx, cy = focus or ((start[0] + start[2]) / 2, (start[1] + start[3]) / 2)
    left, top = cx - ew / 2, cy - eh / 2
    if x1 - x0 <= ew:  # keep the subjects inside when they fit
        left = min(max(left, x1 - ew), x0)
    if y1 - y0 <= eh:
        top = min(max(top, y1 - eh), y0)
    left = min(max(left, start[0]), start[2] - ew)  # and never show more than the start window did
    top = min(max(top, start[1]), start[3] - eh)
    return (left, top, left + ew, top + eh)
