"""The folder's media, measured for the planner: photo shapes (for `grid: auto` and crops), faces and
sign (for cover crops and Ken Burns), and the music (its length, and its beats over the video). Each is
read only when the manifest needs it, so `collage plan` on a plain folder imports no imaging library.
An unreadable file is left out here; the checks report it by name.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from pathlib import Path

from collage.errors import CollageError
from collage.model.project import GridItem, Message, PhotoItem, Project
from collage.model.timeline import Box, Mask, MediaFacts, MusicFacts
from collage.outputs.targets import is_cache
from collage.store import FileDigests, make_private_folder


def probe(project: Project, memo: Path | None = None) -> MediaFacts:
    """Every fact the plan may need, but the beats (they depend on the planned length: `with_beats`).
    Faces, signs and covers found are remembered in the cache folder `memo` (`media.remembered`)."""
    return MediaFacts(photo_sizes(project), photo_subjects(project, memo), _music(project, None),
                      photo_masks(project, memo))


def with_beats(project: Project, facts: MediaFacts, seconds: float) -> MediaFacts:
    """`facts` with the music's beats over the first `seconds` of the bed as it plays under the video."""
    return replace(facts, music=_music(project, seconds))


def _music(project: Project, beats_over: float | None) -> MusicFacts | None:
    if not (project.timing.fit == "music" or project.timing.beats) or not project.music.tracks:
        return None
    from collage.audio import beats, loudness

    try:
        for track in project.music.tracks:  # decodable first (cached for the checks and the bed): a bad
            loudness.measure(project.folder / track.file, track.start, track.end)  # file stops here, by name
        return beats.facts(project, beats_over)
    except (CollageError, OSError, ValueError, KeyError):  # unreadable music: the checks name the file
        return None


def following_subjects(project: Project) -> list[Message]:
    """Messages shown cover-cropped or moving, with no focus of their own: their crops and Ken Burns
    moves follow faces and sign."""
    moving = {item.message for item in project.sequence if isinstance(item, PhotoItem) and item.motion != "none"}
    grids = any(isinstance(item, GridItem) and item.motion != "none" for item in project.sequence)
    return [m for m in project.messages if m.focus is None and (
        (m.fit or project.fit) == "cover" or m.motion == "kenburns" or m.id in moving or (grids and m.motion is None))]


def photo_sizes(project: Project) -> dict[str, tuple[int, int]] | None:
    """Each approved photo's upright size from its header, when a grid will lay photos out by their
    shapes (every grid does: `auto`, and COLSxROWS shaping its cells to its photos), a crop needs them,
    or a face is covered (None otherwise: Pillow is then not even imported). An unreadable photo is
    left out; the checks report it."""
    grids = any(isinstance(item, GridItem) for item in project.sequence)
    cropped = any((m.fit or project.fit) == "cover" for m in project.messages)
    if not grids and not cropped and not following_subjects(project):
        return None
    from collage.media import photos

    sizes: dict[str, tuple[int, int]] = {}
    for m in project.messages:
        try:
            info = photos.probe(project.folder / m.photo)
        except photos.PhotoError:
            continue
        sizes[m.id] = (info.width, info.height)
    return sizes


def photo_subjects(project: Project, memo: Path | None = None) -> dict[str, tuple[Box, ...]] | None:
    """Faces and sign of every photo that will be cover-cropped (None when none is: OpenCV is then not
    imported). An unreadable photo is left out; the checks report it."""
    shown = following_subjects(project)
    if not shown:
        return None
    from collage.media import photos, remembered

    known = remembered.found(memo)
    found: dict[str, tuple[Box, ...]] = {}
    for m in shown:
        try:
            found[m.id] = known.subjects(project.folder / m.photo).boxes
        except photos.PhotoError:
            continue
    known.save()
    return found


def photo_masks(project: Project, memo: Path | None = None) -> dict[str, Mask] | None:
    """What to cover in each photo that has something to cover: every face found in a masked
    contributor's photo, and the `mask` boxes of any message (None when no message has either: OpenCV
    is then not imported). Covers belong to the photo, not the message: every message that shows the
    same file, or a copy of it under another name, gets them all. An unreadable photo is left out;
    the checks report it."""
    chosen = [m for m in project.messages if m.consent == "masked" or m.mask]
    if not chosen:
        return None
    from collage.media import photos, remembered

    known = remembered.found(memo)
    same = _copies(project, chosen, memo)

    found: dict[str, tuple[Box, ...]] = {}  # faces to cover, per masked message
    refused: set[str] = set()  # masked messages whose photo still shows a face once covered
    for m in chosen:
        if m.consent == "masked":
            own = tuple((x, y, x + w, y + h) for x, y, w, h in m.mask)
            try:
                cover = known.cover(project.folder / m.photo, own)
            except photos.PhotoError:
                continue
            found[m.id] = cover.faces
            if cover.refused:
                refused.add(m.id)
    known.save()
    out: dict[str, Mask] = {}
    for m in project.messages:
        sources = [m] if m in chosen else []
        sources += [c for c in same.get(m.id, ()) if c is not m]
        if not sources:
            continue
        faces = tuple(dict.fromkeys(f for c in sources for f in found.get(c.id, ())))
        boxes = tuple(dict.fromkeys((x, y, x + w, y + h) for c in sources for x, y, w, h in c.mask))
        if m.consent == "masked" and m.id not in found:
            continue  # unreadable: the checks report it
        out[m.id] = Mask(faces, boxes, refused=any(c.id in refused for c in sources))
    return out


def _copies(project: Project, chosen: list[Message], memo: Path | None) -> dict[str, list[Message]]:
    """For each message, the chosen messages whose photo is its photo: the same file (by any path), or
    a file of the same bytes (a copy under another name). Each photo is looked at once, and only files
    of a chosen one's size are read, their digests remembered by file state in `memo`."""
    states: dict[str, os.stat_result] = {}
    for m in project.messages:
        with contextlib.suppress(OSError):
            states[m.id] = (project.folder / m.photo).stat()
    sizes = {states[c.id].st_size for c in chosen if c.id in states}
    digests = FileDigests(None if memo is None or not is_cache(memo) else memo / "digests.json")

    def digest(m: Message) -> str | None:
        try:
            return digests(project.folder / m.photo)
        except OSError:
            return None

    out: dict[str, list[Message]] = {}
    for m in project.messages:
        st = states.get(m.id)
        if st is None or st.st_size not in sizes:
            continue
        for c in chosen:
            other = states.get(c.id)
            if other is None or other.st_size != st.st_size:
                continue
            if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino) or _equal(digest(c), digest(m)):
                out.setdefault(m.id, []).append(c)
    if digests.store is not None:
        with contextlib.suppress(OSError):
            make_private_folder(digests.store.parent)  # (tagged as collage's, if made anew)
            digests.save()
    return out


def _equal(a: str | None, b: str | None) -> bool:
    return a is not None and a == b
