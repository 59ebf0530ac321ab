"""Facts about files remembered between runs, by file state, in the cache folder: digests of sources,
photos found whole, music loudness, where signs are. Asked by `check` and by the render alike.

    FileFacts(store, compute)   compute(path) once per file state (size, mtime, inode), kept in `store`
    make_private_folder(root)   the cache folder: its owner's only, tagged as collage's

The stores name files by a digest of their path, never by name: a photo may be named after its
contributor.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from collage.errors import InputError
from collage.outputs import files, names
from collage.outputs.targets import CACHE_SIGNATURE


def digest_file(path: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


_PATH_KEY = re.compile(r"^[0-9a-f]{32}(:[0-9a-f]{16})?$")  # a file, and what else its fact depends on


def _path_key(path: Path) -> str:
    """A file's name in the stores: a digest of its absolute path, so that the cache's records hold no
    file names (a photo named after its contributor)."""
    return hashlib.blake2b(str(path.resolve()).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


class FileFacts:
    """A fact computed from a file (`compute(path)`, e.g. its digest), remembered by (size, mtime,
    inode) so that an unchanged file is not read again, in this run or the next. Without a backing
    file (no cache) it is remembered for this run only. A compute that raises remembers nothing.

    A fact that depends on more than the file (the boxes a cover must include, say) names that as its
    `variant`. With a `version` (the code and models that find the fact), facts found by other code
    are forgotten."""

    def __init__(self, store: Path | None, compute: Callable[[Path], str], version: str = "") -> None:
        self.store, self.compute, self.version = store, compute, version
        self._known: dict[str, list[Any]] = {}
        self._dirty = False
        if store is not None:
            with contextlib.suppress(OSError, ValueError, RecursionError):  # (a file nested too deep to read)
                loaded = json.loads(store.read_text(encoding="utf-8"))
                if isinstance(loaded, dict) and set(loaded) == {"version", "facts"}:  # a versioned store
                    if not version:  # (read to be kept or pruned, as `cache prune` does: its version stays)
                        self.version = str(loaded["version"])
                    loaded = loaded["facts"] if self.version == loaded["version"] else {}
                elif version:
                    loaded = {}
                if isinstance(loaded, dict):  # (keys an older version wrote as paths are forgotten)
                    self._known = {k: v for k, v in loaded.items() if _PATH_KEY.match(k)}
                    self._dirty = len(self._known) != len(loaded)

    def __call__(self, path: Path, variant: str = "", compute: Callable[[Path], str] | None = None) -> str:
        st = path.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        key = _path_key(path) + (":" + hashlib.blake2b(variant.encode(), digest_size=8).hexdigest() if variant else "")
        known = self._known.get(key)
        if isinstance(known, list) and len(known) == 4 and known[:3] == stamp:
            return str(known[3])
        value = (compute or self.compute)(path)
        self._known[key] = [*stamp, value]
        self._dirty = True
        return value

    def retain(self, paths: Iterable[Path]) -> None:
        """Forget every file but `paths`, and save."""
        wanted = {_path_key(p) for p in paths}
        kept = {k: v for k, v in self._known.items() if k.partition(":")[0] in wanted}
        self._dirty = self._dirty or kept != self._known
        self._known = kept
        self.save()

    def save(self) -> None:
        if self.store is not None and self._dirty:
            data: dict[str, Any] = {"version": self.version, "facts": self._known} if self.version else self._known
            with contextlib.suppress(OSError, InputError):  # a cache that cannot be written only costs time
                files.write_text(self.store, json.dumps(data), private=True)
            self._dirty = False


class FileDigests(FileFacts):
    """Digests of files, remembered by file state: unchanged photos are not read again."""

    def __init__(self, store: Path | None) -> None:
        super().__init__(store, digest_file)


def make_private_folder(root: Path) -> None:
    """The cache holds pictures of the contributors: readable by its owner only (made so, too, when an
    earlier version created it open; a folder that is not collage's cache is left as it is)."""
    created = not root.exists()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    tag = root / names.CACHE_TAG  # backup tools skip a folder holding this; collage prunes only such a folder
    if created or {p.name for p in root.iterdir()} <= {"verified.json"}:
        tag.write_text(f"{CACHE_SIGNATURE}\n# collage's cache; safe to delete.\n")
    if tag.is_file() and root.stat().st_mode & 0o077 and root.stat().st_uid == os.getuid():
        root.chmod(0o700)
