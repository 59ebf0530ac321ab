"""The music bed: the manifest's tracks in order as one stream, exactly as long as the video, at an even,
measured loudness; and the facts about the music that timing can follow (its length, its beats).

ffmpeg decodes, resamples (any format and rate it reads, to 48 kHz stereo) and trims each track into a pipe,
read in fixed-size blocks, and only the stretch that plays; numpy does the mixing block by block:
equal-power crossfades between tracks and at the loop, and the fades at the ends. Nothing grows with the
tracks' length or the video's: a 25-minute track under a 3-minute video is decoded for 3 minutes, and a
half-hour bed never exists in memory at once (neither for the render nor for beat finding). Loudness is EBU
R128 measured by ffmpeg's `ebur128`: each track is levelled to the target first (a quiet and a loud track
sound even), then the whole bed is normalised in a second, linear pass (one gain for the whole bed: no
pumping) with a true-peak ceiling.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import io
import itertools
import math
import re
import subprocess
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from collage.errors import Problem, RenderError
from collage.model.project import Music, Project, Track
from collage.model.timeline import MusicFacts

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
    from collage.ffmpeg import ffmpeg_exe

    return ffmpeg_exe()


def _number(text: str) -> float:
    return float("-inf") if text.strip() in ("-inf", "-nan", "nan", "inf") else float(text)


def _ebur128(args: list[str]) -> Loudness:
    """EBU R128 integrated loudness, loudness range and true peak (ffmpeg's ebur128 filter: several
    times faster than a loudnorm analysis pass, and the same figures)."""
    cmd = [_ffmpeg(), "-nostdin", "-hide_banner", "-nostats", "-v", "info", *args, "-map", "0:a:0",
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


def _state(path: Path) -> tuple[str, int, int, int]:
    """What a file's cached facts are keyed by: its path and its state (size, mtime, inode), so that a
    long-lived process never answers for a file that has since been replaced or rewritten."""
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino


def measure(path: Path, start: float = 0.0, end: float | None = None) -> Loudness:
    """EBU R128 measurement of a file or a stretch of it (decodes it all: also proves it is readable).
    Remembered per file state, since `check` and the bed's levelling ask the same question."""
    return _measure(*_state(path), start, end)


@functools.lru_cache(maxsize=64)
def _measure(path: str, size: int, mtime_ns: int, inode: int, start: float, end: float | None) -> Loudness:
    trim = ["-ss", f"{start:.3f}"] if start else []
    trim += ["-to", f"{end:.3f}"] if end is not None else []
    return _ebur128([*trim, "-i", path])


def _raw_args() -> list[str]:
    return ["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "2"]


# -- reading -------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _header_seconds(path: str, size: int, mtime_ns: int, inode: int) -> float:
    from moviepy.video.io.ffmpeg_reader import ffmpeg_parse_infos

    seconds = ffmpeg_parse_infos(path).get("duration")
    if seconds is None:
        raise ValueError("its header gives no duration")
    return float(seconds)


def _durations(folder: Path, music: Music) -> list[float]:
    """Each track's playing length after trimming, from the file headers (remembered per file state)."""
    out = []
    for track in music.tracks:
        seconds = _header_seconds(*_state(folder / track.file))
        end = seconds if track.end is None else min(track.end, seconds)
        out.append(max(0.0, end - track.start))
    return out


def _overlap(music: Music, a: float, b: float) -> float:
    return max(_JOIN, min(music.crossfade, a / 2, b / 2))


def playlist_seconds(durations: list[float], music: Music) -> float:
    total = sum(durations)
    return total - sum(_overlap(music, a, b) for a, b in itertools.pairwise(durations))


class _Source(Protocol):
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
        from collage.ffmpeg import ffmpeg_exe

        self._name, self._gain = name, np.float32(10 ** (gain_db / 20))
        # -ss after -i: decoded from the file's start and cut at the exact sample (an input seek lands up to
        # 5 ms off in AAC; decoding the skipped stretch costs time, not memory). -t with a second to spare:
        # the resampler's last frames are not cut off; what is not asked for is never read. rematrix_maxval:
        # a surround track is mixed down with the matrix normalised, as for 16-bit output, not ~8 dB hotter.
        trim = ["-ss", f"{start:.6f}"] if start else []
        cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-i", str(path), "-map", "0:a:0", *trim,
               "-t", f"{frames / SAMPLE_RATE + 1:.6f}", "-rematrix_maxval", "1", *_raw_args(), "pipe:1"]
        self._proc = _start(cmd)
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
        _stop(self._proc)


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


