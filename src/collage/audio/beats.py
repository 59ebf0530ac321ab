"""What timing can follow in the music: its playing length, and its beats (onsets by spectral flux) in
the bed as it will play under the video, found block by block."""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from collage.audio.loudness import SAMPLE_RATE, file_state
from collage.audio.mix import durations, mix_blocks, playlist_seconds
from collage.model.project import Music, Project
from collage.model.timeline import MusicFacts


def facts(project: Project, beats_over: float | None = None) -> MusicFacts | None:
    """The music's playing length; with `beats_over`, also its beats in the first `beats_over` seconds
    of the bed as it will play under the video. None without music."""
    if not project.music.tracks:
        return None
    music, folder = project.music, project.folder
    seconds = playlist_seconds(durations(folder, music), music)
    beats: tuple[float, ...] = ()
    if beats_over:
        beats = _beats(folder, music, beats_over, tuple(file_state(folder / t.file) for t in music.tracks))
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
