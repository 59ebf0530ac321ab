"""What a crop must keep: the faces and the handwritten sign in a photo.

Faces come from OpenCV's Haar cascades (frontal and profile), which ship inside the
`opencv-python-headless` wheel: nothing is downloaded. The sign is found as the largest bright,
low-saturation region that is roughly a sheet (it fills most of its bounding box) and has writing on it
(dark strokes inside). Boxes are returned as fractions of the upright photo, (x0, y0, x1, y1), so the
planner can use them at any output size without reading pixels itself.

Detection runs on a copy at most 640 px on its long side (enough for a face a tenth of the photo's
height, and ~30 ms a photo); results are remembered by the photo's content digest in the render cache.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the photo
WORK_SIDE = 640
MASK_SIDE = 1280  # faces to cover are looked for on a larger copy, and more eagerly (recall over precision)
MASK_MARGIN = 0.12  # a covered head's box grows by this share of its size on each side (hair, ears, chin)


@dataclass(frozen=True)
class Subjects:
    faces: tuple[Box, ...] = ()
    sign: Box | None = None

    @property
    def boxes(self) -> tuple[Box, ...]:
        return self.faces + ((self.sign,) if self.sign else ())


@functools.cache
def _cascades() -> tuple[object, object]:
    import cv2

    base = Path(cv2.data.haarcascades)  # type: ignore[attr-defined]
    return (cv2.CascadeClassifier(str(base / "haarcascade_frontalface_default.xml")),
            cv2.CascadeClassifier(str(base / "haarcascade_profileface.xml")))


def detect(path: Path) -> Subjects:
    """The faces and the sign in the photo at `path` (read upright and in sRGB, like the render).
    Remembered per file state: `check` and `render` ask the same question."""
    stat = path.stat()
    return _detect(str(path), stat.st_mtime_ns, stat.st_size)


def detect_to_cover(path: Path) -> Subjects:
    """The faces to cover in a masked contributor's photo, looked for harder than for a crop: on a
    larger copy, with more detectors and fewer confirmations (a false alarm costs a patch of
    background; a miss would show a face), all of them, and the sign (which a cover stays off)."""
    stat = path.stat()
    return _detect(str(path), stat.st_mtime_ns, stat.st_size, thorough=True)


@functools.lru_cache(maxsize=4096)
def _detect(path_str: str, mtime_ns: int, size: int, thorough: bool = False) -> Subjects:
    from collage.media import photos

    path = Path(path_str)
    side = MASK_SIDE if thorough else WORK_SIDE
    image = photos.load(path, (side, side), (0, 0, 0))
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return find(rgb, thorough)


def find(rgb: NDArray[np.uint8], thorough: bool = False) -> Subjects:
    """Faces and sign in an RGB array (any size; large ones are reduced first)."""
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, (MASK_SIDE if thorough else WORK_SIDE) / max(h, w))
    if scale < 1:
        rgb = np.asarray(cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))),
                                    interpolation=cv2.INTER_AREA), dtype=np.uint8)
    small = rgb
    if thorough and max(h, w) * scale > WORK_SIDE:  # the sign is found at the size it was tuned for
        k = WORK_SIDE / max(rgb.shape[:2])
        small = np.asarray(cv2.resize(rgb, (max(1, round(rgb.shape[1] * k)), max(1, round(rgb.shape[0] * k))),
                                      interpolation=cv2.INTER_AREA), dtype=np.uint8)
    sign = _sign(small)
    # For a crop, a face found mostly on the paper is the writing. Not when covering: a light wall behind
    # a head can pass for the paper, and a face left uncovered is the failure that matters.
    faces = tuple(f for f in _faces(rgb, thorough) if thorough or sign is None or _overlap(f, sign) < 0.5)
    return Subjects(faces, sign)


def _faces(rgb: NDArray[np.uint8], thorough: bool = False) -> tuple[Box, ...]:
    import cv2

    h, w = rgb.shape[:2]
    gray = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    min_side = max(16, round(min(h, w) * (0.04 if thorough else 0.06)))
    frontal, profile = _cascades()
    passes: list[tuple[Any, bool, int]] = [(frontal, False, 5), (profile, False, 7), (profile, True, 7)]
    if thorough:
        passes = [(frontal, False, 3), (_alt(), False, 3), (profile, False, 4), (profile, True, 4)]
    found: list[tuple[int, int, int, int]] = []
    for cascade, flip, neighbours in passes:
        img = cv2.flip(gray, 1) if flip else gray
        rects = cascade.detectMultiScale(img, scaleFactor=1.1, minNeighbors=neighbours, minSize=(min_side, min_side))
        for x, y, fw, fh in rects:
            found.append((w - x - fw, y, fw, fh) if flip else (x, y, fw, fh))
    faces: list[Box] = []
    for x, y, fw, fh in sorted(found, key=lambda r: -r[2] * r[3]):
        # A detection covers eyes to mouth; the whole head is about 1.5x as tall and a little wider.
        box = (max(0.0, float(x - 0.15 * fw) / w), max(0.0, float(y - 0.3 * fh) / h),
               min(1.0, float(x + 1.15 * fw) / w), min(1.0, float(y + 1.2 * fh) / h))
        if thorough or not any(_overlap(box, f) > 0.3 for f in faces):  # to cover: every one found
            faces.append(box)
    return tuple(faces) if thorough else tuple(faces[:6])


@functools.cache
def _alt() -> Any:
    import cv2

    return cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_alt2.xml"))  # type: ignore[attr-defined]


def cover_areas(found: Subjects) -> tuple[Box, ...]:
    """Each face found, as it is covered: the head's box grown by a margin on every side, except where
    the margin would reach into the sign (the face itself is always covered whole)."""
    out: list[Box] = []
    for x0, y0, x1, y1 in found.faces:
        mw, mh = MASK_MARGIN * (x1 - x0), MASK_MARGIN * (y1 - y0)
        a = [max(0.0, x0 - mw), max(0.0, y0 - mh), min(1.0, x1 + mw), min(1.0, y1 + mh)]
        sign = found.sign
        if sign is not None and _overlap((a[0], a[1], a[2], a[3]), sign) > 0:
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
