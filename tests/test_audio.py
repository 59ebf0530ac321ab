"""The music bed: levelled tracks, a normalised bed (EBU R128, measured on the output with ffmpeg's
ebur128 filter), chapters, and warnings for silent tracks."""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from collage.check import run
from collage.ffmpeg import ffmpeg_exe
from collage.model.project import Music, Track
from collage.model.timeline import Timeline
from collage.render import render

from .support.media import RED, msg, sine, small_manifest, write_wav

pytestmark = pytest.mark.e2e


def tone(path: Path, seconds: float, amplitude: float, freq: float = 440.0, rate: int = 44100) -> Path:
    """A stereo sine track."""
    return write_wav(path, sine(seconds, freq, amplitude, rate), rate, channels=2)


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
    return write_wav(path, samples * 0.8, rate)


def test_fit_music_makes_the_video_as_long_as_the_track(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest(
        [msg("red"), msg("green")], music=[{"file": "music/song.wav"}],
        timing={"title": "3s", "slide": "5s", "transition": "1s", "fit": "music"}), {"red": RED, "green": RED})
    tone(folder / "music" / "song.wav", 47.0, 0.2)
    result = render(folder)
    assert abs(result.timeline.duration - 47.0) <= 1 / result.timeline.fps
    from .support.media import probe

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
    from collage.pipeline import timeline

    clicks(folder / "music" / "clicks.wav", 1.0, [])  # a placeholder, so the manifest loads
    plain = build_plan(load(folder))  # the planner alone: no beats
    targets = [c + 0.2 for c in _cuts(plain)]  # every cut is 0.2 s early for its beat
    clicks(folder / "music" / "clicks.wav", plain.duration + 1, targets)
    snapped = timeline(load(folder))
    assert snapped.frames == plain.frames  # the total does not move
    for cut, beat in zip(_cuts(snapped), targets, strict=True):
        assert abs(cut - beat) <= 1.5 / snapped.fps, (cut, beat)


def test_join_between_tracks_does_not_click(make_folder: Callable[..., Path]) -> None:
    from .support.media import decode_audio

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
    from .support.media import decode_audio

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
    from .support.media import decode_audio, probe

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
    write_wav(folder / "music" / "peaky.wav", quiet, rate)
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
    """The bed is produced block by block (memory bounded by a block, not by the tracks or the video's
    length); the blocks join into the same samples whatever their size, loops, crossfades and fades included."""
    from collage import load
    from collage.audio import mix as audio

    example = load(Path(__file__).resolve().parents[1] / "examples" / "lawyers-day")
    seconds = 95.0  # longer than the example's track: it loops
    whole = np.concatenate(list(audio.mix_blocks(example.folder, example.music, seconds)))
    assert whole.shape == (round(seconds * audio.SAMPLE_RATE), 2)
    blocks = list(audio.mix_blocks(example.folder, example.music, seconds, block=12345))
    assert max(len(b) for b in blocks) <= 12345
    assert np.array_equal(np.concatenate(blocks), whole)
    assert np.abs(whole[:10]).max() < 1e-3 and np.abs(whole[-10:]).max() < 1e-3  # faded in and out


# -- the streaming bed against the straightforward, in-memory one -------------------------------------------

SR = 48000


def _swell(seconds: float, rate: int, freq: float) -> np.ndarray:
    """A tone whose level rises through the file: a misplaced sample or a wrong trim shows."""
    t = np.arange(int(seconds * rate)) / rate
    return (0.1 + 0.25 * t / seconds) * np.sin(2 * np.pi * freq * t)


@pytest.fixture
def tracks(tmp_path: Path) -> Path:
    folder = tmp_path / "music-folder"
    left, right = _swell(3.0, 44100, 440), _swell(3.0, 44100, 554)
    write_wav(folder / "music" / "stereo.wav", np.stack([left, right], axis=1), 44100)  # the two sides differ
    write_wav(folder / "music" / "mono-odd.wav", _swell(2.2, 37800, 330), 37800)  # mono, an odd rate
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=620:duration=2.6",
                    "-af", "volume='0.4+0.3*t':eval=frame", "-ar", "32000", "-c:a", "libmp3lame",
                    str(folder / "music" / "coded.mp3")], check=True)
    return folder


