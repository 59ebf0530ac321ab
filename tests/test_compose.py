"""Frames before the encoder (MemoryEncoder): holds, crossfades and fades are what the plan says."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from collage.draw.compose import Composer
from collage.render import render
from collage.video.encode import MemoryEncoder

from .support.media import BLUE, RED, close, mean_colour, msg, small_manifest, solid

pytestmark = pytest.mark.frames


def test_crossfade_moves_steadily_from_one_slide_to_the_next(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red"), msg("blue")], sequence=[{"photo": "red"}, {"photo": "blue"}],
                                        timing={"title": "1s", "slide": "3s", "transition": "1s"}),
                         {"red": RED, "blue": BLUE})
    encoder = MemoryEncoder()
    result = render(folder, encoder=encoder)
    frames, t = encoder.frames, result.timeline
    assert len(frames) == t.frames and encoder.spec is not None and encoder.spec.frames == t.frames
    second = t.slides[1]
    box = second.cells[0].box.as_list()
    span = range(second.start - 1, second.start + second.transition + 1)
    reds = [mean_colour(frames[f], box, 0.45)[0] for f in span]
    assert all(a > b for a, b in itertools.pairwise(reds))  # red falls every frame of the blend
    assert close(mean_colour(frames[second.start - 1], box, 0.45), RED)
    assert close(mean_colour(frames[second.start + second.transition], box, 0.45), BLUE)


def test_video_fades_in_from_and_out_to_black(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")], sequence=[{"photo": "red"}]), {"red": RED})
    encoder = MemoryEncoder()
    render(folder, encoder=encoder)
    first, last = encoder.frames[0], encoder.frames[-1]
    assert first.max() < 60 and last.max() < 60
    assert encoder.frames[len(encoder.frames) // 2].max() > 200


def test_frame_at_matches_the_stream(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red"), msg("blue")]), {"red": RED, "blue": BLUE})
    encoder = MemoryEncoder()
    result = render(folder, encoder=encoder)
    composer = Composer(folder, result.timeline)
    for index in (0, 7, result.timeline.frames // 2, result.timeline.frames - 1):
        assert np.array_equal(composer.frame_at(index), encoder.frames[index])


def _two_photos(make_folder: Callable[..., Path], transition: object) -> tuple[list[np.ndarray], object]:
    folder = make_folder(small_manifest([msg("red"), msg("blue")], sequence=[
        {"photo": "red"}, {"photo": "blue", "transition": transition}],
        timing={"title": "1s", "slide": "3s", "transition": "1s"}), {"red": RED, "blue": BLUE})
    encoder = MemoryEncoder()
    result = render(folder, encoder=encoder)
    return encoder.frames, result.timeline


def test_fade_goes_through_black(make_folder: Callable[..., Path]) -> None:
    frames, t = _two_photos(make_folder, "fade 1s")
    second = t.slides[1]
    box = second.cells[0].box.as_list()
    middle = frames[second.start + second.transition // 2]
    assert mean_colour(middle, box, 0.45).max() < 40  # black at the midpoint, not purple
    early = mean_colour(frames[second.start + 1], box, 0.45)
    late = mean_colour(frames[second.start + second.transition - 2], box, 0.45)
    assert early[0] > early[2] and late[2] > late[0]  # red fading out, then blue fading in


def test_slide_pushes_the_next_photo_in_from_the_right(make_folder: Callable[..., Path]) -> None:
    frames, t = _two_photos(make_folder, "slide")
    second = t.slides[1]
    middle = frames[second.start + second.transition // 2]
    h, w = middle.shape[:2]
    left, right = middle[h // 2, w // 8], middle[h // 2, w - w // 8]
    assert close(left.astype(float), RED, 30) and close(right.astype(float), BLUE, 30)
    assert not any(close(f[h // 2, w // 2].astype(float), (128, 50, 130), 30) for f in frames)  # never a blend


def test_cut_has_no_transition_frames(make_folder: Callable[..., Path]) -> None:
    frames, t = _two_photos(make_folder, "cut")
    second = t.slides[1]
    assert second.transition == 0
    box = second.cells[0].box.as_list()
    assert close(mean_colour(frames[second.start - 1], box, 0.45), RED)
    assert close(mean_colour(frames[second.start], box, 0.45), BLUE)


def _half_and_half(path: Path) -> None:
    from PIL import Image

    im = Image.new("RGB", (400, 300), RED)
    im.paste(Image.new("RGB", (200, 300), BLUE), (200, 0))
    im.save(path, quality=95)


def _cell_frame(make_folder: Callable[..., Path], video_fit: str, **message: object) -> tuple[np.ndarray, object]:
    # A tall frame: the photo full-screen, its box (the frame above its caption) far taller than it is.
    folder = make_folder(small_manifest([msg("p", **message)], sequence=[{"photo": "p"}],
                                        video={"size": "360x640", "fps": 10, "output": "out/t.mp4", "fit": video_fit}),
                         {"p": _half_and_half})
    encoder = MemoryEncoder()
    t = render(folder, encoder=encoder).timeline
    slide = t.slides[0]
    return encoder.frames[slide.start + slide.frames // 2], slide.cells[0].box


def test_fit_modes(make_folder: Callable[..., Path]) -> None:
    # A 4:3 photo (red left half, blue right half) in a tall, narrow cell.
    frame, box = _cell_frame(make_folder, "blur")
    x, y, w, h = box.as_list()
    top = frame[y + 2, x + w // 2].astype(float)
    assert top.max() < 110  # blurred, darkened fill above the contained photo
    frame, _ = _cell_frame(make_folder, "contain")
    assert close(frame[y + 2, x + w // 2].astype(float), (16, 21, 30), 6)  # the slide's own background
    frame, _ = _cell_frame(make_folder, "cover")
    # The photo fills the cell to its corners, cropped around the middle: red left, blue right.
    assert close(frame[y + 2, x + 2].astype(float), RED, 25)
    assert close(frame[y + h - 3, x + w - 3].astype(float), BLUE, 25)


def test_cover_focus_keeps_the_chosen_side(make_folder: Callable[..., Path]) -> None:
    frame, box = _cell_frame(make_folder, "cover", focus=[0.0, 0.5])
    assert close(mean_colour(frame, box.as_list(), 0.2), RED, 20)
    frame, _ = _cell_frame(make_folder, "blur", fit="cover", focus=[1.0, 0.5])  # per message, over the video's
    assert close(mean_colour(frame, box.as_list(), 0.2), BLUE, 20)


def test_a_preview_draws_the_full_renders_layout_scaled(make_folder: Callable[..., Path]) -> None:
    """Drawn at a third of the size, a slide is the full-size drawing scaled: a small photo keeps the
    full render's enlargement cap (it does not grow to fill the smaller box), captions their lines."""
    from PIL import Image

    from collage import build_plan, load
    from collage.draw.compose import Artist

    manifest = small_manifest([msg("red", name="Alice Chen", profession="Teacher", location="Taipei, Taiwan"),
                               msg("blue", name="Bo")], video={"size": "1920x1080", "fps": 10})
    folder = make_folder(manifest, {"red": RED, "blue": BLUE})
    solid(folder / "photos" / "red.jpg", RED, size=(120, 90), quality=95)  # far smaller than its box
    project = load(folder)
    slide = next(s for s in build_plan(project).slides if s.kind == "grid")
    full = Artist(folder, project.size, project.theme).draw(slide).resize((640, 360), Image.Resampling.BOX)
    small = Artist(folder, (640, 360), project.theme, design=project.size).draw(slide)
    diff = np.abs(np.asarray(full, dtype=np.float32) - np.asarray(small, dtype=np.float32))
    assert diff.mean() < 4, diff.mean()
    assert (diff.max(axis=2) > 60).mean() < 0.01  # no region drawn differently (a photo grown, a line moved)


