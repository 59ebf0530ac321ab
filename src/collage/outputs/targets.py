"""The one rule for where collage writes, asked by every command before it writes anything (and by
`check`, so that a folder that checks clean also renders).

What the organiser put in the folder is only ever read:

  - the folder itself, and the manifest;
  - every file the manifest names (photos approved or not, music, a theme file and its background
    image, fonts);
  - everything under the folders holding those files, and under `photos/` and `music/`.

A target that is one of those, lies inside one, or holds one (a folder above the project) is refused.
Past that, collage replaces only what it wrote itself: an existing file must carry collage's mark (each
kind of output has one: `written_by_collage`), an existing folder the marker file of its kind (the
storyboard's, the cache's tag); an empty folder may be filled. A target whose folder cannot be made or
written (a file in the way, no permission) is refused too. Each refusal names the flag or manifest field
that chose the path and says what to do.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from collage.errors import Problem
from collage.model.project import Project
from collage.outputs import names

# file: an output collage replaces only when it wrote it; manifest: the organiser's manifest, which `init`
# creates and `import` edits on request; folder: a storyboard folder; cache: the render cache
Kind = Literal["file", "manifest", "folder", "cache"]

# Every file collage writes carries this, where its format has room for a note: MP4 (a `comment` tag),
# PNG (a `Software` text chunk), JPEG (a comment), WebVTT (a NOTE), HTML (a generator meta tag).
MARK = "written by collage"
_HEAD = 8 << 20  # an MP4's metadata is in its first bytes (+faststart puts the index first)
_OWNED_DIRS = ("photos", "music")  # by convention, even before the manifest names a file there


@dataclass(frozen=True)
class Target:
    """A path a command is about to write, and who chose it (for the message if it is refused)."""

    path: Path
    flag: str  # as the person wrote it: "-o", "--cache-dir", "video.output", "beside -o", ...
    kind: Kind = "file"
    hint: str = ""  # another way out, e.g. "or render with --no-sidecars"
    file: str | None = None  # the manifest, when a manifest field chose the path
    line: int | None = None


@dataclass(frozen=True)
class Owned:
    """What the organiser owns, as resolved paths."""

    folder: Path
    files: frozenset[Path]
    folders: frozenset[Path]  # the photo and music folders: everything under them is theirs too

    @classmethod
    def of(cls, folder: Path, files: Iterable[Path]) -> Owned:
        root = _resolve(folder)
        resolved = {_resolve(f) for f in files}
        dirs: set[Path] = set()
        for f in resolved:
            for parent in f.parents:
                if parent == root or not parent.is_relative_to(root):
                    break
                dirs.add(parent)
        dirs |= {_resolve(root / d) for d in _OWNED_DIRS if (root / d).is_dir()}
        return cls(root, frozenset(resolved), frozenset(dirs))

    def claim(self, path: Path) -> str | None:
        """In words, what of the organiser's `path` is, lies in or holds; None when nothing."""
        p = _resolve(path)
        if p == self.folder:
            return "is the project folder itself"
        if p in self.files:
            return "is " + ("the manifest" if p.suffix in (".yaml", ".yml") else "a file the manifest names")
        for d in sorted(self.folders):
            if p == d:
                return f"is '{_shown(d, self.folder)}', the folder of the project's photos or music"
            if p.is_relative_to(d):
                return f"is inside '{_shown(d, self.folder)}', which holds the project's photos or music"
        if self.folder.is_relative_to(p):
            return "holds the project folder"
        held = next((f for f in sorted(self.files) if f.is_relative_to(p)), None)
        if held is not None:
            return f"holds '{held.name}', a file of the project"
        return None


def owned(project: Project) -> Owned:
    return Owned.of(project.folder, {project.manifest, *project.sources})


def video_targets(project: Project, video: Path, shown: str, *, sidecars: bool, cache: Path | None,
                  output_given: bool = False, cache_given: bool = False) -> list[Target]:
    """Every path one video's render writes (the video, its sidecars, its cache folder), each with what
    chose it: `-o` and `--cache-dir` when given, else the manifest's `video.output` (`shown`: the
    manifest as messages name it)."""
    file, line = (None, None) if output_given else (shown, project.output_line)
    flag = "-o" if output_given else "video.output"
    chosen = [Target(video, flag, file=file, line=line)]
    if sidecars:
        chosen += [Target(p, flag, file=file, line=line, hint="or render with --no-sidecars")
                   for p in names.sidecars(video)]
    if cache is not None:
        chosen.append(Target(cache, "--cache-dir", "cache", hint="or render with --no-cache") if cache_given else
                      Target(cache, flag, "cache", file=file, line=line,
                             hint="or give the cache another place with --cache-dir, or render with --no-cache"))
    return chosen


def memo_folder(project: Project, cache_dir: Path | None = None) -> Path | None:
    """Where what collage measures in the folder is remembered (photos found whole, loudness, faces and
    signs): the render's cache folder (`cache_dir`, or the one beside the video), only if this rule lets
    collage write there (else nowhere)."""
    folder = cache_dir if cache_dir is not None else names.cache(project.output)
    return None if problems(owned(project), [Target(folder, "--cache-dir", "cache")]) else folder


