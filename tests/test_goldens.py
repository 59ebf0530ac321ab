"""Frame goldens: slides drawn and compared with stored PNGs (tests/goldens/) within a tolerance.

After an intended change to how slides look, regenerate with `pytest tests/test_goldens.py
--update-goldens`, look at the new PNGs, and commit them. A failure writes the frame and a diff image
beside pytest's temporary folder and names them.

The tolerance is fixed here, not taken from the goldens. A slide is drawn by Pillow and numpy from photos
written in code, with the fonts in the package: on one set of pinned wheels the frame is the golden to
the byte. What may differ elsewhere is rounding (another build of the JPEG decoder or of Pillow's
resampling: a level or two on a channel) and the odd anti-aliased glyph edge. What must not pass is a
change a viewer could see: a caption moved, a colour changed, a photo missing (each tried below, on the
real drawing, against the stored goldens).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from collage import build_plan, load
from collage.draw.compose import Composer
from collage.model.timeline import Rect, Slide

from .support.media import BLUE, CYAN, GREEN, ORANGE, RED, YELLOW, msg, small_manifest, write_folder

pytestmark = pytest.mark.frames

GOLDENS = Path(__file__).parent / "goldens"
# A pixel differs when a channel is off by more than this (0-255): rounding between builds of the decoder
# and of the resampling is a level or two; a flat colour changed by much less than 8 is hard to see.
PIXEL_LEVELS = 6
# At most this share of the pixels may differ: 0.1% (130 pixels of a 480x270 frame), a few glyph edges
# anti-aliased differently. A caption moved by 10 px makes at least 0.2% differ, a photo changed by 12
# levels on one channel at least 3%, a missing photo at least 9% (see test_a_changed_frame_fails).
MAX_DIFFERING = 0.001
# And the mean absolute difference per channel over the frame may be at most this: a level of rounding
# everywhere passes, a tint of two levels over the whole frame (below PIXEL_LEVELS at every pixel) does not.
MAX_MEAN = 1.0


def _photo(colour: tuple[int, int, int], size: tuple[int, int]) -> Callable[[Path], None]:
    """A photo of one colour with a white 'sign' in the middle and a dark band at the top, so that
    shape, orientation and crop are all visible in the golden."""
    def write(path: Path) -> None:
        w, h = size
        im = Image.new("RGB", size, colour)
        im.paste((245, 242, 232), (w // 4, h // 3, 3 * w // 4, 2 * h // 3))
        im.paste((20, 20, 30), (0, 0, w, h // 10))
        im.save(path, quality=95)
    return write


CASES: dict[str, dict[str, Any]] = {
    "title_card": {
        "manifest": {"sequence": [{"title": "Messages to Human Rights Lawyers in China",
                                   "subtitle": "致中国人权律师的话",
                                   "body": "China Human Rights Lawyers Day · July 9"},
                                  {"grid": "2x2", "messages": "all"}]},  # a video shows a message
        "photos": {"red": ((4, 3), {"name": "Alice Chen"})},
        "slide": 0,
    },
    "grid_2x2": {
        "manifest": {"sequence": [{"grid": "2x2", "messages": "all"}]},
        "photos": {"red": ((4, 3), {"name": "Alice Chen", "profession": "Teacher", "location": "Taipei"}),
                   "green": ((4, 3), {"name": "Bo"}), "blue": ((3, 4), {"name": "Carla", "location": "Lima"}),
                   "yellow": ((4, 3), {"name": "Dan"})},
        "slide": 0,
    },
    "auto_mixed_shapes": {
        "manifest": {"sequence": [{"grid": "auto", "messages": "all"}]},
        "photos": {"red": ((3, 4), {"name": "Amina Yusuf"}), "green": ((16, 9), {"name": "Bo"}),
                   "blue": ((4, 3), {"name": "Carla"}), "orange": ((3, 4), {"name": "Dan"})},
        "slide": 0,
    },
    "vertical": {
        "manifest": {"video": {"size": "270x480"}, "sequence": [{"grid": "auto", "messages": "all"}]},
        "photos": {"red": ((4, 3), {"name": "Alice"}), "cyan": ((3, 4), {"name": "Bo"})},
        "slide": 0,
    },
    "square": {
        "manifest": {"video": {"size": "360x360"}, "sequence": [{"grid": "auto", "messages": "all"}]},
        "photos": {"red": ((4, 3), {"name": "Alice"}), "green": ((4, 3), {"name": "Bo"}),
                   "blue": ((3, 4), {"name": "Carla"})},
        "slide": 0,
    },
    "captions_cjk_arabic_emoji": {
        "manifest": {"sequence": [{"grid": "3x1", "messages": "all"}]},
        "photos": {"red": ((4, 3), {"name": "王芳", "profession": "记者", "location": "纽约"}),
                   "green": ((4, 3), {"name": "ئابدۇللا", "location": "ئۈرۈمچی"}),
                   "blue": ((4, 3), {"name": "Zoë 🕊️", "location": "Zürich 🇨🇭"})},
        "slide": 0,
    },
    "full_screen_light": {
        "manifest": {"style": {"theme": "light"}, "sequence": [{"photo": "cyan"}]},
        "photos": {"cyan": ((3, 4), {"name": "陳大文", "profession": "律師", "location": "香港"})},
        "slide": 0,
    },
}
COLOURS = {"red": RED, "green": GREEN, "blue": BLUE, "yellow": YELLOW, "orange": ORANGE, "cyan": CYAN}


COLOURS = {"red": RED, "green": GREEN, "blue": BLUE, "yellow": YELLOW, "orange": ORANGE, "cyan": CYAN}


def _draw(name: str, root: Path, colours: dict[str, tuple[int, int, int]] = COLOURS,
          edit: Callable[[Slide], Slide] | None = None) -> np.ndarray:
    """The case's slide as the composer draws it (`edit` changes the planned slide first)."""
    case = CASES[name]
    messages, photos = [], {}
    for ident, ((aw, ah), fields) in case["photos"].items():
        messages.append(msg(ident, **fields))
        photos[ident] = _photo(colours[ident], (aw * 120, ah * 120))
    manifest = small_manifest(messages, **case["manifest"])
    manifest["video"] = {"size": "480x270", "fps": 10, "output": "out/t.mp4", **case["manifest"].get("video", {})}
    folder = write_folder(root / name, manifest, photos)
    project = load(folder)
    timeline = build_plan(project)
    slide = timeline.slides[case["slide"]]
    return np.asarray(Composer(folder, timeline, project.theme).draw(edit(slide) if edit else slide))


