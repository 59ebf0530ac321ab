"""The manifest's tracks as one stream before normalisation, mixed block by block.

ffmpeg decodes, resamples (any format and rate it reads, to 48 kHz stereo) and trims each track into a
pipe, read in fixed-size blocks, and only the stretch that plays; numpy mixes: each track levelled,
equal-power crossfades between tracks and at the loop, the fades at the ends. Nothing grows with the
tracks' length or the video's: a 25-minute track under a 3-minute video is decoded for 3 minutes.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from collage import ffmpeg
from collage.audio.loudness import SAMPLE_RATE, file_state, levelling_gain, raw_args
from collage.errors import RenderError
from collage.model.project import Music, Track

_JOIN = 0.01  # s: even a hard join (crossfade 0) gets this much, so it cannot click

Audio = NDArray[np.float32]  # (samples, 2)


@functools.lru_cache(maxsize=256)
def _header_seconds(path: str, size: int, mtime_ns: int, inode: int) -> float:
    from moviepy.video.io.ffmpeg_reader import ffmpeg_parse_infos

    seconds = ffmpeg_parse_infos(path).get("duration")
    if seconds is None:
        raise ValueError("its header gives no duration")
    return float(seconds)


def durations(folder: Path, music: Music) -> list[float]:
    """Each track's playing length after trimming, from the file headers (remembered per file state)."""
    out = []
    for track in music.tracks:
        seconds = _header_seconds(*file_state(folder / track.file))
        end = seconds if track.end is None else min(track.end, seconds)
        out.append(max(0.0, end - track.start))
    return out


def _overlap(music: Music, a: float, b: float) -> float:
    return max(_JOIN, min(music.crossfade, a / 2, b / 2))


def playlist_seconds(durations: list[float], music: Music) -> float:
    total = sum(durations)
    return total - sum(_overlap(music, a, b) for a, b in itertools.pairwise(durations))


class _TrackReader(Protocol):
    def read(self, n: int) -> Audio:
        """The next `n` frames, levelled, as a new or a read-only array."""
        ...

    def close(self) -> None: ...


class _Decoder:
    """One pass over a track: `frames` frames from its start, decoded, resampled to 48 kHz and mixed down
    to stereo by ffmpeg into a pipe, read in blocks as they are asked for. Frames the stream does not
    have (a header that promised more) are silence, as moviepy's reader gave them.

    A direct ffmpeg pipe, not moviepy's reader: moviepy hands a clip's samples over as one array (a
    25-minute track: 576 MB of float32, several times that on the way), where this holds one block. The
    process is registered with the encoder's, so an interrupted render kills it too; it is killed and its
    pipe closed however the reading ends."""

    def __init__(self, path: Path, name: str, start: float, frames: int, gain_db: float) -> None:
        self._name, self._gain = name, np.float32(10 ** (gain_db / 20))
        # -ss after -i: decoded from the file's start and cut at the exact sample (an input seek lands up to
        # 5 ms off in AAC; decoding the skipped stretch costs time, not memory). -t with a second to spare:
        # the resampler's last frames are not cut off; what is not asked for is never read. rematrix_maxval:
        # a surround track is mixed down with the matrix normalised, as for 16-bit output, not ~8 dB hotter.
        trim = ["-ss", f"{start:.6f}"] if start else []
        cmd = [ffmpeg.ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-i", str(path), "-map", "0:a:0", *trim,
               "-t", f"{frames / SAMPLE_RATE + 1:.6f}", "-rematrix_maxval", "1", *raw_args(), "pipe:1"]
        self._proc = ffmpeg.start(cmd, stdout=True)
        self._ended = False

    def read(self, n: int) -> Audio:
        out = np.zeros((n, 2), np.float32)
        if n and not self._ended:
            view = memoryview(out.data).cast("B")
            stdout = self._proc.stdout
            assert isinstance(stdout, io.FileIO)  # unbuffered: each read goes straight into `out`
            got = 0
            while got < len(view):
                chunk = stdout.readinto(view[got:])
                if not chunk:
                    break
                got += chunk
            if got < len(view):
                view[got - got % 8:got] = bytes(got % 8)  # a half frame at the very end: silence
                self._finish()
        out *= self._gain
        return out

    def _finish(self) -> None:
        self._ended = True
        code = self._proc.wait()
        if code != 0:
            raise RenderError(f"cannot read music file {self._name} (ffmpeg stopped with {code})",
                              "run `collage check`")

    def close(self) -> None:
        ffmpeg.stop(self._proc)


class _Held:
    """A part decoded once and kept (a short playlist that loops), read like a decoder."""

    def __init__(self, samples: Audio) -> None:
        self._samples, self._pos = samples, 0

    def read(self, n: int) -> Audio:
        piece = self._samples[self._pos:self._pos + n]
        self._pos += n
        return piece

    def close(self) -> None:
        pass


_HOLD = 60 * SAMPLE_RATE  # frames: a playlist this short (23 MB) that loops is decoded once and kept


