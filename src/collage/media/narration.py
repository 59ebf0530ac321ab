"""What the described version says, as sound: one clip for each title card and each person (48 kHz mono
WAV), synthesised by the engine (`speech.engines`) or taken from the organiser's recordings
(`video.described.audio`: `alice.wav`, `title-0.wav`, ...). How long each clip lasts is a fact about media
the planner needs (it lengthens each slide to fit what is said about it), found here before planning.

Clips are kept in the cache folder as entries named by a digest of what made them (the words, the engine
and its voice, or the recording's bytes; and this code), so each is made once and `cache prune` deletes
those no manifest uses: a withdrawn contributor's words leave the disk with their pictures. Without a
cache folder they live in a scratch folder for the process.

A recording is converted (any format ffmpeg reads, to 48 kHz mono) and its silent ends trimmed. Where a
message or title card shown has no recording, the engine says it instead, and `missing` names it.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from collage import ffmpeg
from collage.errors import RenderError
from collage.manifest.described import recordings
from collage.model.project import Described, Project
from collage.outputs import files
from collage.outputs.targets import is_cache
from collage.resources import package_dir
from collage.speech import engines, script
from collage.store import FileDigests, digest_file, make_private_folder

RATE = 48000
VOICE_GAP = 0.12  # s between runs said by different voices in one line (a name in another script)
_TRIM_DB = -45.0  # a recording's ends quieter than this (below its peak) are silence
_TRIM_KEEP = 0.05  # s kept around what is said


@dataclass(frozen=True)
class Clip:
    key: str  # what it says: `title-N` or a message id
    entry: str  # its name in the cache: a digest of what made it
    path: Path  # 48 kHz mono 16-bit WAV
    seconds: float
    recorded: bool = False  # a person's recording, not the engine's


def clips(project: Project, memo: Path | None, shown: set[str] | None = None) -> dict[str, Clip]:
    """A clip for everything the described version of `project` says (every title card, and every
    approved message or those in `shown`), made or found in the cache folder `memo`."""
    described = project.described or Described()
    lines = script.lines(project, shown)
    recorded = recordings(project.folder, described.audio) if described.audio else {}
    store = _Store(memo)
    out: dict[str, Clip] = {}
    engine: engines.Engine | None = None
    for line in lines:
        if line.key in recorded:
            source = recorded[line.key]
            entry = _entry({"recording": store.digests(source), "tool": _version()})
            out[line.key] = store.clip(line.key, entry, functools.partial(_convert, source), recorded=True)
            continue
        if engine is None:
            engine = engines.engine_for(project.folder, described.voice)
        runs = script.voiced(line.text, described.language)
        entry = _entry({"engine": engine.name, "runs": runs, "tool": _version()})
        out[line.key] = store.clip(line.key, entry, functools.partial(_synthesise, engine, runs))
    store.digests.save()
    return out


def missing(project: Project, shown: set[str]) -> list[str]:
    """The title cards and shown messages a narration folder has no recording for (by key)."""
    described = project.described
    if described is None or not described.audio:
        return []
    have = recordings(project.folder, described.audio)
    return [line.key for line in script.lines(project, shown) if line.key not in have]


def durations(found: dict[str, Clip]) -> dict[str, float]:
    return {k: c.seconds for k, c in found.items()}


def _entry(what: dict[str, object]) -> str:
    return hashlib.blake2b(json.dumps(what, sort_keys=True, ensure_ascii=False).encode(), digest_size=20).hexdigest()


class _Store:
    """Clips as cache entries (entries/ab/abcd….wav with its record, as the segment cache keeps them), or in
    a scratch folder of this process when there is no cache."""

    def __init__(self, memo: Path | None) -> None:
        root = None
        if memo is not None:
            try:
                if is_cache(memo):
                    make_private_folder(memo)
                    root = memo
            except OSError:
                root = None
        self.root = root if root is not None else _scratch()
        self.digests = FileDigests(None if root is None else root / "digests.json")

    def clip(self, key: str, entry: str, make: Callable[[Path], None], recorded: bool = False) -> Clip:
        path = self.root / "entries" / entry[:2] / f"{entry}.wav"
        record = path.with_suffix(".json")
        if not _whole(path, record):
            path.parent.mkdir(parents=True, exist_ok=True)
            files.save(path, make, private=True)
            meta = {"size": path.stat().st_size, "blake2b": digest_file(path), "created": time.time()}
            files.write_text(record, json.dumps(meta), private=True)
        with wave.open(str(path), "rb") as w:
            seconds = w.getnframes() / w.getframerate()
        return Clip(key, entry, path, seconds, recorded)


def _whole(path: Path, record: Path) -> bool:
    """A clip kept whole (its record says its size and digest); a damaged one is made again. Its record
    is touched: the cache keeps what is in use."""
    try:
        meta = json.loads(record.read_text(encoding="utf-8"))
        ok = bool(path.stat().st_size == meta["size"] and digest_file(path) == meta["blake2b"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if ok:
        now = time.time()
        os.utime(record, (now, now))
    return ok


@functools.cache
def _scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="collage-speech-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


@functools.cache
def _version() -> str:
    """This code and the script's: clips made by other code are made again."""
    h = hashlib.blake2b(digest_size=16)
    for rel in ("media/narration.py", "speech/script.py", "speech/engines.py"):
        h.update(rel.encode() + b"\0" + (package_dir() / rel).read_bytes())
    return h.hexdigest()


