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
from collage.plan import Timeline
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


def _cuts(timeline: Timeline) -> list[float]:
    """Middle of each transition, in seconds: where the picture changes."""
    return [(s.start + s.transition / 2) / timeline.fps for s in timeline.slides[1:]]


def clicks(path: Path, seconds: float, at: list[float], rate: int = 48000) -> Path:
    """Silence with a short, sharp click at each time in `at`."""
    samples = np.zeros(int(seconds * rate), np.float32)
    burst = (np.hanning(240) * np.sin(2 * np.pi * 2000 * np.arange(240) / rate)).astype(np.float32)
    for t in at:
        i = int(t * rate)
        samples[i:i + 240] += burst[: len(samples) - i]
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes((samples * 0.8 * 32767).astype("<i2").tobytes())
    return path


def test_fit_music_makes_the_video_as_long_as_the_track(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest(
        [msg("red"), msg("green")], music=[{"file": "music/song.wav"}],
        timing={"title": "3s", "slide": "5s", "transition": "1s", "fit": "music"}), {"red": RED, "green": RED})
    tone(folder / "music" / "song.wav", 47.0, 0.2)
    result = render(folder)
    assert abs(result.timeline.duration - 47.0) <= 1 / result.timeline.fps
    from .conftest import probe

    info = probe(result.output)
    assert abs(info["video"]["frames"] / 10 - 47.0) <= 0.1 + 1e-9
    assert abs(info["audio"]["duration"] - 47.0) <= 0.1 + 1e-9


def test_fit_music_outside_the_bounds_is_an_error(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest(
        [msg("red")], music=[{"file": "music/song.wav"}],
        timing={"fit": "music", "min": "2s", "max": "4s"}), {"red": RED})
    tone(folder / "music" / "song.wav", 60.0, 0.2)
    report = run(folder)
    assert not report.ok
    assert any("the music lasts 60.0 s, but with slides of 2-4 s the video can last only" in str(e)
               for e in report.errors)


def test_beats_move_cuts_onto_clicks(make_folder: Callable[..., Path]) -> None:
    manifest = small_manifest([msg("a"), msg("b"), msg("c")], music=[{"file": "music/clicks.wav"}],
                              sequence=[{"photo": "a"}, {"photo": "b"}, {"photo": "c"}, {"title": "End"}],
                              timing={"title": "3s", "slide": "4s", "transition": "0.5s", "beats": True},
                              video={"size": "320x180", "fps": 25, "output": "out/test.mp4"})
    folder = make_folder(manifest, {"a": RED, "b": RED, "c": RED})
    from collage import build_plan, load
    from collage.check import timeline

    clicks(folder / "music" / "clicks.wav", 1.0, [])  # a placeholder, so the manifest loads
    plain = build_plan(load(folder))  # the planner alone: no beats
    targets = [c + 0.2 for c in _cuts(plain)]  # every cut is 0.2 s early for its beat
    clicks(folder / "music" / "clicks.wav", plain.duration + 1, targets)
    snapped = timeline(load(folder))
    assert snapped.frames == plain.frames  # the total does not move
    for cut, beat in zip(_cuts(snapped), targets, strict=True):
        assert abs(cut - beat) <= 1.5 / snapped.fps, (cut, beat)


def test_join_between_tracks_does_not_click(make_folder: Callable[..., Path]) -> None:
    from .conftest import decode_audio

    folder = make_folder(small_manifest(
        [msg("red")], music={"crossfade": 0, "tracks": [{"file": "music/a.wav"}, {"file": "music/b.wav"}]},
        sequence=[{"photo": "red", "duration": "8s"}]), {"red": RED})
    tone(folder / "music" / "a.wav", 4.0, 0.3, 220)
    tone(folder / "music" / "b.wav", 4.0, 0.3, 247)  # ends of both mid-cycle: a raw join would step
    samples = decode_audio(render(folder).output)[0]
    steps = np.abs(np.diff(samples))
    join = 4 * 48000
    around = steps[join - 2400:join + 2400].max()
    inside = max(steps[2 * 48000:3 * 48000].max(), steps[5 * 48000:6 * 48000].max())
    assert around <= inside * 1.05


def test_track_trim_volume_and_fades(make_folder: Callable[..., Path]) -> None:
    from .conftest import decode_audio

    folder = make_folder(small_manifest(
        [msg("red")], music={"fade_out": "1s", "tracks": [{"file": "music/a.wav", "start": "1s", "end": "3s",
                                                           "volume": "-6dB"}]},
        sequence=[{"photo": "red", "duration": "6s"}]), {"red": RED})
    tone(folder / "music" / "a.wav", 10.0, 0.3)
    result = render(folder)
    samples = decode_audio(result.output)[0]
    assert np.sqrt(np.mean(samples[2 * 48000:3 * 48000] ** 2)) > 0.05  # the 2 s trim loops under 6 s
    tail = [np.sqrt(np.mean(samples[-n * 4800:-(n - 1) * 4800 or None] ** 2)) for n in (10, 6, 3, 1)]
    assert tail[0] > tail[1] > tail[2] > tail[3] and tail[3] < 0.01  # the last second fades to silence


