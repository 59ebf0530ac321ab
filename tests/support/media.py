"""Test media made in code, and ways to look at what collage wrote: solid-colour photos make "which photo
is in which cell" an exact question. Test modules import these helpers from here (conftest only holds
the fixtures)."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from PIL import Image

RED = (220, 30, 30)
GREEN = (30, 190, 60)
BLUE = (40, 70, 230)
YELLOW = (235, 205, 30)
CYAN = (30, 200, 210)
ORANGE = (240, 130, 20)
MAGENTA = (255, 0, 255)  # reserved for messages that must never appear
WHITE = (250, 250, 250)


def solid(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (400, 300), **save: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, **save)
    return path


Colour = tuple[int, int, int]


def write_folder(folder: Path, manifest: Mapping[str, Any] | str | None = None,
                 photos: Mapping[str, Colour | Callable[[Path], object]] | None = None,
                 size: tuple[int, int] = (400, 300)) -> Path:
    """A folder as an organiser makes one: `photos/ID.jpg` for each of `photos` (ID -> a colour, written as
    a solid JPEG of `size` at quality 95, or a callable that writes the file at the path it is given), and
    `collage.yaml` from `manifest` (a mapping dumped as YAML in its own order, or the text itself; None
    writes none). Returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for ident, spec in (photos or {}).items():
        target = folder / "photos" / f"{ident}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        if callable(spec):
            spec(target)
        else:
            solid(target, spec, size, quality=95)
    if manifest is not None:
        text = manifest if isinstance(manifest, str) else yaml.safe_dump(dict(manifest), allow_unicode=True,
                                                                           sort_keys=False)
        (folder / "collage.yaml").write_text(text, encoding="utf-8")
    return folder


def sine(seconds: float, freq: float = 440.0, amplitude: float = 0.3, rate: int = 48000) -> np.ndarray:
    """`seconds` of a sine wave as floats in -1..1 (write it with `write_wav`)."""
    t = np.arange(int(seconds * rate)) / rate
    return np.asarray(amplitude * np.sin(2 * np.pi * freq * t))