def _synthesise(engine: engines.Engine, runs: list[tuple[str, str]], target: Path) -> None:
    gap = np.zeros(round(VOICE_GAP * RATE), np.float32)
    pieces: list[NDArray[np.float32]] = []
    for text, language in runs:
        said = engine.speak(text, language)
        if len(said.samples):
            pieces += [gap] if pieces else []
            pieces.append(resample(said.samples, said.rate))
    _write_wav(target, np.concatenate(pieces) if pieces else np.zeros(0, np.float32))


def resample(samples: NDArray[np.float32], rate: int) -> NDArray[np.float32]:
    """To 48 kHz, band-limited (through the spectrum: a clip is a few seconds, and starts and ends in
    silence, so treating it as periodic costs nothing)."""
    if rate == RATE or not len(samples):
        return samples.astype(np.float32)
    pad = rate // 10  # 0.1 s of silence each side keeps the wrap-around out of the clip
    x = np.concatenate([np.zeros(pad, np.float32), samples, np.zeros(pad, np.float32)])
    n_out = round(len(x) * RATE / rate)
    spectrum = np.fft.rfft(x)
    out_spectrum = np.zeros(n_out // 2 + 1, complex)
    keep = min(len(spectrum), len(out_spectrum))
    out_spectrum[:keep] = spectrum[:keep]
    y = np.fft.irfft(out_spectrum, n_out) * (n_out / len(x))
    cut = round(pad * RATE / rate)
    return np.asarray(y[cut:n_out - cut], dtype=np.float32)


def _write_wav(target: Path, samples: NDArray[np.float32]) -> None:
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(target), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def _convert(source: Path, target: Path) -> None:
    """A recording as a clip: decoded by ffmpeg (any format it reads), mixed to mono at 48 kHz, its
    silent ends trimmed."""
    cmd = [ffmpeg.ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-i", str(source), "-map", "0:a:0",
           "-ac", "1", "-ar", str(RATE), "-f", "f32le", "pipe:1"]
    proc = ffmpeg.start(cmd, stdout=True)
    try:
        assert proc.stdout is not None
        raw = proc.stdout.read()
        code = proc.wait()
    finally:
        ffmpeg.stop(proc)
    if code != 0:
        raise RenderError(f"cannot read the recording {source.name}", "run `collage check`; convert it to WAV")
    _write_wav(target, _trimmed(np.frombuffer(raw, "<f4")))


def _trimmed(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    if not len(samples):
        return samples
    peak = float(np.max(np.abs(samples)))
    if peak <= 0:
        return samples[:0]
    loud = np.flatnonzero(np.abs(samples) >= peak * 10 ** (_TRIM_DB / 20))
    keep = round(_TRIM_KEEP * RATE)
    return samples[max(0, loud[0] - keep):loud[-1] + 1 + keep]