def test_slide_auto_gives_more_time_to_more_to_read(make_folder: Callable[..., Path]) -> None:
    from collage import build_plan, load

    long_caption = {"name": "A rather long name", "profession": "Human-rights lawyer", "location": "Somewhere far"}
    folder = make_folder(small_manifest(
        [msg("a", **long_caption), msg("b", **long_caption), msg("c", **long_caption), msg("d", name="D")],
        sequence=[{"grid": "2x2", "messages": ["a", "b", "c"]}, {"photo": "d"}],
        timing={"slide": "auto", "min": "3s", "max": "10s", "transition": 0}), {k: RED for k in "abcd"})
    grid, photo = build_plan(load(folder)).slides
    assert 3 * 10 <= photo.frames < grid.frames <= 10 * 10


@pytest.mark.parametrize(("name", "codec", "rate", "channels"), [
    ("track.mp3", "libmp3lame", 44100, 2), ("track.flac", "flac", 96000, 1), ("track.ogg", "libvorbis", 32000, 2),
    ("track.opus", "libopus", 48000, 2), ("track.m4a", "aac", 22050, 6), ("track.wav", "pcm_s24le", 8000, 1),
])
def test_every_common_format_rate_and_layout(make_folder: Callable[..., Path], name: str, codec: str, rate: int,
                                              channels: int) -> None:
    from .conftest import decode_audio, probe

    folder = make_folder(small_manifest([msg("red")], music=[{"file": f"music/{name}"}],
                                        sequence=[{"photo": "red", "duration": "3s"}]), {"red": RED})
    (folder / "music").mkdir()
    source = f"sine=frequency=440:sample_rate={rate}:duration=5"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", source, "-ac", str(channels), "-c:a", codec,
                    str(folder / "music" / name)], check=True)
    assert run(folder).ok
    result = render(folder)
    assert probe(result.output)["audio"]["rate"] == 48000
    samples = decode_audio(result.output)
    assert samples.shape[0] == 2 and np.sqrt(np.mean(samples[:, 48000:96000] ** 2)) > 0.05


def test_peaky_music_is_limited_not_clipped(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")], music=[{"file": "music/peaky.wav"}],
                                        sequence=[{"photo": "red", "duration": "8s"}]), {"red": RED})
    rate = 48000
    t = np.arange(8 * rate) / rate
    quiet = 0.03 * np.sin(2 * np.pi * 330 * t)
    quiet[:: rate // 2] += 0.9  # a sharp tick every half second: peaks far above the loudness
    (folder / "music").mkdir()
    with wave.open(str(folder / "music" / "peaky.wav"), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes((np.clip(quiet, -1, 1) * 32767).astype("<i2").tobytes())
    integrated, peak = ebur128(render(folder).output)
    assert abs(integrated - -16) <= 1.0
    assert peak <= -1.5 + 0.2


def test_corrupt_track_with_music_timing_is_a_clean_error(make_folder: Callable[..., Path]) -> None:
    import sys

    folder = make_folder(small_manifest([msg("red")], music=[{"file": "music/bad.m4a"}],
                                        timing={"fit": "music", "beats": True}), {"red": RED})
    (folder / "music").mkdir()
    (folder / "music" / "bad.m4a").write_bytes(bytes(range(256)) * 12)
    result = subprocess.run([sys.executable, "-m", "collage", "check", str(folder)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "music file 'music/bad.m4a' cannot be read as audio" in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr


def test_bed_streams_in_blocks_of_any_size() -> None:
    """The bed is produced block by block (memory bounded by the tracks, not the video's length); the
    blocks join into the same samples whatever their size, loops, crossfades and fades included."""
    from collage import audio, load

    example = load(Path(__file__).resolve().parents[1] / "examples" / "lawyers-day")
    seconds = 95.0  # longer than the example's track: it loops
    whole = audio.mix(example.folder, example.music, seconds)
    assert whole.shape == (round(seconds * audio.SAMPLE_RATE), 2)
    blocks = list(audio.mix_blocks(example.folder, example.music, seconds, block=12345))
    assert max(len(b) for b in blocks) <= 12345
    assert np.array_equal(np.concatenate(blocks), whole)
    assert np.abs(whole[:10]).max() < 1e-3 and np.abs(whole[-10:]).max() < 1e-3  # faded in and out
