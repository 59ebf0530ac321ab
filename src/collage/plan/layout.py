"""Pure geometry: safe areas, grid slides and caption bands, in integer pixels of the output frame.

Sizes scale with the frame so that 16:9, 9:16 and 1:1 outputs all keep their margins; nothing is placed
outside the title-safe area (the central 90 %).

A grid slide gives each photo a box of its own shape (shown whole, it leaves no blurred band beside it),
the caption under it taking the lines it needs. The boxes are arranged the way a magazine arranges
pictures: in rows of one height, in columns of one width, and in rows of columns and columns of rows
(a large photo beside two stacked ones), every way of cutting the page between the photos in their
reading order (`_trees`); or in the slots of an even grid, centred in them, the captions as wide as the
slots (`_slotted`). Of these, the one that shows the photos largest wins, as long as every caption fits
whole and every photo stays large enough for its sign (MIN_SHOWN). `page_sizes` then cuts a grid's
photos into slides so that as few slides as possible show their photos on less than FILL_TARGET of the
frame, and none on less than MIN_FILL that can help it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from collage.model.timeline import Rect
from collage.plan import captions as setting
from collage.plan.captions import Caption

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
# The photos' own pixels (not their boxes) cover at least MIN_FILL of every grid slide whose photos' shapes
# allow it, and FILL_TARGET of most.
MIN_FILL = 0.40
FILL_TARGET = 0.50
CAPTION_LINES = 3  # a grid caption (name and details) fits in this many lines, or its cells lose
BOLD = 1.1  # a bold letter is at most this much wider than the same set regular (outside the Latin face)
COVER_STRETCH = 1.15  # a `fit: cover` box may be this much wider or taller than its photo (cropped)


@dataclass(frozen=True)
class Captions:
    """How captions are set, from the theme: type sizes (fractions of the frame height), where they go
    (`below` the photo on the background, `over` its lower edge on a band, or `auto`: below grid photos,
    over full-screen ones), and their weights (`strong`: the name bolder than the details; `bold`: all)."""

    size: float = CAPTION
    over_size: float = CAPTION_FULL
    position: str = "auto"
    strong: bool = True
    bold: bool = False

    def over(self, full_screen: bool) -> bool:
        return self.position == "over" or (self.position == "auto" and full_screen)


DEFAULT_CAPTIONS = Captions()


@dataclass(frozen=True)
class Text:
    """What a photo's caption band holds: its caption (set as `collage.plan.captions` says) and a
    translation shown on a line of its own under it, where it fits that line."""

    caption: Caption | None = None
    translation: str | None = None


def safe_area(width: int, height: int) -> Rect:
    mx, my = round(width * SAFE), round(height * SAFE)
    return Rect(mx, my, width - 2 * mx, height - 2 * my)


def caption_px(height: int, full_screen: bool = False, captions: Captions = DEFAULT_CAPTIONS) -> int:
    return max(8, _at_least(height * (captions.over_size if full_screen else captions.size)))


def caption_floor_px(height: int) -> int:
    """The smallest caption type allowed: 3.5 % of the frame height."""
    return max(8, _at_least(height * CAPTION))


def _at_least(px: float) -> int:
    """A type size in whole pixels never under the fraction asked for (67.2 px is 68, not 67: 3.5 % of a
    vertical frame's 1,920 rows), but not raised by a float's last bit (37.8000001 is 38)."""
    return math.ceil(px - 1e-6)


TYPICAL_CAPTION_EMS = 24.0  # `name · profession · place`, about 24 type sizes wide
# The advance of each printable ASCII character (space to ~) in the bundled Latin face, regular and bold,
# in hundredths of a type size, rounded up (from NotoSans-Regular.ttf and NotoSans-Bold.ttf's hmtx).
_ASCII = {False: "2627416558847423303056582733273858585858585858585858272758585844906465647356527375342862539176"
                 "796179635556746093595758333833584529576248625735626226265426946261626242483762517953514738563858",
          True: "2629486558917527343455582933294258585858585858585858292958585848906968647456557377393467579582"
                "806380665658766597676358344234584237616452646039646631316231996662646446504466578658574940564058"}
_ADVANCE = {bold: {chr(32 + i): int(digits[2 * i:2 * i + 2]) / 100 for i in range(95)}
            for bold, digits in _ASCII.items()}
for _bold, _marks in ((False, "·27 –50 —100 ’18 ‘18 “36 ”36 …80"), (True, "·29 –50 —100 ’22 ‘22 “45 ”45 …86")):
    _ADVANCE[_bold].update({m[0]: int(m[1:]) / 100 for m in _marks.split()})  # and the punctuation captions use
# Scripts whose letters are narrow (at most about half a type size, bold): Hebrew, Arabic, Devanagari,
# Bengali, Thai, Lao, Tibetan, Khmer; other letters (Cyrillic, Greek, Georgian, Ethiopic, Tamil...) wider.
_NARROW = ((0x0590, 0x09FF), (0x0E00, 0x0FFF), (0x1780, 0x17FF), (0x08A0, 0x08FF), (0xFB1D, 0xFDFF),
           (0xFE70, 0xFEFF))


@functools.lru_cache(maxsize=16384)
def text_ems(text: str | None, bold: bool = False) -> float:
    """A line's width estimated in type sizes (ems), never narrower than the bundled faces set it: Latin
    letters (accents and all) by the Latin face's own advances, wide (CJK) characters 1, letters of the
    narrow scripts 0.52, others 0.7 (and bold a little wider). The planner reads no fonts; this decides
    how many lines to leave a caption, and the drawing, measuring the fonts, then needs no more."""
    if not text:
        return 0.0
    advance = _ADVANCE[bold]
    total = 0.0
    for ch in text:
        base = ch if ch in advance else unicodedata.normalize("NFD", ch)[0]
        if base in advance:
            total += advance[base]
        elif unicodedata.east_asian_width(ch) in "WF":
            total += 1.0
        else:
            narrow = any(lo <= ord(ch) <= hi for lo, hi in _NARROW)
            total += (0.52 if narrow else 0.7) * (BOLD if bold else 1.0)
    return total


def text_px(ems: float, font_px: int) -> float:
    """How wide text `ems` wide is set at `font_px`, with a little room for the font's own spacing."""
    return ems * font_px * 1.04


def estimate(font_px: int, bold: bool = False) -> setting.Measure:
    """The planner's width of a line at `font_px`, in pixels."""
    return lambda line: text_px(text_ems(line, bold), font_px)


def caption_band(cell_w: int, font_px: int, ems: float = TYPICAL_CAPTION_EMS, extra: int = 0) -> tuple[int, int]:
    """(height, lines) of a band holding text `ems` wide in a cell (as many lines as it needs, up to 3),
    and `extra` more."""
    lines = max(1, min(3, math.ceil(text_px(ems, font_px) / max(1, cell_w)))) + extra
    return band_px(lines, font_px), lines


def band_px(lines: int, font_px: int) -> int:
    """The height of a caption band of `lines` lines under a photo (none for none)."""
    return round(font_px * (0.3 + 1.3 * lines)) if lines else 0


@dataclass(frozen=True)
class Need:
    """What a caption needs in a width: its lines (name and details, at most CAPTION_LINES, and the
    translation's line when it fits there), whether it fits whole (no word cut, name and details in
    CAPTION_LINES), and whether its translation is shown."""

    lines: int
    fits: bool = True
    translated: bool = False


@functools.lru_cache(maxsize=65536)
def need(text: Text | None, width: int, font_px: int, captions: Captions = DEFAULT_CAPTIONS) -> Need:
    """What `text` needs under a photo `width` wide, by the planner's estimate of the fonts' widths."""
    if text is None or text.caption is None:
        return Need(0)
    strong = estimate(font_px, captions.strong or captions.bold)
    regular = estimate(font_px, captions.bold)
    done = setting.set_caption(text.caption, width, strong, regular, even=False)
    translated = bool(text.translation) and regular(text.translation or "") <= width
    # A caption that needs more lines than CAPTION_LINES gets those and is cut short (`check` says so).
    return Need(min(done.lines, CAPTION_LINES) + translated, not done.cut and done.lines <= CAPTION_LINES,
                translated)


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
    translated: bool = False  # the caption's band holds its translation's line


def filled(cells: Sequence[CellBoxes], width: int, height: int) -> float:
    """The share of the frame the photos' boxes cover (each the shape of its photo, or cropped to it)."""
    return sum(c.photo.w * c.photo.h for c in cells) / (width * height)


def photo_share(cells: Sequence[CellBoxes], aspects: Sequence[float], crop: Sequence[bool], width: int,
                height: int) -> float:
    """The share of the frame the photos themselves cover: each drawn whole in its box, or filling it
    (`crop`)."""
    return sum(r.w * r.h for r in _drawn(cells, aspects, crop)) / (width * height)


def _drawn(cells: Sequence[CellBoxes], aspects: Sequence[float], crop: Sequence[bool]) -> list[Rect]:
    """Where each photo's own pixels are: its box when cropped to fill it, else the photo whole in it."""
    return [c.photo if cover else contained(c.photo, a) for c, a, cover in zip(cells, aspects, crop, strict=True)]


def shown_height(box: Rect, aspect: float, cover: bool = False) -> float:
    """How tall the whole photo (width/height `aspect`) is drawn in `box`: contained in it (blur,
    contain), or filling it, cropped (cover)."""
    tall = box.w / aspect
    return max(box.h, tall) if cover else min(box.h, tall)


def contained(box: Rect, aspect: float) -> Rect:
    """Where a photo of `aspect` is drawn whole in `box`: as large as it fits, centred (as the drawing
    places it, to the pixel's rounding)."""
    w, h = min(box.w, round(box.h * aspect)), min(box.h, round(box.w / aspect))
    return Rect(box.x + (box.w - w) // 2, box.y + (box.h - h) // 2, w, h)


# -- grid slides ---------------------------------------------------------------------------------------------

# A page's arrangement: a photo's index, or photos side by side ("h", or "hc": a short row of an explicit
# grid, centred, its missing photos kept as room) or one above another ("v").
Tree = int | tuple[str, tuple["Tree", ...]]


@dataclass(frozen=True)
class Page:
    """One grid slide laid out: its cells (in the photos' order), whether every caption fits whole,
    whether every photo is shown at least MIN_SHOWN of the frame tall (or stands alone), the photos'
    share of the frame, and the score layouts are compared by."""

    cells: tuple[CellBoxes, ...]
    fits: bool
    large: bool
    share: float
    score: float

    @property
    def key(self) -> tuple[bool, bool, float]:
        return self.large, self.fits, self.score


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    area: Rect  # where photos go
    gutter: int
    font_px: int
    captions: Captions
    safe: Rect  # where captions go: the title-safe area (photos may run past it: see `_bled`)

    @property
    def over(self) -> bool:
        return self.captions.over(False)


def _need(text: Text | None, width: float, frame: _Frame) -> Need:
    """What a grid caption needs under a photo `width` wide (over it: inside its band's padding)."""
    width = min(width, frame.safe.w)
    room = width - 2 * round(frame.font_px * 0.7) if frame.over else width
    return need(text, math.floor(room), frame.font_px, frame.captions)


def _frame(width: int, height: int, captions: Captions) -> _Frame:
    safe = safe_area(width, height)
    return _Frame(width, height, safe, _gutter(width, height), caption_px(height, False, captions), captions, safe)


def grid_page(aspects: Sequence[float], width: int, height: int, captions: Captions = DEFAULT_CAPTIONS,
              texts: Sequence[Text | None] | None = None, shape: tuple[int, int] | None = None,
              crop: Sequence[bool] | None = None) -> list[CellBoxes]:
    """One grid slide's boxes: `shape` (cols, rows) as the manifest gives it (its columns and rows kept,
    each cell shaped to its photo), or laid out by the photos' shapes (`auto`). `crop`: the photos shown
    with `fit: cover`, whose boxes may be up to COVER_STRETCH wider or taller than they are."""
    page = best_page(aspects, width, height, captions, texts, shape, crop)
    if page is None:  # no room at all (a tiny frame): the planner reports it
        area = safe_area(width, height)
        return [CellBoxes(Rect(area.x, area.y, 0, 0), None, 0) for _ in aspects]
    return list(page.cells)


def best_page(aspects: Sequence[float], width: int, height: int, captions: Captions = DEFAULT_CAPTIONS,
              texts: Sequence[Text | None] | None = None, shape: tuple[int, int] | None = None,
              crop: Sequence[bool] | None = None, large: bool = False) -> Page | None:
    """The best of the layouts of one slide (see the module's doc); None when none leaves room (or, with
    `large`, none shows every photo large)."""
    count = len(aspects)
    if count == 0:
        return Page((), True, True, 0.0, 0.0)
    frame = _frame(width, height, captions)
    texts = list(texts) if texts is not None else [None] * count
    pages: list[Page] = []
    if shape is not None:
        cols = max(1, shape[0])  # a page with fewer photos keeps the columns' width
        trees: list[Tree] = [_rows_of(count, cols)]
        slotted = [cols]
    else:
        trees = _trees(count)
        slotted = [c for c in range(1, count + 1) if c * math.ceil(count / c) - count < c]
    for cols in slotted:
        page = _slotted(aspects, texts, cols, frame)
        if page is not None:
            pages.append(page)
    best = max(pages, key=lambda p: p.key, default=None)
    # Branch and bound: each arrangement laid out first with the fewest caption lines (its photos as
    # large as they can be), then in that order of size each in full, until none left can beat the best.
    bounds = sorted(((_bound(tree, aspects, texts, frame, large), n) for n, tree in enumerate(trees)), reverse=True)
    chosen: Tree | None = None
    for bound, n in bounds:
        if bound <= 0 or (best is not None and best.fits and best.large and bound <= best.score):
            break
        page = _solve_full(trees[n], aspects, texts, frame)[0]
        if page is not None and (best is None or page.key > best.key):
            best, chosen = page, trees[n]
    if chosen is not None and crop and any(crop):
        best = _stretched(chosen, aspects, texts, frame, crop) or best
    elif count == 1 and shape is None and best is not None:
        best = _bled(best, aspects, texts, frame)
    return None if large and best is not None and not best.large else best


def _bled(page: Page, aspects: Sequence[float], texts: Sequence[Text | None], frame: _Frame) -> Page:
    """A photo alone on its slide, held back by the safe area's width (a landscape photo on a vertical
    frame), runs to the frame's left and right edges as a full-screen photo does: the margin is for text,
    and without it the frame is a third photo, not a strip between two dark bands. Its caption stays in
    the safe area."""
    if page.cells[0].photo.w < frame.area.w - 1:
        return page
    wide = replace(frame, area=Rect(0, frame.area.y, frame.width, frame.area.h))
    bled = _solve_full(0, aspects, texts, wide)[0]
    return bled if bled is not None and bled.key > page.key else page


def _trees(count: int) -> list[Tree]:
    """Every arrangement of photos 0..count-1 in their order: cut into rows, each row cut into columns,
    and so on (count is small: 22 arrangements of four photos)."""
    def build(lo: int, hi: int, parent: str) -> list[Tree]:
        if hi - lo == 1:
            return [lo]
        out: list[Tree] = []
        for kind in ("h", "v"):
            if kind == parent:
                continue  # a row in a row is one row
            for groups in _groups(lo, hi):
                for kids in itertools.product(*(build(a, b, kind) for a, b in groups)):
                    out.append((kind, tuple(kids)))
        return out

    return build(0, count, "") if count else []


def _groups(lo: int, hi: int) -> Iterator[list[tuple[int, int]]]:
    """Every way to cut lo..hi-1 into two or more runs."""
    n = hi - lo
    for mask in range(1, 1 << (n - 1)):
        bounds = [lo, *(lo + i for i in range(1, n) if mask >> (i - 1) & 1), hi]
        yield list(itertools.pairwise(bounds))


def _rows_of(count: int, cols: int) -> Tree:
    """An explicit grid's rows of `cols` photos; a short last row keeps room for the photos it lacks
    (indices from `count` up, the shape of its own photos on average) and is centred."""
    rows: list[Tree] = []
    for start in range(0, count, cols):
        members = list(range(start, min(count, start + cols)))
        missing = cols - len(members)
        kids: tuple[Tree, ...] = tuple(members) + tuple(range(count, count + missing))
        rows.append(kids[0] if len(kids) == 1 else ("hc" if missing else "h", kids))
    return rows[0] if len(rows) == 1 else ("v", tuple(rows))


def _phantoms(tree: Tree, aspects: Sequence[float]) -> list[float]:
    """The shapes of the room an explicit grid's short row keeps (its photos' shape on average)."""
    out: list[float] = []
    if isinstance(tree, int):
        return out
    kind, kids = tree
    if kind == "hc":
        real = [aspects[k] for k in kids if isinstance(k, int) and k < len(aspects)]
        out += [sum(real) / len(real)] * (len(kids) - len(real))
    for k in kids:
        out += _phantoms(k, aspects)
    return out


def _bound(tree: Tree, aspects: Sequence[float], texts: Sequence[Text | None], frame: _Frame,
           large: bool = False) -> float:
    """The most `tree` can score: laid out with each caption's fewest lines (0: no room at all, or with
    `large`, a photo shown smaller than large even so)."""
    count = len(aspects)
    shapes = [*aspects, *_phantoms(tree, aspects)]
    area, g = frame.area, frame.gutter
    bands = [0 if frame.over else band_px(_need(texts[i], area.w, frame).lines, frame.font_px)
             for i in range(count)] + [0] * (len(shapes) - count)
    sizes: dict[int, tuple[float, float, list[float]]] = {}
    k, c = _affine(tree, shapes, bands, g, sizes)
    w = min(area.w, k * (area.h - c))
    if w < 2:
        return 0.0
    rects: dict[int, tuple[float, float, float, float]] = {}
    _place(tree, 0.0, 0.0, w, shapes, bands, g, sizes, rects, count)
    if large and count > 1 and any(rects[i][3] < min(MIN_SHOWN * frame.height, _alone(a, t, frame)) - 2
                                   for i, (a, t) in enumerate(zip(aspects, texts, strict=True))):
        return 0.0
    areas = [r[2] * r[3] for r in rects.values()]
    return sum(areas) + count * min(areas) + 4 * count  # (+ what rounding to whole pixels may add)


def _solve_full(tree: Tree, aspects: Sequence[float], texts: Sequence[Text | None], frame: _Frame,
                stretch: Sequence[float] | None = None) -> tuple[Page | None, float]:
    """`tree` laid out as large as the safe area allows, centred in it. Each photo's box has its shape
    (times `stretch`, for a cover crop) and its caption's band under it; photos side by side share a
    height and their band's room (each caption takes its own lines in it); the bands are found by
    growing each caption's lines until every caption has what it needs at its photo's width. Also how
    much wider than the safe area the page would be at its full height (negative: narrower)."""
    count = len(aspects)
    shapes = [a * (stretch[i] if stretch else 1.0) for i, a in enumerate(aspects)] + _phantoms(tree, aspects)
    area, g = frame.area, frame.gutter
    lines = [_need(texts[i], area.w, frame).lines for i in range(count)]
    rects: dict[int, tuple[float, float, float, float]] = {}
    for _ in range(8):
        bands = [0 if frame.over else band_px(n, frame.font_px) for n in lines] + [0] * (len(shapes) - count)
        sizes: dict[int, tuple[float, float, list[float]]] = {}
        k, c = _affine(tree, shapes, bands, g, sizes)
        spare = k * (area.h - c) - area.w
        w = min(area.w, k * (area.h - c))
        if w < 2:
            return None, spare
        h = w / k + c
        rects = {}
        _place(tree, area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, shapes, bands, g, sizes, rects, count)
        needs = [_need(texts[i], rects[i][2], frame) for i in range(count)]
        grown = [max(n, d.lines) for n, d in zip(lines, needs, strict=True)]
        if grown == lines:
            break
        lines = grown
    cells = []
    for i in range(count):
        x, y, w, h = rects[i]
        photo = _rect(x, y, w, h)
        cells.append(_cell(photo, photo.x, photo.w, lines[i], needs[i], frame))
    return _page(cells, needs, aspects, texts, frame, [bool(stretch and stretch[i] != 1) for i in range(count)]), spare


def _affine(tree: Tree, shapes: Sequence[float], bands: Sequence[int], g: int,
            sizes: dict[int, tuple[float, float, list[float]]]) -> tuple[float, float]:
    """(k, c) of `tree`: laid out `w` wide, it is `w / k + c` tall. A photo is its shape and its band;
    photos side by side are as tall as each other (their bands' room is the tallest band of them)."""
    if isinstance(tree, int):
        return shapes[tree], bands[tree]
    kind, kids = tree
    parts = [_affine(kid, shapes, bands, g, sizes) for kid in kids]
    if kind == "v":
        k = 1 / sum(1 / p[0] for p in parts)
        c = sum(p[1] for p in parts) + g * (len(kids) - 1)
        room = [p[1] for p in parts]
    else:
        tallest = max((p[1] for kid, p in zip(kids, parts, strict=True) if isinstance(kid, int)), default=0.0)
        room = [tallest if isinstance(kid, int) else p[1] for kid, p in zip(kids, parts, strict=True)]
        k = sum(p[0] for p in parts)
        c = (sum(p[0] * r for p, r in zip(parts, room, strict=True)) - g * (len(kids) - 1)) / k
    sizes[id(tree)] = (k, c, room)
    return k, c


def _place(tree: Tree, x: float, y: float, w: float, shapes: Sequence[float], bands: Sequence[int], g: int,
           sizes: dict[int, tuple[float, float, list[float]]], out: dict[int, tuple[float, float, float, float]],
           count: int) -> None:
    """Each photo's box (x, y, w, h) in `tree` laid out `w` wide from (x, y) (indices from `count` up
    are an explicit grid's missing photos: room, not boxes)."""
    if isinstance(tree, int):
        if tree < count:
            out[tree] = (x, y, w, w / shapes[tree])
        return
    kind, kids = tree
    k, c, room = sizes[id(tree)]
    if kind == "v":
        for kid in kids:
            kk, kc = (shapes[kid], bands[kid]) if isinstance(kid, int) else sizes[id(kid)][:2]
            _place(kid, x, y, w, shapes, bands, g, sizes, out, count)
            y += w / kk + kc + g
        return
    h = w / k + c
    widths = [(shapes[kid] if isinstance(kid, int) else sizes[id(kid)][0]) * (h - r)
              for kid, r in zip(kids, room, strict=True)]
    if kind == "hc":  # an explicit grid's short row: its photos centred, as wide as in a full row
        real = [i for i, kid in enumerate(kids) if not isinstance(kid, int) or kid < count]
        x += (w - sum(widths[i] for i in real) - g * (len(real) - 1)) / 2
        kids, widths = tuple(kids[i] for i in real), [widths[i] for i in real]
    for kid, kw in zip(kids, widths, strict=True):
        _place(kid, x, y, kw, shapes, bands, g, sizes, out, count)
        x += kw + g


def _rect(x: float, y: float, w: float, h: float) -> Rect:
    """A box in whole pixels: its edges rounded (neighbours keep their gutter, to a pixel)."""
    x0, y0 = round(x), round(y)
    return Rect(x0, y0, max(1, round(x + w) - x0), max(1, round(y + h) - y0))


def _cell(photo: Rect, x: int, w: int, lines: int, needs: Need, frame: _Frame) -> CellBoxes:
    """A photo's cell: its box and its caption's, `w` wide from `x` (under the photo, or over its lower
    edge), as tall as its own lines."""
    band = band_px(lines, frame.font_px)
    if lines == 0:
        return CellBoxes(photo, None, 0, frame.font_px, frame.over)
    top = photo.y + photo.h - band if frame.over else photo.y + photo.h
    left, right = max(x, frame.safe.x), min(x + w, frame.safe.x + frame.safe.w)
    return CellBoxes(photo, Rect(left, top, right - left, band), lines, frame.font_px, frame.over, needs.translated)


def _page(cells: list[CellBoxes], needs: Sequence[Need], aspects: Sequence[float], texts: Sequence[Text | None],
          frame: _Frame, cover: Sequence[bool]) -> Page:
    """A page of `cells`, judged: each photo is large when shown at least MIN_SHOWN of the frame tall, or
    as tall as it would be alone (a wide photo on a vertical frame is no taller on a slide of its own)."""
    shown = [r.w * r.h for r in _drawn(cells, aspects, cover)]
    large = len(cells) == 1 or all(
        shown_height(c.photo, a, crop) >= min(MIN_SHOWN * frame.height, _alone(a, t, frame)) - 1
        for c, a, t, crop in zip(cells, aspects, texts, cover, strict=True))
    fits = all(n.fits for n in needs)
    return Page(tuple(cells), fits, large, sum(shown) / (frame.width * frame.height),
                sum(shown) + len(shown) * min(shown))  # the total, but not at the price of one tiny photo


def _alone(aspect: float, text: Text | None, frame: _Frame) -> float:
    """How tall a photo is shown on a slide of its own."""
    band = 0 if frame.over else band_px(_need(text, frame.area.w, frame).lines, frame.font_px)
    return min(frame.area.w / aspect, frame.area.h - band)


def _slotted(aspects: Sequence[float], texts: Sequence[Text | None], cols: int, frame: _Frame) -> Page | None:
    """The photos in the slots of an even grid of `cols` columns, each centred in its slot in a box of
    its shape, the rows as tall as their photos let them be (each row one height); captions as wide as
    their slots. A short last row keeps the slots' width, centred."""
    count = len(aspects)
    area, g = frame.area, frame.gutter
    slot = (area.w - g * (cols - 1)) / cols
    if slot < 2:
        return None
    needs = [_need(texts[i], slot, frame) for i in range(count)]
    rows = [list(range(s, min(count, s + cols))) for s in range(0, count, cols)]
    bands = [0 if frame.over else max(band_px(needs[i].lines, frame.font_px) for i in row) for row in rows]
    room = area.h - sum(bands) - g * (len(rows) - 1)
    if room < 2 * len(rows):
        return None
    heights = _share_out(room, [min(slot / aspects[i] for i in row) for row in rows])
    y = area.y + (room - sum(heights)) / 2
    cells = []
    for row, h, band in zip(rows, heights, bands, strict=True):
        left = area.x + (area.w - len(row) * slot - (len(row) - 1) * g) / 2
        for col, i in enumerate(row):
            x = left + col * (slot + g)
            w = aspects[i] * h
            photo = _rect(x + (slot - w) / 2, y, w, h)
            sx = round(x)
            cells.append(_cell(photo, sx, round(x + slot) - sx, needs[i].lines, needs[i], frame))
        y += h + band + g
    return _page(cells, needs, aspects, texts, frame, [False] * count)


def _share_out(room: float, caps: list[float]) -> list[float]:
    """`room` shared among rows as evenly as their caps (the height at which a row's widest photo fills
    its slot) allow."""
    out = [0.0] * len(caps)
    left, open_rows = room, sorted(range(len(caps)), key=lambda r: caps[r])
    for n, r in enumerate(open_rows):
        out[r] = min(caps[r], left / (len(open_rows) - n))
        left -= out[r]
    return out


def _stretched(tree: Tree, aspects: Sequence[float], texts: Sequence[Text | None], frame: _Frame,
               crop: Sequence[bool]) -> Page | None:
    """`tree` with its `fit: cover` photos' boxes made up to COVER_STRETCH wider (or taller), so that the
    page reaches the safe area's width and height both: those photos are cropped that much (their crops
    keep the faces and the sign), the others keep their shapes."""
    def at(m: float) -> tuple[Page | None, float]:
        return _solve_full(tree, aspects, texts, frame, [m if c else 1.0 for c in crop])

    page, spare = at(1.0)
    if page is None or abs(spare) < 1:
        return page
    # spare < 0: the page is as tall as the safe area and narrower: wider cover boxes; else taller ones.
    lo, hi = (1.0, COVER_STRETCH) if spare < 0 else (1 / COVER_STRETCH, 1.0)
    end, end_spare = at(hi if spare < 0 else lo)
    if end is not None and (end_spare <= 0 if spare < 0 else end_spare >= 0):
        return end  # it does not reach the other side even stretched as far as allowed
    for _ in range(10):
        mid = (lo + hi) / 2
        trial, trial_spare = at(mid)
        if trial is None:
            break
        if (trial_spare <= 0) == (spare < 0):
            page = trial
            lo, hi = (mid, hi) if spare < 0 else (lo, mid)
        else:
            lo, hi = (lo, mid) if spare < 0 else (mid, hi)
    return page


def page_sizes(aspects: Sequence[float], width: int, height: int, captions: Captions = DEFAULT_CAPTIONS,
               texts: Sequence[Text | None] | None = None, most: int = MAX_PER_SLIDE,
               crop: Sequence[bool] | None = None) -> list[int]:
    """How many photos each slide of a `grid: auto` shows, in order: the cut of the sequence into slides
    of at most `most` (each photo at least MIN_SHOWN of the frame tall when it shares its slide) whose
    slides show their photos largest: as few as possible below FILL_TARGET of the frame, and fewer still
    below MIN_FILL, then as few slides as that allows."""
    count = len(aspects)
    texts = list(texts) if texts is not None else [None] * count
    crops = list(crop) if crop is not None else [False] * count
    best = [0.0] + [math.inf] * count
    take = [0] * (count + 1)
    for end in range(1, count + 1):
        for n in range(1, min(most, end) + 1):
            start = end - n
            page = best_page(aspects[start:end], width, height, captions, texts[start:end], None, crops[start:end],
                             large=n > 1)
            cost = best[start] + _cost(page, n)
            if cost < best[end] - 1e-9:
                best[end], take[end] = cost, n
    sizes: list[int] = []
    end = count
    while end > 0:
        sizes.append(take[end])
        end -= take[end]
    return sizes[::-1]


def cut_key(aspects: Sequence[float], width: int, height: int, captions: Captions, texts: Sequence[Text | None],
            most: int, crop: Sequence[bool]) -> str:
    """A digest of everything `page_sizes` depends on, so a cut worked out once can be looked up (the
    search is most of a one-slide still's cost); it holds no caption, only its digest."""
    seen = repr((tuple(aspects), width, height, captions, tuple(texts), most, tuple(crop)))
    return hashlib.blake2b(seen.encode(), digest_size=16).hexdigest()


SHORT = 25.0  # a slide's cost for each share of the frame its photos fall short of FILL_TARGET (one slide: 1)
SHORTER = 50.0  # and more for each share below MIN_FILL, and a slide below it costs as much as 3 more


def _cost(page: Page | None, count: int) -> float:
    if page is None:
        return 1e6
    if count > 1 and not page.large:
        return math.inf
    s = page.share
    return (1 + SHORT * max(0.0, FILL_TARGET - s) + (3 + SHORTER * (MIN_FILL - s) if s < MIN_FILL else 0)
            + (0 if page.fits else 5) - 1e-3 * s)


def full_screen(width: int, height: int, caption: bool = True, cover: bool = False,
                captions: Captions = DEFAULT_CAPTIONS, text: Text | None = None) -> CellBoxes:
    """A single photo as large as the frame allows; its caption is a lower third inside the safe area
    (the name, the details, and the lines of a translation under them, when shown).
    A whole photo stops above the caption so it never covers the sign (over: the blurred fill runs on
    behind the caption's band; below: the caption sits on the background); a cover crop fills the frame,
    or with captions below, the frame above them."""
    frame = Rect(0, 0, width, height)
    if not caption:
        return CellBoxes(frame, None, 0)
    area = safe_area(width, height)
    over = captions.over(True)
    font_px = caption_px(height, True, captions)
    # As many lines as the caption needs across the frame (a narrow frame's long caption wraps rather
    # than being cut short), and as many more (up to 3) as its translation.
    room = area.w - 2 * round(font_px * 0.7)
    caption_only = replace(text, translation=None) if text is not None else None
    lines = max(1, need(caption_only, room, font_px, captions).lines)
    translated = bool(text and text.translation)
    if text is not None and text.translation:
        lines += caption_band(room, font_px, text_ems(text.translation))[1]
    band = round(font_px * (0.6 + 1.3 * lines))
    cap = Rect(area.x, area.y + area.h - band, area.w, band)
    gap = round(font_px * 0.4)
    above = Rect(0, 0, width, cap.y - gap)
    return CellBoxes(frame if cover and over else above, cap, lines, font_px, over, translated)


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
