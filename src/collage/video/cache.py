"""The segment cache: encoded segments (and the encoded music bed) kept between renders.

    CACHE/
      entries/ab/abcd….mp4     an encoded segment, named by the key of everything that shapes it
      entries/ab/abcd….json    its record: size and BLAKE2b digest of the file, written last
      digests.json             digests of source files, reused while a file's size and mtime are unchanged
      last-run.json            what the last render reused and encoded (for people and tests)
      tmp/                     per-run scratch; anything here is unfinished

An entry counts only when its record exists and the file matches it: a file cut off mid-write is never
moved into place (it is written under tmp/ first), and a damaged one fails its digest, is deleted and is
encoded again. Entries are pruned oldest-used first once the cache passes its size limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

DEFAULT_LIMIT = 4 << 30  # 4 GiB: a few dozen full 1080p renders of a typical video
SCRATCH_MAX_AGE = 24 * 3600  # older scratch folders belong to runs that died
SCRATCH_QUIET = 3600  # `cache prune`: a scratch folder untouched this long is a dead run's (slides in it)


def digest_file(path: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


_PATH_KEY = re.compile(r"^[0-9a-f]{32}$")


def _path_key(path: Path) -> str:
    """A file's name in the stores: a digest of its absolute path, so that the cache's records hold no
    file names (a photo named after its contributor)."""
    return hashlib.blake2b(str(path.resolve()).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


class FileFacts:
    """A fact computed from a file (`compute(path)`, e.g. its digest), remembered by (size, mtime,
    inode) so that an unchanged file is not read again, in this run or the next. Without a backing
    file (no cache) it is remembered for this run only. A compute that raises remembers nothing."""

    def __init__(self, store: Path | None, compute: Callable[[Path], str]) -> None:
        self.store, self.compute = store, compute
        self._known: dict[str, list[Any]] = {}
        self._dirty = False
        if store is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(store.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):  # (keys an older version wrote as paths are forgotten)
                    self._known = {k: v for k, v in loaded.items() if _PATH_KEY.match(k)}
                    self._dirty = len(self._known) != len(loaded)

    def __call__(self, path: Path) -> str:
        st = path.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        key = _path_key(path)
        known = self._known.get(key)
        if isinstance(known, list) and len(known) == 4 and known[:3] == stamp:
            return str(known[3])
        value = self.compute(path)
        self._known[key] = [*stamp, value]
        self._dirty = True
        return value

    def retain(self, paths: Iterable[Path]) -> None:
        """Forget every file but `paths`, and save."""
        wanted = {_path_key(p) for p in paths}
        kept = {k: v for k, v in self._known.items() if k in wanted}
        self._dirty = self._dirty or kept != self._known
        self._known = kept
        self.save()

    def save(self) -> None:
        if self.store is not None and self._dirty:
            with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
                _write_atomic(self.store, json.dumps(self._known))
            self._dirty = False


class FileDigests(FileFacts):
    """Digests of files, remembered by file state: unchanged photos are not read again."""

    def __init__(self, store: Path | None) -> None:
        super().__init__(store, digest_file)


TAG_NAME = "CACHEDIR.TAG"
TAG_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"  # the Cache Directory Tagging standard's
_ENTRY = re.compile(r"^[0-9a-f]{40}\.(mp4|m4a|json)$")  # the only files collage deletes from entries/


def is_cache(root: Path) -> bool:
    """Whether `root` may be used as collage's cache: absent, empty, or tagged as one (by collage). A
    folder that holds anything else is never written into, made private or pruned."""
    try:
        if not root.exists():
            return True
        if not root.is_dir():
            return False
        names = {p.name for p in root.iterdir()}
        if names <= {"verified.json"}:  # empty, or made by an older `check` (which wrote no tag)
            return True
        return (root / TAG_NAME).read_text(encoding="utf-8", errors="replace").startswith(TAG_SIGNATURE)
    except OSError:
        return False


def make_private_folder(root: Path) -> None:
    """The cache holds pictures of the contributors: readable by its owner only (made so, too, when an
    earlier version created it open; a folder that is not collage's cache is left as it is)."""
    created = not root.exists()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    tag = root / TAG_NAME  # backup tools skip a folder holding this; collage prunes only such a folder
    if created or {p.name for p in root.iterdir()} <= {"verified.json"}:
        tag.write_text(f"{TAG_SIGNATURE}\n# collage's cache; safe to delete.\n")
    if tag.is_file() and root.stat().st_mode & 0o077 and root.stat().st_uid == os.getuid():
        root.chmod(0o700)


def file_stamp(path: Path) -> str:
    """A file's identity for one run, without reading it: enough to tell equal work apart in a render
    that keeps nothing (`NullCache`)."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{path.resolve()}"


class SegmentCache:
    durable = True  # entries outlive the run: worth reading every photo for its key, and keeping joined runs

    def __init__(self, root: Path, limit: int = DEFAULT_LIMIT) -> None:
        self.root, self.limit = root, limit
        self.entries = root / "entries"
        make_private_folder(root)
        self.entries.mkdir(exist_ok=True)
        (root / "tmp").mkdir(exist_ok=True)
        self.digests = FileDigests(root / "digests.json")

    def _paths(self, key: str, suffix: str) -> tuple[Path, Path]:
        folder = self.entries / key[:2]
        return folder / f"{key}{suffix}", folder / f"{key}.json"

    def lookup(self, key: str, suffix: str = ".mp4") -> Path | None:
        """The entry's file if it is whole and undamaged; a damaged entry is removed."""
        path, record = self._paths(key, suffix)
        try:
            meta = json.loads(record.read_text(encoding="utf-8"))
            ok = path.stat().st_size == meta["size"] and digest_file(path) == meta["blake2b"]
        except (OSError, ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            self._remove(path, record)
            return None
        now = time.time()
        with contextlib.suppress(OSError):
            os.utime(record, (now, now))  # last used: pruning keeps what is in use
        return path

    def store(self, key: str, produced: Path, suffix: str = ".mp4") -> Path:
        """Move a finished file into the cache under `key`; its record is written last."""
        path, record = self._paths(key, suffix)
        path.parent.mkdir(exist_ok=True)
        meta = {"size": produced.stat().st_size, "blake2b": digest_file(produced), "created": time.time()}
        os.replace(produced, path)
        _write_atomic(record, json.dumps(meta))
        return path

    def scratch(self) -> Path:
        """A fresh scratch folder for this run (removed by the caller; stale ones by `prune`)."""
        return Path(tempfile.mkdtemp(prefix="run-", dir=self.root / "tmp"))

    def write_record(self, record: dict[str, Any]) -> None:
        _write_atomic(self.root / "last-run.json", json.dumps(record, indent=1))

    def last_record(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.root / "last-run.json").read_text(encoding="utf-8"))
        return loaded

    def _entries(self) -> dict[str, list[Path]]:
        entries: dict[str, list[Path]] = {}
        for p in self.entries.rglob("*"):
            if _ENTRY.match(p.name) and p.is_file():
                entries.setdefault(p.name.split(".")[0], []).append(p)
        return entries

    def unused(self, known: set[str], in_use: Callable[[], set[str]]) -> tuple[int, int]:
        """How many entries (and bytes) no key in `in_use()` names: segments of an older manifest.
        `in_use` (which plans every variant) is asked only when some entry is not among `known`."""
        entries = self._entries()
        if all(key in known for key in entries):
            return 0, 0
        keep = in_use()
        stale = [p for key, files in entries.items() if key not in keep for p in files if p.suffix != ".json"]
        return len(stale), sum(p.stat().st_size for p in stale)

    def remove_unused(self, keep: set[str], sources: Iterable[Path]) -> tuple[int, int]:
        """Delete every entry no key in `keep` names, every scratch folder, and what the file stores
        remember of files other than `sources` (a withdrawn photo's digest): `collage cache prune`.
        Returns the entries and bytes deleted."""
        count = freed = 0
        for key, files in self._entries().items():
            if key in keep:
                continue
            count += any(p.suffix != ".json" for p in files)
            for p in files:
                if _ENTRY.match(p.name):
                    with contextlib.suppress(FileNotFoundError):
                        freed += p.stat().st_size
                        p.unlink()
        for folder in self.entries.iterdir():
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty
        now = time.time()
        for stale in (self.root / "tmp").glob("run-*"):  # scratch of runs that died (a live one is touched)
            with contextlib.suppress(OSError):
                if stale.is_dir() and now - stale.stat().st_mtime > SCRATCH_QUIET:
                    shutil.rmtree(stale)
        wanted = list(sources)
        for name in ("digests.json", "verified.json", "music.json", "signs.json"):
            FileFacts(self.root / name, lambda path: "").retain(wanted)
        return count, freed

    def prune(self, keep: Iterable[str] = ()) -> int:
        """Delete least recently used entries (never those in `keep`) until under the limit, and scratch
        folders of runs that died; returns the bytes freed."""
        now = time.time()
        for stale in (self.root / "tmp").iterdir():
            with contextlib.suppress(OSError):
                if now - stale.stat().st_mtime > SCRATCH_MAX_AGE:
                    shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        entries = self._entries()
        total = sum(p.stat().st_size for files in entries.values() for p in files)
        keep = set(keep)

        def used(key: str) -> float:
            stamps = [p.stat().st_mtime for p in entries[key] if p.suffix == ".json"]
            return stamps[0] if stamps else 0.0  # no record: unfinished, first to go

        freed = 0
        for key in sorted(entries, key=used):
            if total - freed <= self.limit:
                break
            if key in keep:
                continue
            for p in entries[key]:
                with contextlib.suppress(FileNotFoundError):
                    freed += p.stat().st_size
                    p.unlink()
        return freed

    @staticmethod
    def _remove(*paths: Path) -> None:
        for p in paths:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


class NullCache:
    """The cache's interface for a render that keeps nothing (`--no-cache`): nothing is found, a stored
    file stays where it was made (in this run's scratch folder, deleted with it), and files are told
    apart by their stamp instead of their bytes (keys still find equal segments within the run)."""

    durable = False

    def __init__(self) -> None:
        self.root: Path | None = None
        self.digests = FileFacts(None, file_stamp)

    def lookup(self, key: str, suffix: str = ".mp4") -> Path | None:
        return None

    def store(self, key: str, produced: Path, suffix: str = ".mp4") -> Path:
        return produced

    def scratch(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="collage-"))

    def write_record(self, record: dict[str, Any]) -> None:
        pass

    def prune(self, keep: Iterable[str] = ()) -> int:
        return 0

    def unused(self, known: set[str], in_use: Callable[[], set[str]]) -> tuple[int, int]:
        return 0, 0


Cache = SegmentCache | NullCache


def open_cache(root: Path | None, limit: int = DEFAULT_LIMIT) -> Cache:
    return SegmentCache(root, limit) if root is not None else NullCache()
