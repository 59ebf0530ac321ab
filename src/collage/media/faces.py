"""Faces to cover: found by one CNN (CenterFace), checked by a second, independent one (BlazeFace).

Both networks ship inside the package (`data/models/`, with SOURCES.md): nothing is downloaded. They
run through OpenCV's DNN module, already a dependency.

- `find` looks for every face in an RGB picture and in copies of it turned by every 30 degrees (a
  head tilted far, or a photo lying sideways without an EXIF tag), maps each box back, and merges the
  boxes of one head found in several turns. Each face comes with its whole head (hair, ears, chin),
  sized to the face and laid out along it (from where its landmarks put the eyes and the mouth).
- `seen` is the check after covering: BlazeFace, which shares nothing with CenterFace (other authors,
  other training data, another design), looks at the covered picture as it is shown, whole and in
  overlapping tiles (it sees 192 x 192 pixels at a time), in the four right-angle turns.

Boxes are fractions of the picture, (x0, y0, x1, y1).

OpenCV 4.14's DNN gives wrong results when one network object is run at one input size and then at
another (it keeps buffers planned for the first size), or asked for other outputs than the first time:
a network object here only ever sees one input shape and one list of outputs (`_Net` keeps one for
each), and CenterFace always sees a SIDE x SIDE square.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Box = tuple[float, float, float, float]
RGB = NDArray[np.uint8]

SIDE = 640  # CenterFace sees each turned copy fitted whole into a SIDE x SIDE square
# Degrees, counter-clockwise. CenterFace itself finds most faces turned up to ~60 degrees and many upside
# down; the turns make sure (measured: every labelled face is found in at least two of them).
TURNS = (0, 90, 180, 270, 30, -30, 60, -60)
# CenterFace's heatmap peak for a face. Measured on the labelled set (benchmarks/bench_faces.py): every
# labelled face peaks at 0.54 or more in some turn; face-less photos peak at 0.39 at most.
THRESHOLD = 0.45
# The head around CenterFace's face box (brow to chin, cheek to cheek), in shares of the box's own
# height (up: hair; down: chin and jaw) and width (each side: ears).
# Measured on the labelled heads: CenterFace's box runs from the forehead to just below the chin.
HAIR, CHIN, EARS = 0.55, 0.15, 0.35
UPRIGHT = 20.0  # degrees: a face turned less than this in a pass has its head laid out in that pass

CHECK_THRESHOLD = 0.6  # BlazeFace's score for a face still seen after covering (MediaPipe's default: 0.5)
CHECK_SIDE = 192  # BlazeFace full range sees 192 x 192 pixels


@dataclass(frozen=True)
class Face:
    box: Box  # the face, axis-aligned around it as it lies in the picture (it may be turned)
    head: Box  # the whole head, hair to chin and ear to ear (contains `box`)
    score: float


class _Net:
    """A model file, as one OpenCV network per input shape and list of outputs, each run by one thread
    at a time."""

    def __init__(self, name: str):
        self.name = name
        self.lock = threading.Lock()
        self.nets: dict[tuple[tuple[int, ...], tuple[str, ...] | None], Any] = {}

    def run(self, blob: NDArray[np.float32], outputs: list[str] | None = None) -> list[NDArray[np.float32]]:
        """The named outputs (all of them when None) for one input blob."""
        import cv2

        from collage import resources

        key = (tuple(blob.shape), None if outputs is None else tuple(outputs))
        with self.lock:
            net = self.nets.get(key)
            if net is None:
                path = str(resources.models_dir() / self.name)
                net = cv2.dnn.readNetFromONNX(path) if path.endswith(".onnx") else cv2.dnn.readNetFromTFLite(path)
                self.nets[key] = net
            net.setInput(blob)
            names = outputs or list(net.getUnconnectedOutLayersNames())
            return [np.asarray(o, dtype=np.float32) for o in net.forward(names)]


_CENTERFACE = _Net("centerface.onnx")
_BLAZEFACE = _Net("blazeface_full_range.tflite")


def find(rgb: RGB, threshold: float = THRESHOLD, turns: tuple[int, ...] = TURNS, side: int = SIDE) -> tuple[Face, ...]:
    """Every face CenterFace finds in the picture or in a turned copy of it, one per head (`side`: the
    square each copy is fitted into, a multiple of 32)."""
    h, w = rgb.shape[:2]
    found: list[tuple[Face, bool]] = []
    for angle in turns:
        square, back = _turned(rgb, angle, side)
        for (x0, y0, x1, y1), score, marks in _centerface(square, threshold):
            bw, bh = x1 - x0, y1 - y0
            down = (marks[3] + marks[4] - marks[0] - marks[1]) / 2  # from the eyes to the mouth
            tilt = abs(math.degrees(math.atan2(float(down[0]), float(down[1]))))
            upright = tilt <= UPRIGHT
            turn = _turned_away(marks, down, bw)
            if upright:
                left = EARS + (_BACK * turn if turn > 0 else 0.0)  # the nose to the right: the back of the head left
                right = EARS + (_BACK * -turn if turn < 0 else 0.0)
                head = _mapped((x0 - left * bw, y0 - HAIR * bh, x1 + right * bw, y1 + CHIN * bh), back, w, h)
            else:  # turned in this pass: the head laid out along the face, from its landmarks
                head = _head_along((x0, y0, x1, y1), down, back, w, h, turn)
            found.append((Face(_mapped((x0, y0, x1, y1), back, w, h), head, score), upright))
    return _merged(found)


_BACK = 0.6  # a face seen in profile: the back of the head reaches this much more of the box's width


def _turned_away(marks: NDArray[np.float64], down: NDArray[np.float64], width: float) -> float:
    """How far the face looks sideways, from -1 to 1 (positive: the nose to the right of the eyes, as
    the face stands): 0 for a frontal face, about 1 for a profile, whose back of the head (hair) then
    lies well past the box on the other side."""
    n = float(np.hypot(down[0], down[1]))
    if n <= 0 or width <= 0:
        return 0.0
    across = np.array([down[1], -down[0]]) / n  # the face's own left-to-right (down turned a quarter)
    eyes = (marks[0] + marks[1]) / 2
    offset = float((marks[2] - eyes) @ across) / width
    return max(-1.0, min(1.0, (abs(offset) - 0.05) / 0.2)) * (1 if offset > 0 else -1) if abs(offset) > 0.05 else 0.0


def _head_along(box: Box, down: NDArray[np.float64], back: NDArray[np.float64], w: int, h: int,
                turn: float = 0.0) -> Box:
    """The head of a face turned in its pass: its box is axis-aligned around the turned face, so the
    face's own size is taken as that of a square whose turned bounding box this is, and the head is laid
    out along the face's own axes (down: from the eyes to the mouth)."""
    x0, y0, x1, y1 = box
    n = float(np.hypot(down[0], down[1]))
    u = down / n if n > 0 else np.array([0.0, 1.0])
    v = np.array([u[1], -u[0]])  # the face's left to right, as `_turned_away` measures it
    size = math.sqrt((x1 - x0) * (y1 - y0)) / (abs(float(u[0])) + abs(float(u[1])))
    c = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    left = 0.5 + EARS + (_BACK * turn if turn > 0 else 0.0)
    right = 0.5 + EARS + (_BACK * -turn if turn < 0 else 0.0)
    corners = [c + a * size * u + b * size * v for a in (-(0.5 + HAIR), 0.5 + CHIN) for b in (-left, right)]
    pts = np.array([[p[0], p[1], 1.0] for p in corners]) @ back.T
    return (max(0.0, float(pts[:, 0].min()) / w), max(0.0, float(pts[:, 1].min()) / h),
            min(1.0, float(pts[:, 0].max()) / w), min(1.0, float(pts[:, 1].max()) / h))


