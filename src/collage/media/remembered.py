"""What collage finds in a photo, remembered by file state in the cache folder, so that it is found once
per photo (and per version of the code and models that find it), not once a command: a `still` of one
slide then costs drawing that slide, not looking at every photo again.

    subjects.json   the faces and the sign (cover crops, Ken Burns)
    signs.json      the sign alone (how large each photo's sign is shown: `check` asks it of every photo)
    covers.json     a masked photo's checked covers (`subjects.cover`): for each set of boxes given

Records are keyed by a digest of the photo's path, never its name (a photo may be named after its
contributor), and hold boxes only.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from collage.media import subjects
from collage.media.subjects import Box, Cover, Subjects
from collage.outputs.targets import is_cache
from collage.resources import models_dir, package_dir
from collage.store import FileFacts, make_private_folder


class Found:
    """The faces, signs and covers of photos, from the cache folder `memo` (None: remembered in this
    process only)."""

    def __init__(self, memo: Path | None) -> None:
        if memo is not None:
            try:
                memo = memo if is_cache(memo) else None
                if memo is not None:
                    make_private_folder(memo)
            except OSError:
                memo = None  # a cache folder that cannot be made only costs time
        version = _version()
        self._subjects = FileFacts(None if memo is None else memo / "subjects.json", _subjects, version)
        self._covers = FileFacts(None if memo is None else memo / "covers.json", lambda path: "", version)
        self._signs = FileFacts(None if memo is None else memo / "signs.json",
                                lambda path: json.dumps(subjects.sign(path)), version)

    def subjects(self, path: Path) -> Subjects:
        found = json.loads(self._subjects(path))
        return Subjects(_boxes(found["faces"]), None if found["sign"] is None else _box(found["sign"]),
                        _boxes(found["cores"]))

    def sign(self, path: Path) -> Box | None:
        found = json.loads(self._signs(path))
        return None if found is None else _box(found)

    def cover(self, path: Path, boxes: tuple[Box, ...] = ()) -> Cover:
        def compute(p: Path) -> str:
            made = subjects.cover(p, boxes)
            return json.dumps({"faces": made.faces, "refused": made.refused})

        found = json.loads(self._covers(path, json.dumps(boxes), compute))
        return Cover(_boxes(found["faces"]), bool(found["refused"]))

    def save(self) -> None:
        for store in (self._subjects, self._signs, self._covers):
            store.save()


@functools.cache
def found(memo: Path | None) -> Found:
    """One `Found` a cache folder in a process: every command asks the same one."""
    return Found(memo)


def _subjects(path: Path) -> str:
    made = subjects.detect(path)
    return json.dumps({"faces": made.faces, "sign": made.sign, "cores": made.cores})


@functools.cache
def _version() -> str:
    """The code and models that find faces and signs: what they found is forgotten when they change."""
    h = hashlib.blake2b(digest_size=16)
    media = package_dir() / "media"
    for name in ("photos.py", "faces.py", "subjects.py"):
        h.update(name.encode() + b"\0" + (media / name).read_bytes())
    for model in sorted(models_dir().iterdir()):
        h.update(f"{model.name}:{model.stat().st_size}".encode())
    return h.hexdigest()


def _box(values: list[float]) -> Box:
    return values[0], values[1], values[2], values[3]


def _boxes(values: list[list[float]]) -> tuple[Box, ...]:
    return tuple(_box(v) for v in values)
