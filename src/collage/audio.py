"""The music bed: the manifest's tracks in order as one stream, exactly as long as the video, at an even,
measured loudness; and the facts about the music that timing can follow (its length, its beats).

moviepy reads and resamples each track (any format and rate ffmpeg reads, to 48 kHz stereo) and trims it;
numpy does the mixing moviepy has no effect for: equal-power crossfades between tracks and at the loop,
and the fades at the ends. Loudness is EBU R128 measured by ffmpeg's `ebur128`: each track is levelled to
the target first (a quiet and a loud track sound even), then the whole bed is normalised in a second,
linear pass (one gain for the whole bed: no pumping) with a true-peak ceiling.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import Problem, RenderError
from .manifest import Music, Project, Track
from .plan import MusicFacts

SAMPLE_RATE = 48000
TRUE_PEAK = -1.5  # dBTP ceiling of the bed
QUIET = -50.0  # LUFS below which a track counts as silent or nearly so
_MAX_BOOST = 20.0  # dB: never lift a near-silent track into loud noise
_JOIN = 0.01  # s: even a hard join (crossfade 0) gets this much, so it cannot click

Audio = NDArray[np.float32]  # (samples, 2)


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS (-70 or -inf for digital silence)
    true_peak: float  # dBTP
    lra: float  # LU


def _ffmpeg() -> str:
    from .encode import ffmpeg_exe

    return ffmpeg_exe()


def _number(text: str) -> float:
    return float("-inf") if text.strip() in ("-inf", "-nan", "nan", "inf") else float(text)


def _ebur128(args: list[str]) -> Loudness:
    """EBU R128 integrated loudness, loudness range and true peak (ffmpeg's ebur128 filter: several
    times faster than a loudnorm analysis pass, and the same figures)."""
    cmd = [_ffmpeg(), "-nostdin", "-hide_banner", "-nostats", "-v", "info", *args, "-map", "0:a:0",
           "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    result = subprocess.run(cmd, capture_output=True, timeout=600, check=False)
    summary = result.stderr.decode(errors="replace").rpartition("Summary:")[2]
    figures = {k: re.search(rf"{k}:\s+(-?[\d.]+|-?inf)", summary) for k in ("I", "LRA", "Peak")}
    if result.returncode != 0 or not all(figures.values()):
        raise ValueError("ffmpeg cannot decode it")
    i, lra, peak = (_number(m.group(1)) for m in figures.values() if m)
    return Loudness(i, peak, lra)


def measure(path: Path, start: float = 0.0, end: float | None = None) -> Loudness:
    """EBU R128 measurement of a file or a stretch of it (decodes it all: also proves it is readable).
    Remembered per file state, since `check` and the bed's levelling ask the same question."""
    stat = path.stat()
    return _measure(str(path), stat.st_mtime_ns, stat.st_size, start, end)


@functools.lru_cache(maxsize=64)
def _measure(path: str, mtime_ns: int, size: int, start: float, end: float | None) -> Loudness:
    trim = ["-ss", f"{start:.3f}"] if start else []
    trim += ["-to", f"{end:.3f}"] if end is not None else []
    return _ebur128([*trim, "-i", path])


def _raw_args() -> list[str]:
    return ["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "2"]


# -- reading and mixing --------------------------------------------------------------------------------------


def _durations(folder: Path, music: Music) -> list[float]:
    """Each track's playing length after trimming, from the file headers."""
    from moviepy import AudioFileClip

    out = []
    for track in music.tracks:
        clip = AudioFileClip(str(folder / track.file), fps=SAMPLE_RATE)
        try:
            end = clip.duration if track.end is None else min(track.end, clip.duration)
        finally:
            clip.close()
        out.append(max(0.0, end - track.start))
    return out


def _overlap(music: Music, a: float, b: float) -> float:
    return max(_JOIN, min(music.crossfade, a / 2, b / 2))


def playlist_seconds(durations: list[float], music: Music) -> float:
    total = sum(durations)
    return total - sum(_overlap(music, a, b) for a, b in itertools.pairwise(durations))


def _read(folder: Path, track: Track, gain_db: float) -> Audio:
    from moviepy import AudioFileClip

    clip = AudioFileClip(str(folder / track.file), fps=SAMPLE_RATE)
    try:
        end = clip.duration if track.end is None else min(track.end, clip.duration)
        samples = clip.subclipped(track.start, end).to_soundarray(fps=SAMPLE_RATE, nbytes=2)
    finally:
        clip.close()
    samples = np.asarray(samples, dtype=np.float32).reshape(len(samples), -1)
    if samples.shape[1] == 1:
        samples = np.repeat(samples, 2, axis=1)
    return samples[:, :2] * np.float32(10 ** (gain_db / 20))


@functools.lru_cache(maxsize=1)  # the beats are found in the same bed the render then normalises
def mix(folder: Path, music: Music, duration: float) -> Audio:
    """The bed before normalisation, in memory (for beat finding and tests); read-only, shared."""
    blocks = list(mix_blocks(folder, music, duration))
    bed = np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)
    bed.flags.writeable = False
    return bed


