"""The music bed: the manifest's tracks in order as one stream, exactly as long as the video, at an
even, measured loudness.

moviepy does the reading, gain, joining, looping and fading (what it is good at). Loudness is EBU R128,
measured by ffmpeg's `loudnorm` filter: each track is first levelled to the target so a quiet and a loud
track sound even, then the whole bed is normalised in a second, linear pass (two-pass loudnorm: one gain
for the whole bed, so no pumping) to the target integrated loudness with a true-peak ceiling. The bed is
written once as 48 kHz stereo PCM and muxed by the encoder. With no tracks there is no bed, and the
encoder adds silence.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, RenderError
from .manifest import Track

SAMPLE_RATE = 48000
TRUE_PEAK = -1.5  # dBTP ceiling of the bed
QUIET = -50.0  # LUFS below which a track counts as silent or nearly so
_MAX_BOOST = 20.0  # dB: never lift a near-silent track into loud noise


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS (-inf for digital silence)
    true_peak: float  # dBTP
    lra: float  # LU
    threshold: float  # LUFS
    offset: float


def _ffmpeg() -> str:
    from .encode import ffmpeg_exe

    return ffmpeg_exe()


def _loudnorm_json(stderr: str) -> dict[str, str]:
    match = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr)
    if not match:
        raise ValueError("no loudnorm measurement in ffmpeg's output")
    return json.loads(match.group(0))


def _number(text: str) -> float:
    return float("-inf") if text.strip() in ("-inf", "-nan", "nan", "inf") else float(text)


def measure(path: Path, target: float = -16.0) -> Loudness:
    """EBU R128 measurement of a whole file (decodes it all: also proves it is readable)."""
    cmd = [_ffmpeg(), "-hide_banner", "-nostats", "-v", "info", "-i", str(path), "-map", "0:a:0",
           "-af", f"loudnorm=I={target}:TP={TRUE_PEAK}:LRA=11:print_format=json", "-f", "null", "-"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise ValueError("ffmpeg cannot decode it")
    data = _loudnorm_json(result.stderr)
    return Loudness(_number(data["input_i"]), _number(data["input_tp"]), _number(data["input_lra"]),
                    _number(data["input_thresh"]), _number(data["target_offset"]))


def build_bed(folder: Path, tracks: Sequence[Track], duration: float, target: Path, loudness: float = -16.0,
              fade_in: float = 1.5, fade_out: float = 3.0) -> Path | None:
    """Write the bed for `duration` seconds to `target` (WAV); None when there is no music."""
    if not tracks or duration <= 0:
        return None
    from moviepy import AudioFileClip, afx, concatenate_audioclips

    clips = []
    try:
        for track in tracks:
            clip = AudioFileClip(str(folder / track.file), fps=SAMPLE_RATE)
            clips.append(clip)
            gain = _levelling_gain(folder / track.file, loudness)
            clips[-1] = clip.with_effects([afx.MultiplyVolume(10 ** (gain / 20))]) if gain else clip
        bed = concatenate_audioclips(clips) if len(clips) > 1 else clips[0]
        if bed.duration < duration:
            bed = bed.with_effects([afx.AudioLoop(duration=duration)])
        else:
            bed = bed.subclipped(0, duration)
        bed = bed.with_effects([afx.AudioFadeIn(min(fade_in, duration / 4)),
                                afx.AudioFadeOut(min(fade_out, duration / 4))])
        joined = target.with_name(target.stem + ".joined.wav")
        bed.write_audiofile(str(joined), fps=SAMPLE_RATE, nbytes=2, codec="pcm_s16le",
                            ffmpeg_params=["-ac", "2"], logger=None)
    finally:
        for clip in clips:
            clip.close()
    _normalise(joined, target, loudness, duration)
    joined.unlink()
    return target


def _levelling_gain(path: Path, loudness: float) -> float:
    """dB that bring a track to the target loudness (bounded: silence stays silence)."""
    try:
        measured = measure(path, loudness).integrated
    except ValueError as exc:
        raise RenderError(f"cannot read music file {path.name}: {exc}", "run `collage check`") from None
    if measured == float("-inf"):
        return 0.0
    return max(-30.0, min(_MAX_BOOST, loudness - measured))


def _normalise(source: Path, target: Path, loudness: float, duration: float) -> None:
    """Second loudnorm pass with the first pass's measurement: one linear gain (no pumping), true peak
    held under the ceiling. A silent bed is copied as it is."""
    m = measure(source, loudness)
    if m.integrated == float("-inf") or m.integrated < -70:
        target.write_bytes(source.read_bytes())
        return
    flt = (f"loudnorm=I={loudness}:TP={TRUE_PEAK}:LRA=11:measured_I={m.integrated}:measured_TP={m.true_peak}:"
           f"measured_LRA={m.lra}:measured_thresh={m.threshold}:offset={m.offset}:linear=true")
    cmd = [_ffmpeg(), "-hide_banner", "-v", "error", "-y", "-i", str(source), "-af", flt, "-ar", str(SAMPLE_RATE),
           "-ac", "2", "-c:a", "pcm_s16le", "-t", f"{duration:.6f}", str(target)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise RenderError("ffmpeg could not normalise the music bed", "run `collage check` on the music")


def check_track(folder: Path, track: Track, manifest: str) -> list[Problem]:
    """Decode a whole track: an unreadable one is an error, a silent or nearly silent one a warning."""
    try:
        level = measure(folder / track.file)
    except (ValueError, subprocess.TimeoutExpired):
        return [Problem(manifest, f"music file '{track.file}' cannot be read as audio", line=track.line,
                        field="music", hint="convert it to MP3, M4A, WAV, FLAC or OGG, or fix the file")]
    if level.integrated < QUIET:
        shown = "silent" if level.integrated == float("-inf") else f"{level.integrated:.0f} LUFS"
        return [Problem(manifest, f"music file '{track.file}' is silent or nearly so ({shown})", line=track.line,
                        field="music", hint="check the file; it will not be boosted by more than 20 dB",
                        severity="warning")]
    return []
