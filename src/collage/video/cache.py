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
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from collage.outputs import files
from collage.store import FileDigests, FileFacts, digest_file, make_private_folder

DEFAULT_LIMIT = 4 << 30  # 4 GiB: a few dozen full 1080p renders of a typical video
SCRATCH_MAX_AGE = 24 * 3600  # older scratch folders belong to runs that died
SCRATCH_QUIET = 3600  # `cache prune`: a scratch folder untouched this long is a dead run's (slides in it)


_ENTRY = re.compile(r"^[0-9a-f]{40}\.(mp4|m4a|wav|json)$")  # the only files collage deletes from entries/


def _made(entry: list[Path]) -> float:
    """When an entry was stored (its record says); 0 for one without a record (unfinished)."""
    for p in entry:
        if p.suffix == ".json":
            with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
                return float(json.loads(p.read_text(encoding="utf-8")).get("created", 0.0))
    return 0.0


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
        files.write_text(record, json.dumps(meta), private=True)
        return path

    def scratch(self) -> Path:
        """A fresh scratch folder for this run (removed by the caller; stale ones by `prune`)."""
        return Path(tempfile.mkdtemp(prefix="run-", dir=self.root / "tmp"))

    def write_record(self, record: dict[str, Any]) -> None:
        files.write_text(self.root / "last-run.json", json.dumps(record, indent=1), private=True)

    def last_record(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.root / "last-run.json").read_text(encoding="utf-8"))
        return loaded

    def _entries(self) -> dict[str, list[Path]]:
        entries: dict[str, list[Path]] = {}
        for p in self.entries.rglob("*"):
            if _ENTRY.match(p.name) and p.is_file():
                entries.setdefault(p.name.split(".")[0], []).append(p)
        return entries

    def unused(self, known: set[str], in_use: Callable[[], set[str]], before: float | None = None) -> tuple[int, int]:
        """How many entries (and bytes) no key in `in_use()` names: segments of an older manifest.
        `in_use` (which plans every variant) is asked only when some entry is not among `known`. Entries
        made after `before` (the manifest's last change) were made from the manifest as it is (a proof
        of some slides, say) and are not counted: they show no one since withdrawn."""
        entries = {k: v for k, v in self._entries().items() if before is None or _made(v) < before}
        if all(key in known for key in entries):
            return 0, 0
        keep = in_use()
        stale = [p for key, found in entries.items() if key not in keep for p in found if p.suffix != ".json"]
        return len(stale), sum(p.stat().st_size for p in stale)

    def remove_unused(self, keep: set[str], sources: Iterable[Path]) -> tuple[int, int]:
        """Delete every entry no key in `keep` names, every scratch folder, and what the file stores
        remember of files other than `sources` (a withdrawn photo's digest): `collage cache prune`.
        Returns the entries and bytes deleted."""
        count = freed = 0
        for key, found in self._entries().items():
            if key in keep:
                continue
            count += any(p.suffix != ".json" for p in found)
            for p in found:
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
        for name in ("digests.json", "verified.json", "music.json", "subjects.json", "signs.json", "covers.json"):
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
        total = sum(p.stat().st_size for found in entries.values() for p in found)
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

    def unused(self, known: set[str], in_use: Callable[[], set[str]], before: float | None = None) -> tuple[int, int]:
        return 0, 0


Cache = SegmentCache | NullCache


def open_cache(root: Path | None, limit: int = DEFAULT_LIMIT) -> Cache:
    return SegmentCache(root, limit) if root is not None else NullCache()
