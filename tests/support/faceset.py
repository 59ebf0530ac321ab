"""A labelled set of photos with and without faces, built at test time from real, licensed photos that
ship inside installed wheels (tests/data/SOURCES.md): scikit-image's `astronaut` (NASA, public domain)
and `camera` (CC0), matplotlib's `grace_hopper` (U.S. Navy, public domain); face-less: scikit-image's
`coffee`, `chelsea`, `rocket` (CC0 / public domain), `grass`, `brick`, `gravel` (CC0). Nothing is
downloaded (skimage's pooch fetches are not used).

Each source face is labelled once, by eye, below: its core (brows to chin, cheek to cheek: what must
never show) and its head. Every augmentation carries the labels through its own geometry, as
quadrilaterals (a tilted face's core is a turned box). Categories:

  upright, mirrored, tilt (+-15/30/45/60 degrees), turned (90/180/270, no EXIF tag), small (a face
  5-10 % of the photo's height), group (several faces on one background), sign over the lower face,
  hand over the lower face, edge (half the face out of the photo), dark, blurred, jpeg (quality 8);
  and face-less photos, some with a sign held up (whose pixels must stay untouched).

`build(folder)` writes the photos (JPEG, no EXIF) and returns the samples; `build(folder, subset=True)`
a representative few of each category (for the tests; the benchmark runs them all).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]
Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels

# Labelled by eye on each source (pixels of the source as the loader returns it).
# core: brows to chin, cheek to cheek (the face box a cover must hide); head: hair to chin, ear to ear.
LABELS: dict[str, tuple[Rect, Rect]] = {
    "astronaut": ((180, 90, 268, 168), (150, 15, 300, 170)),  # 512x512, frontal, smiling
    "hopper": ((178, 165, 352, 312), (150, 25, 375, 322)),  # 512x600, frontal, cap and glasses
    "camera": ((200, 122, 256, 202), (160, 62, 262, 206)),  # 512x512, grey, in profile behind a camera
}
FACELESS = ("coffee", "chelsea", "rocket", "grass", "brick", "gravel")
PAPER, INK, SKIN = (247, 244, 236), (28, 38, 78), (214, 160, 128)


@dataclass
class Sample:
    name: str
    category: str
    path: Path
    size: tuple[int, int]
    faces: list[Quad] = field(default_factory=list)  # cores, in the stored photo's pixels
    heads: list[Quad] = field(default_factory=list)  # each core's head (hair to chin), in the same order
    hidden: list[Quad] = field(default_factory=list)  # what was pasted over a face (not visible: not counted)
    sign: Rect | None = None  # a sign held up in a face-less photo: it must stay untouched

    @property
    def has_faces(self) -> bool:
        return bool(self.faces)


def source(name: str) -> Image.Image:
    """A source photo as RGB."""
    if name == "hopper":
        import matplotlib.cbook

        with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
            return Image.open(f).convert("RGB")
    import skimage.data

    array = getattr(skimage.data, name)()
    return Image.fromarray(np.asarray(array, dtype=np.uint8)).convert("RGB")


def _quad(r: Rect | tuple[float, float, float, float]) -> Quad:
    x0, y0, x1, y1 = r
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _moved(q: Quad, f: Callable[[Point], Point]) -> Quad:
    return (f(q[0]), f(q[1]), f(q[2]), f(q[3]))


def _bounds(q: Quad) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in q], [p[1] for p in q]
    return min(xs), min(ys), max(xs), max(ys)


def _clip(q: Quad, w: int, h: int) -> Quad:
    """A quad clipped to the picture (as its box inside it; used only for axis-aligned quads)."""
    x0, y0, x1, y1 = _bounds(q)
    return _quad((max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)))


def _background(name: str, size: tuple[int, int]) -> Image.Image:
    return ImageOps.fit(source(name), size, Image.Resampling.BICUBIC)


def _scribble(draw: ImageDraw.ImageDraw, box: Rect, rng: random.Random, width: int) -> None:
    """Handwriting-like strokes in rows across a sheet."""
    x0, y0, x1, y1 = box
    rows = 3
    for r in range(rows):
        ty = y0 + (r + 1) * (y1 - y0) / (rows + 1)
        x = x0 + 0.08 * (x1 - x0)
        while x < x1 - 0.12 * (x1 - x0):
            pts = [(x + k * width * 1.2, ty + rng.uniform(-1, 1) * (y1 - y0) / 12) for k in range(5)]
            draw.line(pts, fill=INK, width=width)
            x += width * 7


def sign(image: Image.Image, box: Rect, rng: random.Random) -> None:
    draw = ImageDraw.Draw(image)
    draw.rectangle(box, fill=PAPER)
    _scribble(draw, box, rng, max(2, (box[3] - box[1]) // 22))


def hand(image: Image.Image, core: Rect) -> Quad:
    """A skin-coloured hand (palm and fingers) pasted over the mouth and chin; returns its box."""
    x0, y0, x1, y1 = core
    w, h = x1 - x0, y1 - y0
    draw = ImageDraw.Draw(image)
    palm = (x0 - 0.15 * w, y0 + 0.55 * h, x1 + 0.1 * w, y1 + 0.35 * h)
    draw.ellipse(palm, fill=SKIN)
    for k in range(4):  # fingers across the mouth, from the side
        fy = y0 + 0.55 * h + k * 0.12 * h
        draw.rounded_rectangle((x0 - 0.3 * w, fy, x1 + 0.05 * w, fy + 0.1 * h), radius=0.05 * h,
                               fill=(SKIN[0] - 8 * k, SKIN[1] - 6 * k, SKIN[2] - 5 * k))
    return _quad((x0 - 0.3 * w, y0 + 0.55 * h, x1 + 0.1 * w, y1 + 0.35 * h))


def _rotate(image: Image.Image, quads: list[Quad], degrees: float) -> tuple[Image.Image, list[Quad]]:
    """Turned counter-clockwise about its centre, the canvas grown to hold it all (black corners)."""
    w, h = image.size
    out = image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    nw, nh = out.size
    a = math.radians(degrees)

    def f(p: Point) -> Point:
        x, y = p[0] - w / 2, p[1] - h / 2
        return (x * math.cos(a) + y * math.sin(a) + nw / 2, -x * math.sin(a) + y * math.cos(a) + nh / 2)

    return out, [_moved(q, f) for q in quads]


def _turn(image: Image.Image, quads: list[Quad], quarter: int) -> tuple[Image.Image, list[Quad]]:
    """Turned by quarter x 90 degrees counter-clockwise, exactly (no resampling), as a sideways photo
    without an EXIF tag."""
    out = image
    for _ in range(quarter % 4):
        w, _h = out.size
        out = out.transpose(Image.Transpose.ROTATE_90)
        quads = [_moved(q, lambda p, w=w: (p[1], w - p[0])) for q in quads]
    return out, quads


def _paste(canvas: Image.Image, person: Image.Image, name: str, at: tuple[int, int], scale: float) -> list[Quad]:
    """The person pasted at `at`, scaled; returns their core and head there."""
    p = person.resize((round(person.width * scale), round(person.height * scale)), Image.Resampling.LANCZOS)
    canvas.paste(p, at)
    return [_quad((at[0] + r[0] * scale, at[1] + r[1] * scale, at[0] + r[2] * scale, at[1] + r[3] * scale))
            for r in LABELS[name]]


def _cases(rng: random.Random) -> list[tuple[str, str, Image.Image, list[Quad], list[Quad], Rect | None, int]]:
    """(name, category, image, faces, hidden, sign, jpeg quality) for every sample."""
    out: list[tuple[str, str, Image.Image, list[Quad], list[Quad], Rect | None, int]] = []
    people = {name: source(name) for name in LABELS}
    for name, person in people.items():
        core, head = LABELS[name]
        q = _quad(core)
        pair = [q, _quad(head)]  # every case lists each face's core, then its head
        out.append((f"{name}", "upright", person, pair, [], None, 92))
        out.append((f"{name}-mirrored", "mirrored", ImageOps.mirror(person),
                    [_moved(x, lambda p, w=person.width: (w - p[0], p[1])) for x in pair], [], None, 92))
        for deg in (15, -15, 30, -30, 45, -45, 60, -60):
            img, qs = _rotate(person, pair, deg)
            out.append((f"{name}-tilt{deg:+d}", "tilt", img, qs, [], None, 92))
        for quarter in (1, 2, 3):
            img, qs = _turn(person, pair, quarter)
            out.append((f"{name}-turn{quarter * 90}", "turned", img, qs, [], None, 92))
        # Small: the face 5 % and 9 % of the photo's height, on a face-less background.
        for share, bg in ((0.05, "grass"), (0.09, "coffee")):
            canvas = _background(bg, (1600, 1200))
            scale = share * 1200 / (core[3] - core[1])
            at = (rng.randrange(100, 1600 - round(person.width * scale) - 100),
                  rng.randrange(100, 1200 - round(person.height * scale) - 100))
            out.append((f"{name}-small{round(share * 100)}", "small", canvas,
                        _paste(canvas, person, name, at, scale), [], None, 92))
        # A sign held over the mouth and chin (from the nose down), and a hand over them.
        img = person.copy()
        x0, y0, x1, y1 = core
        cover = (round(x0 - 0.35 * (x1 - x0)), round(y0 + 0.58 * (y1 - y0)), round(x1 + 0.35 * (x1 - x0)),
                 min(img.height - 1, round(y1 + 1.2 * (y1 - y0))))
        sign(img, cover, rng)
        out.append((f"{name}-signmouth", "sign over face", img, pair, [_quad(cover)], None, 92))
        img = person.copy()
        out.append((f"{name}-hand", "hand over face", img, pair, [hand(img, core)], None, 92))
        # Half the face out of the photo: cut through its middle, at the left, the right and the bottom.
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        for side, box in (("left", (cx, 0, person.width, person.height)), ("right", (0, 0, cx, person.height)),
                          ("bottom", (0, 0, person.width, cy))):
            img = person.crop(box)
            moved = [_moved(x, lambda p, b=box: (p[0] - b[0], p[1] - b[1])) for x in pair]
            out.append((f"{name}-edge-{side}", "edge", img, [_clip(x, img.width, img.height) for x in moved], [],
                        None, 92))
        dark = Image.fromarray(np.asarray(255 * 0.55 * (np.asarray(person, dtype=np.float64) / 255) ** 2.4,
                                          dtype=np.uint8))
        out.append((f"{name}-dark", "dark", dark, pair, [], None, 92))
        blur = person.filter(ImageFilter.GaussianBlur(0.04 * (y1 - y0)))
        out.append((f"{name}-blur", "blurred", blur, pair, [], None, 92))
        out.append((f"{name}-jpeg", "jpeg", person, pair, [], None, 8))
    # Groups: every person, at different sizes, on one background.
    for g, bg in enumerate(("brick", "rocket")):
        canvas = _background(bg, (1800, 1000))
        quads = []
        for i, (name, person) in enumerate(people.items()):
            core = LABELS[name][0]
            scale = (0.10 + 0.02 * ((i + g) % 3)) * 1000 / (core[3] - core[1])  # a face 10-14 % of the height
            at = (60 + i * 590, rng.randrange(20, max(21, 1000 - round(person.height * scale) - 20)))
            quads += _paste(canvas, person, name, at, scale)
        out.append((f"group-{g}", "group", canvas, quads, [], None, 92))
    # Face-less photos, bare and with a sign held up.
    for name in FACELESS:
        img = source(name)
        out.append((f"{name}", "no face", img, [], [], None, 92))
        img = ImageOps.fit(source(name), (1200, 900), Image.Resampling.BICUBIC)
        box = (rng.randrange(80, 500), rng.randrange(60, 400), 0, 0)
        box = (box[0], box[1], box[0] + 520, box[1] + 360)
        sign(img, box, rng)
        out.append((f"{name}-sign", "no face", img, [], [], box, 92))
    return out


SUBSET = {"astronaut", "hopper-tilt+45", "astronaut-tilt-30", "hopper-turn90", "camera-turn270", "astronaut-small5",
          "group-0", "group-1", "hopper-signmouth", "astronaut-hand", "hopper-edge-bottom", "astronaut-edge-left",
          "camera-dark", "hopper-blur", "astronaut-jpeg", "camera-mirrored",
          "grass", "brick", "chelsea", "coffee-sign", "gravel-sign", "rocket-sign"}


def build(folder: Path, subset: bool = False) -> list[Sample]:
    """Write the set's photos into `folder` and return them with their labels."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = []
    for name, category, image, faces, hidden, sign_box, quality in _cases(random.Random(18)):
        if subset and name not in SUBSET:
            continue
        path = folder / f"{name}.jpg"
        image.convert("RGB").save(path, quality=quality)
        samples.append(Sample(name, category, path, image.size, faces[0::2], faces[1::2], hidden, sign_box))
    return samples


