"""The ffmpeg binary (imageio-ffmpeg's, shipped in its wheel) and the processes a render starts.

Every long-running ffmpeg collage starts (encoders fed through a pipe, music decoders read from one) is
started by `start` and ended by `stop`: in a session of its own (Ctrl-C reaches collage, which decides
what happens to the files), registered with the render it works for (an interrupted render kills its own
processes and never another render's), its pipe widened to 1 MiB (a 3 MB frame crosses in 3 wake-ups,
not 48), and killed, reaped and unregistered however its work ends.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import subprocess
import threading
from collections.abc import Iterator
from typing import IO

from collage.errors import RenderError


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


PIPE_SIZE = 1 << 20


def start(cmd: list[str], *, stdin: bool = False, stdout: bool = False,
          stderr: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    """Start ffmpeg with a pipe to write frames to (`stdin`) or to read samples from (`stdout`,
    unbuffered), its errors to `stderr` (else discarded), registered with the current render."""
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
                                stderr=stderr if stderr is not None else subprocess.DEVNULL,
                                bufsize=0 if stdout else -1, start_new_session=True)
    except OSError as exc:
        raise RenderError(f"cannot start ffmpeg: {exc.strerror}", "reinstall imageio-ffmpeg") from None
    procs = current_processes()
    if procs is not None:
        procs.add(proc)
    pipe = proc.stdin if stdin else proc.stdout
    if pipe is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill it if it still runs, close its pipes, reap it and unregister it."""
    try:
        if proc.poll() is None:
            proc.kill()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):
                    pipe.close()
        proc.wait()
    finally:
        procs = current_processes()
        if procs is not None:
            procs.discard(proc)
