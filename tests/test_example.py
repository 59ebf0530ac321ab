"""The bundled example stays valid and renders (in preview size, as CI does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collage import build_plan, load
from collage.check import run
from collage.render import render

from .support.media import decode, probe

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lawyers-day"


def test_example_checks_clean() -> None:
    report = run(EXAMPLE)
    assert report.ok and not report.warnings, [str(p) for p in report.problems]
    assert report.project is not None and len(report.project.messages) == 9
    assert "pending" in report.project.unapproved


def test_example_renders_a_preview(tmp_path: Path) -> None:
    """A preview keeps the output contract (H.264 High, AAC 48 kHz stereo) and shows the full render's
    layout, scaled: the same cells and the same caption lines."""
    import numpy as np
    from PIL import Image

    from collage.draw.compose import Artist

    out = tmp_path / "example.preview.mp4"
    result = render(EXAMPLE, output=out, preview=True, cache=False)
    info = probe(out)
    assert (info["video"]["width"], info["video"]["height"]) == (640, 360)
    assert info["video"]["profile"] == "High" and info["video"]["pix_fmt"] == "yuv420p"
    assert (info["audio"]["codec"], info["audio"]["rate"], info["audio"]["channels"]) == ("aac", 48000, 2)
    project = load(EXAMPLE)
    full = build_plan(project)
    assert abs(result.timeline.duration - full.duration) <= 1 / 15
    frames = decode(out)
    artist = Artist(EXAMPLE, project.size, project.theme)  # what the full render draws
    for slide in result.timeline.slides:
        if slide.kind == "title" and slide.index:
            continue  # the opening card, the grids and the full-screen photos
        shown = frames[slide.start + slide.frames // 2].astype(np.float32)
        drawn = artist.draw(full.slides[slide.index]).resize((640, 360), Image.Resampling.BOX)
        diff = np.abs(shown - np.asarray(drawn, dtype=np.float32))
        # Within the encoder's loss and small type's hinting (measured: 2.5-7); a cell moved or a
        # caption set on other lines differs by more.
        assert diff.mean() < 9, (slide.index, slide.kind, diff.mean())
