"""The described version's sound: what is said, over the music bed ducked under it, levelled as a whole.

    each clip     levelled on its own to the speech level (EBU R128, `audio.loudness`): a quiet recording
                  and a loud one, or a recording and the engine, sound alike
    the music     mixed as for the main video (`audio.mix`), and ducked by `DUCK_DB` wherever words are
                  said: down over `ATTACK` before the first word, up over `RELEASE` after the last, each
                  on a raised-cosine curve (no click, no pumping); words less than `HOLD` apart keep it down
    the whole     measured and brought to the manifest's loudness by one gain, under the same true-peak
                  ceiling as the main video (`audio.bed`: a limiter only where that gain would pass it)

The speech level is the manifest's loudness target itself (`music.loudness`, -16 LUFS by default): the
words carry the programme, so the whole lands on the target with a gain of about a decibel, and the
music under the words plays `DUCK_DB` below where it plays in the main video. Streamed in blocks, as the
bed is: memory does not grow with the video's length.
"""

from __future__ import annotations

import math
import wave
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from collage.audio.bed import build_bed
from collage.audio.loudness import SAMPLE_RATE, ebur128
from collage.audio.mix import Audio, mix_blocks
from collage.model.project import Music

DUCK_DB = 15.0  # the music under words, below where it plays in the main video
ATTACK = 0.35  # s: the music goes down this long before a word
RELEASE = 0.8  # s: and comes back over this long after
HOLD = ATTACK + RELEASE  # s: words closer than this keep the music down between them
_STEREO = 10 * math.log10(2)  # a mono clip in both channels is this much louder than measured alone


@dataclass(frozen=True)
class Said:
    start: float  # seconds into the audio written
    clip: Path  # 48 kHz mono 16-bit WAV (`media.narration`)


def build(folder: Path, music: Music, duration: float, said: Sequence[Said], target: Path,
          codec: tuple[str, ...], window: tuple[float, float] | None = None) -> Path:
    """Write the described version's sound, `duration` seconds (of the whole, `window`), to `target`."""
    gains = levels(said, music.loudness)

    def source(seconds: float) -> Generator[Audio, None, None]:
        return blocks(folder, music, seconds, said, gains)

    made = build_bed(folder, music, duration, target, codec, window, source)
    assert made is not None
    return made


def levels(said: Sequence[Said], speech_lufs: float) -> list[float]:
    """Each clip's gain (linear) to the speech level; a clip too short to measure gets the others' typical
    gain."""
    found: dict[Path, float] = {}
    for s in dict.fromkeys(x.clip for x in said):
        try:
            measured = ebur128(["-i", str(s)]).integrated + _STEREO
        except ValueError:
            continue
        if math.isfinite(measured) and measured > -70:
            found[s] = speech_lufs - measured
    typical = float(np.median(list(found.values()))) if found else 0.0
    return [10 ** (min(30.0, found.get(x.clip, typical)) / 20) for x in said]


def windows(said: Sequence[Said], lengths: Sequence[float]) -> list[tuple[float, float]]:
    """Where words are said (start, end in seconds), joined where they are less than `HOLD` apart."""
    out: list[tuple[float, float]] = []
    for s, n in sorted((x.start, x.start + length) for x, length in zip(said, lengths, strict=True)):
        if out and s - out[-1][1] < HOLD:
            out[-1] = (out[-1][0], max(out[-1][1], n))
        else:
            out.append((s, n))
    return out


def duck_gain(times: NDArray[np.float64], spans: Sequence[tuple[float, float]]) -> NDArray[np.float32]:
    """The music's gain (linear) at `times`: 1, and 10^(-DUCK_DB/20) over each span, with raised-cosine
    ramps of `ATTACK` before it and `RELEASE` after it."""
    depth = np.zeros(len(times), np.float64)
    if len(times):
        first, last = float(times[0]), float(times[-1])
        for start, end in spans:
            if end + RELEASE < first or start - ATTACK > last:
                continue
            into = np.clip((times - (start - ATTACK)) / ATTACK, 0.0, 1.0)
            out_of = np.clip(((end + RELEASE) - times) / RELEASE, 0.0, 1.0)
            shape = np.minimum(_smooth(into), _smooth(out_of))
            np.maximum(depth, shape, out=depth)
    return np.asarray(10 ** (-DUCK_DB * depth / 20), dtype=np.float32)


def _smooth(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(np.sin(x * np.pi / 2) ** 2)


def blocks(folder: Path, music: Music, duration: float, said: Sequence[Said], gains: Sequence[float],
           block: int = 1 << 19) -> Generator[Audio, None, None]:
    """The music (ducked) and the words, as stereo blocks of at most `block` frames, `duration` seconds."""
    want = round(duration * SAMPLE_RATE)
    lengths = [_frames(x.clip) / SAMPLE_RATE for x in said]
    spans = windows(said, lengths)
    starts = [round(x.start * SAMPLE_RATE) for x in said]
    loaded: dict[int, NDArray[np.float32]] = {}
    music_blocks = mix_blocks(folder, music, duration, block) if music.tracks else None
    pos = 0
    try:
        while pos < want:
            if music_blocks is not None:
                bed = next(music_blocks, None)
                piece = np.zeros((min(block, want - pos), 2), np.float32) if bed is None else bed.copy()
            else:
                piece = np.zeros((min(block, want - pos), 2), np.float32)
            n = len(piece)
            times = (pos + np.arange(n, dtype=np.float64)) / SAMPLE_RATE
            piece *= duck_gain(times, spans)[:, None]
            for k, (x, s0) in enumerate(zip(said, starts, strict=True)):
                length = round(lengths[k] * SAMPLE_RATE)
                a, b = max(pos, s0), min(pos + n, s0 + length)
                if a >= b:
                    if s0 + length <= pos:
                        loaded.pop(k, None)  # said already: not needed again
                    continue
                if k not in loaded:
                    loaded[k] = read(x.clip) * np.float32(gains[k])
                piece[a - pos:b - pos] += loaded[k][a - s0:b - s0, None]
            pos += n
            yield piece
    finally:
        if music_blocks is not None:
            music_blocks.close()


def read(path: Path) -> NDArray[np.float32]:
    """A clip's samples (48 kHz mono 16-bit WAV, as `media.narration` writes them), -1..1."""
    with wave.open(str(path), "rb") as w:
        raw = w.readframes(w.getnframes())
    return np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0


def _frames(path: Path) -> int:
    with wave.open(str(path), "rb") as w:
        return w.getnframes()
