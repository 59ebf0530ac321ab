"""Cache keys: a digest of everything that shapes an encoded segment or the encoded bed, and nothing else.

A slide's key covers what is drawn (kind, texts, every cell's box, caption, fit and focus, and the bytes
of its photos), the frame size, the theme and pixel format; not where the slide sits in the video. A
segment's key covers its slides' keys, its kind, length and transition style, and the encoder settings.
Both include the tool's fingerprint: collage's version and source code, the bundled fonts and the
ffmpeg build, so an upgrade never serves frames drawn by older code.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collage.model.project import Music
from collage.model.theme import Theme
from collage.model.timeline import Segment, Slide
from collage.version import __version__
from collage.video.encode import EncodeSpec

Digests = Callable[[Path], str]  # a file's content digest

_PLACEMENT = ("index", "start", "frames", "transition", "line", "style")  # where, not what


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


@functools.lru_cache(maxsize=4)
def sources_digest(package: Path) -> str:
    """Every module of the package, in every subpackage, by its path inside the package."""
    h = hashlib.blake2b(digest_size=20)
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def tool(digests: Digests) -> str:
    from collage.ffmpeg import ffmpeg_exe
    from collage.resources import fonts_dir, package_dir

    fonts = {p.name: digests(p) for p in sorted(fonts_dir().iterdir()) if p.suffix.lower() in (".otf", ".ttf", ".ttc")}
    return _digest({"version": __version__, "sources": sources_digest(package_dir()), "fonts": fonts,
                    "ffmpeg": Path(ffmpeg_exe()).name})


def _encoder(spec: EncodeSpec) -> dict[str, Any]:
    fields = dataclasses.asdict(spec)
    for placement in ("frames", "title", "chapters"):  # per video, not per segment
        fields.pop(placement)
    return fields


def slide(s: Slide, folder: Path, theme: Theme, spec: EncodeSpec, digests: Digests, tool_key: str,
          design: tuple[int, int] | None = None) -> str:
    """`design`: the size the slide is laid out for, when it is drawn at another (a preview)."""
    content = dataclasses.asdict(s)
    for placement in _PLACEMENT:
        content.pop(placement)
    photos = {c.photo: digests(folder / c.photo) for c in s.cells}
    if theme.background_image:
        photos["(background)"] = digests(Path(theme.background_image))
    return _digest({"slide": content, "photos": photos, "theme": dataclasses.asdict(theme),
                    "size": [spec.width, spec.height], "design": list(design or (spec.width, spec.height)),
                    "pixel_format": spec.pixel_format, "tool": tool_key})


def segment(seg: Segment, a: str | None, b: str | None, spec: EncodeSpec, tool_key: str,
            moments: tuple[tuple[int, int], ...] = ()) -> str:
    """`moments`: for a moving segment, its offset into each slide and that slide's length."""
    return _digest({"kind": seg.kind, "frames": seg.frames, "style": seg.style if seg.kind == "blend" else None,
                    "a": a, "b": b if seg.kind == "blend" else None, "encoder": _encoder(spec), "tool": tool_key,
                    "moving": [list(m) for m in moments] if seg.moving else None})


def bed(music: Music, folder: Path, spec: EncodeSpec, digests: Digests, tool_key: str,
        window: tuple[float, float] | None = None) -> str:
    settings = dataclasses.asdict(music)
    for track in settings["tracks"]:
        track.pop("line")  # where in the manifest, not what plays
    tracks = [digests(folder / t.file) for t in music.tracks]
    return _digest({"music": settings, "tracks": tracks, "frames": spec.frames, "fps": spec.fps,
                    "audio": [spec.audio_bitrate, spec.sample_rate, spec.audio_coder], "tool": tool_key,
                    **({"window": list(window)} if window else {})})


def run(segment_keys: list[str]) -> str:
    """A run of consecutive segments, joined: the same when its segments are."""
    return _digest({"run": segment_keys})
