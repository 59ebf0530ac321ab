"""Frame goldens: slides drawn and compared with stored PNGs (tests/goldens/) within a tolerance.

After an intended change to how slides look, regenerate with `pytest tests/test_goldens.py
--update-goldens`, look at the new PNGs, and commit them. A failure writes the frame and a diff image
beside pytest's temporary folder and names them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from collage import build_plan, load
from collage.draw.compose import Composer

from .support.media import BLUE, CYAN, GREEN, ORANGE, RED, YELLOW, msg, small_manifest

pytestmark = pytest.mark.frames

GOLDENS = Path(__file__).parent / "goldens"
TOLERANCE = 3.0  # mean absolute difference per channel, 0-255
MOVED = 0.01  # at most this share of pixels may differ by more than 48


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


@pytest.mark.parametrize("name", sorted(CASES))
def test_frame_golden(name: str, make_folder: Callable[..., Path], update_goldens: bool, tmp_path: Path) -> None:
    case = CASES[name]
    messages, photos = [], {}
    for ident, ((aw, ah), fields) in case["photos"].items():
        messages.append(msg(ident, **fields))
        photos[ident] = _photo(COLOURS[ident], (aw * 120, ah * 120))
    manifest = small_manifest(messages, **case["manifest"])
    manifest["video"] = {"size": "480x270", "fps": 10, "output": "out/t.mp4", **case["manifest"].get("video", {})}
    folder = make_folder(manifest, photos)
    project = load(folder)
    timeline = build_plan(project)
    frame = np.asarray(Composer(folder, timeline, project.theme).draw(timeline.slides[case["slide"]]))
    golden = GOLDENS / f"{name}.png"
    if update_goldens or not golden.exists():
        GOLDENS.mkdir(exist_ok=True)
        Image.fromarray(frame).save(golden, optimize=True)
        if not update_goldens:
            pytest.fail(f"wrote missing golden {golden.name}; look at it and run again")
        return
    expected = np.asarray(Image.open(golden).convert("RGB"))
    assert expected.shape == frame.shape, f"{name}: size {frame.shape} != golden {expected.shape}"
    diff = np.abs(frame.astype(np.int16) - expected.astype(np.int16))
    mean, moved = float(diff.mean()), float((diff.max(axis=2) > 48).mean())
    if mean > TOLERANCE or moved > MOVED:
        Image.fromarray(frame).save(tmp_path / f"{name}.png")
        Image.fromarray(np.clip(diff * 4, 0, 255).astype(np.uint8)).save(tmp_path / f"{name}-diff.png")
        pytest.fail(f"{name}: differs from its golden (mean {mean:.2f}, {moved:.1%} of pixels moved); "
                    f"see {tmp_path / name}.png and -diff.png, or regenerate with --update-goldens")


def test_goldens_catch_a_change(make_folder: Callable[..., Path]) -> None:
    """The comparison is not blind: the title card golden against a grid frame fails it."""
    a = np.asarray(Image.open(GOLDENS / "title_card.png").convert("RGB")).astype(np.int16)
    b = np.asarray(Image.open(GOLDENS / "grid_2x2.png").convert("RGB")).astype(np.int16)
    diff = np.abs(a - b)
    assert diff.mean() > TOLERANCE or (diff.max(axis=2) > 48).mean() > MOVED
