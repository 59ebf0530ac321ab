"""Ken Burns: a slow, smooth push in that drifts toward the face and sign, the same every render."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from collage import build_plan, load
from collage.draw.compose import Composer
from collage.errors import InputError
from collage.plan import layout

from .support.media import BLUE, RED, msg, small_manifest
from .test_crops import held_sign_photo

pytestmark = pytest.mark.frames


def test_push_in_ends_inside_where_it_started_around_the_subjects() -> None:
    start = (0.0, 0.1, 1.0, 0.85)
    keep = ((0.6, 0.3, 0.8, 0.6),)
    end = layout.kenburns(start, keep)
    assert end[0] >= start[0] and end[1] >= start[1] and end[2] <= start[2] and end[3] <= start[3]
    assert (end[2] - end[0]) == pytest.approx((start[2] - start[0]) / layout.KENBURNS_ZOOM)
    assert (end[3] - end[1]) == pytest.approx((start[3] - start[1]) / layout.KENBURNS_ZOOM)
    assert end[0] <= keep[0][0] and end[2] >= keep[0][2] and end[1] <= keep[0][1] and end[3] >= keep[0][3]
    assert (end[0] + end[2]) / 2 > (start[0] + start[2]) / 2  # drifted toward the subject on the right


def test_motion_is_validated(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")], sequence=[{"photo": "red", "motion": "zoom"}]), {"red": RED})
    with pytest.raises(InputError) as info:
        load(folder)
    assert "sequence[0].motion" in str(info.value) and "kenburns" in str(info.value)


@pytest.fixture
def moving(make_folder: Callable[..., Path]) -> tuple[Path, object]:
    def photo(path: Path) -> None:
        held_sign_photo(path)

    folder = make_folder(small_manifest([msg("p", name="Eileen Collins"), msg("blue", name="Bo")],
                                        sequence=[{"photo": "p", "motion": "kenburns"}, {"photo": "blue"}],
                                        video={"size": "480x270", "fps": 10, "output": "out/t.mp4"},
                                        timing={"title": "1s", "slide": "3s", "transition": "0.5s"}),
                         {"p": photo, "blue": BLUE})
    return folder, build_plan(load(folder))


def test_a_moving_slide_moves_smoothly_and_its_caption_stays(moving: tuple[Path, object]) -> None:
    folder, timeline = moving
    slide = timeline.slides[0]  # type: ignore[attr-defined]
    assert slide.moving and not timeline.slides[1].moving  # type: ignore[attr-defined]
    composer = Composer(folder, timeline)  # type: ignore[arg-type]
    frames = [composer.frame_at(f).astype(np.int16) for f in range(slide.start + 5, slide.end - 5)]
    steps = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(frames)]
    assert min(steps) > 0.05  # it moves every frame
    assert max(steps) < 4 * float(np.median(steps))  # evenly: no jump
    assert float(np.abs(frames[-1] - frames[0]).mean()) > 3 * float(np.median(steps))  # and gets somewhere
    cap = slide.cells[0].caption_box
    band = (slice(cap.y, cap.y + cap.h), slice(cap.x + cap.w // 3, cap.x + 2 * cap.w // 3))
    assert all(np.array_equal(f[band], frames[0][band]) for f in frames)  # the caption's text holds still


def test_moving_frames_are_the_same_every_time(moving: tuple[Path, object]) -> None:
    folder, timeline = moving
    a = Composer(folder, timeline).frame_at(12)  # type: ignore[arg-type]
    b = Composer(folder, timeline).frame_at(12)  # type: ignore[arg-type]
    assert np.array_equal(a, b)


@pytest.mark.e2e  # encodes with ffmpeg and decodes the file
def test_a_moving_slide_renders_segmented(moving: tuple[Path, object]) -> None:
    from collage.render import render

    from .support.media import decode

    folder, timeline = moving
    result = render(folder, jobs=2)
    frames = decode(result.output)
    assert len(frames) == timeline.frames  # type: ignore[attr-defined]
    truth = Composer(folder, timeline)  # type: ignore[arg-type]
    for f in (3, 15, 25):
        assert float(np.abs(frames[f].astype(np.int16) - truth.frame_at(f).astype(np.int16)).mean()) < 4