def write_wav(path: Path, samples: np.ndarray, rate: int = 48000, channels: int = 1) -> Path:
    """A 16-bit PCM WAV of `samples` (floats, clipped to -1..1): shape (n,), the same on each of `channels`,
    or (n, channels) with a column a channel."""
    frames = samples.reshape(len(samples), -1)
    if frames.shape[1] == 1 and channels > 1:
        frames = np.repeat(frames, channels, axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(frames.shape[1])
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes((np.clip(frames, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def two_tone_sideways(path: Path, top: tuple[int, int, int], bottom: tuple[int, int, int],
                      size: tuple[int, int] = (300, 400)) -> Path:
    """A portrait photo (top colour over bottom colour when upright) stored as a phone does: pixels
    rotated sideways, with EXIF Orientation 6 saying how to turn them upright."""
    w, h = size
    upright = Image.new("RGB", (w, h), top)
    upright.paste(Image.new("RGB", (w, h // 2), bottom), (0, h // 2))
    exif = Image.Exif()
    exif[0x0112] = 6
    path.parent.mkdir(parents=True, exist_ok=True)
    upright.transpose(Image.Transpose.ROTATE_90).save(path, quality=95, exif=exif)
    return path


def small_manifest(messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Test",
        "video": {"size": "320x180", "fps": 10, "output": "out/test.mp4"},
        "timing": {"title": "1s", "slide": "2s", "transition": "0.5s"},
    }
    base.update(extra)
    base["messages"] = messages
    return base


def msg(ident: str, approved: bool = True, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "photo": f"photos/{ident}.jpg", **fields, "approved": approved}


def probe(path: Path) -> dict[str, Any]:
    """What a player sees of the file's streams (PyAV, since imageio-ffmpeg ships no ffprobe)."""
    import av

    with av.open(str(path)) as container:
        v = container.streams.video[0]
        a = container.streams.audio[0]
        vc, ac = v.codec_context, a.codec_context
        frames = sum(1 for _ in container.demux(v) if _.size)
        return {
            "format": container.format.name,
            "metadata": dict(container.metadata),
            "video": {
                "codec": vc.name, "profile": vc.profile, "pix_fmt": vc.pix_fmt, "width": vc.width,
                "height": vc.height, "fps": float(v.average_rate), "frames": frames,
                "primaries": vc.color_primaries, "trc": vc.color_trc, "matrix": vc.colorspace,
                "range": vc.color_range, "metadata": dict(v.metadata),
            },
            "audio": {
                "codec": ac.name, "rate": ac.sample_rate, "channels": ac.channels,
                "duration": float(a.duration * a.time_base) if a.duration else None, "metadata": dict(a.metadata),
            },
        }


def decode(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def decode_audio(path: Path) -> np.ndarray:
    import av

    with av.open(str(path)) as container:
        chunks = [f.to_ndarray() for f in container.decode(audio=0)]
    return np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0))


def mean_colour(frame: np.ndarray, box: list[int] | tuple[int, int, int, int], inset: float = 0.3) -> np.ndarray:
    """Mean colour of the middle of a box (x, y, w, h), away from edges, captions and blur."""
    x, y, w, h = box
    dx, dy = int(w * inset), int(h * inset)
    return frame[y + dy:y + h - dy, x + dx:x + w - dx].reshape(-1, 3).mean(axis=0)


def close(colour: np.ndarray, expected: tuple[int, int, int], tol: float = 14.0) -> bool:
    return bool(np.abs(colour - np.array(expected)).max() <= tol)


def plan_json(folder: Path) -> dict[str, Any]:
    from collage import build_plan, load

    return json.loads(json.dumps(build_plan(load(folder)).to_dict()))


def decode_frames(path: Path, indices: list[int]) -> list[np.ndarray]:
    """The frames numbered `indices` of the video, as RGB arrays (decoded in order, only those kept)."""
    import av

    wanted = set(indices)
    found: dict[int, np.ndarray] = {}
    with av.open(str(path)) as container:
        for k, frame in enumerate(container.decode(video=0)):
            if k in wanted:
                found[k] = frame.to_ndarray(format="rgb24")
            if len(found) == len(wanted):
                break
    return [found[i] for i in indices]


def collage_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`collage ARGS` as a user runs it: a new process, output captured, never raising on the exit code."""
    return subprocess.run([sys.executable, "-m", "collage", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False)


DATA = Path(__file__).resolve().parents[1] / "data"
FONTS = Path(__file__).resolve().parents[2] / "src" / "collage" / "data" / "fonts"
HELD_HEAD = (250, 115, 400, 268)  # in `face_with_sign`'s photo: the astronaut's head, hair to chin
HELD_SIGN = (780, 300, 1180, 600)  # in it: the sign held up


def face_with_sign(target: Path, exif: Any = None) -> None:
    """A 16:9 photo (1280x720): the real face of tests/data/astronaut.jpg at a known place, and a
    written sign, on a brick-coloured wall. `exif`: a PIL Exif to carry (metadata tests)."""
    from PIL import ImageDraw, ImageFont

    canvas = Image.new("RGB", (1280, 720), (150, 112, 92))
    canvas.paste(Image.open(DATA / "astronaut.jpg").convert("RGB"), (100, 100))
    d = ImageDraw.Draw(canvas)
    d.rectangle(HELD_SIGN, fill=(246, 243, 232))
    font = ImageFont.truetype(str(FONTS / "NotoSans-Bold.ttf"), 64)
    d.text((810, 350), "FREE THE", font=font, fill=(28, 38, 78))
    d.text((810, 450), "LAWYERS", font=font, fill=(28, 38, 78))
    target.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(target, quality=95, **({"exif": exif} if exif is not None else {}))
