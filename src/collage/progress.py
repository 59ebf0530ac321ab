"""Progress for long renders: a bar with ETA on a terminal, plain lines in logs and CI."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class ProgressReporter:
    """Call with (done, total) frames. Writes to stderr so stdout stays clean for `--json` and pipes."""

    def __init__(self, label: str = "render", stream: TextIO | None = None, interactive: bool | None = None,
                 every_seconds: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.label, self.every = label, every_seconds
        self.started = time.monotonic()
        self._last = -1e9
        self._last_pct = -1
        self._base = (0, self.started)  # the pace is counted from here: frames found in the cache come first

    def _eta(self, done: int, total: int, now: float) -> str:
        """The time left at this run's own pace; none until it has one (nothing made yet, or under a
        second of work): an ETA of 0:00 at 0 % says the wrong thing."""
        if now - self.started < 1.0:
            self._base = (done, now)
        made, spent = done - self._base[0], now - self._base[1]
        if done >= total:
            return "done"
        if made <= 0 or spent <= 0:
            return "ETA --:--"
        return f"ETA {_clock(spent / made * (total - done))}"

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        eta = self._eta(done, total, now)
        pct = 100 * done // max(1, total)
        if self.interactive:
            width = 30
            filled = width * done // max(1, total)
            bar = "█" * filled + "·" * (width - filled)
            self.stream.write(f"\r{self.label} {bar} {pct:3d}%  {done}/{total} frames  "
                              f"{_clock(elapsed)} elapsed, {eta} ")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
        elif done >= total or (now - self._last >= self.every and pct != self._last_pct):
            self._last, self._last_pct = now, pct
            self.stream.write(f"{self.label}: {done}/{total} frames ({pct}%), {_clock(elapsed)} elapsed, {eta}\n")
            self.stream.flush()
