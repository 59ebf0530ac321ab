"""Where segment tasks run: in turn in this process (`Inline`, for --jobs 1) or on `jobs` threads.

Both have the same small interface (`Runner`): `submit(fn, task, tag)`, then `next_done()` gives back
one finished task's tag and result (re-raising its error); `video.graph.execute` drives any of them.
Threads suffice because the work happens outside the interpreter lock: Pillow decoding and resampling,
numpy blends, pipe writes, and above all the ffmpeg processes the tasks feed. A Dask cluster is another
Runner (`video.cluster.DaskRunner`).
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collage.ffmpeg import FFmpegProcesses


class Runner(Protocol):
    def submit(self, fn: Callable[[Any], Any], task: Any, tag: Any) -> None: ...
    def next_done(self) -> tuple[Any, Any]: ...
    def close(self) -> None: ...
    def terminate(self) -> None: ...


class Inline:
    """Runs each task when its result is asked for, in submission order."""

    def __init__(self) -> None:
        self._pending: deque[tuple[Callable[[Any], Any], Any, Any]] = deque()

    def submit(self, fn: Callable[[Any], Any], task: Any, tag: Any) -> None:
        self._pending.append((fn, task, tag))

    def next_done(self) -> tuple[Any, Any]:
        fn, task, tag = self._pending.popleft()
        return tag, fn(task)

    def close(self) -> None:
        self._pending.clear()

    def terminate(self) -> None:
        self._pending.clear()


class Threads:
    """`jobs` threads in this process; results arrive in completion order. One copy of numpy, Pillow
    and the fonts serves them all (worker processes would each hold their own)."""

    def __init__(self, jobs: int, processes: FFmpegProcesses | None = None) -> None:
        self._pool = ThreadPoolExecutor(jobs, thread_name_prefix="collage")
        self._running: dict[Future[Any], Any] = {}
        self._processes = processes

    def submit(self, fn: Callable[[Any], Any], task: Any, tag: Any) -> None:
        # In a copy of the caller's context: the task's ffmpeg is registered with the caller's render.
        self._running[self._pool.submit(contextvars.copy_context().run, fn, task)] = tag

    def next_done(self) -> tuple[Any, Any]:
        done, _ = wait(self._running, return_when=FIRST_COMPLETED)
        future = next(iter(done))
        tag = self._running.pop(future)
        return tag, future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def terminate(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._processes is not None:
            self._processes.kill()  # this render's ffmpegs: each write fails and removes its partial file
        self._pool.shutdown(wait=True)


def runner(jobs: int, processes: FFmpegProcesses | None = None) -> Runner:
    return Inline() if jobs <= 1 else Threads(jobs, processes)