def _merged(found: list[tuple[Face, bool]]) -> tuple[Face, ...]:
    """One face per head: faces whose boxes overlap (the same head, found in several turns) become one.
    Its box and head are those of the passes that saw it upright (a turned face's box, mapped back,
    is a loose box around a turned one), or of them all when none did."""
    groups: list[list[tuple[Face, bool]]] = []
    for item in sorted(found, key=lambda f: -f[0].score):
        near = [g for g in groups if any(_same(item[0].box, o[0].box) for o in g)]
        groups = [g for g in groups if g not in near] + [[item] + [o for g in near for o in g]]
    out = []
    for g in groups:
        best = [f for f, upright in g if upright] or [f for f, _ in g]
        box = _union([f.box for f in best])
        out.append(Face(box, _union([box] + [f.head for f in best]), max(f.score for f, _ in g)))
    return tuple(sorted(out, key=lambda f: (f.box[1], f.box[0])))


def _same(a: Box, b: Box) -> bool:
    """Half of the smaller box lies in the other."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return smaller > 0 and ix * iy / smaller > 0.5


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _turned(rgb: RGB, angle: int, side: int) -> tuple[RGB, NDArray[np.float64]]:
    """The picture turned by `angle` degrees (counter-clockwise) and fitted whole into a side x side
    square (padded black); and the 2x3 matrix that takes the square's pixels back to the picture's."""
    import cv2

    h, w = rgb.shape[:2]
    a = math.radians(angle)
    c, s = abs(math.cos(a)), abs(math.sin(a))
    k = min(side / (w * c + h * s), side / (w * s + h * c))  # the turned picture's bounding box fits
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, k)
    m[0, 2] += side / 2 - w / 2
    m[1, 2] += side / 2 - h / 2
    square = cv2.warpAffine(rgb, m, (side, side), flags=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    return np.asarray(square, dtype=np.uint8), np.asarray(cv2.invertAffineTransform(m), dtype=np.float64)


def _mapped(box: Box, back: NDArray[np.float64], w: int, h: int) -> Box:
    """A box in the turned square, as the axis-aligned box around it in the picture (fractions,
    clipped to the picture)."""
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64)
    pts = corners @ back.T
    return (max(0.0, float(pts[:, 0].min()) / w), max(0.0, float(pts[:, 1].min()) / h),
            min(1.0, float(pts[:, 0].max()) / w), min(1.0, float(pts[:, 1].max()) / h))


def _centerface(square: RGB, threshold: float) -> list[tuple[Box, float, NDArray[np.float64]]]:
    """CenterFace on an RGB square (side a multiple of 32): face boxes in its pixels, their scores and
    five landmarks (eyes, nose, mouth corners), after non-maximum suppression, decoded as in the
    model's own demo."""
    blob = np.ascontiguousarray(square.transpose(2, 0, 1)[np.newaxis], dtype=np.float32)
    heat, scale, offset, marks = _CENTERFACE.run(blob, ["537", "538", "539", "540"])
    ys, xs = np.nonzero(heat[0, 0] > threshold)
    if not len(ys):
        return []
    hgt = np.exp(scale[0, 0, ys, xs].astype(np.float64)) * 4
    wid = np.exp(scale[0, 1, ys, xs].astype(np.float64)) * 4
    x0 = (xs + offset[0, 1, ys, xs] + 0.5) * 4 - wid / 2
    y0 = (ys + offset[0, 0, ys, xs] + 0.5) * 4 - hgt / 2
    boxes = np.stack([x0, y0, x0 + wid, y0 + hgt], axis=1)
    scores = heat[0, 0, ys, xs].astype(np.float64)
    points = np.stack([np.stack([marks[0, 2 * j + 1, ys, xs] * wid + x0, marks[0, 2 * j, ys, xs] * hgt + y0], axis=1)
                       for j in range(5)], axis=1)  # (n, 5, 2)
    return [((float(b[0]), float(b[1]), float(b[2]), float(b[3])), float(scores[i]), points[i])
            for i in _nms(boxes, scores, 0.3) for b in [boxes[i]]]


