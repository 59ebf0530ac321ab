"""Grid slides as drawn (issue 20): the photos' own pixels fill the frame, and captions are set like a
magazine's, as the plan left them room.

Each photo is a solid colour of its shape, so on the drawn frame its own pixels are exactly the pixels of
its colour (its blurred fill is darker). Captions are checked as fitted (`caption_blocks`, the lines the
frame draws) and as drawn (their pixels inside their boxes)."""

from __future__ import annotations

import itertools
import statistics
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from collage import build_plan, load
from collage.draw import text
from collage.draw.captions import Headed
from collage.draw.compose import Artist, caption_blocks
from collage.model.timeline import Cell, Slide
from collage.plan import captions, layout

from .support.media import BLUE, CYAN, GREEN, ORANGE, RED, YELLOW, msg, small_manifest, write_folder

pytestmark = pytest.mark.frames

COLOURS = [RED, GREEN, BLUE, YELLOW, CYAN, ORANGE]
SHAPES = [(4, 3), (3, 4), (1, 1), (4, 3), (3, 4), (3, 4), (2, 3), (1, 1), (3, 2), (4, 3), (16, 9), (3, 4)]
PEOPLE: list[dict[str, Any]] = [
    {"name": "陳大文", "profession": "律師", "location": "香港"},
    {"name": "Amina Yusuf", "profession": "Human-rights lawyer", "location": "Nairobi, Kenya",
     "translation": "法治属于每一个人"},
    {"name": "王芳", "profession": "记者", "location": "中华人民共和国"},
    {"name": "Bo"},
    {"name": "فاطمة السيد", "profession": "محامية", "location": "Berlin", "translation": "来自柏林的声援"},
    {"name": "Søren Ødegård", "profession": "Student", "location": "Oslo, NO"},
    {"name": "José Núñez", "profession": "Abogado", "location": "Bogotá, Colombia", "translation": "释放律师！"},
    {"profession": "Engineer", "location": "Vancouver, Canada"},
    {"name": "Maria-Magdalena Konstantinopoulou", "profession": "Defence lawyer", "location": "Thessaloniki"},
]


def _solid(colour: tuple[int, int, int], size: tuple[int, int]) -> Any:
    def write(path: Path) -> None:
        Image.new("RGB", size, colour).save(path, quality=95)
    return write


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve photos of mixed shapes, each a colour of its own among its neighbours, with the captions of
    many scripts (and translations shown), rendered 16:9 with vertical and square renditions."""
    return _folder(tmp_path_factory, "below")


@pytest.fixture(scope="module")
def over_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same, with the theme's captions over the photos' lower edges."""
    return _folder(tmp_path_factory, "over")


def _folder(tmp_path_factory: pytest.TempPathFactory, position: str) -> Path:
    messages, photos = [], {}
    for i, (aw, ah) in enumerate(SHAPES):
        ident = f"p{i:02d}"
        messages.append(msg(ident, **PEOPLE[i % len(PEOPLE)]))
        photos[ident] = _solid(COLOURS[i % len(COLOURS)], (aw * 600, ah * 600))  # (never enlarged past 2x)
    manifest = small_manifest(messages, sequence=[{"grid": "auto", "messages": "all"}],
                              style={"translations": "show", "captions": position})
    manifest["video"] = {"size": "1080p", "fps": 10, "output": "out/t.mp4", "renditions": ["vertical", "square"]}
    return write_folder(tmp_path_factory.mktemp("grid") / "f", manifest, photos)


def _grid_slides(folder: Path, rendition: str | None) -> tuple[Any, list[Slide]]:
    project = load(folder).shaped(rendition)
    timeline = build_plan(project)
    return project, [s for s in timeline.slides if s.kind == "grid"]


def _own_pixels(frame: np.ndarray, cell: Cell, colour: tuple[int, int, int]) -> np.ndarray:
    """Where the frame shows the cell's photo itself (its colour, within a level or two)."""
    return np.all(np.abs(frame.astype(np.int16) - np.array(colour, dtype=np.int16)) <= 3, axis=2)


@pytest.mark.parametrize("rendition", [None, "vertical", "square"])
def test_the_photos_themselves_fill_each_grid_slide(folder: Path, rendition: str | None) -> None:
    """Counted on the drawn frame: each grid slide's photos (their own pixels, not their boxes) cover at
    least 40 % of the frame and half of it on the median slide; each photo fills its box but for a band
    of at most 15 % of it."""
    project, slides = _grid_slides(folder, rendition)
    size = (project.size[0], project.size[1])
    artist = Artist(folder, size, project.theme, project.manifest.name)
    colour_of = {f"p{i:02d}": COLOURS[i % len(COLOURS)] for i in range(len(SHAPES))}
    shares = []
    for slide in slides:
        frame = np.asarray(artist.draw(slide), dtype=np.uint8)
        covered = 0
        for cell in slide.cells:
            mine = _own_pixels(frame, cell, colour_of[cell.message])
            box = mine[cell.box.y:cell.box.y + cell.box.h, cell.box.x:cell.box.x + cell.box.w]
            assert box.mean() >= 0.85, (rendition, slide.index, cell.message, f"{box.mean():.1%} of its box")
            covered += int(box.sum())
        shares.append(covered / (size[0] * size[1]))
        if shares[-1] < 0.40:  # only where no cut of these photos into smaller slides shows each on 40 %
            assert not _better_cut(slide, project), (rendition, slide.index, slide.messages, f"{shares[-1]:.1%}")
    assert statistics.median(shares) >= 0.50, (rendition, [f"{s:.1%}" for s in shares])


