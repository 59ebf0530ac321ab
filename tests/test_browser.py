"""The rendered MP4 plays in a real browser: Debian's Chromium, driven headless by playwright.

A small folder is rendered with the tool itself, served from 127.0.0.1 by a Range-capable server (a browser
cannot seek in a file served without byte ranges), and played in a `<video muted>` element. The checks: the
browser says it can play the file's exact codecs ("probably"), reports the file's duration, plays it to
`ended` in real time with no error, and a seek to the middle shows the same picture as PyAV's decode.

Chromium comes from apt (`scripts/setup` installs it); `playwright install` is never used, since it
downloads a browser build. Without a browser these tests skip, unless the environment variable CI is set:
then they fail. To look at what the browser showed, run with `--basetemp=DIR` and open
`DIR/browser0/middle.png` (the page paused at the middle: the video element, then the canvas read back);
`DIR/browser0/measurements.json` holds the numbers (duration, play wall time, PSNR, requests).
"""

from __future__ import annotations

import base64
import functools
import io
import json
import math
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from .support.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from .support.http_range import RangeServer
from .support.media import sine, write_folder, write_wav

if TYPE_CHECKING:
    from playwright.sync_api import Route

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Launch, load, play to the end, seek, read back, screenshot: all of it. Every wait takes its timeout from
# what is left of this, so a session past it fails in the wait that hangs: a hang guard, not a speed test.
BROWSER_BUDGET_S = 120.0
REAL_TIME_TOLERANCE = 0.05
MIN_PSNR_DB = 35.0
SHOT_WIDTH = 648  # the page shows the video, then the canvas read back, each 640 px wide

