"""The one way collage writes a file or a folder: written aside, beside its target, and moved into place
only once it is complete, so that an interrupted or failed write leaves the earlier file (or nothing)
where the target is, never half of one.

    aside(target)            a path to write to; becomes `target` when the block ends without error
    write_text / write_bytes / save
    create(target, text)     the same, but never replaces an existing file
    folder_aside(target)     a folder to fill; replaces `target` (an empty folder, or one marked as
                             collage's by the caller's rule) when the block ends without error

A path that cannot be written (a file where a folder should be, no permission, no space) is an
InputError naming it: the person chose the path, and can choose another.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from collage.errors import InputError, Problem


@functools.cache
def _umask() -> int:
    """The process's umask, read without changing it where the system tells it (setting it to read it
    back would, for a moment, change it for every thread)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode() -> int:
    """0666 less the umask: what `open()` gives a new file (mkstemp gives 0600)."""
    return 0o666 & ~_umask()


def cannot_write(target: Path, exc: OSError, hint: str = "choose a path you can write to") -> InputError:
    why = exc.strerror or type(exc).__name__
    if isinstance(exc, (NotADirectoryError, FileExistsError)) or exc.errno in (errno.ENOTDIR, errno.EEXIST):
        why = "a part of the path is a file, not a folder"
    return InputError([Problem(str(target), f"cannot write there: {why}", hint=hint)])


def make_parent(target: Path, *, private: bool = False) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o777)
    except OSError as exc:
        raise cannot_write(target, exc) from None


@contextlib.contextmanager
def aside(target: Path, *, private: bool = False, keep_mode: bool = False) -> Iterator[Path]:
    """A new, empty file beside `target` to write (by any means: Python, Pillow, ffmpeg). When the
    block ends without error it replaces `target` in one rename; otherwise it is removed. The file gets
    the permissions a new file gets (`private`: the owner's only; `keep_mode`: those of the file it
    replaces)."""
    make_parent(target, private=private)
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise cannot_write(target, exc) from None
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        mode = 0o600 if private else _mode()
        if keep_mode:
            with contextlib.suppress(OSError):
                mode = stat.S_IMODE(target.stat().st_mode)
        os.chmod(partial, mode)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise cannot_write(target, exc) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def save(target: Path, write: Callable[[Path], object], **options: bool) -> Path:
    """`write(path)` fills a file beside `target`, which then replaces it (see `aside`)."""
    with aside(target, **options) as partial:
        write(partial)
    return target


def write_text(target: Path, text: str, **options: bool) -> Path:
    return save(target, lambda p: p.write_text(text, encoding="utf-8"), **options)


def write_bytes(target: Path, data: bytes, **options: bool) -> Path:
    return save(target, lambda p: p.write_bytes(data), **options)


def create(target: Path, text: str) -> bool:
    """Write `target` only if nothing is there yet, whole or not at all: written aside and linked into
    place, which fails when anything (even a dangling link) has the name. Returns whether it wrote."""
    make_parent(target)
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise cannot_write(target, exc) from None
    partial = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(partial, _mode())
        try:
            os.link(partial, target)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
                raise
            with target.open("x", encoding="utf-8") as f:  # a file system without hard links
                f.write(text)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        raise cannot_write(target, exc) from None
    finally:
        partial.unlink(missing_ok=True)


@contextlib.contextmanager
def folder_aside(target: Path) -> Iterator[Path]:
    """A new folder beside `target` to fill. When the block ends without error it takes `target`'s
    place (an earlier folder there is moved away first and then deleted); otherwise it is deleted.
    The caller's rule (`targets.problems`) has made sure that `target` is absent, empty or collage's."""
    make_parent(target)
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    except OSError as exc:
        raise cannot_write(target, exc) from None
    try:
        yield work
        os.chmod(work, 0o777 & ~_umask())
        if target.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / "previous")
            os.replace(work, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, target)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise cannot_write(target, exc) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise

