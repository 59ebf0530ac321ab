"""`video:`: the frame size, fps, fit and output path."""

from __future__ import annotations

import re
from pathlib import Path

from collage.manifest import yamlpos
from collage.manifest.models import VideoIn
from collage.manifest.report import Reporter, kind_of, unusable_path
from collage.model.project import Rendition

SIZE_PRESETS = {
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "4k": (3840, 2160),
    "vertical": (1080, 1920),
    "square": (1080, 1080),
}


def parse_size(value: str) -> tuple[int, int]:
    """`1920x1080` or a preset name; both sides even (H.264 4:2:0 needs even sizes)."""
    key = value.strip().lower()
    if key in SIZE_PRESETS:
        return SIZE_PRESETS[key]
    match = re.fullmatch(r"(\d{1,6})\s*[x×]\s*(\d{1,6})", key)
    if not match:
        raise ValueError(f"'{value}' is not a size; write WIDTHxHEIGHT like 1920x1080, or one of "
                         + ", ".join(SIZE_PRESETS))
    w, h = int(match.group(1)), int(match.group(2))
    if not (64 <= w <= 7680 and 64 <= h <= 7680):
        raise ValueError(f"{w}x{h} is out of range; each side must be 64 to 7680 pixels")
    if w % 2 or h % 2:
        raise ValueError(f"{w}x{h} has an odd side; H.264 needs even sizes, e.g. {w + w % 2}x{h + h % 2}")
    return w, h


def size(r: Reporter, video: VideoIn) -> tuple[int, int]:
    try:
        return parse_size(video.size)
    except ValueError as exc:
        r.error(("video", "size"), str(exc), key_line=True)
        return SIZE_PRESETS["1080p"]


def renditions(r: Reporter, video: VideoIn, main: tuple[int, int]) -> tuple[Rendition, ...]:
    """`video.renditions: [vertical, square, 1280x720]`: each a shape of its own, named as written
    (a preset, or WIDTHxHEIGHT); none may repeat another or the main size."""
    out: list[Rendition] = []
    seen = {main: "the main video (video.size)"}
    for i, value in enumerate(video.renditions):
        path: yamlpos.Path_ = ("video", "renditions", i)
        if not isinstance(value, str):
            r.error(path, f"expected a shape such as vertical or 1080x1350, got {kind_of(value)}")
            continue
        try:
            size = parse_size(value)
        except ValueError as exc:
            r.error(path, str(exc))
            continue
        key = value.strip().lower()
        name = key if key in SIZE_PRESETS else f"{size[0]}x{size[1]}"
        if size in seen:
            r.error(path, f"{name} ({size[0]}x{size[1]}) is the same shape as {seen[size]}",
                    "list each shape once, other than video.size")
            continue
        seen[size] = name
        out.append(Rendition(name, size))
    return tuple(out)


def output(r: Reporter, rel: str | None) -> Path:
    rel = rel or f"out/{_slug(r.folder.resolve().name)}.mp4"
    path: yamlpos.Path_ = ("video", "output")
    unusable = unusable_path(rel)
    if unusable:
        r.error(path, f"the output path {unusable}", "give a plain file name such as out/video.mp4", key_line=True)
        return r.folder.absolute() / "out.mp4"
    candidate = Path(rel)
    if candidate.is_absolute():
        r.error(path, f"'{rel}' is an absolute path", "give a path relative to the folder, or use -o",
                key_line=True)
        return r.folder.absolute() / "out.mp4"
    out = r.folder / candidate
    if not out.resolve().is_relative_to(r.root):
        r.error(path, f"'{rel}' leads outside the folder", "use -o to write elsewhere", key_line=True)
    if out.suffix.lower() != ".mp4":
        r.error(path, f"output '{out.name}' must end in .mp4", "collage writes MP4 files", key_line=True)
    return out.absolute()


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-") or "collage"