def _nms(boxes: NDArray[np.float64], scores: NDArray[np.float64], iou: float) -> list[int]:
    order = [int(i) for i in np.argsort(-scores)]
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep: list[int] = []
    while order:
        i, rest = order[0], np.array(order[1:], dtype=np.int64)
        keep.append(i)
        if not len(rest):
            break
        ix = np.clip(np.minimum(boxes[i, 2], boxes[rest, 2]) - np.maximum(boxes[i, 0], boxes[rest, 0]), 0, None)
        iy = np.clip(np.minimum(boxes[i, 3], boxes[rest, 3]) - np.maximum(boxes[i, 1], boxes[rest, 1]), 0, None)
        inter = ix * iy
        order = [int(j) for j, o in zip(rest, inter / (area[i] + area[rest] - inter), strict=True) if o < iou]
    return keep


# --- the second detector: BlazeFace (MediaPipe's full-range face detection model) ----------------------


def seen(rgb: RGB, threshold: float = CHECK_THRESHOLD, tiles: bool = True) -> tuple[tuple[Box, float], ...]:
    """The faces BlazeFace finds in the picture as it is, in each right-angle turn: whole, and with
    `tiles` in nine overlapping tiles of half its size too (a small face is a few pixels of the whole
    at 192 x 192)."""
    found: list[tuple[Box, float]] = []
    views = [(0.0, 0.0, 1.0)] + ([(gx / 4, gy / 4, 0.5) for gx in range(3) for gy in range(3)] if tiles else [])
    for quarter in range(4):
        turned = np.ascontiguousarray(np.rot90(rgb, quarter))
        th, tw = turned.shape[:2]
        for fx, fy, size in views:
            x0, y0 = round(fx * tw), round(fy * th)
            tile = turned[y0:y0 + round(size * th), x0:x0 + round(size * tw)]
            for (bx0, by0, bx1, by1), score in _blazeface(tile, threshold):
                # tile fractions -> turned picture fractions -> the upright picture's
                pts = [(fx + bx0 * size, fy + by0 * size), (fx + bx1 * size, fy + by1 * size)]
                for _ in range(quarter):  # undo one counter-clockwise quarter turn
                    pts = [(1 - y, x) for x, y in pts]
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                found.append(((max(0.0, min(xs)), max(0.0, min(ys)), min(1.0, max(xs)), min(1.0, max(ys))), score))
    return tuple(found)


