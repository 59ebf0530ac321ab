"""Cover crops that keep the message: faces and the sign stay whole, or the photo is shown whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from collage import build_plan, load
from collage.draw.compose import Composer
from collage.media import subjects
from collage.plan import layout

from .support.media import msg, small_manifest

pytestmark = pytest.mark.frames

DATA = Path(__file__).parent / "data"
HEAD = (150, 15, 300, 168)  # in astronaut.jpg (512x512), hair to chin
PAPER = (247, 243, 232)
INK = (28, 38, 78)


def held_sign_photo(path: Path, size: tuple[int, int] = (1600, 1200), person_at: tuple[int, int] = (100, 0),
                    scale: float = 1.5, sign_box: tuple[int, int, int, int] = (1000, 500, 1450, 800)
                    ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A photo of a real face with a written sign beside it; returns (head, sign) boxes as fractions."""
    w, h = size
    canvas = Image.new("RGB", size, (96, 110, 122))
    person = Image.open(DATA / "astronaut.jpg").convert("RGB")
    person = person.resize((round(512 * scale), round(512 * scale)), Image.Resampling.LANCZOS)
    canvas.paste(person, person_at)
    x0, y0, x1, y1 = sign_box
    d = ImageDraw.Draw(canvas)
    d.rectangle(sign_box, fill=PAPER)
    rows = 3
    for r in range(rows):  # writing: dark strokes on the sheet
        ty = y0 + (r + 1) * (y1 - y0) // (rows + 1)
        for k in range(6):
            sx = x0 + 30 + k * (x1 - x0 - 60) // 6
            d.line([(sx, ty - 18), (sx + 35, ty + 18)], fill=INK, width=9)
            d.line([(sx + 35, ty - 18), (sx, ty + 18)], fill=INK, width=9)
    canvas.save(path, quality=92)
    px, py = person_at
    head = ((px + HEAD[0] * scale) / w, (py + HEAD[1] * scale) / h, (px + HEAD[2] * scale) / w,
            (py + HEAD[3] * scale) / h)
    return head, (x0 / w, y0 / h, x1 / w, y1 / h)


def _inside(inner: tuple[float, ...], outer: tuple[float, ...], slack: float = 0.005) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack and inner[2] <= outer[2] + slack
            and inner[3] <= outer[3] + slack)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy / ((b[2] - b[0]) * (b[3] - b[1]))


def test_face_and_sign_are_found(tmp_path: Path) -> None:
    head, sign = held_sign_photo(tmp_path / "p.jpg")
    found = subjects.detect(tmp_path / "p.jpg")
    assert len(found.faces) == 1 and _overlaps(found.faces[0], head) > 0.6
    assert found.sign is not None and _inside(sign, found.sign) and _overlaps(found.sign, sign) > 0.8


def test_a_photo_without_a_sign_or_face_has_neither(tmp_path: Path) -> None:
    Image.new("RGB", (800, 600), (40, 90, 160)).save(tmp_path / "sky.jpg")
    assert subjects.detect(tmp_path / "sky.jpg") == subjects.Subjects()


def test_cover_crop_keeps_face_and_sign_whole_where_the_centre_would_cut(tmp_path: Path) -> None:
    head, sign = held_sign_photo(tmp_path / "p.jpg")
    found = subjects.detect(tmp_path / "p.jpg")
    crop = layout.cover_crop((1600, 1200), (1920, 1080), found.boxes)
    assert crop is not None and _inside(head, crop) and _inside(sign, crop)
    centre = layout.cover_crop((1600, 1200), (1920, 1080))
    assert centre is not None and not _inside(head, centre)  # the naive crop cuts the head off


def test_no_crop_of_the_shape_holds_both_so_the_photo_is_shown_whole(make_folder: Callable[..., Path]) -> None:
    def photo(path: Path) -> None:  # the head a little below the top: head and sign fit a 640x300 window
        held_sign_photo(path, person_at=(100, 60))

    folder = make_folder(small_manifest([msg("p", name="Eileen")], sequence=[{"photo": "p"}],
                                        video={"size": "vertical", "fps": 10, "output": "out/t.mp4", "fit": "cover"}),
                         {"p": photo})
    cell = build_plan(load(folder)).slides[0].cells[0]
    assert cell.fit == "blur" and cell.crop is None  # a 9:16 window cannot hold a face and a sign side by side


def test_the_rendered_cover_crop_shows_the_whole_sign(make_folder: Callable[..., Path]) -> None:
    def photo(path: Path) -> None:  # the head a little below the top: head and sign fit a 640x300 window
        held_sign_photo(path, person_at=(100, 60))

    folder = make_folder(small_manifest([msg("p", name="Eileen")], sequence=[{"photo": "p"}],
                                        video={"size": "640x360", "fps": 10, "output": "out/t.mp4", "fit": "cover"},
                                        style={"captions": "below"}), {"p": photo})
    project = load(folder)
    timeline = build_plan(project)
    cell = timeline.slides[0].cells[0]
    assert cell.fit == "cover" and cell.crop is not None
    frame = np.asarray(Composer(folder, timeline, project.theme).draw(timeline.slides[0]))
    # map the sign's corners through the crop into the frame: paper there, not cut by the frame's edge
    x0, y0, x1, y1 = cell.crop
    for fx, fy in ((1000 / 1600, 500 / 1200), (1450 / 1600, 800 / 1200)):
        px = cell.box.x + (fx - x0) / (x1 - x0) * cell.box.w
        py = cell.box.y + (fy - y0) / (y1 - y0) * cell.box.h
        assert 0 <= px < 640 and 0 <= py < cell.box.y + cell.box.h
    inner = frame[round(cell.box.y + (0.45 - y0) / (y1 - y0) * cell.box.h),
                  round(cell.box.x + (0.9 - x0) / (x1 - x0) * cell.box.w)]
    assert inner.mean() > 180  # the sheet itself


@pytest.mark.parametrize(("box", "keep", "expected"), [
    ((1600, 900), ((0.1, 0.0, 0.3, 0.3), (0.6, 0.5, 0.9, 0.7)), True),  # both fit in the full-width window
    ((900, 1600), ((0.1, 0.0, 0.3, 0.3), (0.6, 0.5, 0.9, 0.7)), False),  # side by side in a tall window: no
    ((900, 1600), ((0.4, 0.1, 0.6, 0.3),), True),
])
def test_cover_crop_geometry(box: tuple[int, int], keep: tuple[tuple[float, ...], ...], expected: bool) -> None:
    crop = layout.cover_crop((1600, 1200), box, keep)  # type: ignore[arg-type]
    assert (crop is not None) == expected
    if crop:
        assert all(_inside(k, crop) for k in keep)
        cw, ch = (crop[2] - crop[0]) * 1600, (crop[3] - crop[1]) * 1200
        assert abs(cw / ch - box[0] / box[1]) < 1e-6
        assert min(crop) >= 0 and max(crop) <= 1
