"""`collage desk` as an organiser runs it: a process started on a folder, its address read from what it
prints, and a headless Chromium (Debian's, through playwright) on that address. Every response the page
receives passes through the test (`bodies`), so a test can say what no response ever held.

The desk listens on 127.0.0.1 only; it is started with a bounded wait for its address and stopped by its
pid when the block ends (terminated, then killed if it does not stop).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .browser import CHROMIUM, CHROMIUM_ARGS, require_browser

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

START_TIMEOUT_S = 90.0  # the desk reads and plans the folder before it prints its address


@dataclass
class Desk:
    url: str  # with the token
    origin: str
    pid: int
    output: list[str] = field(default_factory=list)


@contextlib.contextmanager
def running_desk(folder: Path, *args: str) -> Iterator[Desk]:
    proc = subprocess.Popen([sys.executable, "-m", "collage", "desk", str(folder), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        url = None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            deadline = time.monotonic() + START_TIMEOUT_S
            while url is None and time.monotonic() < deadline and proc.poll() is None:
                if sel.select(timeout=max(0.0, deadline - time.monotonic())):
                    line = proc.stdout.readline()
                    lines.append(line)
                    if "open http://" in line:
                        url = line.split("open ", 1)[1].strip()
        assert url is not None, f"the desk printed no address: {''.join(lines)!r}"
        origin = url.split("/?", 1)[0]
        yield Desk(url, origin, proc.pid, lines)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        if proc.stdout is not None:
            proc.stdout.close()


def listening(pid: int) -> list[tuple[str, int]]:
    """The (address, port) of every TCP socket process `pid` listens on (Linux: its descriptors' socket
    inodes, looked up in /proc/net/tcp and tcp6)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for row in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                cols = row.split()
                if cols[3] == "0A" and cols[9] in inodes:  # LISTEN
                    address, port = cols[1].split(":")
                    raw = bytes.fromhex(address)
                    shown = ".".join(str(b) for b in raw[::-1]) if len(raw) == 4 else raw.hex()
                    found.append((shown, int(port, 16)))
    return found


@dataclass
class Seen:
    """Every response the page received from the desk (url, status, body) and every request it tried to
    send anywhere else (aborted)."""

    bodies: list[tuple[str, int, bytes]] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)


@contextlib.contextmanager
def desk_page(desk: Desk, viewport: tuple[int, int] = (1400, 1000),
              timeout_ms: int = 60000) -> Iterator[tuple[Page, Seen]]:
    """A headless page opened on the desk's printed address (its token becomes a cookie)."""
    from playwright.sync_api import sync_playwright

    require_browser()
    seen = Seen()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                    timeout=timeout_ms)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            page = context.new_page()
            page.set_default_timeout(timeout_ms)

            def through(route: Route) -> None:
                if not route.request.url.startswith(desk.origin + "/"):
                    seen.elsewhere.append(route.request.url)
                    route.abort()
                    return
                response = route.fetch(max_redirects=0)
                seen.bodies.append((route.request.url, response.status, response.body()))
                route.fulfill(response=response)

            page.route("**/*", through)
            page.goto(desk.url)
            page.wait_for_load_state("networkidle")
            yield page, seen
            page.unroute_all(behavior="ignoreErrors")  # (a poll in flight when the block ends)
        finally:
            browser.close()