# Shapes on solid colours: a seek that lands on the wrong slide, or a black frame, cannot pass for the grid.
PHOTOS: dict[str, tuple[tuple[int, int, int], str]] = {
    "red": ((220, 30, 30), "disc"),
    "green": ((30, 190, 60), "square"),
    "blue": ((40, 70, 230), "triangle"),
    "yellow": ((235, 205, 30), "cross"),
}

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>collage playback</title>
<style>
body { margin: 0; background: #fff; }
video, canvas { display: block; margin: 4px; width: 640px; height: auto; }  /* display only: pixels stay natural */
</style></head>
<body>
<video id="v" muted playsinline preload="auto" src="video.mp4"></video>
<canvas id="c" width="1" height="1"></canvas>
<script>
const v = document.getElementById("v");
window.events = [];
window.errors = [];
for (const type of ["loadedmetadata", "canplaythrough", "playing", "waiting", "stalled", "seeking", "seeked",
                    "ended", "error"]) {
  v.addEventListener(type, () => {
    window.events.push([type, performance.now()]);
    if (type === "error") window.errors.push(v.error ? `${v.error.code}: ${v.error.message}` : "error");
  });
}
// Every wait is bounded: a promise that never settles would hang page.evaluate (it has no timeout).
window.within = (promise, ms, what) => Promise.race([
  promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)),
]);
window.once = (type) => new Promise((resolve) => v.addEventListener(type, resolve, {once: true}));
</script>
</body></html>
"""

JS_READY = """async (ms) => {
  if (v.readyState < 4) await within(once("canplaythrough"), ms, "canplaythrough");
  const s = v.seekable;
  return {duration: v.duration, width: v.videoWidth, height: v.videoHeight,
          seekableEnd: s.length ? s.end(s.length - 1) : null};
}"""

JS_PLAY = """async (ms) => {
  if (v.currentTime !== 0) {  // a seek costs a stall: only when not at the start already
    const seeked = once("seeked");
    v.currentTime = 0;
    await within(seeked, ms, "seeked to 0");
  }
  const ended = once("ended");
  const called = performance.now();
  await within(v.play(), ms, "play()");
  const started = performance.now();
  await within(ended, ms, "ended");
  const done = performance.now();
  const q = v.getVideoPlaybackQuality();
  return {fromCall: (done - called) / 1000, fromStart: (done - started) / 1000, currentTime: v.currentTime,
          dropped: q.droppedVideoFrames, total: q.totalVideoFrames};
}"""

JS_SEEK = """async ([t, ms]) => {
  v.pause();
  // The frame actually presented after the seek, with its media time (registered before seeking).
  const presented = new Promise((resolve) => v.requestVideoFrameCallback((_, meta) => resolve(meta.mediaTime)));
  const seeked = once("seeked");
  v.currentTime = t;
  await within(seeked, ms, "seeked");
  const mediaTime = await within(presented, ms, "a frame presented after the seek");
  const c = document.getElementById("c");
  c.width = v.videoWidth;
  c.height = v.videoHeight;
  c.getContext("2d").drawImage(v, 0, 0, c.width, c.height);
  return {currentTime: v.currentTime, mediaTime: mediaTime, png: c.toDataURL("image/png")};
}"""


@dataclass
class Clip:
    path: Path
    duration: float
    fps: float
    frames: int
    width: int
    height: int
    codecs: str  # the RFC 6381 string a page would put in `type`, e.g. 'avc1.64001e, mp4a.40.2'


@dataclass
class Session:
    can_play: str
    can_play_generic: str
    ready: dict[str, Any]
    play: dict[str, Any]
    seek_time: float
    seek: dict[str, Any]
    canvas: np.ndarray
    screenshot: Path
    errors: list[str]
    events: list[str]
    console_errors: list[str]
    page_errors: list[str]
    blocked: list[str]  # requests the page tried to make anywhere but our server (aborted)
    page_requests: list[str]
    server_requests: list[tuple[str, str, str | None]]
    elapsed: float


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def ms(self, cap: float | None = None) -> int:
        """Milliseconds left (at least 1), optionally capped."""
        left = max(0.001, self.end - time.monotonic())
        return max(1, int(1000 * (left if cap is None else min(left, cap))))




# --- the clip --------------------------------------------------------------------------------------------------


def _photo(path: Path, colour: tuple[int, int, int], shape: str) -> None:
    img = Image.new("RGB", (480, 360), colour)
    d = ImageDraw.Draw(img)
    light, dark = (250, 250, 250), (20, 20, 20)
    if shape == "disc":
        d.ellipse((150, 90, 330, 270), fill=light)
    elif shape == "square":
        d.rectangle((150, 90, 330, 270), fill=dark)
    elif shape == "triangle":
        d.polygon([(240, 80), (340, 280), (140, 280)], fill=light)
    else:
        d.rectangle((220, 70, 260, 290), fill=dark)
        d.rectangle((130, 160, 350, 200), fill=dark)
    img.save(path, quality=95)


def make_folder(folder: Path) -> Path:
    """A title card, a 2x2 grid of shapes, a closing card: 7 s at 640x360, 30 fps, with a tone for music."""
    manifest = {
        "title": "Browser playback",
        "video": {"size": "640x360", "fps": 30, "output": "out/video.mp4"},
        "timing": {"title": "2s", "slide": "4s", "transition": "0.5s"},
        "music": [{"file": "music/tone.wav"}],
        "sequence": [
            {"title": "Browser playback", "subtitle": "a real player"},
            {"grid": "2x2", "messages": list(PHOTOS)},
            {"title": "The end"},
        ],
        "messages": [{"id": i, "photo": f"photos/{i}.jpg", "name": i.title(), "approved": True} for i in PHOTOS],
    }
    photos = {i: functools.partial(_photo, colour=colour, shape=shape) for i, (colour, shape) in PHOTOS.items()}
    write_wav(folder / "music" / "tone.wav", sine(3.0))  # shorter than the video: it loops
    return write_folder(folder, manifest, photos)


def describe(path: Path) -> Clip:
    """What the file says about itself (PyAV), including the codecs string for `canPlayType`."""
    import av

    with av.open(str(path)) as container:
        v, a = container.streams.video[0], container.streams.audio[0]
        avcc = bytes(v.codec_context.extradata or b"")
        assert avcc[:1] == b"\x01", "no avcC box: not an MP4 a browser can play"
        audio = {"LC": "mp4a.40.2", "HE-AAC": "mp4a.40.5", "HE-AACv2": "mp4a.40.29"}[str(a.codec_context.profile)]
        assert container.duration is not None and v.average_rate is not None
        return Clip(path=path, duration=container.duration / 1_000_000, fps=float(v.average_rate),
                    frames=v.frames, width=v.codec_context.width, height=v.codec_context.height,
                    codecs=f"avc1.{avcc[1:4].hex()}, {audio}")


def decoded_frame_at(path: Path, seconds: float) -> tuple[float, np.ndarray]:
    """The frame shown at `seconds` (the last one starting at or before it) as RGB, with its start time."""
    import av
    from av.video.reformatter import ColorRange, Colorspace

    shown: av.VideoFrame | None = None
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is None or frame.time > seconds + 1e-6:
                break
            shown = frame
        assert shown is not None and shown.time is not None
        # BT.709, limited range in; full-range RGB out: what a browser paints
        rgb = shown.reformat(format="rgb24", src_colorspace=Colorspace.ITU709, src_color_range=ColorRange.MPEG,
                             dst_color_range=ColorRange.JPEG).to_ndarray()
        return float(shown.time), rgb


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


# --- the browser session -----------------------------------------------------------------------------------------


def play_in_browser(video: Path, workdir: Path, codecs: str, fps: float, screenshot: Path,
                    budget: float = BROWSER_BUDGET_S) -> Session:
    """Serve `video` from 127.0.0.1, load it in headless Chromium, play it to the end, seek to the middle and
    read the picture back. Everything is bounded by `budget` seconds; browser and server always close."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    deadline = Deadline(budget)
    site = workdir / "site"
    site.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(video, site / "video.mp4")  # a copy, not a link: the server refuses paths outside `site`
    (site / "index.html").write_text(PAGE, encoding="utf-8")

    blocked: list[str] = []
    page_requests: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []
    server = RangeServer(site)
    with server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                    timeout=deadline.ms(60))
        try:
            page = browser.new_page(viewport={"width": SHOT_WIDTH, "height": 720})
            page.set_default_timeout(deadline.ms(30))
            origin = server.origin + "/"

            def only_local(route: Route) -> None:
                url = route.request.url
                if url.startswith(origin):
                    route.continue_()
                else:
                    blocked.append(url)
                    route.abort()

            page.route("**/*", only_local)
            page.on("request", lambda r: page_requests.append(r.url))
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.goto(server.url("index.html"), wait_until="load", timeout=deadline.ms(30))

            can_play = page.evaluate("(t) => v.canPlayType(t)", f'video/mp4; codecs="{codecs}"')
            can_play_generic = page.evaluate("() => v.canPlayType('video/mp4')")
            ready = page.evaluate(JS_READY, deadline.ms(30))
            duration = float(ready["duration"])
            play = page.evaluate(JS_PLAY, deadline.ms(1.5 * duration + 15))
            # The middle, nudged to the centre of the frame that holds it: no rounding can pick a neighbour.
            seek_time = (math.floor(duration / 2 * fps) + 0.5) / fps
            seek = page.evaluate(JS_SEEK, [seek_time, deadline.ms(30)])
            canvas = np.asarray(Image.open(io.BytesIO(base64.b64decode(seek.pop("png").split(",", 1)[1])))
                                .convert("RGB"))
            page.screenshot(path=str(screenshot), full_page=True, timeout=deadline.ms(30))
            errors = list(page.evaluate("() => window.errors"))
            events = [e[0] for e in page.evaluate("() => window.events")]
        finally:
            browser.close()
    return Session(can_play=can_play, can_play_generic=can_play_generic, ready=ready, play=play,
                   seek_time=seek_time, seek=seek, canvas=canvas, screenshot=screenshot, errors=errors,
                   events=events, console_errors=console_errors, page_errors=page_errors, blocked=blocked,
                   page_requests=page_requests, server_requests=server.requests,
                   elapsed=time.monotonic() - started)