def _better_cut(slide: Slide, project: Any) -> bool:
    aspects = [SHAPES[int(c.message[1:])][0] / SHAPES[int(c.message[1:])][1] for c in slide.cells]
    texts = [layout.Text(captions.Caption(c.caption or "", c.caption_head), c.translation) for c in slide.cells]
    n = len(aspects)
    for mask in range(1, 1 << (n - 1)):
        bounds = [0, *(i for i in range(1, n) if mask >> (i - 1) & 1), n]
        pages = [layout.best_page(aspects[a:b], *project.size, texts=texts[a:b]) for a, b in itertools.pairwise(bounds)]
        if all(p is not None and p.share >= 0.40 for p in pages):
            return True
    return False


def _words(line: str) -> list[str]:
    return captions.words(line.removesuffix(text.ELLIPSIS))


@pytest.mark.parametrize("over", [False, True])
@pytest.mark.parametrize("rendition", [None, "vertical", "square"])
def test_captions_are_set_like_a_magazine_and_as_the_plan_left_them_room(folder: Path, over_folder: Path,
                                                                         rendition: str | None, over: bool) -> None:
    """The name first and bold, the details after it (on its line where both fit, else on lines of
    their own), never a word split: each line drawn is whole words of the caption, in order. None is cut
    short where the plan's estimate gave it room, and none is drawn outside its box (below the photo, or
    over its lower edge)."""
    project, slides = _grid_slides(over_folder if over else folder, rendition)
    theme = project.theme
    height = project.size[1]
    for slide in slides:
        for cell in slide.cells:
            assert cell.caption and cell.caption_box
            blocks = caption_blocks(cell, height, theme.caption_weight, theme.fonts, theme.caption_name_weight)
            shown = blocks[:-1] if cell.translation else blocks
            lines = [line for b in shown for line in b.lines]
            cut = any(b.truncated for b in shown)
            drawn = [w for line in lines for w in _words(line)]
            caption_words = captions.words(cell.caption)
            if cut:  # only a word wider than the line is cut, and what is drawn is the caption's start
                assert drawn[:-1] == caption_words[:len(drawn) - 1]
                assert caption_words[len(drawn) - 1].startswith(drawn[-1])
            else:
                assert drawn == caption_words, (cell.caption, lines)
            if cell.caption_head and not cut:  # the name's lines first: the name, whole
                name = cell.caption[:cell.caption_head]
                assert (lines[0].startswith(name) if isinstance(shown[0], Headed) else
                        " ".join(shown[0].lines) == name), (name, lines)
            if cell.caption_head:  # the name bold: on a line of its own, or starting the details' line
                first = shown[0].strong if isinstance(shown[0], Headed) else shown[0].style
                assert first is not None and first.weight == "bold"
                assert all(b.style.weight == "regular" for b in shown[1:]) and shown[0].style.weight == (
                    "regular" if isinstance(shown[0], Headed) else "bold")
            room = cell.caption_box.w - (2 * round(cell.caption_px * 0.7) if cell.caption_over else 0)
            need = layout.need(layout.Text(captions.Caption(cell.caption, cell.caption_head)), room,
                               cell.caption_px, layout.Captions(strong=theme.caption_name_weight == "bold"))
            if need.fits:
                assert not cut, (cell.caption, cell.caption_box, lines)
                assert len(lines) <= need.lines, (cell.caption, lines, need)
            assert len(lines) + (1 if cell.translation else 0) <= cell.caption_lines
            _assert_drawn_inside(cell, project, height)


def _assert_drawn_inside(cell: Cell, project: Any, height: int) -> None:
    """The caption's pixels, drawn alone on black, all inside its box (a pixel of antialiasing aside)."""
    assert cell.caption_box is not None
    size = (project.size[0], height)
    canvas = Image.new("RGB", size, (0, 0, 0))
    Artist(project.folder, size, project.theme, project.manifest.name)._caption(canvas, cell)
    ink = np.asarray(canvas).max(axis=2) > 40
    ys, xs = np.nonzero(ink)
    assert ys.size, cell.caption
    box = cell.caption_box
    assert box.x - 1 <= xs.min() and xs.max() <= box.x + box.w, (cell.caption, box, xs.min(), xs.max())
    assert box.y - 1 <= ys.min() and ys.max() <= box.y + box.h, (cell.caption, box, ys.min(), ys.max())


def test_a_long_place_name_in_chinese_is_never_broken_inside() -> None:
    """"中华人民共和国" stays whole on its line: the details break at their separator, not mid-word; and a
    name wider than the line by itself is cut short with an ellipsis, not broken."""
    style = text.TextStyle(38)
    lines = captions.break_words("记者 · 中华人民共和国", 300, style.width)
    assert lines.lines == ("记者", "中华人民共和国") and not lines.cut
    narrow = captions.break_words("中华人民共和国", 150, style.width)
    assert len(narrow.lines) == 1 and narrow.cut and narrow.lines[0].endswith(text.ELLIPSIS)
    assert captions.break_words("Human-rights lawyer · Nairobi, Kenya", 420, style.width).lines == (
        "Human-rights lawyer", "Nairobi, Kenya")


def test_the_theme_chooses_the_names_weight(folder: Path) -> None:
    """`caption_name_weight: regular` sets the name as the details are (and a manifest may say so)."""
    from collage.model import theme

    project, slides = _grid_slides(folder, None)
    cell = next(c for s in slides for c in s.cells if c.caption_head)
    plain = caption_blocks(cell, project.size[1], "regular", (), "regular")
    assert all(b.style.weight == "regular" and (not isinstance(b, Headed) or b.strong is None
                                                or b.strong.weight == "regular") for b in plain)
    assert theme.with_values(theme.DEFAULT, {"caption_name_weight": "regular"}).caption_name_weight == "regular"
    with pytest.raises(theme.ThemeError, match="regular or bold"):
        theme.with_values(theme.DEFAULT, {"caption_name_weight": "heavy"})
