"""The one seam where the render's tasks meet an engine: a Dask cluster's workers (once every one has
passed the preflight) or this process's threads."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collage.video import workers

if TYPE_CHECKING:
    from collage.ffmpeg import FFmpegProcesses
    from collage.video.workers import Runner


@contextlib.contextmanager
def executor(jobs: int, cluster: str | None, cache_dir: Path | None, folder: Path, tool: str,
             processes: FFmpegProcesses, tasks: int) -> Iterator[tuple[Runner, int]]:
    """A runner for the tasks and how many to keep in flight: on the Dask scheduler at `cluster`, or
    on `jobs` threads. Anything still running when the render stops early (an error, Ctrl-C) is
    cancelled."""
    with _cluster(cluster, cache_dir, folder, tool) as client:
        run: Runner
        if client is not None:
            from collage.video.cluster import DaskRunner

            run, window = DaskRunner(client), 2 * max(jobs, len(client.scheduler_info()["workers"]))
        else:
            run, window = workers.runner(min(jobs, max(1, tasks)), processes), 2 * jobs
        try:
            yield run, window
            run.close()
        except BaseException:
            run.terminate()
            raise


@contextlib.contextmanager
def _cluster(address: str | None, cache_dir: Path | None, folder: Path, tool: str) -> Iterator[Any]:
    """The Dask client for `address` once every worker has passed the preflight; None locally."""
    if address is None:
        yield None
        return
    from collage.video.cluster import connect, preflight

    assert cache_dir is not None  # `render.prepare` requires the cache: the workers write into it
    client = connect(address)
    try:
        preflight(client, folder.resolve(), cache_dir, tool)
        yield client
    finally:
        client.close()
