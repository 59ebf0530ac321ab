"""End to end: render small real folders, decode the MP4 and check what a viewer would see."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from collage import build_plan, load
from collage.errors import InputError
from collage.render import render

from .support.media import (
    BLUE,
    CYAN,
    GREEN,
    MAGENTA,
    ORANGE,
    RED,
    YELLOW,
    close,
    decode,
    decode_audio,
    mean_colour,
    msg,
    probe,
    sine,
    small_manifest,
    two_tone_sideways,
    write_folder,
    write_wav,
)

pytestmark = pytest.mark.e2e

EMAIL = "hidden.contributor@example.org"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "collage", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One render shared by the checks below (rendering is the slow part)."""
    manifest = small_manifest(
        [
            msg("red", name="Alice Chen", profession="Teacher", location="Taipei", email=EMAIL),
            msg("green", name="陳大文", profession="律師"),
            msg("blue", name="ئابدۇللا", location="Istanbul"),
            msg("yellow", name="José"),
            msg("secret", approved=False, name="Never Shown", email=EMAIL),
            msg("turned", name="Upright"),
        ],
        music=[{"file": "music/tone.wav"}],
        sequence=[
            {"title": "Messages", "subtitle": "致中国人权律师的话"},
            {"grid": "2x2", "messages": ["red", "green", "blue", "yellow"]},
            {"photo": "turned"},
            {"title": "Thank you"},
        ],
    )
    photos = {"red": RED, "green": GREEN, "blue": BLUE, "yellow": YELLOW, "secret": MAGENTA,
              "turned": lambda p: two_tone_sideways(p, CYAN, ORANGE)}
    folder = write_folder(tmp_path_factory.mktemp("e2e") / "folder", manifest, photos)
    write_wav(folder / "music" / "tone.wav", sine(1.7, 440, 0.5, 44100), 44100)  # shorter than the video: it loops
    result = _run("render", str(folder))
    out = folder / "out" / "test.mp4"
    return {"folder": folder, "result": result, "out": out, "frames": decode(out) if out.exists() else [],
            "timeline": build_plan(load(folder))}


def test_render_succeeds_and_reports(rendered: dict) -> None:
    result = rendered["result"]
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and "render:" in result.stderr  # plain progress when not a terminal