def _difference(frame: np.ndarray, expected: np.ndarray) -> str | None:
    """None if `frame` matches `expected` within the tolerance; otherwise how it differs."""
    if frame.shape != expected.shape:
        return f"size {frame.shape} != golden {expected.shape}"
    diff = np.abs(frame.astype(np.int16) - expected.astype(np.int16))
    mean, differing = float(diff.mean()), float((diff.max(axis=2) > PIXEL_LEVELS).mean())
    if mean > MAX_MEAN or differing > MAX_DIFFERING:
        return (f"{differing:.2%} of pixels differ by more than {PIXEL_LEVELS} levels (at most "
                f"{MAX_DIFFERING:.2%}), mean difference {mean:.2f} (at most {MAX_MEAN})")
    return None


def _golden(name: str) -> np.ndarray:
    return np.asarray(Image.open(GOLDENS / f"{name}.png").convert("RGB"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_frame_golden(name: str, update_goldens: bool, tmp_path: Path) -> None:
    frame = _draw(name, tmp_path)
    golden = GOLDENS / f"{name}.png"
    if update_goldens or not golden.exists():
        GOLDENS.mkdir(exist_ok=True)
        Image.fromarray(frame).save(golden, optimize=True)
        if not update_goldens:
            pytest.fail(f"wrote missing golden {golden.name}; look at it and run again")
        return
    expected = _golden(name)
    problem = _difference(frame, expected)
    if problem is not None:
        Image.fromarray(frame).save(tmp_path / f"{name}.png")
        if frame.shape == expected.shape:
            diff = np.abs(frame.astype(np.int16) - expected.astype(np.int16))
            Image.fromarray(np.clip(diff * 4, 0, 255).astype(np.uint8)).save(tmp_path / f"{name}-diff.png")
        pytest.fail(f"{name}: differs from its golden: {problem}; see {tmp_path / name}.png and -diff.png, "
                    "or regenerate with --update-goldens")


def _caption_moved(slide: Slide) -> Slide:
    """The first caption drawn 10 px lower."""
    k = next(k for k, c in enumerate(slide.cells) if c.caption and c.caption_box)
    box = slide.cells[k].caption_box
    assert box is not None
    cells = list(slide.cells)
    cells[k] = dataclasses.replace(cells[k], caption_box=Rect(box.x, box.y + 10, box.w, box.h))
    return dataclasses.replace(slide, cells=tuple(cells))


def _photo_missing(slide: Slide) -> Slide:
    return dataclasses.replace(slide, cells=slide.cells[1:])


def _slightly(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """12 levels more green: a shade a viewer may not name, but a different photo."""
    return colour[0], min(255, colour[1] + 12), colour[2]


CHANGES: dict[str, dict[str, Any]] = {
    "a caption moved 10 px": {"edit": _caption_moved},
    "a photo missing": {"edit": _photo_missing},
    "a photo's colour changed slightly": {"colours": "first"},
}


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("name", sorted(n for n in CASES if n != "title_card"))  # the title card shows no photo
def test_a_changed_frame_fails(name: str, change: str, tmp_path: Path) -> None:
    """The comparison the goldens use is not blind: each change to the real drawing fails it."""
    how = CHANGES[change]
    colours = COLOURS
    if how.get("colours") == "first":
        first = next(iter(CASES[name]["photos"]))
        colours = {**COLOURS, first: _slightly(COLOURS[first])}
    frame = _draw(name, tmp_path, colours, how.get("edit"))
    assert _difference(frame, _golden(name)) is not None, f"{name} with {change} passes as its golden"


def test_rounding_passes() -> None:
    """The other side of the tolerance: the golden with every channel a level off here and there (what
    another build's rounding does) still matches, and so does a handful of glyph edges drawn otherwise."""
    golden = _golden("captions_cjk_arabic_emoji").astype(np.int16)
    noise = np.random.default_rng(19).integers(-1, 2, golden.shape)
    assert _difference(np.clip(golden + noise, 0, 255).astype(np.uint8), golden) is None
    edges = golden.copy()
    edges.reshape(-1, 3)[:: edges.shape[0] * edges.shape[1] // 100] ^= 0x40  # 100 pixels, 64 levels off
    assert _difference(edges, golden) is None
