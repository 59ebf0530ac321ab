"""Debian's Chromium, driven headless by playwright, for the tests that open what collage writes.

`playwright install` is never used (it downloads a browser build): the apt package is launched by path.
Without it the browser tests skip, unless CI is set: then they fail. Pages are served from 127.0.0.1
by a Range-capable server, and every request for anything else is aborted and recorded.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .http_range import RangeServer

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--autoplay-policy=no-user-gesture-required",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_browser() -> None:
    """Skip when the browser or playwright is absent, but fail on CI, where they must be installed."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (pip install -e '.[test]')")
    if not missing:
        return
    reason = "browser tests need " + " and ".join(missing) + "; scripts/setup installs them"
    if _ci():
        pytest.fail(f"{reason} (CI is set, so a missing browser is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def local_page(site: Path, viewport: tuple[int, int] = (1100, 900), timeout_ms: int = 60000,
               env: dict[str, str] | None = None) -> Iterator[tuple[Page, RangeServer, list[str]]]:
    """A headless page with `site` served from 127.0.0.1: (page, server, the URLs it tried elsewhere,
    each aborted). Browser and server are closed when the block ends. `env`: more environment for the
    browser (e.g. `no_system_fonts`)."""
    from playwright.sync_api import sync_playwright

    require_browser()
    blocked: list[str] = []
    with RangeServer(site) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                    timeout=timeout_ms, env={**os.environ, **env} if env else None)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.set_default_timeout(timeout_ms)
            origin = server.origin + "/"

            def only_local(route: Route) -> None:
                if route.request.url.startswith(origin):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            yield page, server, blocked
        finally:
            browser.close()




def no_system_fonts(folder: Path) -> dict[str, str]:
    """An environment in which the browser finds no font of the machine's: fontconfig reads a config whose
    only font folder, in `folder`, holds one font with no letters (with no font at all, Chromium loads no
    web font either). A page then shows only the fonts it brings; a character none of them has is a box."""
    from .fonts import block_font

    fonts, cache = folder / "no-fonts", folder / "no-fonts-cache"
    block_font(fonts / "Placeholder.ttf", "\ue000", family="Placeholder")
    cache.mkdir(parents=True, exist_ok=True)
    config = folder / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                      f"<dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>\n", encoding="utf-8")
    return {"FONTCONFIG_FILE": str(config)}


def track_page(video: str, track: str, kind: str, label: str) -> str:
    """A page playing `video` (muted) with its `track` of `kind` hidden, recording each cue as it fires:
    `window.fired` holds [cue id, the video's time] pairs."""
    return f"""<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<video id="v" muted playsinline preload="auto" src="{video}" width="320">
  <track id="t" kind="{kind}" srclang="en" label="{label}" src="{track}" default></video>
<script>
window.fired = [];
const v = document.getElementById("v");
const track = v.textTracks[0];
track.mode = "hidden";
track.addEventListener("cuechange", () => {{
  for (const c of track.activeCues) window.fired.push([c.id, v.currentTime]);
}});
</script></body></html>"""