def test_streams_are_web_ready(rendered: dict) -> None:
    info = probe(rendered["out"])
    t = rendered["timeline"]
    v, a = info["video"], info["audio"]
    assert info["format"].startswith("mov,mp4")
    assert (v["codec"], v["profile"], v["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (v["width"], v["height"], v["fps"]) == (320, 180, 10.0)
    assert (v["primaries"], v["trc"], v["matrix"], v["range"]) == (1, 1, 1, 1)  # BT.709, limited range
    assert v["frames"] == t.frames == len(rendered["frames"])
    assert (a["codec"], a["rate"], a["channels"]) == ("aac", 48000, 2)
    assert abs(a["duration"] - t.duration) <= 1 / t.fps
    assert info["metadata"].get("title") == "Test"


def test_moov_atom_is_up_front(rendered: dict) -> None:
    head = Path(rendered["out"]).read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_each_photo_sits_in_its_planned_cell(rendered: dict) -> None:
    t, frames = rendered["timeline"], rendered["frames"]
    grid = next(s for s in t.slides if s.kind == "grid")
    frame = frames[grid.start + grid.frames // 2]
    expected = {"red": RED, "green": GREEN, "blue": BLUE, "yellow": YELLOW}
    for cell in grid.cells:
        # Solid 4:3 photos contained in the cell: the cell's centre is the photo.
        got = mean_colour(frame, cell.box.as_list(), inset=0.4)
        assert close(got, expected[cell.message]), (cell.message, got)


def test_exif_rotated_photo_is_upright(rendered: dict) -> None:
    t, frames = rendered["timeline"], rendered["frames"]
    slide = next(s for s in t.slides if s.kind == "photo")
    frame = frames[slide.start + slide.frames // 2]
    box = slide.cells[0].box
    cx, cy = box.x + box.w // 2, box.y + box.h // 2
    quarter = min(box.h, round(box.w * 4 / 3)) // 4  # the upright photo is portrait 3:4
    top = frame[cy - quarter - 3:cy - quarter + 3, cx - 3:cx + 3].reshape(-1, 3).mean(axis=0)
    bottom = frame[cy + quarter - 3:cy + quarter + 3, cx - 3:cx + 3].reshape(-1, 3).mean(axis=0)
    assert close(top, CYAN, 20) and close(bottom, ORANGE, 20), (top, bottom)


def test_unapproved_photo_appears_in_no_frame(rendered: dict) -> None:
    for frame in rendered["frames"]:
        distance = np.abs(frame.astype(int) - np.array(MAGENTA)).max(axis=2)
        assert (distance < 40).sum() == 0


def test_captions_are_drawn(rendered: dict) -> None:
    t, frames = rendered["timeline"], rendered["frames"]
    grid = next(s for s in t.slides if s.kind == "grid")
    frame = frames[grid.start + grid.frames // 2]
    for cell in grid.cells:
        assert cell.caption_box is not None
        x, y, w, h = cell.caption_box.as_list()
        ink = (frame[y:y + h, x:x + w].max(axis=2) > 100).sum()  # light text on the dark slide
        assert ink > 15, cell.message


def test_email_appears_nowhere(rendered: dict) -> None:
    result = rendered["result"]
    needle = EMAIL.encode()
    assert EMAIL not in result.stdout and EMAIL not in result.stderr
    assert needle not in Path(rendered["out"]).read_bytes()
    assert "hidden.contributor" not in str(probe(rendered["out"]))
    cache = Path(rendered["out"]).parent / "collage-cache"
    written = [p for p in cache.rglob("*") if p.is_file()]
    assert written and not [p for p in written if needle in p.read_bytes()]
    plan_out = _run("plan", "--json", str(rendered["folder"]))
    check_out = _run("check", str(rendered["folder"]))
    for out in (plan_out, check_out):
        assert out.returncode == 0 and EMAIL not in out.stdout + out.stderr


def test_music_plays_through_and_fades_out(rendered: dict) -> None:
    samples = decode_audio(rendered["out"])
    rate = 48000
    mono = samples.mean(axis=0)
    t = rendered["timeline"]
    mid = int(t.duration / 2 * rate)
    rms_mid = np.sqrt(np.mean(mono[mid - rate // 4:mid + rate // 4] ** 2))
    rms_end = np.sqrt(np.mean(mono[-rate // 20:] ** 2))
    assert rms_mid > 0.05  # the looped tone is still playing halfway through
    assert rms_end < rms_mid * 0.2  # and fades out at the very end


def test_same_input_same_frames(rendered: dict, tmp_path: Path) -> None:
    again = tmp_path / "again.mp4"
    render(rendered["folder"], output=again)
    frames = decode(again)
    assert len(frames) == len(rendered["frames"])
    assert all(np.array_equal(a, b) for a, b in zip(frames, rendered["frames"], strict=True))


def test_silent_track_without_music(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")], timing={"title": "1s", "slide": "1s", "transition": 0}),
                         {"red": RED})
    result = render(folder)
    info = probe(result.output)
    assert info["audio"]["codec"] == "aac" and info["video"]["frames"] == result.timeline.frames
    assert np.abs(decode_audio(result.output)).max() < 1e-3


def test_preview_is_small_and_next_to_the_output(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red"), msg("green")], video={"size": "1280x720", "fps": 30,
                                                                              "output": "out/v.mp4"}),
                         {"red": RED, "green": GREEN})
    result = _run("render", "--preview", str(folder))
    assert result.returncode == 0, result.stderr
    out = folder / "out" / "v.preview.mp4"
    info = probe(out)
    assert (info["video"]["width"], info["video"]["height"], info["video"]["fps"]) == (640, 360, 15.0)
    assert not (folder / "out" / "v.mp4").exists()
    full = build_plan(load(folder))
    assert abs(info["video"]["frames"] / 15 - full.duration) <= 1 / 15  # the same timeline


def test_failed_render_leaves_earlier_output_untouched(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red"), msg("green")]), {"red": RED, "green": GREEN})
    out = folder / "out" / "test.mp4"
    out.parent.mkdir(parents=True)
    out.write_bytes(b"an earlier good render, written by collage")  # (its mark: collage may replace it)

    def explode(done: int, total: int) -> None:
        if done > total // 2:
            raise RuntimeError("simulated failure half way")

    with pytest.raises(RuntimeError):
        render(folder, progress=explode)
    assert out.read_bytes() == b"an earlier good render, written by collage"
    assert sorted(p.name for p in out.parent.iterdir()) == ["collage-cache", "test.mp4"]
    assert not [p for p in out.parent.rglob("*") if "partial" in p.name]  # no partial file left behind
    assert not list((out.parent / "collage-cache" / "tmp").iterdir())  # nor any scratch


def test_invalid_input_renders_nothing(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red"), msg("ghost")]), {"red": RED})
    with pytest.raises(InputError) as info:
        render(folder)
    assert "no such file 'photos/ghost.jpg'" in str(info.value)
    assert not (folder / "out").exists()


def test_damaged_photo_is_an_input_error(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")]), {"red": lambda p: p.write_bytes(b"not a jpeg at all")})
    result = _run("render", str(folder))
    assert result.returncode == 1
    assert "photo 'photos/red.jpg' of message 'red': not a photo collage reads" in result.stderr
    assert "Traceback" not in result.stderr


def _processes_naming(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if text.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def test_interrupted_render_leaves_nothing(make_folder: Callable[..., Path]) -> None:
    """Ctrl-C while two workers encode: every ffmpeg stops, no partial file or scratch is left, the
    earlier output is untouched, and the cache holds only whole entries."""
    folder = make_folder(
        small_manifest([msg("red"), msg("green")], video={"size": "1280x720", "fps": 30, "output": "out/v.mp4"},
                       timing={"title": "20s", "slide": "20s", "transition": "1s"}),
        {"red": RED, "green": GREEN},
    )
    out = folder / "out" / "v.mp4"
    cache = out.parent / "collage-cache"
    out.parent.mkdir(parents=True)
    out.write_bytes(b"previous, written by collage")
    proc = subprocess.Popen([sys.executable, "-m", "collage", "render", "--jobs", "2", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _processes_naming(str(cache / "tmp")):
        time.sleep(0.02)
    assert _processes_naming(str(cache / "tmp")), "the render never started encoding"
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert out.read_bytes() == b"previous, written by collage"
    assert sorted(p.name for p in out.parent.iterdir()) == ["collage-cache", "v.mp4"]
    assert not list((cache / "tmp").iterdir())
    assert not _processes_naming(str(cache))
    from collage.video.cache import SegmentCache

    entries = [p for p in (cache / "entries").rglob("*.mp4")]
    assert all(SegmentCache(cache).lookup(p.stem) == p for p in entries)  # whatever was kept is whole


@pytest.mark.parametrize("style", ["slide", "fade"])
def test_transition_styles_survive_the_yuv_path(make_folder: Callable[..., Path], style: str) -> None:
    folder = make_folder(small_manifest([msg("red"), msg("blue")], sequence=[
        {"photo": "red"}, {"photo": "blue", "transition": f"{style} 1s"}],
        timing={"title": "1s", "slide": "3s", "transition": "1s"}), {"red": RED, "blue": BLUE})
    result = render(folder)
    frames = decode(result.output)
    second = result.timeline.slides[1]
    middle = frames[second.start + second.transition // 2]
    h, w = middle.shape[:2]
    if style == "slide":
        assert close(middle[h // 2, w // 8].astype(float), RED, 30)
        assert close(middle[h // 2, w - w // 8].astype(float), BLUE, 30)
    else:
        assert middle[h // 4: 3 * h // 4, w // 4: 3 * w // 4].max() < 50
