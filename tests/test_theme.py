"""Themes, style overrides, caption templates and placement, and caption contrast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from collage import build_plan, load
from collage.draw.compose import Composer
from collage.errors import InputError
from collage.manifest import themes
from collage.model import theme
from collage.model.project import Message
from collage.plan import caption_text

from .support.media import BLUE, RED, WHITE, msg, small_manifest

pytestmark = pytest.mark.frames


@pytest.mark.parametrize("name", themes.builtin_names())
def test_builtin_themes_read_at_4_5_to_1(name: str) -> None:
    t, _ = themes.load(name)
    assert theme.readable(t) == t  # shipped as they are: nothing needed fixing
    assert theme.contrast(t.caption, t.background) >= 4.5
    assert theme.band_contrast(t.caption, t.caption_band) >= 4.5
    for colour in (t.title, t.subtitle, t.body):
        assert theme.contrast(colour, t.background) >= 4.5


def test_both_themes_ship() -> None:
    assert {"calm", "light"} <= set(themes.builtin_names())
    assert themes.load("calm")[0] == theme.DEFAULT  # the file and the code's default agree


def test_unreadable_choices_are_made_readable() -> None:
    t = theme.with_values(theme.DEFAULT, {"caption_colour": "#20252e", "caption_band": "#ffffff10"})
    fixed = theme.readable(t)
    assert theme.contrast(fixed.caption, fixed.background) >= 4.5
    assert theme.band_contrast(fixed.caption, fixed.caption_band) >= 4.5


def test_contrast_matches_wcag() -> None:
    assert theme.contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert theme.contrast((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)


def _m(**fields: str) -> Message:
    return Message(id="x", photo="p.jpg", **fields)  # type: ignore[arg-type]


def test_caption_template_drops_missing_parts_with_their_separators() -> None:
    full = _m(name="Alice", profession="Teacher", location="Taipei")
    assert caption_text(full) == "Alice · Teacher · Taipei"
    assert caption_text(_m(name="Alice", location="Taipei")) == "Alice · Taipei"
    assert caption_text(_m(profession="Teacher", location="Taipei")) == "Teacher · Taipei"
    assert caption_text(_m(name="Alice")) == "Alice"
    assert caption_text(_m()) is None
    assert caption_text(full, "{name}, {location}") == "Alice, Taipei"
    assert caption_text(_m(location="Oslo"), "{name}, {location}") == "Oslo"
    assert caption_text(_m(name="A", text="We stand with you"), "{name}: {message}") == "A: We stand with you"


def test_style_picks_a_theme_and_overrides_values(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red", name="A")], style={
        "theme": "light", "caption": "{name}", "title_colour": "#102030", "captions": "over"}), {"red": RED})
    project = load(folder)
    assert project.theme.name == "light" and project.theme.title == (16, 32, 48)
    assert project.theme.background == themes.load("light")[0].background
    assert project.caption_template == "{name}" and project.theme.caption_position == "over"


@pytest.mark.parametrize(("style", "expected"), [
    ({"theme": "neon"}, "style.theme: no theme 'neon'"),
    ({"caption_colr": "#fff"}, "style.caption_colr: unknown key 'caption_colr' (did you mean 'caption_colour'?)"),
    ({"background": "blue-ish"}, "style.background: 'blue-ish' is not a colour"),
    ({"caption": "{name} · {town}"}, "style.caption: unknown field '{town}' in the caption"),
    ({"caption_size": 0.02}, "style.caption_size: captions must stay legible"),
    ({"captions": "beside"}, "style.captions: auto, below or over"),
])
def test_bad_style_is_a_clear_error(make_folder: Callable[..., Path], style: dict[str, object],
                                    expected: str) -> None:
    folder = make_folder(small_manifest([msg("red")], style=style), {"red": RED})
    with pytest.raises(InputError) as info:
        load(folder)
    text = str(info.value)
    assert expected in text and "collage.yaml:" in text


def test_captions_over_grid_photos_and_below_a_full_screen_one(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red", name="Alice"), msg("blue", name="Bo")],
                                        video={"size": "640x360", "fps": 10, "output": "out/t.mp4"},
                                        style={"captions": "over"}), {"red": RED, "blue": BLUE})
    grid = build_plan(load(folder)).slides[1]
    for cell in grid.cells:
        assert cell.caption_over and cell.caption_box is not None
        box, cap = cell.box, cell.caption_box
        assert box.y < cap.y and cap.y + cap.h == box.y + box.h  # on the photo's lower edge
    folder2 = make_folder(small_manifest([msg("red", name="Alice")], sequence=[{"photo": "red"}],
                                         video={"size": "640x360", "fps": 10, "output": "out/t.mp4"},
                                         style={"captions": "below"}), {"red": RED}, name="below")
    cell = build_plan(load(folder2)).slides[0].cells[0]
    assert not cell.caption_over and cell.caption_box is not None
    assert cell.box.y + cell.box.h <= cell.caption_box.y  # the photo stops above its caption


def test_light_theme_frames_and_caption_band(make_folder: Callable[..., Path]) -> None:
    """The light theme's paper background shows around a grid, and a caption over a white photo sits on
    a band that keeps it readable."""
    folder = make_folder(small_manifest([msg("white", name="Alice Chen"), msg("red", name="Bo")],
                                        video={"size": "640x360", "fps": 10, "output": "out/t.mp4", "fit": "contain"},
                                        style={"theme": "light", "captions": "over"}),
                         {"white": WHITE, "red": RED})
    project = load(folder)
    timeline = build_plan(project)
    slide = timeline.slides[1]
    frame = np.asarray(Composer(folder, timeline, project.theme).draw(slide))
    assert tuple(frame[3, 3]) == project.theme.background  # the margin is the theme's paper
    cell = next(c for c in slide.cells if c.message == "white")
    assert cell.caption_box is not None
    cap = cell.caption_box
    band = frame[cap.y:cap.y + cap.h, cap.x:cap.x + cap.w].reshape(-1, 3).astype(float)
    ink = band[band.sum(axis=1) < 200]  # the dark caption text
    assert len(ink) > 30
    light = band[band.sum(axis=1) > 600]
    assert theme.contrast(tuple(int(v) for v in np.median(ink, axis=0)),
                          tuple(int(v) for v in np.median(light, axis=0))) >= 4.5


def test_a_theme_file_of_ones_own_with_a_background_image(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red", name="A")], style={"theme": "themes/mine.yaml"},
                                        video={"size": "320x180", "fps": 10, "output": "out/t.mp4"}), {"red": RED})
    (folder / "themes").mkdir()
    Image.new("RGB", (64, 36), (90, 20, 110)).save(folder / "themes" / "paper.png")
    (folder / "themes" / "mine.yaml").write_text("background_image: paper.png\ntitle_colour: '#ffffff'\n")
    project = load(folder)
    assert project.theme.name == "mine" and project.theme.background_image == str(folder / "themes" / "paper.png")
    timeline = build_plan(project)
    frame = np.asarray(Composer(folder, timeline, project.theme).draw(timeline.slides[0]))
    assert np.abs(frame[2, 2].astype(int) - (90, 20, 110)).max() <= 3  # the image fills the background