# --- fixtures and tests --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser_ready() -> None:
    require_browser()


@pytest.fixture(scope="module")
def clip(browser_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Clip:
    folder = make_folder(tmp_path_factory.mktemp("browser-folder") / "folder")
    result = subprocess.run([sys.executable, "-m", "collage", "render", str(folder), "-q"], capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return describe(folder / "out" / "video.mp4")


@pytest.fixture(scope="module")
def session(clip: Clip, tmp_path_factory: pytest.TempPathFactory) -> Session:
    work = tmp_path_factory.mktemp("browser")
    result = play_in_browser(clip.path, work, clip.codecs, clip.fps, work / "middle.png")
    start, expected = decoded_frame_at(clip.path, result.seek_time)
    numbers = {"codecs": clip.codecs, "canPlayType": result.can_play, "file_duration": clip.duration,
               "browser": result.ready, "play": result.play, "seek_time": result.seek_time, "seek": result.seek,
               "decoded_frame_time": start, "psnr_db": round(psnr(result.canvas, expected), 2),
               "events": result.events, "requests": result.server_requests, "elapsed": round(result.elapsed, 2)}
    (work / "measurements.json").write_text(json.dumps(numbers, indent=2), encoding="utf-8")  # beside middle.png
    return result


def test_the_render_is_what_the_browser_test_expects(clip: Clip) -> None:
    assert clip.codecs.startswith("avc1.64") and clip.codecs.endswith("mp4a.40.2")  # High profile, AAC-LC
    assert (clip.width, clip.height, clip.fps, clip.frames) == (640, 360, 30.0, 210)
    assert 6.0 <= clip.duration <= 8.0


def test_browser_says_it_can_play_the_exact_codecs(clip: Clip, session: Session) -> None:
    assert session.can_play == "probably", f"canPlayType({clip.codecs!r}) = {session.can_play!r}"
    assert session.can_play_generic == "maybe"


def test_browser_duration_is_the_files(clip: Clip, session: Session) -> None:
    assert (session.ready["width"], session.ready["height"]) == (clip.width, clip.height)
    assert abs(session.ready["duration"] - clip.duration) <= 1 / clip.fps
    assert session.ready["seekableEnd"] is not None  # a server without byte ranges leaves nothing seekable
    assert abs(session.ready["seekableEnd"] - clip.duration) <= 1 / clip.fps


def test_plays_to_the_end_in_real_time_without_errors(clip: Clip, session: Session) -> None:
    play = session.play
    # Never faster than real time (a wrong time base would be); slower is what a loaded machine does to a
    # player, so the upper side is only the play's own timeout (1.5 x the duration + 15 s): a hang guard.
    wall = play["fromCall"]
    assert wall >= (1 - REAL_TIME_TOLERANCE) * clip.duration, (wall, clip.duration)
    assert abs(play["currentTime"] - clip.duration) <= 1 / clip.fps
    assert "ended" in session.events
    assert session.errors == [] and "error" not in session.events
    assert session.page_errors == [] and session.console_errors == []
    assert play["total"] >= 0.9 * clip.frames, play  # dropped frames vary with the machine's load: not asserted


def test_seek_to_the_middle_shows_the_right_picture(clip: Clip, session: Session) -> None:
    start, expected = decoded_frame_at(clip.path, session.seek_time)
    assert abs(session.seek["currentTime"] - session.seek_time) <= 0.5 / clip.fps
    assert abs(session.seek["mediaTime"] - start) <= 0.5 / clip.fps  # the frame presented is the one decoded
    assert session.canvas.shape == expected.shape
    score = psnr(session.canvas, expected)
    assert score >= MIN_PSNR_DB, f"PSNR {score:.1f} dB against PyAV's decode at {start:.3f} s"
    _, title = decoded_frame_at(clip.path, 0.0)
    assert psnr(session.canvas, title) < MIN_PSNR_DB - 10  # the comparison can tell slides apart
    with Image.open(session.screenshot) as shot:
        assert shot.format == "PNG" and shot.size[0] == SHOT_WIDTH and shot.size[1] >= 2 * 360


def test_every_request_stays_on_the_local_server(session: Session) -> None:
    assert session.blocked == []
    assert session.page_requests and all(u.startswith("http://127.0.0.1:") for u in session.page_requests)
    paths = [path for _, path, _ in session.server_requests]
    assert paths[0] == "/index.html" and set(paths) == {"/index.html", "/video.mp4"}, paths
    # Chromium asks for media by byte range: that is what makes the file seekable
    assert all(rng for _, path, rng in session.server_requests if path == "/video.mp4")