def quad_mask(q: Quad, size: tuple[int, int]) -> np.ndarray:
    """The quad's pixels in a picture of `size` (w, h), as a boolean array."""
    m = Image.new("L", size, 0)
    ImageDraw.Draw(m).polygon([(round(x), round(y)) for x, y in q], fill=1)
    return np.asarray(m, dtype=bool)


def visible_core(sample: Sample, index: int, size: tuple[int, int], quads: list[Quad] | None = None) -> np.ndarray:
    """The labelled core's (or, with `quads`, that quad's) visible pixels: in the photo, not under a
    pasted sign or hand; scaled to `size`."""
    sx, sy = size[0] / sample.size[0], size[1] / sample.size[1]

    def scaled(q: Quad) -> Quad:
        return _moved(q, lambda p: (p[0] * sx, p[1] * sy))

    core = quad_mask(scaled((quads or sample.faces)[index]), size)
    for q in sample.hidden:
        core &= ~quad_mask(scaled(q), size)
    return core


def sign_mask(sample: Sample, size: tuple[int, int]) -> np.ndarray | None:
    if sample.sign is None:
        return None
    sx, sy = size[0] / sample.size[0], size[1] / sample.size[1]
    x0, y0, x1, y1 = sample.sign
    return quad_mask(_quad((x0 * sx, y0 * sy, x1 * sx, y1 * sy)), size)


