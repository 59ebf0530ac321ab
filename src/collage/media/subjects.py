"""What a crop must keep and what a cover must hide: the faces and the handwritten sign in a photo.

Faces come from a CNN, CenterFace (`media.faces`; it ships inside collage: nothing is downloaded): for
a crop, on the upright photo; to cover a masked contributor's faces, on it and on turned copies of it,
and every cover is then checked by a second CNN, BlazeFace, on the covered picture as it is shown. The
sign is found as the largest bright, low-saturation region that is roughly a sheet (it fills most of its
bounding box) and has writing on it (dark strokes inside). Boxes are returned as fractions of the
upright photo, (x0, y0, x1, y1), so the planner can use them at any output size without reading pixels
itself.

Detection for crops runs on a copy at most 640 px on its long side (~0.15 s a photo on 2 cores, less
than the Haar cascades it replaced took on the same photos); results are remembered per file state for
the process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the photo
WORK_SIDE = 640
MASK_SIDE = 1280  # faces to cover are looked for on a larger copy, in every turn
MASK_MARGIN = 0.12  # a head given without its face (no `cores`) grows by this share of its size on each side
# The covered picture is checked at the largest size it is shown (fitted into a 1920x1080 frame: whole and
# in tiles) and at a grid cell's (640 px tall: whole); a face still seen is covered too, for up to ROUNDS
# rounds.
SHOWN = ((1920, 1080), (1920, 640))
ROUNDS = 3
CONFIRM = 0.3  # CenterFace's score that confirms, close up, a face the check found (its head is then covered)


@dataclass(frozen=True)
class Subjects:
    faces: tuple[Box, ...] = ()  # heads (hair to chin)
    sign: Box | None = None
    cores: tuple[Box, ...] = ()  # when looked for to cover: each head's face (brow to chin), in order

    @property
    def boxes(self) -> tuple[Box, ...]:
        return self.faces + ((self.sign,) if self.sign else ())


@dataclass(frozen=True)
class Cover:
    """What covers the faces of a photo, and whether a face is still seen once they are covered (the
    photo must then not be shown: `check` reports it)."""

    faces: tuple[Box, ...] = ()
    refused: bool = False


def detect(path: Path) -> Subjects:
    """The faces and the sign in the photo at `path` (read upright and in sRGB, like the render).
    Remembered per file state: `check` and `render` ask the same question."""
    stat = path.stat()
    return _detect(str(path), stat.st_mtime_ns, stat.st_size)


def detect_to_cover(path: Path) -> Subjects:
    """The faces to cover in a masked contributor's photo, looked for harder than for a crop: by a CNN,
    on the upright photo and on turned copies of it (a tilted head, a photo sideways without an EXIF
    tag), with each face's whole head; and the sign (which a cover's margin stays off)."""
    stat = path.stat()
    return _detect(str(path), stat.st_mtime_ns, stat.st_size, thorough=True)


def cover(path: Path, boxes: tuple[Box, ...] = ()) -> Cover:
    """The covers of every face in the photo at `path`, checked: the photo, with them and the given
    `boxes` painted, is shown to a second, independent detector at the sizes it is shown; each face it
    still finds is covered too, and if faces are still found after a few rounds, the photo is refused."""
    stat = path.stat()
    return _cover(str(path), stat.st_mtime_ns, stat.st_size, boxes)


@functools.lru_cache(maxsize=1024)
def _cover(path_str: str, mtime_ns: int, size: int, boxes: tuple[Box, ...]) -> Cover:
    from collage.media import photos

    found = detect_to_cover(Path(path_str))
    areas = list(cover_areas(found))
    picture = np.asarray(photos.load(Path(path_str), SHOWN[0], (0, 0, 0)).convert("RGB"), dtype=np.uint8)
    for round_ in range(ROUNDS + 1):
        hits = still_seen(picture, tuple(areas) + boxes)
        if not hits:
            return Cover(tuple(areas))
        added = None if round_ == ROUNDS else _covers_for(hits, picture, tuple(areas) + boxes, found.sign)
        if added is None:  # faces keep being found, or one would only be covered by painting the sign
            return Cover(tuple(areas), refused=True)
        areas += added
    return Cover(tuple(areas), refused=True)  # (not reached)


def painted(rgb: NDArray[np.uint8], areas: tuple[Box, ...]) -> NDArray[np.uint8]:
    """A copy of the picture with each area painted flat, edges rounded outwards to whole pixels, as
    `draw.compose.covered` paints the photo every frame is drawn from."""
    import math

    out = rgb.copy()
    h, w = out.shape[:2]
    for x0, y0, x1, y1 in areas:
        out[math.floor(y0 * h):math.ceil(y1 * h), math.floor(x0 * w):math.ceil(x1 * w)] = (62, 62, 66)
    return out


def still_seen(picture: NDArray[np.uint8], areas: tuple[Box, ...]) -> tuple[Box, ...]:
    """The faces the second detector finds in the picture with `areas` painted, shown at each size in
    SHOWN, that are not mostly inside a cover already (fractions of the picture; duplicates merged)."""
    import cv2

    from collage.media import faces

    covered = painted(picture, areas)
    h, w = int(covered.shape[0]), int(covered.shape[1])
    mask = np.zeros((h, w), dtype=np.uint8)
    for x0, y0, x1, y1 in areas:
        mask[int(y0 * h):int(np.ceil(y1 * h)), int(x0 * w):int(np.ceil(x1 * w))] = 1
    hits: list[Box] = []
    for fw, fh in SHOWN:
        k = min(1.0, fw / w, fh / h)
        shown = covered if k >= 1 else np.asarray(cv2.resize(covered, (max(1, round(w * k)), max(1, round(h * k))),
                                                             interpolation=cv2.INTER_AREA), dtype=np.uint8)
        for box, _score in faces.seen(shown, tiles=(fw, fh) == SHOWN[0]):
            x0, y0, x1, y1 = box
            region = mask[int(y0 * h):max(int(y0 * h) + 1, int(y1 * h)), int(x0 * w):max(int(x0 * w) + 1, int(x1 * w))]
            if region.size and float(region.mean()) >= 0.5:
                continue  # on a cover: the check sees the grey patch's outline, not a face
            if not any(faces._same(box, o) for o in hits):
                hits.append(box)
    return tuple(hits)


def _covers_for(hits: tuple[Box, ...], picture: NDArray[np.uint8], areas: tuple[Box, ...],
                sign: Box | None) -> list[Box] | None:
    """Covers for the faces the check still found: the head of each one that CenterFace, looking close
    up (on a crop around it, more eagerly), confirms; the found box itself, with a small margin, for one
    it does not (the check's word is enough to cover). None when a face not confirmed lies on the
    sign's paper (a third of the box or more is paper-white): covering it would paint the message for
    what is most likely its writing, so the photo is refused instead. (Something dark in front of a
    light panel taken for the sign is not paper, and is covered.)"""
    from collage.media import faces

    covered = painted(picture, areas)
    h, w = covered.shape[:2]
    out: list[Box] = []
    for x0, y0, x1, y1 in hits:
        bw, bh = x1 - x0, y1 - y0
        cx0, cy0 = max(0.0, x0 - bw), max(0.0, y0 - bh)
        cx1, cy1 = min(1.0, x1 + bw), min(1.0, y1 + bh)
        top, left = int(cy0 * h), int(cx0 * w)
        crop = covered[top:max(top + 1, int(cy1 * h)), left:max(left + 1, int(cx1 * w))]
        close = [f for f in faces.find(np.ascontiguousarray(crop), CONFIRM, faces.TURNS[:6], side=320)
                 if faces._same(_from_crop(f.box, (cx0, cy0, cx1, cy1)), (x0, y0, x1, y1))]
        if close:
            out += cover_areas(Subjects(tuple(_from_crop(f.head, (cx0, cy0, cx1, cy1)) for f in close), sign,
                                        tuple(_from_crop(f.box, (cx0, cy0, cx1, cy1)) for f in close)))
            continue
        if sign is not None and _overlap((x0, y0, x1, y1), sign) >= 0.5 and _paper(picture, (x0, y0, x1, y1)) >= 1 / 3:
            return None
        m = 0.1
        grown = (max(0.0, x0 - m * bw), max(0.0, y0 - m * bh), min(1.0, x1 + m * bw), min(1.0, y1 + m * bh))
        out += cover_areas(Subjects((grown,), sign, ((x0, y0, x1, y1),)))
    return out


def _paper(rgb: NDArray[np.uint8], box: Box) -> float:
    """The share of the box that is paper-white, by the rule that finds the sign (`_sign`)."""
    import cv2

    h, w = rgb.shape[:2]
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    value, saturation = hsv[..., 2].astype(np.int16), hsv[..., 1].astype(np.int16)
    paper = (value >= max(200, int(np.percentile(value, 60)))) & (saturation <= 32)
    x0, y0 = int(box[0] * w), int(box[1] * h)
    region = paper[y0:max(y0 + 1, int(box[3] * h)), x0:max(x0 + 1, int(box[2] * w))]
    return float(region.mean()) if region.size else 0.0


def _from_crop(box: Box, crop: Box) -> Box:
    cw, ch = crop[2] - crop[0], crop[3] - crop[1]
    return (crop[0] + box[0] * cw, crop[1] + box[1] * ch, crop[0] + box[2] * cw, crop[1] + box[3] * ch)


@functools.lru_cache(maxsize=4096)
def _detect(path_str: str, mtime_ns: int, size: int, thorough: bool = False) -> Subjects:
    from collage.media import photos

    path = Path(path_str)
    side = MASK_SIDE if thorough else WORK_SIDE
    image = photos.load(path, (side, side), (0, 0, 0))
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return find(rgb, thorough)


def sign(path: Path) -> Box | None:
    """Only the sign in the photo at `path` (what `check` asks of every photo shown: how large its sign
    is on screen), found as `detect` finds it, without looking for faces."""
    stat = path.stat()
    return _sign_of(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _sign_of(path_str: str, mtime_ns: int, size: int) -> Box | None:
    from collage.media import photos

    image = photos.load(Path(path_str), (WORK_SIDE, WORK_SIDE), (0, 0, 0))
    return _sign(_reduced(np.asarray(image.convert("RGB"), dtype=np.uint8), WORK_SIDE))


def _reduced(rgb: NDArray[np.uint8], side: int) -> NDArray[np.uint8]:
    """The picture at most `side` pixels on its long side."""
    import cv2

    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    if scale >= 1:
        return rgb
    return np.asarray(cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))),
                                 interpolation=cv2.INTER_AREA), dtype=np.uint8)


def find(rgb: NDArray[np.uint8], thorough: bool = False) -> Subjects:
    """Faces and sign in an RGB array (any size; large ones are reduced first)."""
    rgb = _reduced(rgb, MASK_SIDE if thorough else WORK_SIDE)
    sign = _sign(_reduced(rgb, WORK_SIDE))  # the sign is found at the size it was tuned for
    from collage.media import faces

    if thorough:  # to cover: every face, in every turn (on the sign too: a light wall behind a head can
        found = faces.find(rgb)  # pass for the paper, and a face left uncovered is what matters)
        return Subjects(tuple(f.head for f in found), sign, tuple(f.box for f in found))
    # For a crop: the upright photo only (one pass), and a face found mostly on the paper is the writing.
    kept = [f for f in faces.find(rgb, turns=(0,)) if sign is None or _overlap(f.box, sign) < 0.5]
    return Subjects(tuple(f.head for f in kept[:6]), sign)


def cover_areas(found: Subjects) -> tuple[Box, ...]:
    """Each face found, as it is covered: its whole head (with the CNN's faces; a Haar head's box is
    grown by a margin on every side), except where the margin around the face would reach into the
    sign. The face itself is always covered whole, and so is a head whose face lies mostly on the
    sign (a face in front of the paper)."""
    out: list[Box] = []
    for i, head in enumerate(found.faces):
        x0, y0, x1, y1 = found.cores[i] if i < len(found.cores) else head
        if i < len(found.cores):
            a = list(head)
        else:
            mw, mh = MASK_MARGIN * (head[2] - head[0]), MASK_MARGIN * (head[3] - head[1])
            a = [max(0.0, head[0] - mw), max(0.0, head[1] - mh), min(1.0, head[2] + mw), min(1.0, head[3] + mh)]
        sign = found.sign
        if sign is not None and _overlap((a[0], a[1], a[2], a[3]), sign) > 0 and _overlap((x0, y0, x1, y1), sign) < 0.5:
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if sign[1] >= cy:  # the sign below the face: the margin stops at its top edge
                a[3] = max(y1, min(a[3], sign[1]))
            if sign[3] <= cy:
                a[1] = min(y0, max(a[1], sign[3]))
            if sign[0] >= cx:
                a[2] = max(x1, min(a[2], sign[0]))
            if sign[2] <= cx:
                a[0] = min(x0, max(a[0], sign[2]))
        out.append((a[0], a[1], a[2], a[3]))
    return tuple(out)


def _sign(rgb: NDArray[np.uint8]) -> Box | None:
    import cv2

    h, w = rgb.shape[:2]
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    value, saturation = hsv[..., 2].astype(np.int16), hsv[..., 1].astype(np.int16)
    paper = ((value >= max(200, int(np.percentile(value, 60)))) & (saturation <= 32)).astype(np.uint8)
    # Close over the writing so a written sheet becomes one region.
    k = max(3, round(min(h, w) * 0.012)) | 1
    closed = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    best: tuple[float, Box] | None = None
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        if area < 0.01 * h * w or area > 0.9 * h * w:
            continue
        if area / (bw * bh) < 0.55 or not 0.33 <= bw / bh <= 3.0:  # not sheet-like
            continue
        edge = 2
        # (Counted as ints: numpy's bools add as `or`, which made this never true.)
        if int(x <= edge) + int(y <= edge) + int(x + bw >= w - edge) + int(y + bh >= h - edge) >= 2:  # a wall: not held
            continue
        inside = gray[y:y + bh, x:x + bw][labels[y:y + bh, x:x + bw] == i]
        region_paper = paper[y:y + bh, x:x + bw][labels[y:y + bh, x:x + bw] == i]
        ink = float(np.mean(region_paper == 0))  # holes in the paper mask closed over: writing
        if not 0.01 <= ink <= 0.6 or inside.size == 0:
            continue
        score = float(area) * (0.5 + min(ink, 0.25))
        if best is None or score > best[0]:
            pad = 0.01
            best = (score, (max(0.0, float(x) / w - pad), max(0.0, float(y) / h - pad),
                            min(1.0, float(x + bw) / w + pad), min(1.0, float(y + bh) / h + pad)))
    return None if best is None else best[1]


def _overlap(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return inter / smaller if smaller > 0 else 0.0
