"""Loudness, as EBU R128 measures it (ffmpeg's `ebur128` filter): of a music file or a stretch of it
(remembered per file state: `check` and the render ask the same question), of the mixed bed, and what
follows from it: each track's levelling gain, the bed's one normalising gain with its true-peak ceiling,
and the checks of a track (unreadable, silent)."""

from __future__ import annotations

import functools
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from collage.errors import Problem, RenderError
from collage.ffmpeg import ffmpeg_exe
from collage.model.project import Music, Track

SAMPLE_RATE = 48000
TRUE_PEAK = -1.5  # dBTP ceiling of the bed
QUIET = -50.0  # LUFS below which a track counts as silent or nearly so
_MAX_BOOST = 20.0  # dB: never lift a near-silent track into loud noise


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS (-70 or -inf for digital silence)
    true_peak: float  # dBTP
    lra: float  # LU


def _number(text: str) -> float:
    return float("-inf") if text.strip() in ("-inf", "-nan", "nan", "inf") else float(text)


def ebur128(args: list[str]) -> Loudness:
    """EBU R128 integrated loudness, loudness range and true peak (ffmpeg's ebur128 filter: several
    times faster than a loudnorm analysis pass, and the same figures)."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-v", "info", *args, "-map", "0:a:0",
           "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        raise ValueError("ffmpeg did not finish measuring it in 10 minutes") from None
    summary = result.stderr.decode(errors="replace").rpartition("Summary:")[2]
    figures = {k: re.search(rf"{k}:\s+(-?[\d.]+|-?inf)", summary) for k in ("I", "LRA", "Peak")}
    if result.returncode != 0 or not all(figures.values()):
        raise ValueError("ffmpeg cannot decode it")
    i, lra, peak = (_number(m.group(1)) for m in figures.values() if m)
    return Loudness(i, peak, lra)


def file_state(path: Path) -> tuple[str, int, int, int]:
    """What a file's cached facts are keyed by: its path and its state (size, mtime, inode), so that a
    long-lived process never answers for a file that has since been replaced or rewritten."""
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino


def measure(path: Path, start: float = 0.0, end: float | None = None) -> Loudness:
    """EBU R128 measurement of a file or a stretch of it (decodes it all: also proves it is readable).
    Remembered per file state, since `check` and the bed's levelling ask the same question."""
    return _measure(*file_state(path), start, end)


@functools.lru_cache(maxsize=64)
def _measure(path: str, size: int, mtime_ns: int, inode: int, start: float, end: float | None) -> Loudness:
    trim = ["-ss", f"{start:.3f}"] if start else []
    trim += ["-to", f"{end:.3f}"] if end is not None else []
    return ebur128([*trim, "-i", path])


def raw_args() -> list[str]:
    """ffmpeg's options for the bed's raw samples: 32-bit float, 48 kHz, stereo."""
    return ["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "2"]


def levelling_gain(folder: Path, track: Track, loudness: float) -> float:
    """dB that bring a track (its trimmed stretch) to the target loudness; silence stays silence.

    The whole trimmed stretch is measured, not only what plays under a shorter video: that is the same
    question `check` asks to prove the file readable (one ffmpeg pass, remembered per file state, so the
    render does not pay twice), and a track sounds as loud whatever the video's length. It costs time,
    not memory (ffmpeg's meter keeps a histogram): ~7 s of CPU for a 25-minute AAC track."""
    try:
        measured = measure(folder / track.file, track.start, track.end).integrated
    except ValueError as exc:
        raise RenderError(f"cannot read music file {track.file}: {exc}", "run `collage check`") from None
    if not math.isfinite(measured):
        return 0.0
    return max(-30.0, min(_MAX_BOOST, loudness - measured))


def gain_filter(m: Loudness, music: Music) -> str:
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
    return level_problems(track, level.integrated, manifest)


def level_problems(track: Track, integrated: float, manifest: str) -> list[Problem]:
    """A track that decodes, by its measured loudness: a silent or nearly silent one is a warning."""
    if integrated < QUIET:
        shown = "silent" if integrated == float("-inf") else f"{integrated:.0f} LUFS"
        return [Problem(manifest, f"music file '{track.file}' is silent or nearly so ({shown})", line=track.line,
                        field="music", hint="check the file (and its start/end); it is boosted by 20 dB at most",
                        severity="warning")]
    return []
