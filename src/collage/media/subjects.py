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

import numpy as np
from numpy.typing import NDArray

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the photo
WORK_SIDE = 640


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


@functools.lru_cache(maxsize=4096)
def _detect(path_str: str, mtime_ns: int, size: int) -> Subjects:
    from collage.media import photos

    path = Path(path_str)
    image = photos.load(path, (WORK_SIDE, WORK_SIDE), (0, 0, 0))
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return find(rgb)


def find(rgb: NDArray[np.uint8]) -> Subjects:
    """Faces and sign in an RGB array (any size; large ones are reduced first)."""
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    if scale < 1:
        rgb = np.asarray(cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))),
                                    interpolation=cv2.INTER_AREA), dtype=np.uint8)
    sign = _sign(rgb)
    faces = tuple(f for f in _faces(rgb) if sign is None or _overlap(f, sign) < 0.5)  # no face on paper
    return Subjects(faces, sign)


def _faces(rgb: NDArray[np.uint8]) -> tuple[Box, ...]:
    import cv2

    h, w = rgb.shape[:2]
    gray = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    min_side = max(16, round(min(h, w) * 0.06))
    frontal, profile = _cascades()
    found: list[tuple[int, int, int, int]] = []
    for cascade, flip in ((frontal, False), (profile, False), (profile, True)):
        img = cv2.flip(gray, 1) if flip else gray
        rects = cascade.detectMultiScale(img, scaleFactor=1.1, minNeighbors=5 if cascade is frontal else 7,  # type: ignore[attr-defined]
                                         minSize=(min_side, min_side))
        for x, y, fw, fh in rects:
            found.append((w - x - fw, y, fw, fh) if flip else (x, y, fw, fh))
    faces: list[Box] = []
    for x, y, fw, fh in sorted(found, key=lambda r: -r[2] * r[3]):
        # A detection covers eyes to mouth; the whole head is about 1.5x as tall and a little wider.
        box = (max(0.0, float(x - 0.15 * fw) / w), max(0.0, float(y - 0.3 * fh) / h),
               min(1.0, float(x + 1.15 * fw) / w), min(1.0, float(y + 1.2 * fh) / h))
        if not any(_overlap(box, f) > 0.3 for f in faces):
            faces.append(box)
    return tuple(faces[:6])


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
        if (x <= edge) + (y <= edge) + (x + bw >= w - edge) + (y + bh >= h - edge) >= 2:  # sky, a wall: not held up
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