def _decode_whole(path: Path) -> np.ndarray:
    """A whole file as 48 kHz stereo float32, in memory, as ffmpeg converts it for the bed."""
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-rematrix_maxval", "1",
           "-f", "f32le", "-ar", str(SR), "-ac", "2", "-"]
    out = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(out, "<f4").reshape(-1, 2)


def _reference_bed(folder: Path, music: Music, duration: float) -> np.ndarray:
    """The bed the straightforward way, every track whole in memory (as collage mixed it before it
    streamed): trimmed, levelled, volume, joined and looped with equal-power crossfades, cut, faded."""
    from collage.audio import mix as audio

    parts = []
    for track, seconds in zip(music.tracks, audio.durations(folder, music), strict=True):
        n = round(seconds * SR)
        if n <= 0:
            continue
        first = round(track.start * SR)
        part = np.zeros((n, 2), np.float32)
        got = _decode_whole(folder / track.file)[first:first + n]
        part[:len(got)] = got
        gain = audio.levelling_gain(folder, track, music.loudness) + track.volume
        parts.append(part * np.float32(10 ** (gain / 20)))
    want = round(duration * SR)
    out, pending, prev, i, total = [], parts[0], len(parts[0]), 1, 0
    while total + len(pending) < want:
        nxt = parts[i % len(parts)]
        n = min(round(audio._overlap(music, prev / SR, len(nxt) / SR) * SR), len(pending), len(nxt))
        x = (np.arange(n, dtype=np.float32) + 0.5) / max(n, 1)
        joined = pending[len(pending) - n:] * np.cos(x * np.pi / 2)[:, None] + nxt[:n] * np.sin(x * np.pi / 2)[:, None]
        out += [pending[:len(pending) - n], joined]
        total += len(pending)
        pending, prev, i = nxt[n:], len(nxt), i + 1
    bed = np.concatenate([*out, pending])[:want].copy()
    fade_in, fade_out = (min(round(s * SR), want // 2) for s in (music.fade_in, music.fade_out))
    if fade_in:
        bed[:fade_in] *= np.sin((np.arange(fade_in) + 0.5) / fade_in * np.pi / 2)[:, None] ** 2
    if fade_out:
        bed[want - fade_out:] *= np.sin((np.arange(fade_out, 0, -1) - 0.5) / fade_out * np.pi / 2)[:, None] ** 2
    return bed


BEDS = {
    "one track looping": (Music((Track("music/stereo.wav"),), crossfade=1.0, fade_in=1.5, fade_out=3.0), 10.0),
    "trims, volume, mono, odd rate, mp3, looping": (Music((
        Track("music/stereo.wav", start=0.5, end=2.5, volume=-6.0), Track("music/mono-odd.wav", volume=3.0),
        Track("music/coded.mp3", start=0.7)), crossfade=0.8, fade_in=0.4, fade_out=0.9), 12.0),
    "hard joins, ends inside the second track": (Music((
        Track("music/mono-odd.wav", end=1.9), Track("music/stereo.wav", start=0.25)), crossfade=0, fade_in=0,
        fade_out=0.5), 3.1),
    "crossfades as long as the tracks allow": (Music((
        Track("music/coded.mp3"), Track("music/stereo.wav", end=5.0)), crossfade=30.0), 9.0),
    "end past the file's end, video shorter than the track": (Music((
        Track("music/stereo.wav", start=1.0, end=9.0),)), 1.2),
}


@pytest.mark.parametrize("hold", [True, False], ids=["held", "streamed"])
@pytest.mark.parametrize("case", list(BEDS))
def test_streaming_bed_equals_the_in_memory_bed(tracks: Path, case: str, hold: bool,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Loops, crossfades (between tracks and at the loop, across block boundaries), trims, volume, fades,
    mono and odd-rate and coded inputs: the same samples as mixing whole tracks in memory."""
    from collage.audio import mix as audio

    if not hold:  # every pass decoded again from the file, as for long tracks
        monkeypatch.setattr(audio, "_HOLD", 0)
    music, seconds = BEDS[case]
    reference = _reference_bed(tracks, music, seconds)
    blocks = list(audio.mix_blocks(tracks, music, seconds, block=4099))
    assert max(len(b) for b in blocks) <= 4099
    streamed = np.concatenate(blocks)
    assert streamed.shape == reference.shape == (round(seconds * SR), 2)
    assert np.abs(reference).max() > 0.05
    np.testing.assert_allclose(streamed, reference, rtol=0, atol=2e-6)


def test_only_the_stretch_that_plays_is_decoded(tracks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A track longer than the video is decoded only as far as the video needs, and every ffmpeg the
    bed starts is gone when the mix ends, also when its reader stops early."""
    from collage.audio import mix as audio

    asked: list[int] = []
    real = audio._Decoder

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, path: Path, name: str, start: float, frames: int, gain_db: float) -> None:
            asked.append(frames)
            super().__init__(path, name, start, frames, gain_db)

    monkeypatch.setattr(audio, "_Decoder", Counting)
    music = Music((Track("music/stereo.wav"), Track("music/coded.mp3")))
    bed = list(audio.mix_blocks(tracks, music, 1.0))
    assert sum(len(b) for b in bed) == SR and asked == [SR]  # one second of the first track, nothing else
    assert not _ffmpeg_children()

    gen = audio.mix_blocks(tracks, music, 4.0, block=1000)
    next(gen)
    assert _ffmpeg_children()  # the decoder is running...
    gen.close()
    assert not _ffmpeg_children()  # ...and stopped with the reader


def _ffmpeg_children() -> list[int]:
    import os

    found = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as fh:
            for pid in fh.read().split():
                with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as cmd:
                    if b"ffmpeg" in cmd.read():
                        found.append(int(pid))
    return found


def test_unreadable_stream_is_an_error_not_silence(tmp_path: Path) -> None:
    """A decoder that fails half-way (here: killed, as on an interrupted render) raises; only a stream
    that ends cleanly early is padded with silence."""
    from collage.audio import mix as audio
    from collage.errors import RenderError

    path = write_wav(tmp_path / "long.wav", _swell(5.0, 48000, 440), 48000)
    decoder = audio._Decoder(path, "long.wav", 0.0, 5 * SR, 0.0)
    try:
        assert decoder.read(1000).any()
        decoder._proc.kill()
        with pytest.raises(RenderError, match=r"cannot read music file long\.wav"):
            decoder.read(5 * SR)
    finally:
        decoder.close()
    short = audio._Decoder(path, "long.wav", 4.0, 2 * SR, 0.0)  # the header promised more than there is
    try:
        samples = short.read(2 * SR)
        assert samples[:SR - 10].any() and not samples[SR + 10:].any()
    finally:
        short.close()


# -- beats found block by block ------------------------------------------------------------------------------


def _onsets_whole(mono: np.ndarray, rate: int = SR) -> tuple[float, ...]:
    """The beat finder as it was, over the whole signal at once (the reference for the streaming one)."""
    step = 4
    x = mono[: len(mono) // step * step].reshape(-1, step).mean(axis=1)
    sr, n_fft, hop = rate / step, 1024, 128
    if len(x) < n_fft:
        return ()
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop] * np.hanning(n_fft).astype(np.float32)
    spectrum = np.log1p(100 * np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(0.0, np.diff(spectrum, axis=0)).sum(axis=1)
    if not flux.any():
        return ()
    window = max(1, round(0.5 * sr / hop))
    local = np.convolve(flux, np.ones(2 * window + 1) / (2 * window + 1), mode="same")
    threshold = local + 0.5 * flux.std()
    gap = round(0.1 * sr / hop)
    peaks: list[int] = []
    for i in range(1, len(flux) - 1):
        if flux[i] > threshold[i] and flux[i] >= flux[i - 1] and flux[i] >= flux[i + 1]:
            if peaks and i - peaks[-1] < gap:
                if flux[i] > flux[peaks[-1]]:
                    peaks[-1] = i
                continue
            peaks.append(i)
    return tuple(round(((i + 1) * hop + n_fft / 2) / sr, 4) for i in peaks)


def test_beats_found_block_by_block_are_the_whole_signal_beats() -> None:
    from collage.audio import beats as audio

    rng = np.random.default_rng(9)
    at = np.cumsum(rng.uniform(0.3, 0.9, 40))  # irregular clicks over ~24 s, over a quiet tone
    t = np.arange(int((at[-1] + 1) * SR)) / SR
    mono = (0.02 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    burst = (np.hanning(240) * np.sin(2 * np.pi * 2000 * np.arange(240) / SR)).astype(np.float32)
    for start in at:
        i = int(start * SR)
        mono[i:i + 240] += 0.8 * burst
    whole = _onsets_whole(mono)
    assert len(whole) == len(at) and max(abs(a - b) for a, b in zip(whole, at, strict=True)) < 0.05  # a window: 85 ms
    assert audio.onsets(mono) == whole
    for size in (4099, 128 * 4 + 3, 1 << 19):  # pieces that split windows, hops and decimation steps anywhere
        flux = audio._Flux()
        for k in range(0, len(mono), size):
            flux.feed(mono[k:k + size])
        assert flux.onsets() == whole, size


def test_bed_beats_follow_the_file_not_a_stale_cache(tracks: Path) -> None:
    """The beats are remembered per file state: a track replaced under the same name (even with the
    same size and modification time) is analysed again."""
    import os
    from types import SimpleNamespace

    from collage.audio import beats as audio

    path = tracks / "music" / "beat.wav"

    def write(at: list[float]) -> None:
        clicks(tracks / "music" / "new.wav", 6.0, at)
        os.replace(tracks / "music" / "new.wav", path)
        os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))

    music = Music((Track("music/beat.wav"),), fade_in=0, fade_out=0)
    project: Any = SimpleNamespace(folder=tracks, music=music)  # all that facts() reads of a project
    write([1.0, 2.0, 3.0, 4.0])
    first = audio.facts(project, beats_over=6.0)
    write([1.5, 2.5, 3.5, 4.5])
    second = audio.facts(project, beats_over=6.0)
    assert first is not None and second is not None
    assert [round(b) for b in first.beats] == [1, 2, 3, 4]
    assert [round(b - 0.5) for b in second.beats] == [1, 2, 3, 4]


def test_beat_finding_memory_does_not_grow_with_the_bed(tmp_path: Path) -> None:
    """Two minutes of bed from a six-minute track: the mix and the beat finder hold a few blocks
    (the whole bed alone would be 44 MiB, its spectra several times that)."""
    import tracemalloc

    from collage.audio import beats as audio
    from collage.audio import loudness

    (tmp_path / "music").mkdir()
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=360:beep_factor=4",
                    "-c:a", "flac", str(tmp_path / "music" / "long.flac")], check=True)
    music = Music((Track("music/long.flac"),))
    loudness.measure(tmp_path / "music" / "long.flac")  # (ffmpeg's work, outside this process)
    tracemalloc.start()
    try:
        beats = audio._beats(tmp_path, music, 120.0, ())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(beats) > 100
    assert peak < 24 * 2**20, peak / 2**20  # (the whole-bed analysis it replaced: 530 MiB)


