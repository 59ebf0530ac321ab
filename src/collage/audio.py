"""The music bed: the manifest's tracks in order as one stream, exactly as long as the video.

moviepy does the reading, joining, looping and fading (what it is good at); the bed is written once as
48 kHz stereo PCM and muxed by the encoder. With no tracks there is no bed, and the encoder adds silence.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from .errors import Problem
from .manifest import Track

SAMPLE_RATE = 48000


def build_bed(folder: Path, tracks: Sequence[Track], duration: float, target: Path,
              fade_in: float = 1.5, fade_out: float = 3.0) -> Path | None:
    """Write the bed for `duration` seconds to `target` (WAV); None when there is no music."""
    if not tracks or duration <= 0:
        return None
    from moviepy import AudioFileClip, afx, concatenate_audioclips

    clips = [AudioFileClip(str(folder / t.file), fps=SAMPLE_RATE) for t in tracks]
    try:
        bed = concatenate_audioclips(clips) if len(clips) > 1 else clips[0]
        if bed.duration < duration:
            bed = bed.with_effects([afx.AudioLoop(duration=duration)])
        else:
            bed = bed.subclipped(0, duration)
        fade_in = min(fade_in, duration / 4)
        fade_out = min(fade_out, duration / 4)
        bed = bed.with_effects([afx.AudioFadeIn(fade_in), afx.AudioFadeOut(fade_out)])
        bed.write_audiofile(str(target), fps=SAMPLE_RATE, nbytes=2, codec="pcm_s16le",
                            ffmpeg_params=["-ac", "2"], logger=None)
    finally:
        for clip in clips:
            clip.close()
    return target


def check_track(folder: Path, track: Track, manifest: str) -> list[Problem]:
    """Decode the start of a track; an unreadable file is an error naming it and its line."""
    from .encode import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-hide_banner", "-v", "error", "-i", str(folder / track.file), "-map", "0:a:0", "-t", "1",
           "-f", "null", "-"]
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return [Problem(manifest, f"music file '{track.file}' took too long to read", line=track.line,
                        field="music")]
    if result.returncode != 0:
        return [Problem(manifest, f"music file '{track.file}' cannot be read as audio", line=track.line,
                        field="music",
                        hint="convert it to MP3, M4A, WAV, FLAC or OGG, or fix the file")]
    return []
