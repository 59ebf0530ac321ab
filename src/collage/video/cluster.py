"""The render's tasks on a Dask distributed cluster (`render --cluster tcp://HOST:PORT`, or
`COLLAGE_CLUSTER`; `pip install collage[cluster]`).

The tasks are the same frozen descriptions a local thread runs (`video.tasks`): they name files by
path, so every worker must see the folder and the cache at the same paths as this machine (a shared
filesystem), and run the same collage with the same fonts and ffmpeg build, or its pictures would differ.
Both are checked on every worker before any work is sent (`preflight`). Outputs are written aside and
moved into place by the task itself, so a task that runs twice (its worker died and Dask ran it again
elsewhere) never leaves half a file; they land in the cache on this machine, exactly as local ones do,
and the join stays here.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collage.errors import RenderError
from collage.store import FileDigests
from collage.video.keys import tool

# Dask's own annotations are partial: its client and futures are held as Any here.
Client = Any
Future = Any

RETRIES = 2  # a task whose worker dies is run again elsewhere by Dask itself; this covers a task that fails
_names = itertools.count()


def connect(address: str) -> Client:
    """A client of the scheduler at `address`, or a RenderError that says how to get one."""
    try:
        from distributed import Client
    except ImportError:
        raise RenderError("--cluster needs Dask distributed", "pip install 'collage[cluster]'") from None
    # Dask logs a lost connection with its traceback (and the addresses it tried) on stderr; the render
    # says what went wrong itself, in one line.
    for name in [n for n in logging.root.manager.loggerDict if n.partition(".")[0] == "distributed"]:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        return Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise RenderError(f"no Dask scheduler answers at {address} ({type(exc).__name__})",
                          "start one (`dask scheduler`) and its workers, or render without --cluster") from None


def worker_facts(folder: str, cache: str) -> dict[str, Any]:
    """What one worker sees: the folder, the cache (writable), and the tool fingerprint."""
    cache_ok = os.path.isdir(cache) and os.access(cache, os.W_OK)
    return {"folder": os.path.isdir(folder), "cache": cache_ok, "tool": tool(FileDigests(None))}


def preflight(client: Client, folder: Path, cache: Path, fingerprint: str) -> int:
    """Refuse the cluster (RenderError) unless every worker sees the folder and the cache at these
    paths and runs the same collage, fonts and ffmpeg; the number of workers otherwise."""
    facts: dict[str, dict[str, Any]] = client.run(worker_facts, str(folder), str(cache))
    if not facts:
        raise RenderError("the Dask cluster has no workers", "start `dask worker` processes for it")
    for worker, seen in sorted(facts.items()):
        if not seen["folder"] or not seen["cache"]:
            what = "the folder" if not seen["folder"] else "the cache folder (writable)"
            raise RenderError(f"worker {worker} does not see {what} at the same path",
                              "workers need the folder and the cache on a shared filesystem, at the same paths")
        if seen["tool"] != fingerprint:
            raise RenderError(f"worker {worker} runs another collage, fonts or ffmpeg build than this machine",
                              "install the same collage version on every worker")
    return len(facts)


class DaskRunner:
    """The `video.workers.Runner` interface over a Dask client: tasks are submitted as they become
    ready (the render's own scheduler decides what is ready) and come back in completion order."""

    def __init__(self, client: Client) -> None:
        from distributed import as_completed

        self._client = client
        self._done = as_completed(loop=client.loop)
        self._tags: dict[str, Any] = {}
        self._futures: list[Future] = []

    def submit(self, fn: Callable[[Any], Any], task: Any, tag: Any) -> None:
        # A unique key: equal tasks are already merged by the render (by cache key), and a re-render must
        # not be answered from a result the scheduler still remembers from a run whose files are gone.
        key = f"collage-{tag}-{os.getpid()}-{next(_names)}"
        future: Future = self._client.submit(fn, task, key=key, pure=False, retries=RETRIES)
        self._tags[str(future.key)] = tag
        self._futures.append(future)
        self._done.add(future)

    def next_done(self) -> tuple[Any, Any]:
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        future = next(self._done)
        tag = self._tags.pop(str(future.key))
        try:
            return tag, future.result()
        except (FutureCancelledError, KilledWorker, OSError, TimeoutError) as exc:
            raise RenderError(f"the Dask cluster stopped answering ({type(exc).__name__})",
                              "segments already encoded are kept in the cache: render again to go on") from None

    def close(self) -> None:
        self._tags.clear()

    def terminate(self) -> None:
        """Cancel every task still queued or running on the cluster (an interrupt or a failure here)."""
        pending = [f for f in self._futures if not f.done()]
        if pending:
            self._client.cancel(pending, force=True)
        self._tags.clear()
        self._futures.clear()
