"""Where segment tasks run: in this process (`Inline`, for --jobs 1) or in worker processes (`Workers`).

Both have the same small interface: `submit(fn, task, tag)`, then `next_done()` gives back one finished
task's tag and result (re-raising its error). Workers are spawned, not forked, so they start clean and
take only what the task carries; they ignore Ctrl-C (the main process decides) and turn SIGTERM into an
exit that unwinds a running task, so that it kills its ffmpeg and removes its partial file.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol


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


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # SystemExit unwinds a running task (its ffmpeg is killed, its partial file removed) and ends an
    # idle worker without the traceback an interrupt would print.
    raise SystemExit(1)


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)


class Workers:
    """A pool of `jobs` spawned processes; results arrive in completion order. A worker that dies
    (killed, out of memory) fails the render instead of hanging it."""

    def __init__(self, jobs: int) -> None:
        self._pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_worker_init)
        self._running: dict[Future[Any], Any] = {}

    def submit(self, fn: Callable[[Any], Any], task: Any, tag: Any) -> None:
        self._running[self._pool.submit(fn, task)] = tag

    def next_done(self) -> tuple[Any, Any]:
        done, _ = wait(self._running, return_when=FIRST_COMPLETED)
        future = next(iter(done))
        tag = self._running.pop(future)
        return tag, future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def terminate(self) -> None:
        for child in multiprocessing.active_children():  # the pool's workers: SIGTERM stops their tasks
            child.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)


class Threads:
    """`jobs` threads in this process. The work releases the GIL (Pillow decoding, numpy blends, pipe
    writes, waiting on ffmpeg), so threads keep the encoders busy without a second copy of numpy, Pillow
    and the fonts in every worker."""

    def __init__(self, jobs: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(jobs, thread_name_prefix="collage")
        self._running: dict[Future[Any], Any] = {}

    def submit(self, fn: Callable[[Any], Any], task: Any, tag: Any) -> None:
        self._running[self._pool.submit(fn, task)] = tag

    def next_done(self) -> tuple[Any, Any]:
        done, _ = wait(self._running, return_when=FIRST_COMPLETED)
        future = next(iter(done))
        tag = self._running.pop(future)
        return tag, future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def terminate(self) -> None:
        from .encode import kill_running

        self._pool.shutdown(wait=False, cancel_futures=True)
        kill_running()  # each task's ffmpeg: its write fails, and it removes its partial file
        self._pool.shutdown(wait=True)


def runner(jobs: int, processes: bool = False) -> Runner:
    if jobs <= 1:
        return Inline()
    return Workers(jobs) if processes else Threads(jobs)
