"""`collage init`: a starting manifest for the photos and music already in a folder."""

from __future__ import annotations

import json
from pathlib import Path

from collage.authoring.schema import SCHEMA_ID, schema_json
from collage.errors import InputError, Problem
from collage.manifest import AUDIO_SUFFIXES, MANIFEST_NAME, PHOTO_SUFFIXES
from collage.outputs import files, targets


def _q(text: str) -> str:
    # JSON strings are valid YAML scalars and quote everything that needs it (`: `, `#`, `NO`, …).
    return json.dumps(text, ensure_ascii=False)


def media_files(folder: Path, suffixes: frozenset[str]) -> list[Path]:
    """The files under `folder` with these suffixes (relative to it), but in hidden folders and in what
    collage writes (out/, a cache)."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or rel.parts[0] in ("out", "collage-cache"):
            continue
        if path.is_file() and path.suffix.lower() in suffixes:
            found.append(rel)
    return found


def manifest_text(folder: Path) -> str:
    photos = media_files(folder, PHOTO_SUFFIXES)
    lines = header_text(folder).splitlines()
    lines.append("messages:")
    seen: set[str] = set()
    for rel in photos:
        base = rel.stem
        ident, n = base, 2
        while ident in seen:
            ident, n = f"{base}-{n}", n + 1
        seen.add(ident)
        lines += [
            f"  - id: {_q(ident)}",
            f"    photo: {_q(rel.as_posix())}",
            '    name: ""',
            '    profession: ""',
            '    location: ""',
            "    approved: false   # only approved messages are rendered",
        ]
    if not photos:
        lines[-1] = "messages: []          # no photos found; add them under the folder"
    return "\n".join(lines) + "\n"


def header_text(folder: Path) -> str:
    """Everything of a starting manifest but its messages."""
    music = media_files(folder, AUDIO_SUFFIXES)
    title = folder.resolve().name.replace("-", " ").replace("_", " ").strip() or "Collage"
    lines = [
        # Editors with yaml-language-server complete and check keys against the schema beside it.
        f"# yaml-language-server: $schema={SCHEMA_ID}",
        f"title: {_q(title)}",
        "video:",
        "  size: 1080p           # 1920x1080; also 720p, 4k, vertical, square or WxH",
        "  fps: 30",
        "  output: out/video.mp4",
        "timing:",
        "  title: 5s",
        "  slide: auto           # each slide as long as its captions take to read (or a time: 6s)",
        "  transition: 1s",
    ]
    if music:
        lines.append("music:")
        lines += [f"  - file: {_q(p.as_posix())}" for p in music]
    else:
        lines.append("music: []             # add tracks as `- file: music/theme.mp3`")
    lines.append("# sequence: omitted = a title card, all approved messages in grids, a closing card")
    return "\n".join(lines) + "\n"


def init(folder: Path | str) -> tuple[Path, int]:
    """Write `collage.yaml` in `folder`; never overwrites. Returns its path and the photo count."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "no such folder", hint="create it and put the photos inside")])
    target = folder / MANIFEST_NAME
    text = manifest_text(folder)
    refused = targets.problems(targets.Owned.of(folder, [folder / p for p in media_files(
        folder, PHOTO_SUFFIXES | AUDIO_SUFFIXES)]), [targets.Target(target, "FOLDER", "manifest")])
    if refused:
        raise InputError(refused)
    if not files.create(target, text):
        raise InputError([Problem(str(target), "a manifest already exists; it was left untouched",
                                  hint="edit it, or move it away to start again")])
    files.create(folder / SCHEMA_ID, schema_json() + "\n")  # the schema the modeline names; one there stays
    return target, text.count("    photo: ")