# --- what the viewer gets: the photo drawn with the covers, by the drawing code itself --------------------

COVERED = 0.95  # a face counts as covered when this share of its visible core is painted


@dataclass
class Outcome:
    sample: Sample
    refused: bool
    shares: list[float]  # of each labelled face: the share of its visible core painted
    head_shares: list[float]  # of each labelled head (hair to chin): the share of its visible part painted
    painted: float  # the share of the whole photo painted
    sign_touched: int  # pixels of the held-up sign painted (face-less photos)
    seen: int  # faces the second detector still finds in the drawn picture, off the covers
    seconds: float
    picture: Image.Image  # the photo as drawn

    @property
    def exposed(self) -> int:
        """Labelled faces shown: not covered, in a photo that is not refused."""
        return 0 if self.refused else sum(1 for s in self.shares if s < COVERED)


def outcome(sample: Sample, areas: tuple[tuple[float, float, float, float], ...], refused: bool,
            seconds: float, check: bool = True) -> Outcome:
    """Draw the photo as every frame gets it (loaded upright at the largest size shown, covered by
    `draw.compose.covered`) and measure it against the labels."""
    from collage.draw.compose import MASK_COLOUR, covered
    from collage.media import photos, subjects

    picture = covered(photos.load(sample.path, subjects.SHOWN[0], (0, 0, 0)), areas)
    rgb = np.asarray(picture.convert("RGB"))
    paint = np.all(rgb == np.array(MASK_COLOUR, dtype=np.uint8), axis=-1)
    size = picture.size
    shares = []
    for i in range(len(sample.faces)):
        core = visible_core(sample, i, size)
        shares.append(float(paint[core].mean()) if core.any() else 1.0)
    heads = []
    for i in range(len(sample.heads)):
        head = visible_core(sample, i, size, sample.heads)
        heads.append(float(paint[head].mean()) if head.any() else 1.0)
    sign = sign_mask(sample, size)
    seen = len(still_seen(rgb, paint)) if check else -1
    touched = int(paint[sign].sum()) if sign is not None else 0
    return Outcome(sample, refused, shares, heads, float(paint.mean()), touched, seen, seconds, picture)


