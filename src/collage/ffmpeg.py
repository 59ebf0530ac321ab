"""The ffmpeg binary (imageio-ffmpeg's, shipped in its wheel) and the processes a render starts.

Every ffmpeg collage starts (encoders, the music decoder and meter) is registered with the render it
works for, so that an interrupted render kills its own processes and never another render's.
"""

from __future__ import annotations

import contextlib
import contextvars
import subprocess
import threading
from collections.abc import Iterator


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


class FFmpegProcesses:
    """The ffmpeg processes of one render: an interrupted render kills its own, never those of another
    render running in the same process (a long-lived library user, a test runner)."""

    def __init__(self) -> None:
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.add(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def kill(self) -> None:
        """Kill every ffmpeg still running (its writer's next write fails and removes its partial file)."""
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            with contextlib.suppress(OSError):
                proc.kill()


# The render a thread works for; worker threads run each task in a copy of the submitting context.
_processes: contextvars.ContextVar[FFmpegProcesses | None] = contextvars.ContextVar("collage_ffmpeg", default=None)


def current_processes() -> FFmpegProcesses | None:
    """The registry of the render this code runs for (None outside a render)."""
    return _processes.get()


@contextlib.contextmanager
def own_processes() -> Iterator[FFmpegProcesses]:
    """Every ffmpeg started inside the block (in this context) is registered here."""
    procs = FFmpegProcesses()
    token = _processes.set(procs)
    try:
        yield procs
    finally:
        _processes.reset(token)
