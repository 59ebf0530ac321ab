"""A Dask worker plugin for the cluster tests: it writes down which worker process (pid) starts and
finishes which task, and can kill the worker it runs in, by its own pid, at the moment a chosen task
starts executing there (once for the whole cluster: the first worker to claim a marker file does it).
What it writes is read back by `read_log`."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin


class TaskLog(WorkerPlugin):
    name = "collage-test-task-log"

    def __init__(self, log: Path, kill_on: str | None = None, marker: Path | None = None) -> None:
        self.log = str(log)
        self.kill_on = kill_on  # a key prefix: the first such task to start executing kills its worker
        self.marker = str(marker) if marker is not None else None

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish not in ("executing", "memory"):
            return
        line = f"{os.getpid()} {finish} {key}\n"
        with open(self.log, "a", encoding="utf-8") as fh:  # one short append a line: whole lines
            fh.write(line)
        if finish == "executing" and self.kill_on and self.marker and str(key).startswith(self.kill_on):
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return  # another worker has already been killed
            os.write(fd, f"{os.getpid()} {key}\n".encode())
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)  # the task is executing here, now


def read_log(log: Path) -> list[tuple[int, str, str]]:
    """(pid, "executing" or "memory", key) in the order the workers wrote them."""
    rows = []
    for line in log.read_text(encoding="utf-8").splitlines():
        pid, state, key = line.split(" ", 2)
        rows.append((int(pid), state, key))
    return rows