def test_a_translation_on_screen_keeps_its_own_script_wraps_and_is_checked(make_folder: Callable[..., Path]) -> None:
    """`style.translations: show`: the translation is its own block under the caption (Traditional
    Chinese keeps its glyph forms under a Latin caption), wraps into the lines the caption leaves rather
    than vanishing, and text no bundled font can draw is an error before anything is drawn."""
    from collage import build_plan, load
    from collage.check import run
    from collage.draw.compose import caption_blocks

    long = "我們與你們站在一起，" * 3
    manifest = small_manifest([msg("a", name="Alice Chen", translation=long), msg("b", name="Bo", translation="你好")],
                              video={"size": "1080x1920", "fps": 10}, style={"translations": "show"},
                              sequence=[{"photo": "a"}, {"photo": "b"}])
    folder = make_folder(manifest, {"a": RED, "b": BLUE})
    timeline = build_plan(load(folder))
    cell = timeline.slides[0].cells[0]
    assert cell.translation == long
    caption, under = caption_blocks(cell, timeline.height)
    assert caption.lines == ("Alice Chen",) and not caption.style.traditional
    assert under.style.traditional and len(under.lines) >= 2 and not under.truncated
    assert "".join(under.lines).replace(" ", "") == long  # all of it, nothing cut
    frame = Composer(folder, timeline, load(folder).theme).draw(timeline.slides[0])
    assert frame is not None
    manifest["messages"][1]["translation"] = "ᠮᠣᠩᠭᠣᠯ"  # Mongolian: no bundled face draws it
    (folder / "collage.yaml").unlink()
    bad = make_folder(manifest, {"a": RED, "b": BLUE})
    errors = [str(p) for p in run(bad).errors]
    assert any("messages[1].translation" in e and "no bundled font can draw" in e for e in errors), errors