def problems(owner: Owned, targets: Iterable[Target]) -> list[Problem]:
    """Why collage may not write each target (none: all may be written). Each path is judged once."""
    out: list[Problem] = []
    seen: set[Path] = set()
    said: set[tuple[str, str]] = set()  # a folder that cannot be written is said once, not once a file
    for t in targets:
        p = _resolve(t.path)
        if p in seen:
            continue
        seen.add(p)
        why = _refusal(owner, t)
        if why is None or (t.flag, why[0]) in said:
            continue
        said.add((t.flag, why[0]))
        message, hint = why
        hint += f"; {t.hint}" if t.hint else ""
        # Where the path came from leads: a manifest field (its line), or the flag given.
        where = t.file if t.file is not None else str(t.path)
        what = f"'{t.path}' {message}" if t.file is not None else f"it {message}"
        out.append(Problem(where, what, line=t.line, field=t.flag, hint=hint))
    return out


def _refusal(owner: Owned, t: Target) -> tuple[str, str] | None:
    claim = owner.claim(t.path)
    if claim is not None:
        return (f"{claim}: collage only reads what the organiser put there",
                "write it elsewhere, such as out/ in the folder")
    try:
        st = t.path.stat()
    except (FileNotFoundError, NotADirectoryError):  # (under a file: said below, naming the file)
        st = None
    except OSError as exc:
        return f"cannot be looked at ({exc.strerror})", "choose another path"
    if st is not None:
        if t.kind in ("file", "manifest"):
            if stat.S_ISDIR(st.st_mode):
                return "is a folder", "give a file name"
            if not stat.S_ISREG(st.st_mode):
                return "is not a regular file", "choose another path"
            if t.kind == "file" and not written_by_collage(t.path):
                return ("already exists and was not written by collage, which replaces only its own files",
                        "move or delete it, or choose another path")
        else:
            if not stat.S_ISDIR(st.st_mode):
                return "is a file, not a folder", "give a folder"
            mine = is_cache(t.path) if t.kind == "cache" else is_storyboard(t.path)
            if not mine:
                what = "a collage cache" if t.kind == "cache" else "a storyboard collage wrote"
                return (f"holds files and is not {what}: collage never empties or writes into such a folder",
                        "give a new or empty folder")
    return _unwritable(t.path if st is not None and t.kind in ("folder", "cache") else t.path.parent)


def _unwritable(folder: Path) -> tuple[str, str] | None:
    """Why nothing can be created in `folder` (or in the nearest existing folder above it, where the
    rest would be made), tried for real: permission bits do not tell root about a read-only mount."""
    for candidate in (folder, *folder.parents):
        try:
            st = candidate.stat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            return f"cannot be written there: {exc.strerror}", "choose another path"
        if not stat.S_ISDIR(st.st_mode):
            return f"cannot be written there: '{candidate}' is a file, not a folder", "choose another path"
        try:
            with tempfile.TemporaryFile(dir=candidate):
                return None
        except OSError as exc:
            return (f"cannot be written there: {(exc.strerror or 'no permission').lower()} in '{candidate}'",
                    "choose a folder you can write to")
    return "cannot be written there", "choose another path"


def written_by_collage(path: Path) -> bool:
    """Whether an existing file is one collage wrote, by the mark its kind carries. A subtitle file
    (SRT has no room for a note) is collage's when the WebVTT file written with it is."""
    name = path.name.lower()
    if name.endswith(".srt"):
        return written_by_collage(path.with_suffix(".vtt"))
    if not name.endswith((".mp4", ".png", ".jpg", ".vtt", ".html")):
        return False
    try:
        with path.open("rb") as f:
            head = f.read(_HEAD if name.endswith(".mp4") else 1 << 16)
    except OSError:
        return False
    return MARK.encode() in head


def is_cache(root: Path) -> bool:
    """Whether `root` may be used as collage's cache: absent, empty, or tagged as one by collage."""
    try:
        if not root.exists():
            return True
        if not root.is_dir():
            return False
        entries = {p.name for p in root.iterdir()}
        if entries <= {"verified.json"}:  # empty, or made by an older `check` (which wrote no tag)
            return True
        tag = (root / names.CACHE_TAG).read_text(encoding="utf-8", errors="replace")
        return tag.startswith(CACHE_SIGNATURE) and "collage" in tag
    except OSError:
        return False


CACHE_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"  # the Cache Directory Tagging standard's


def is_storyboard(folder: Path) -> bool:
    """An empty folder, or one holding collage's storyboard marker."""
    with contextlib.suppress(OSError):
        if not any(folder.iterdir()):
            return True
        return (folder / names.STORYBOARD_MARK).read_text(encoding="utf-8", errors="replace").startswith(MARK)
    return False


def _resolve(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return path.absolute()


def _shown(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else str(path)