@dataclass(frozen=True)
class _Pass:
    """One play of a part of the playlist (a track, trimmed) in the bed."""

    part: int
    skip: int  # frames at its start that sound in the crossfade from the previous pass
    body: int  # frames after those that sound alone
    fade: int  # frames after those crossfaded into the next pass's start (0: the bed ends in this pass)

    @property
    def frames(self) -> int:
        return self.skip + self.body + self.fade


def _schedule(lengths: list[int], music: Music, want: int) -> Iterator[_Pass]:
    """The passes over the parts (`lengths` frames each, none empty) that make a bed `want` frames long:
    in order, looping, each crossfaded into the next, the last one cut where the bed ends."""
    pos, skip = 0, 0
    for i in itertools.count():
        part, following = i % len(lengths), (i + 1) % len(lengths)
        rest = lengths[part] - skip
        if pos + rest >= want:
            yield _Pass(part, skip, want - pos, 0)
            return
        n = min(round(_overlap(music, lengths[part] / SAMPLE_RATE, lengths[following] / SAMPLE_RATE) * SAMPLE_RATE),
                rest, lengths[following])
        yield _Pass(part, skip, rest - n, n)
        pos, skip = pos + rest, n


def mix_blocks(folder: Path, music: Music, duration: float, block: int = 1 << 19) -> Generator[Audio, None, None]:
    """The bed before normalisation as consecutive blocks of at most `block` frames: tracks levelled,
    trimmed, volume applied, joined, looped to cover `duration`, cut to it and faded at both ends. Each
    track is decoded as a stream, only as far as it plays; a crossfade reads both sides block by block.
    Memory is a few blocks, whatever the tracks' and the video's length."""
    want = round(duration * SAMPLE_RATE)
    if want <= 0:
        return
    out = _Output(want, block, [min(round(s * SAMPLE_RATE), want // 2) for s in (music.fade_in, music.fade_out)])
    lengths = [round(seconds * SAMPLE_RATE) for seconds in durations(folder, music)]
    parts = [(t, n) for t, n in zip(music.tracks, lengths, strict=True) if n > 0]
    if not parts:
        while out.pos < want:
            yield from out.emit(np.zeros((min(block, want - out.pos), 2), np.float32))
        return
    sources = _Parts(folder, music, parts, want)
    current: _TrackReader | None = None
    following: _TrackReader | None = None
    try:
        for step, after in itertools.pairwise(itertools.chain(_schedule(sources.lengths, music, want), [None])):
            assert step is not None
            if current is None:
                current = sources.open(step.part, step.frames)
            left = step.body
            while left > 0:
                piece = current.read(min(block, left))
                left -= len(piece)
                yield from out.emit(piece)
            if step.fade:  # equal power: constant loudness through the join
                assert after is not None
                following = sources.open(after.part, after.frames)
                for k in range(0, step.fade, block):
                    n = min(block, step.fade - k)
                    x = (np.arange(k, k + n, dtype=np.float32) + 0.5) / step.fade
                    a, b = current.read(n), following.read(n)
                    yield from out.emit(a * np.cos(x * np.pi / 2)[:, None] + b * np.sin(x * np.pi / 2)[:, None])
            current.close()
            current, following = following, None
    finally:
        for opened in (current, following):
            if opened is not None:
                opened.close()


class _Output:
    """The bed's blocks as they leave the mix: cut to its length, faded at both ends, counted."""

    def __init__(self, want: int, block: int, fades: list[int]) -> None:
        self.want, self.block, self.fades, self.pos = want, block, fades, 0

    def emit(self, samples: Audio) -> Iterator[Audio]:
        for k in range(0, len(samples), self.block):
            piece = samples[k:k + self.block][: self.want - self.pos].copy()
            if not len(piece):
                return
            _fade(piece, self.pos, self.want, *self.fades)
            self.pos += len(piece)
            yield piece


class _Parts:
    """A reader for each pass over a part of the playlist: a decoder that streams it, or, for a short
    playlist that loops, the part decoded once and kept. Each part's levelling gain is measured (or
    remembered from `check`) only when it first plays."""

    def __init__(self, folder: Path, music: Music, parts: list[tuple[Track, int]], want: int) -> None:
        self.folder, self.music, self.parts = folder, music, parts
        self.lengths = [n for _, n in parts]
        self.hold = sum(self.lengths) <= _HOLD and sum(self.lengths) < want  # short, and it loops
        self._gains: dict[int, float] = {}
        self._held: dict[int, Audio] = {}

    def open(self, part: int, frames: int) -> _TrackReader:
        track = self.parts[part][0]
        if part not in self._gains:
            self._gains[part] = levelling_gain(self.folder, track, self.music.loudness) + track.volume
        gain = self._gains[part]
        if not self.hold:
            return _Decoder(self.folder / track.file, track.file, track.start, frames, gain)
        if part not in self._held:
            decoder = _Decoder(self.folder / track.file, track.file, track.start, self.lengths[part], gain)
            try:
                self._held[part] = decoder.read(self.lengths[part])
            finally:
                decoder.close()
            self._held[part].flags.writeable = False
        return _Held(self._held[part])


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
