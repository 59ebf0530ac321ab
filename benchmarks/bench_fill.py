"""How much of the frame the photos themselves cover, and how tall their signs stand, on every grid slide
at every shape: measured on the frames as drawn.

    .venv/bin/python benchmarks/bench_fill.py [FOLDER ...]
        (default: the example, the 100-photo folder of bench_render.py, and a folder of mixed shapes; a
        folder whose manifest gives a grid COLSxROWS is measured again with its grids as `grid: auto`)

For each folder and shape (16:9, 9:16, 1:1, each laid out as a rendition of that shape is), every grid
slide is drawn by the video's own `Artist` with each photo replaced by a solid colour of its shape, and
the pixels of that colour are counted: the photos' own pixels (not their boxes, nor the blurred fill
around a photo in a box of another shape). Printed per folder and shape: the photo pixels as a share of
the frame (min and median over the grid slides), the boxes' share (for comparison), the widest blurred
band (the share of a box its photo leaves to the fill), the smallest sign (its height as detected, the
whole photo where none is found, times the photo's drawn height, as a share of the frame height), the
smallest caption type (share of the frame height, as fitted) and the captions cut short. Targets (issue
20): photo pixels >= 50 % median and >= 40 % on every slide, bands <= 15 %, signs >= 10 %, captions >= 3.5 %.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from collage import manifest, pipeline
from collage.draw import compose
from collage.media import photos, remembered
from collage.model.project import GridItem, Project
from collage.model.timeline import Cell, Timeline
from collage.outputs import targets
from collage.plan import layout

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
EXAMPLE = ROOT / "examples" / "lawyers-day"
SHAPES = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}
KEY = (255, 0, 255)  # the colour every photo is drawn in (its blurred fill comes out darker)


@contextmanager
def solid_photos() -> Iterator[None]:
    """Every photo the Artist loads is a solid KEY of the photo's upright shape (at the size the real
    decode would give at least), and nothing is covered: what is counted is where the photo is drawn."""
    real_load, real_covered = photos.load, compose.covered

    def load(path: Path, fit: tuple[int, int], background: tuple[int, int, int], cover: bool = False) -> Image.Image:
        info = photos.probe(path)
        w, h = info.width, info.height
        scale = min(1.0, max(fit[0] / w, fit[1] / h) if cover else min(fit[0] / w, fit[1] / h))
        return Image.new("RGB", (max(1, round(w * scale)), max(1, round(h * scale))), KEY)

    photos.load = load
    compose.covered = lambda photo, areas: photo
    try:
        yield
    finally:
        photos.load = real_load
        compose.covered = real_covered


def photo_mask(frame: np.ndarray) -> np.ndarray:
    """Where the frame shows a photo's own pixels (KEY, within a level or two of resampling)."""
    mask: np.ndarray = np.all(np.abs(frame.astype(np.int16) - np.array(KEY, dtype=np.int16)) <= 3, axis=2)
    return mask


@dataclass
class Row:
    folder: str
    shape: str
    slides: int
    photos: list[float]  # photo pixels / frame, per grid slide
    boxes: list[float]  # boxes / frame, per grid slide
    band: float  # the widest blurred band: 1 - photo pixels / box, over every cell
    sign: float  # the smallest sign, as a share of the frame height
    caption: float  # the smallest caption type as fitted, as a share of the frame height
    cut: int  # captions cut short with an ellipsis


def measure_timeline(project: Project, timeline: Timeline, signs: dict[str, float], label: str) -> Row:
    size = (timeline.width, timeline.height)
    artist = compose.Artist(project.folder, size, project.theme, project.manifest.name)
    shares, boxes, bands, sign_shares, captions, cut = [], [], [0.0], [], [], 0
    with solid_photos():
        for slide in timeline.slides:
            if slide.kind != "grid":
                continue
            frame = np.asarray(artist.draw(slide, 0.0), dtype=np.uint8)
            mask = photo_mask(frame)
            shares.append(float(mask.mean()))
            boxes.append(sum(c.box.w * c.box.h for c in slide.cells) / (size[0] * size[1]))
            for c in slide.cells:
                inside = mask[c.box.y:c.box.y + c.box.h, c.box.x:c.box.x + c.box.w]
                bands.append(1 - float(inside.mean()))
                sign_shares.append(_drawn_height(c, inside, project) * signs[c.message] / size[1])
                if c.caption and c.caption_box:
                    blocks = compose.caption_blocks(c, size[1], project.theme.caption_weight)
                    captions.append(min(b.style.px for b in blocks) / size[1])
                    cut += any(b.truncated for b in blocks)
    return Row(project.folder.name, label, len(shares), shares, boxes, max(bands), min(sign_shares, default=1.0),
               min(captions, default=1.0), cut)


