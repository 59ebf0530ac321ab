"""The music bed: the manifest's tracks in order as one stream, exactly as long as the video, at an even,
measured loudness.

The mix (`audio.mix`: each track levelled to the target first, so a quiet and a loud track sound even,
crossfaded, looped, faded) is streamed to a scratch file, measured (`audio.loudness`), then normalised in a
second, linear pass: one gain for the whole bed (no pumping), with a true-peak ceiling. A half-hour bed
never exists in memory at once.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable, Generator
from pathlib import Path

import numpy as np

from collage.audio.loudness import SAMPLE_RATE, ebur128, gain_filter, raw_args
from collage.audio.mix import Audio, mix_blocks
from collage.errors import RenderError
from collage.ffmpeg import ffmpeg_exe
from collage.model.project import Music


def build_bed(folder: Path, music: Music, duration: float, target: Path,
              codec: tuple[str, ...] = ("-c:a", "pcm_s16le"), window: tuple[float, float] | None = None,
              mix: Callable[[float], Generator[Audio, None, None]] | None = None) -> Path | None:
    """Write the bed for `duration` seconds to `target` (48 kHz stereo; WAV, or `codec` into MP4 when
    `target` ends in .m4a); None without music. The mix is streamed to a scratch file beside `target`,
    measured, and normalised from there, so memory does not grow with the video's length. With
    `window` (start, length of the whole video), the bed is mixed and levelled for the whole video and
    `duration` seconds of it from `start` are written: a part of the video, with its music as it plays there.
    `mix(seconds)`: the blocks to level instead of the music alone (the described version's mix)."""
    if (not music.tracks and mix is None) or duration <= 0:
        return None
    start, whole = window or (0.0, duration)
    raw = target.with_name(target.name + ".f32")
    try:
        blocks_of = mix or (lambda seconds: mix_blocks(folder, music, seconds))
        with raw.open("wb") as f, contextlib.closing(blocks_of(whole)) as blocks:
            for piece in blocks:  # (closing: the decoders stop at once if writing fails)
                f.write(np.ascontiguousarray(piece, dtype="<f4").data)
        source = [*raw_args(), "-i", str(raw)]
        try:
            m = ebur128(source)
        except ValueError as exc:
            raise RenderError(f"ffmpeg could not measure the music bed: {exc}", "run `collage check`") from None
        container = ["-f", "mp4"] if target.suffix == ".m4a" else ["-f", "wav"]
        cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-y", *source, "-af", gain_filter(m, music),
               "-ar", str(SAMPLE_RATE), "-ac", "2", *codec, *(["-ss", f"{start:.6f}"] if start else []),
               "-t", f"{duration:.6f}", "-map_metadata", "-1",
               "-fflags", "+bitexact", "-flags:a", "+bitexact", *container, str(target)]
        try:
            result = subprocess.run(cmd, capture_output=True, timeout=3600, check=False)
        except subprocess.TimeoutExpired:
            raise RenderError("ffmpeg did not finish the music bed in an hour", "run `collage check`") from None
    finally:
        raw.unlink(missing_ok=True)
    if result.returncode != 0:
        raise RenderError("ffmpeg could not normalise the music bed", "run `collage check` on the music")
    return target