def test_a_second_check_does_not_decode_an_unchanged_track(make_folder: Callable[..., Path]) -> None:
    """A long track takes seconds to decode: its loudness is remembered by file state in the cache."""
    from collage import check
    from collage.audio import loudness

    folder = make_folder(small_manifest([msg("red")], music=["music/quiet.wav", "music/loud.wav"]), {"red": RED})
    tone(folder / "music" / "quiet.wav", 2, 0.0)
    tone(folder / "music" / "loud.wav", 2, 0.5)
    first = check.run(folder)
    assert [p.message for p in first.warnings if "silent" in p.message]  # the silent one is found ...
    decoded: list[str] = []
    real = loudness.ebur128
    loudness._measure.cache_clear()  # this process's own memory too: only the cache folder remembers
    try:
        loudness.ebur128 = lambda args: decoded.append(str(args)) or real(args)  # type: ignore[assignment, func-returns-value]
        second = check.run(folder)
    finally:
        loudness.ebur128 = real  # type: ignore[assignment]
    assert decoded == []
    assert [p.message for p in second.warnings] == [p.message for p in first.warnings]  # ... and still reported
    (folder / "music" / "loud.wav").write_bytes(b"not audio any more")
    third = check.run(folder)
    assert any("cannot be read as audio" in p.message for p in third.errors)  # a changed file is measured again