def _start(cmd: list[str]) -> subprocess.Popen[bytes]:
    """ffmpeg with its stdout as a pipe to read, in a session of its own (Ctrl-C reaches collage, which
    decides), registered with the render's other ffmpeg processes (killed with them on interrupt)."""
    from collage.ffmpeg import current_processes

    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                bufsize=0, start_new_session=True)
    except OSError as exc:
        raise RenderError(f"cannot start ffmpeg: {exc.strerror}", "reinstall imageio-ffmpeg") from None
    procs = current_processes()
    if procs is not None:
        procs.add(proc)
    if proc.stdout is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # 1 MiB: fewer wake-ups per block
            fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill (if still running), close the pipe, reap and unregister: however the reading ended."""
    from collage.ffmpeg import current_processes

    try:
        if proc.poll() is None:
            proc.kill()
        if proc.stdout is not None:
            proc.stdout.close()
        proc.wait()
    finally:
        procs = current_processes()
        if procs is not None:
            procs.discard(proc)


# -- mixing --------------------------------------------------------------------------------------------------


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

    lengths = [round(seconds * SAMPLE_RATE) for seconds in _durations(folder, music)]
    parts = [(t, n) for t, n in zip(music.tracks, lengths, strict=True) if n > 0]
    if not parts:
        while pos < want:
            yield from emit(np.zeros((min(block, want - pos), 2), np.float32))
        return
    lengths = [n for _, n in parts]
    hold = sum(lengths) <= _HOLD and sum(lengths) < want  # short, and it loops: decode each part once
    gains: dict[int, float] = {}
    held: dict[int, Audio] = {}

    def source(part: int, frames: int) -> _Source:
        track = parts[part][0]
        if part not in gains:  # measured (or remembered from `check`) only for the parts that play
            gains[part] = _levelling_gain(folder, track, music.loudness) + track.volume
        if not hold:
            return _Decoder(folder / track.file, track.file, track.start, frames, gains[part])
        if part not in held:
            decoder = _Decoder(folder / track.file, track.file, track.start, lengths[part], gains[part])
            try:
                held[part] = decoder.read(lengths[part])
            finally:
                decoder.close()
            held[part].flags.writeable = False
        return _Held(held[part])

    current: _Source | None = None
    following: _Source | None = None
    try:
        for step, after in itertools.pairwise(itertools.chain(_schedule(lengths, music, want), [None])):
            assert step is not None
            if current is None:
                current = source(step.part, step.frames)
            left = step.body
            while left > 0:
                piece = current.read(min(block, left))
                left -= len(piece)
                yield from emit(piece)
            if step.fade:  # equal power: constant loudness through the join
                assert after is not None
                following = source(after.part, after.frames)
                for k in range(0, step.fade, block):
                    n = min(block, step.fade - k)
                    x = (np.arange(k, k + n, dtype=np.float32) + 0.5) / step.fade
                    a, b = current.read(n), following.read(n)
                    yield from emit(a * np.cos(x * np.pi / 2)[:, None] + b * np.sin(x * np.pi / 2)[:, None])
            current.close()
            current, following = following, None
    finally:
        for opened in (current, following):
            if opened is not None:
                opened.close()


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


def build_bed(folder: Path, music: Music, duration: float, target: Path,
              codec: tuple[str, ...] = ("-c:a", "pcm_s16le"), window: tuple[float, float] | None = None) -> Path | None:
    """Write the bed for `duration` seconds to `target` (48 kHz stereo; WAV, or `codec` into MP4 when
    `target` ends in .m4a); None without music. The mix is streamed to a scratch file beside `target`,
    measured, and normalised from there, so memory does not grow with the video's length. With
    `window` (start, length of the whole video), the bed is mixed and levelled for the whole video and
    `duration` seconds of it from `start` are written: a part of the video, with its music as it plays there."""
    if not music.tracks or duration <= 0:
        return None
    start, whole = window or (0.0, duration)
    raw = target.with_name(target.name + ".f32")
    try:
        with raw.open("wb") as f, contextlib.closing(mix_blocks(folder, music, whole)) as blocks:
            for piece in blocks:  # (closing: the decoders stop at once if writing fails)
                f.write(np.ascontiguousarray(piece, dtype="<f4").data)
        source = [*_raw_args(), "-i", str(raw)]
        try:
            m = _ebur128(source)
        except ValueError as exc:
            raise RenderError(f"ffmpeg could not measure the music bed: {exc}", "run `collage check`") from None
        container = ["-f", "mp4"] if target.suffix == ".m4a" else ["-f", "wav"]
        cmd = [_ffmpeg(), "-nostdin", "-hide_banner", "-v", "error", "-y", *source, "-af", _gain_filter(m, music),
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


# -- what timing can follow ------------------------------------------------------------------------------


def facts(project: Project, beats_over: float | None = None) -> MusicFacts | None:
    """The music's playing length; with `beats_over`, also its beats in the first `beats_over` seconds
    of the bed as it will play under the video. None without music."""
    if not project.music.tracks:
        return None
    music, folder = project.music, project.folder
    seconds = playlist_seconds(_durations(folder, music), music)
    beats: tuple[float, ...] = ()
    if beats_over:
        beats = _beats(folder, music, beats_over, tuple(_state(folder / t.file) for t in music.tracks))
    return MusicFacts(seconds, beats)


@functools.lru_cache(maxsize=8)  # a few floats a second; keyed by the tracks' file states, never stale
def _beats(folder: Path, music: Music, seconds: float, states: tuple[tuple[str, int, int, int], ...]) -> tuple[
        float, ...]:
    """The onsets of the bed as it plays, found block by block: only the spectral flux (~94 floats a
    second) is kept, never the bed."""
    flux = _Flux()
    with contextlib.closing(mix_blocks(folder, music, seconds, block=1 << 16)) as blocks:  # 1.4 s: small spectra
        for piece in blocks:
            flux.feed(piece.mean(axis=1))
    return flux.onsets()


class _Flux:
    """Spectral flux of a mono signal fed in pieces of any size: where energy rises across frequencies,
    as at a beat or a note attack. Analysed at a quarter of the rate (beats live well below 6 kHz) in
    windows of `N_FFT` every `HOP` samples; the samples a window still needs and the last window's
    spectrum carry over from one piece to the next, so the flux is the one the whole signal gives."""

    STEP, N_FFT, HOP = 4, 1024, 128

    def __init__(self, rate: int = SAMPLE_RATE) -> None:
        self.rate = rate
        self._odd = np.zeros(0, np.float32)  # input samples not yet a whole STEP
        self._x = np.zeros(0, np.float32)  # analysed samples from the next window's start on
        self._last: NDArray[Any] | None = None  # the previous window's spectrum
        self._flux: list[NDArray[Any]] = []
        self._window = np.hanning(self.N_FFT).astype(np.float32)

    def feed(self, mono: NDArray[np.float32]) -> None:
        joined = np.concatenate([self._odd, mono]) if len(self._odd) else mono
        whole = len(joined) // self.STEP * self.STEP
        self._odd = joined[whole:].copy()
        x = joined[:whole].reshape(-1, self.STEP).mean(axis=1)
        x = np.concatenate([self._x, x]) if len(self._x) else x
        count = (len(x) - self.N_FFT) // self.HOP + 1 if len(x) >= self.N_FFT else 0
        if count <= 0:
            self._x = x.copy()
            return
        frames = np.lib.stride_tricks.sliding_window_view(x, self.N_FFT)[:: self.HOP][:count] * self._window
        spectrum = np.log1p(100 * np.abs(np.fft.rfft(frames, axis=1)))
        if self._last is not None:
            self._flux.append(np.maximum(0.0, spectrum[0] - self._last).sum(keepdims=True))
        self._flux.append(np.maximum(0.0, np.diff(spectrum, axis=0)).sum(axis=1))
        self._last = spectrum[-1].copy()
        self._x = x[count * self.HOP:].copy()

    def onsets(self) -> tuple[float, ...]:
        """Onset times (s): flux peaks above a local adaptive threshold, at least 100 ms apart."""
        flux = np.concatenate(self._flux) if self._flux else np.zeros(0)
        sr, n_fft, hop = self.rate / self.STEP, self.N_FFT, self.HOP
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


def onsets(mono: NDArray[np.float32], rate: int = SAMPLE_RATE) -> tuple[float, ...]:
    """Onset times (s) by spectral flux in a whole mono signal (the bed's beats are found the same way,
    block by block)."""
    flux = _Flux(rate)
    flux.feed(mono)
    return flux.onsets()


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
    return level_problems(track, level.integrated, manifest)


def level_problems(track: Track, integrated: float, manifest: str) -> list[Problem]:
    """A track that decodes, by its measured loudness: a silent or nearly silent one is a warning."""
    if integrated < QUIET:
        shown = "silent" if integrated == float("-inf") else f"{integrated:.0f} LUFS"
        return [Problem(manifest, f"music file '{track.file}' is silent or nearly so ({shown})", line=track.line,
                        field="music", hint="check the file (and its start/end); it is boosted by 20 dB at most",
                        severity="warning")]
    return []