def _drawn_height(cell: Cell, inside: np.ndarray, project: Project) -> float:
    """How tall the whole photo is on screen: its drawn rows (a cover crop: the photo's height at the
    box's width)."""
    if cell.fit == "cover" and cell.crop is not None:
        info = photos.probe(project.folder / cell.photo)
        return layout.shown_height(cell.box, info.width / info.height, cover=True)
    rows = np.flatnonzero(inside.any(axis=1))
    return float(rows[-1] - rows[0] + 1) if rows.size else 0.0


def measure(folder: Path, auto: bool = False) -> list[Row]:
    """Every shape of `folder` (`auto`: its grids as `grid: auto`, whatever COLSxROWS its manifest gives)."""
    project = manifest.load(folder)
    if auto:
        project = replace(project, sequence=tuple(replace(item, layout=None) if isinstance(item, GridItem) else item
                                                  for item in project.sequence))
    found = remembered.found(targets.memo_folder(project))
    signs = {}
    for m in project.messages:
        sign = found.sign(folder / m.photo)
        signs[m.id] = 1.0 if sign is None else sign[3] - sign[1]
    found.save()
    rows = []
    for label, size in SHAPES.items():
        named = [r.name for r in project.renditions if r.size == size]
        if size == project.size:
            shaped = project
        elif named:
            shaped = project.shaped(named[0])
        else:  # laid out as a rendition of this shape would be
            shaped = replace(project, size=size, rendition=label, renditions=(), main_size=project.size)
        timeline = pipeline.timeline(shaped, memo=targets.memo_folder(project))
        rows.append(measure_timeline(shaped, timeline, signs, label))
        if auto:
            rows[-1].folder += " auto"
    return rows


# Portraits, landscapes and squares, as phones (3:4, 4:3) and cameras (2:3, 3:2) take them, in no pattern.
MIXED_SHAPES = [(3, 4), (4, 3), (1, 1), (4, 3), (3, 4), (3, 4), (2, 3), (1, 1), (3, 2), (4, 3), (1, 1), (3, 4)]


def make_mixed(count: int = 24) -> Path:
    """A folder of `count` photos of mixed shapes (portrait, landscape and square), cut from
    the example's photos (so each has its sign), with the example's names, professions and places."""
    folder = CACHE / f"mixed-{count}"
    example = manifest.load(EXAMPLE)
    people = list(example.messages)
    lines = ["title: Mixed", "video: {size: 1080p, fps: 30, output: out/mixed.mp4}", "sequence:",
             "  - grid: auto", "    messages: all", "messages:"]
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    for i in range(count):
        person = people[i % len(people)]
        aw, ah = MIXED_SHAPES[i % len(MIXED_SHAPES)]
        target = folder / "photos" / f"m{i:03d}.jpg"
        if not target.exists():
            src = photos.load(EXAMPLE / person.photo, (1600, 1600), (0, 0, 0))
            scale = min(src.width / aw, src.height / ah)
            cw, ch = round(aw * scale), round(ah * scale)
            left, top = (src.width - cw) // 2, (src.height - ch) // 2
            src.crop((left, top, left + cw, top + ch)).save(target, quality=90)
        fields = [f"  - id: m{i:03d}", f"    photo: photos/m{i:03d}.jpg", "    approved: true"]
        for key in ("name", "profession", "location"):
            value = getattr(person, key)
            if value:
                fields.append(f"    {key}: \"{value}\"")
        lines += fields
    (folder / "collage.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def report(rows: list[Row]) -> None:
    print(f"{'folder':<19} {'shape':<5} {'slides':>6}  {'photo px min':>12} {'median':>7}  {'boxes min':>9} "
          f"{'median':>7}  {'band max':>8}  {'sign min':>8}  {'caption min':>11}  {'cut':>3}")
    for r in rows:
        print(f"{r.folder:<19} {r.shape:<5} {r.slides:>6}  {min(r.photos):>12.1%} {statistics.median(r.photos):>7.1%}  "
              f"{min(r.boxes):>9.1%} {statistics.median(r.boxes):>7.1%}  {r.band:>8.1%}  {r.sign:>8.1%}  "
              f"{r.caption:>11.2%}  {r.cut:>3}")


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [EXAMPLE, CACHE / "photos-100", make_mixed()]
    rows = []
    for folder in folders:
        if (folder / "collage.yaml").exists():
            rows += measure(folder)
            if any(isinstance(item, GridItem) and item.layout for item in manifest.load(folder).sequence):
                rows += measure(folder, auto=True)
        else:
            print(f"{folder}: no collage.yaml (run benchmarks/bench_render.py once to make it)")
    report(rows)


if __name__ == "__main__":
    main()
