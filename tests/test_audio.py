"""The music bed: levelled tracks, a normalised bed (EBU R128, measured on the output with ffmpeg's
ebur128 filter), chapters, and warnings for silent tracks."""

from __future__ import annotations

import re
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from collage.check import run
from collage.encode import ffmpeg_exe
from collage.render import render

from .conftest import RED, msg, small_manifest


def tone(path: Path, seconds: float, amplitude: float, freq: float = 440.0, rate: int = 44100) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    samples = (amplitude * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(2)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(np.repeat(samples, 2).tobytes())
    return path


def ebur128(path: Path, start: float = 0.0, end: float | None = None) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a stretch of the file, from ffmpeg's ebur128 filter."""
    trim = ["-ss", str(start)] + (["-to", str(end)] if end is not None else [])
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", *trim, "-i", str(path), "-map", "0:a:0",
           "-af", "ebur128=peak=true", "-f", "null", "-"]
    err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


@pytest.fixture
def two_levels(make_folder: Callable[..., Path]) -> Path:
    folder = make_folder(small_manifest(
        [msg("red")], music=[{"file": "music/quiet.wav"}, {"file": "music/loud.wav"}],
        sequence=[{"photo": "red", "duration": "12s"}]), {"red": RED})
    # Sines at these amplitudes measure about -30 and -12 LUFS.
    tone(folder / "music" / "quiet.wav", 6.0, 0.034, 330)
    tone(folder / "music" / "loud.wav", 6.0, 0.27, 440)
    return folder


def test_bed_is_normalised_and_tracks_levelled(two_levels: Path) -> None:
    quiet, _ = ebur128(two_levels / "music" / "quiet.wav")
    loud, _ = ebur128(two_levels / "music" / "loud.wav")
    assert -31 < quiet < -29 and -13 < loud < -11  # the inputs really are -30 and -12 LUFS
    result = render(two_levels)
    integrated, peak = ebur128(result.output)
    assert abs(integrated - -16) <= 1.0
    assert peak <= -1.5 + 0.2
    first, _ = ebur128(result.output, 2.0, 5.5)
    second, _ = ebur128(result.output, 6.5, 10.0)
    assert abs(first - second) <= 2.0


def test_loudness_target_is_configurable(two_levels: Path) -> None:
    text = (two_levels / "collage.yaml").read_text()
    text = text.replace("music:\n- file: music/quiet.wav\n- file: music/loud.wav\n",
                        "music:\n  loudness: -23\n  tracks:\n  - file: music/quiet.wav\n  - file: music/loud.wav\n")
    assert "loudness: -23" in text
    (two_levels / "collage.yaml").write_text(text)
    integrated, _ = ebur128(render(two_levels).output)
    assert abs(integrated - -23) <= 1.0


def test_silent_track_is_a_warning(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")], music=[{"file": "music/silence.wav"}]), {"red": RED})
    tone(folder / "music" / "silence.wav", 2.0, 0.0)
    report = run(folder)
    assert report.ok
    assert any("music file 'music/silence.wav' is silent" in str(w) for w in report.warnings)


def test_chapters_follow_title_cards(make_folder: Callable[..., Path]) -> None:
    import av

    folder = make_folder(small_manifest([msg("red")], sequence=[
        {"title": "Opening = start; #1"}, {"photo": "red"}, {"title": "谢谢"}]), {"red": RED})
    result = render(folder)
    with av.open(str(result.output)) as container:
        chapters = container.chapters()
    t = result.timeline
    assert [c["metadata"].get("title") for c in chapters] == ["Opening = start; #1", "谢谢"]
    closing = t.slides[2]
    starts = [float(c["start"] * c["time_base"]) for c in chapters]
    assert starts[0] == 0 and abs(starts[1] - closing.start / t.fps) < 0.002