def still_seen(rgb: np.ndarray, paint: np.ndarray) -> list[tuple[float, float, float, float]]:
    """What the second detector finds in a drawn picture at the sizes it is shown, off the covers."""
    from collage.media import subjects

    return list(subjects.still_seen(np.ascontiguousarray(rgb), _boxes_of(paint)))


def _boxes_of(paint: np.ndarray) -> tuple[tuple[float, float, float, float], ...]:
    """The painted pixels as boxes (fractions): each painted run of rows, as wide as painted there."""
    import cv2

    h, w = paint.shape
    count, _, stats, _ = cv2.connectedComponentsWithStats(paint.astype(np.uint8), connectivity=4)
    return tuple((x / w, y / h, (x + bw) / w, (y + bh) / h) for x, y, bw, bh, area in stats[1:count]
                 if area > 0.5 * bw * bh)


def contact_sheet(outcomes: list[Outcome], path: Path, title: str = "") -> None:
    """The drawn photos with each labelled core outlined (green: covered; red: shown) and the sign
    (blue); a refused photo is marked."""
    thumbs = []
    for o in outcomes:
        im = o.picture.convert("RGB").copy()
        sx, sy = im.width / o.sample.size[0], im.height / o.sample.size[1]
        d = ImageDraw.Draw(im)
        for q, share in zip(o.sample.faces, o.shares, strict=True):
            colour = (0, 220, 0) if share >= COVERED else (255, 0, 0)
            d.polygon([(x * sx, y * sy) for x, y in q], outline=colour, width=max(2, im.width // 250))
        if o.sample.sign:
            x0, y0, x1, y1 = o.sample.sign
            d.rectangle((x0 * sx, y0 * sy, x1 * sx, y1 * sy), outline=(0, 128, 255), width=max(2, im.width // 250))
        im.thumbnail((300, 300))
        label = f"{o.sample.name} {'REFUSED ' if o.refused else ''}{100 * o.painted:.1f}% seen={o.seen}"
        thumbs.append((label, im))
    cols = 6
    rows = -(-len(thumbs) // cols)
    sheet = Image.new("RGB", (cols * 306, rows * 322 + 20), (255, 255, 255))
    d = ImageDraw.Draw(sheet)
    d.text((4, 4), title, fill=(0, 0, 0))
    for i, (label, im) in enumerate(thumbs):
        x, y = (i % cols) * 306, 20 + (i // cols) * 322
        sheet.paste(im, (x, y))
        d.text((x, y + 304), label, fill=(0, 0, 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