@functools.cache
def _anchors() -> NDArray[np.float64]:
    """BlazeFace full range's SSD anchors: one per cell of a 48 x 48 grid (stride 4), as MediaPipe
    lays them out (`ssd_anchors_calculator`)."""
    n = CHECK_SIDE // 4
    centres = (np.arange(n) + 0.5) / n
    xs, ys = np.meshgrid(centres, centres)
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def _blazeface(rgb: RGB, threshold: float) -> list[tuple[Box, float]]:
    """BlazeFace on an RGB picture letterboxed into 192 x 192 (values in [-1, 1]): face boxes as
    fractions of the picture, with scores."""
    import cv2

    h, w = rgb.shape[:2]
    if h < 8 or w < 8:
        return []
    n = CHECK_SIDE
    k = n / max(h, w)
    small = cv2.resize(rgb, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    oy, ox = (n - sh) // 2, (n - sw) // 2
    square = np.zeros((n, n, 3), dtype=np.float32)
    square[oy:oy + sh, ox:ox + sw] = small
    blob = np.ascontiguousarray((square / 127.5 - 1).transpose(2, 0, 1)[np.newaxis], dtype=np.float32)
    outs = _BLAZEFACE.run(blob)
    by_size = sorted(outs, key=lambda o: o.size)
    logits, raw = by_size[0].reshape(-1), by_size[1].reshape(len(_anchors()), -1)
    scores = 1 / (1 + np.exp(-np.clip(logits.astype(np.float64), -80, 80)))
    out: list[tuple[Box, float]] = []
    anchors = _anchors()
    for i in np.nonzero(scores > threshold)[0]:
        cx, cy = raw[i, 0] / n + anchors[i, 0], raw[i, 1] / n + anchors[i, 1]
        bw, bh = raw[i, 2] / n, raw[i, 3] / n
        x0, y0 = ((cx - bw / 2) * n - ox) / sw, ((cy - bh / 2) * n - oy) / sh
        x1, y1 = ((cx + bw / 2) * n - ox) / sw, ((cy + bh / 2) * n - oy) / sh
        if x1 > x0 and y1 > y0:
            out.append(((float(x0), float(y0), float(x1), float(y1)), float(scores[i])))
    return out
