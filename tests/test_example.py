"""The bundled example stays valid and renders (in preview size, as CI does)."""

from __future__ import annotations

from pathlib import Path

from collage import build_plan, load
from collage.check import run
from collage.render import render

from .conftest import decode, probe

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lawyers-day"


def test_example_checks_clean() -> None:
    report = run(EXAMPLE)
    assert report.ok and not report.warnings, [str(p) for p in report.problems]
    assert report.project is not None and len(report.project.messages) == 8
    assert "pending" in report.project.unapproved


def test_example_renders_a_preview(tmp_path: Path) -> None:
    out = tmp_path / "example.preview.mp4"
    result = render(EXAMPLE, output=out, preview=True)
    info = probe(out)
    assert (info["video"]["width"], info["video"]["height"]) == (640, 360)
    assert info["audio"]["codec"] == "aac"
    full = build_plan(load(EXAMPLE))
    assert abs(result.timeline.duration - full.duration) <= 1 / 15
    frames = decode(out)
    grid = next(s for s in result.timeline.slides if s.kind == "grid")
    frame = frames[grid.start + grid.frames // 2]
    for cell in grid.cells:  # a photo in every cell, not the slide's flat background
        x, y, w, h = cell.box.as_list()
        assert frame[y:y + h, x:x + w].std() > 10