def mix_blocks(folder: Path, music: Music, duration: float, block: int = 1 << 19) -> Iterator[Audio]:
    """The bed before normalisation as consecutive blocks: tracks levelled, trimmed, volume applied,
    joined, looped to cover `duration`, cut to it and faded at both ends. Memory is bounded by the
    tracks, not by the video's length: a half-hour bed never exists in memory at once."""
    parts = [_read(folder, t, _levelling_gain(folder, t, music.loudness) + t.volume) for t in music.tracks]
    parts = [p for p in parts if len(p)]
    want = round(duration * SAMPLE_RATE)
    if want <= 0:
        return
    fades = [min(round(seconds * SAMPLE_RATE), want // 2) for seconds in (music.fade_in, music.fade_out)]
    pos = 0

    def emit(samples: Audio) -> Iterator[Audio]:
        nonlocal pos
        for k in range(0, len(samples), block):
            piece = samples[k:k + block][: want - pos].copy()
            if not len(piece):
                return
            _fade(piece, pos, want, *fades)
            pos += len(piece)
            yield piece

    if not parts:
        while pos < want:
            yield from emit(np.zeros((min(block, want - pos), 2), np.float32))
        return
    pending, prev_len, i = parts[0], len(parts[0]), 1
    while pos + len(pending) < want:  # the playlist loops, crossfading into its own start
        nxt = parts[i % len(parts)]
        n = min(round(_overlap(music, prev_len / SAMPLE_RATE, len(nxt) / SAMPLE_RATE) * SAMPLE_RATE),
                len(pending), len(nxt))
        if n > 0:
            x = (np.arange(n, dtype=np.float32) + 0.5) / n  # equal power: constant loudness through the join
            joined = pending[-n:] * np.cos(x * np.pi / 2)[:, None] + nxt[:n] * np.sin(x * np.pi / 2)[:, None]
            yield from emit(pending[:-n])
            yield from emit(joined)
        else:
            yield from emit(pending)
        pending, prev_len, i = nxt[n:], len(nxt), i + 1
    yield from emit(pending)


def _fade(piece: Audio, pos: int, want: int, fade_in: int, fade_out: int) -> None:
    """Apply the bed's fades to `piece`, which starts at sample `pos` of a bed `want` samples long."""
    end = pos + len(piece)
    if fade_in > 0 and pos < fade_in:
        idx = np.arange(pos, min(end, fade_in), dtype=np.float32)
        piece[: len(idx)] *= _curve((idx + 0.5) / fade_in)[:, None]
    if fade_out > 0 and end > want - fade_out:
        first = max(pos, want - fade_out)
        idx = np.arange(first, end, dtype=np.float32)
        piece[first - pos:] *= _curve((want - idx - 0.5) / fade_out)[:, None]


def _curve(x: NDArray[np.floating[Any]]) -> NDArray[np.float32]:
    return np.asarray(np.sin(x * np.pi / 2) ** 2, dtype=np.float32)  # smooth at both ends of the fade


def _levelling_gain(folder: Path, track: Track, loudness: float) -> float:
    """dB that bring a track (its trimmed stretch) to the target loudness; silence stays silence."""
    try:
        measured = measure(folder / track.file, track.start, track.end).integrated
    except ValueError as exc:
        raise RenderError(f"cannot read music file {track.file}: {exc}", "run `collage check`") from None
    if not math.isfinite(measured):
        return 0.0
    return max(-30.0, min(_MAX_BOOST, loudness - measured))


def build_bed(folder: Path, music: Music, duration: float, target: Path,
              codec: tuple[str, ...] = ("-c:a", "pcm_s16le")) -> Path | None:
    """Write the bed for `duration` seconds to `target` (48 kHz stereo; WAV, or `codec` into MP4 when
    `target` ends in .m4a); None without music. The mix is streamed to a scratch file beside `target`,
    measured, and normalised from there, so memory does not grow with the video's length."""
    if not music.tracks or duration <= 0:
        return None
    raw = target.with_name(target.name + ".f32")
    try:
        with raw.open("wb") as f:
            for piece in mix_blocks(folder, music, duration):
                f.write(np.ascontiguousarray(piece, dtype="<f4").data)
        source = [*_raw_args(), "-i", str(raw)]
        m = _ebur128(source)
        container = ["-f", "mp4"] if target.suffix == ".m4a" else ["-f", "wav"]
        cmd = [_ffmpeg(), "-nostdin", "-hide_banner", "-v", "error", "-y", *source, "-af", _gain_filter(m, music),
               "-ar", str(SAMPLE_RATE), "-ac", "2", *codec, "-t", f"{duration:.6f}", "-map_metadata", "-1",
               "-fflags", "+bitexact", "-flags:a", "+bitexact", *container, str(target)]
        result = subprocess.run(cmd, capture_output=True, timeout=3600, check=False)
    finally:
        raw.unlink(missing_ok=True)
    if result.returncode != 0:
        raise RenderError("ffmpeg could not normalise the music bed", "run `collage check` on the music")
    return target


# -- what timing can follow ------------------------------------------------------------------------------


def facts(project: Project, beats_over: float | None = None) -> MusicFacts | None:
    """The music's playing length; with `beats_over`, also its beats in the first `beats_over` seconds
    of the bed as it will play under the video. None without music."""
    if not project.music.tracks:
        return None
    seconds = playlist_seconds(_durations(project.folder, project.music), project.music)
    beats: tuple[float, ...] = ()
    if beats_over:
        beats = onsets(mix(project.folder, project.music, beats_over).mean(axis=1))
    return MusicFacts(seconds, beats)


def onsets(mono: NDArray[np.float32], rate: int = SAMPLE_RATE) -> tuple[float, ...]:
    """Onset times (s) by spectral flux: where energy rises across frequencies, as at a beat or a note
    attack; peaks above a local adaptive threshold, at least 100 ms apart."""
    step = 4  # analyse at 12 kHz: beats live well below 6 kHz
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
    kernel = np.ones(2 * window + 1) / (2 * window + 1)
    local = np.convolve(flux, kernel, mode="same")
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
    # Frame i+1 of the flux compares window i+1 with window i; its onset lies near window i+1's centre.
    return tuple(round(((i + 1) * hop + n_fft / 2) / sr, 4) for i in peaks)


# -- checks ------------------------------------------------------------------------------------------------


def _gain_filter(m: Loudness, music: Music) -> str:
    """One gain for the whole bed (no pumping) to the target loudness. Where that gain would lift the
    true peak over the ceiling, a brick-wall limiter with a fast release catches only those peaks
    (set 0.5 dB lower, since it sees sample peaks, not true peaks)."""
    if not math.isfinite(m.integrated) or m.integrated <= -70:
        return "anull"  # silence: nothing to normalise
    gain = music.loudness - m.integrated
    if m.true_peak + gain <= TRUE_PEAK:
        return f"volume={gain:.3f}dB"
    limit = 10 ** ((TRUE_PEAK - 0.5) / 20)
    return f"volume={gain:.3f}dB,alimiter=limit={limit:.5f}:attack=1:release=50:level=false"


def check_track(folder: Path, track: Track, manifest: str) -> list[Problem]:
    """Decode a whole track: an unreadable one is an error, a silent or nearly silent one a warning."""
    try:
        level = measure(folder / track.file, start=track.start, end=track.end)
    except (ValueError, subprocess.TimeoutExpired):
        return [Problem(manifest, f"music file '{track.file}' cannot be read as audio", line=track.line,
                        field="music", hint="convert it to MP3, M4A, WAV, FLAC or OGG, or fix the file")]
    if level.integrated < QUIET:
        shown = "silent" if level.integrated == float("-inf") else f"{level.integrated:.0f} LUFS"
        return [Problem(manifest, f"music file '{track.file}' is silent or nearly so ({shown})", line=track.line,
                        field="music", hint="check the file (and its start/end); it is boosted by 20 dB at most",
                        severity="warning")]
    return []
