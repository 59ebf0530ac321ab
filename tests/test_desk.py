"""`collage desk` in Debian's Chromium, driven by playwright, as an organiser uses it.

The review: approve a pending message, edit a caption, draw a cover box with the mouse and move it with
the keyboard, set `consent: masked`: the manifest changes exactly so (every comment kept: the whole text
is compared with the expected one), `collage check` passes, and the still the desk makes of that slide
shows the cover where it was drawn (measured in pixels). Reordering the sequence shows in `collage plan
--json`. A hand edit made while the page is open is never overwritten, and the page says so. Requests
without the token, with another Host or from another Origin are refused; a caption holding `<script>`
shows as text; no response the page ever received holds an email (and none, once she is masked, her name).
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .support.desk import Desk, Seen, desk_page, listening, running_desk
from .support.media import write_folder

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MANIFEST = """\
# The desk's test folder: every comment here must survive every edit.
title: Desk test
video:
  size: 640x360
  fps: 10
  output: out/desk.mp4    # beside the folder's photos, never among them
timing:
  title: 2s
  slide: 3s
  transition: 0.5s
sequence:
  - title: Opening        # the first card
  - photo: m1
  - photo: m2
  - title: Closing
messages:
  - id: m1
    photo: photos/m1.jpg
    name: Ada Example      # a named contributor
    profession: Teacher
    location: Lyon
    message: <script>window.pwned = 1</script> free them
    approved: true
    email: ada@example.org
  - id: m2
    photo: photos/m2.jpg
    name: Bo Sample
    profession: Nurse
    approved: false        # waiting for review
    email: bo@example.org
"""
ORANGE = (230, 120, 30)
MASK_COLOUR = (62, 62, 66)  # draw.compose.MASK_COLOUR
BOX = (0.25, 0.15, 0.3, 0.35)  # the cover drawn (fractions of the photo), before the keyboard moves it


def _folder(tmp_path: Path) -> Path:
    folder = write_folder(tmp_path / "review", MANIFEST, {"m1": (40, 90, 200), "m2": ORANGE}, size=(400, 300))
    return folder


def _until(page: object, script: str, timeout: float = 60.0) -> None:
    """Wait until `script` is true in the page (polled: the page's policy forbids the evaluated strings
    playwright's wait_for_function would use). A bound on a hang, not a speed test."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"waited {timeout} s for {script}"
        time.sleep(0.05)


def _saved(page: object, before: int) -> None:
    """Wait until the desk answered one more change, and check that it says the change was saved."""
    _until(page, f"window.__answers > {before}")
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    notice = page.locator("#notice")
    assert "saved" in (notice.get_attribute("class") or ""), notice.inner_text()


def _answers(page: object) -> int:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    return int(page.evaluate("window.__answers || 0"))


COUNT_ANSWERS = """
window.__answers = window.__answers || 0;
document.body.addEventListener('htmx:afterRequest', (e) => {
  if ((e.detail.requestConfig || {}).verb === 'post') window.__answers += 1;
});
"""


def _no_private(seen: Seen, *words: str) -> None:
    assert seen.bodies, "the page received nothing"
    assert not seen.elsewhere, seen.elsewhere
    for url, _, body in seen.bodies:
        text = body.decode("utf-8", errors="replace").lower()
        assert "@example.org" not in text, f"an email in the response to {url}"
        for word in words:
            assert word.lower() not in text, f"{word!r} in the response to {url}"


def _plan(folder: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "collage", "plan", str(folder), "--json"], capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_review_writes_the_manifest_exactly_and_the_still_shows_the_cover(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    manifest = folder / "collage.yaml"
    with running_desk(folder) as desk, desk_page(desk) as (page, seen):
        page.evaluate(COUNT_ANSWERS)
        # A caption holding <script> is text: in its field, and never run.
        assert page.locator("#card-m1 textarea[name=message]").input_value().startswith("<script>")
        assert page.evaluate("window.pwned") is None
        assert page.locator("script").count() == 2  # htmx and the cover editor, from the desk itself

        n = _answers(page)
        page.locator("#card-m2 button.approve").click()
        _saved(page, n)
        page.wait_for_selector("#card-m2.approved")

        n = _answers(page)
        page.locator("#card-m1 input[name=profession]").fill("Engineer")
        page.locator("#card-m1 form.fields button[type=submit]").click()
        _saved(page, n)

        # The cover: drawn with the mouse on m2's photo, then moved one step right with the keyboard.
        photo = page.locator("#photo-m2")
        box = photo.bounding_box()
        assert box is not None
        x0, y0 = box["x"] + BOX[0] * box["width"], box["y"] + BOX[1] * box["height"]
        x1, y1 = x0 + BOX[2] * box["width"], y0 + BOX[3] * box["height"]
        n = _answers(page)
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
        page.mouse.move(x1, y1, steps=4)
        page.mouse.up()
        _saved(page, n)
        shown = page.locator("#card-m2 .box")
        assert shown.count() == 1
        colour = page.evaluate("getComputedStyle(document.querySelector('#card-m2 .box')).backgroundColor")
        assert colour == "rgb(62, 62, 66)"  # shown at once as the video covers it
        n = _answers(page)
        shown.focus()
        page.keyboard.press("ArrowRight")
        _saved(page, n)

        n = _answers(page)
        page.locator("#card-m2 input[name=consent][value=masked]").check()
        page.locator("#card-m2 form.consent button[type=submit]").click()
        _saved(page, n)
        page.wait_for_selector("#card-m2 input[name=name][placeholder^=withheld]")
        assert page.locator("#card-m2 input[name=name]").input_value() == ""  # her name is not in the page

        written = manifest.read_text(encoding="utf-8")
        found = re.search(r"^    mask: \[\[([0-9.]+), ([0-9.]+), ([0-9.]+), ([0-9.]+)\]\]$", written, re.MULTILINE)
        assert found, written
        mask = tuple(float(v) for v in found.groups())
        for got, want in zip(mask, (BOX[0] + 0.01, BOX[1], BOX[2], BOX[3]), strict=True):
            assert abs(got - want) < 0.006, (mask, BOX)
        expected = MANIFEST.replace("    profession: Teacher\n", "    profession: Engineer\n").replace(
            "    profession: Nurse\n    approved: false        # waiting for review\n",
            "    profession: Nurse\n    consent: masked\n    mask: [[{}, {}, {}, {}]]\n"
            "    approved: true         # waiting for review\n".format(*found.groups()))
        assert written == expected

        done = subprocess.run([sys.executable, "-m", "collage", "check", str(folder)], capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, done.stdout + done.stderr

        # The still of m2's slide, made by the desk's Still button, shows the cover where it was drawn.
        plan = _plan(folder)
        slides = plan["slides"]
        assert isinstance(slides, list)
        slide = next(s for s in slides if s["messages"] == ["m2"])
        page.goto(desk.origin + "/order")
        page.evaluate(COUNT_ANSWERS)
        page.locator(f"#slide-{slide['index']} button").click()
        page.wait_for_selector(f"#still-{slide['index']} img.still-picture")
        picture = f"document.querySelector('#still-{slide['index']} img')"
        _until(page, f"{picture}.complete && {picture}.naturalWidth > 0", timeout=30.0)  # loaded
        assert page.evaluate(f"{picture}.naturalWidth") == 640
        still = folder / "out" / f"desk.slide-{slide['index']}.png"
        frame = np.asarray(Image.open(still).convert("RGB")).astype(int)
        bx, by, bw, bh = slide["cells"][0]["box"]
        scale = min(bw / 400, bh / 300)  # the photo shown whole in its box (fit: blur), centred
        pw, ph = 400 * scale, 300 * scale
        left, top = bx + (bw - pw) / 2, by + (bh - ph) / 2
        mx, my, mw, mh = mask
        inside = frame[round(top + (my + 0.02) * ph):round(top + (my + mh - 0.02) * ph),
                       round(left + (mx + 0.02) * pw):round(left + (mx + mw - 0.02) * pw)]
        assert inside.size and np.abs(inside - MASK_COLOUR).max() <= 6, "the cover is not where it was drawn"
        beside = frame[round(top + (my + mh / 2) * ph), round(left + (mx + mw + 0.05) * pw)]
        assert np.abs(beside - ORANGE).max() <= 12, beside  # the photo itself, right of the cover
        above = frame[round(top + (my - 0.05) * ph), round(left + (mx + mw / 2) * pw)]
        assert np.abs(above - ORANGE).max() <= 12, above

        masked_at = len(seen.bodies)
        page.goto(desk.origin + "/")  # the page as it is now: her name is withheld everywhere
        page.wait_for_load_state("networkidle")
    _no_private(seen)
    _no_private(Seen(seen.bodies[masked_at:]), "Bo Sample")


def test_reordering_shows_in_the_plan(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert [s["kind"] for s in _plan(folder)["slides"]] == ["title", "photo", "title"]  # type: ignore[index]
    with running_desk(folder) as desk, desk_page(desk) as (page, seen):
        page.goto(desk.origin + "/order")
        page.evaluate(COUNT_ANSWERS)
        n = _answers(page)
        page.locator("#item-1 form.move button[value=up]").click()  # photo m1 before the opening card
        _saved(page, n)
        page.wait_for_selector("#item-0 .item-head:has-text('m1')")
    slides = _plan(folder)["slides"]
    assert [(s["kind"], s["messages"]) for s in slides] == [  # type: ignore[index,union-attr]
        ("photo", ["m1"]), ("title", []), ("title", [])]
    assert "  - photo: m1\n  - title: Opening        # the first card\n" in (folder / "collage.yaml").read_text()
    _no_private(seen)


def test_a_hand_edit_is_never_overwritten_and_the_page_says_so(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    manifest = folder / "collage.yaml"
    with running_desk(folder) as desk, desk_page(desk) as (page, seen):
        page.evaluate(COUNT_ANSWERS)
        by_hand = manifest.read_text(encoding="utf-8").replace("Lyon", "Lyon, France") + "# edited by hand\n"
        manifest.write_text(by_hand, encoding="utf-8")
        page.wait_for_selector(".notice.conflict", timeout=15000)  # noticed by itself, before any change
        assert "changed outside the desk" in page.locator(".notice.conflict").inner_text()
        n = _answers(page)
        page.locator("#card-m1 input[name=profession]").fill("Engineer")
        page.locator("#card-m1 form.fields button[type=submit]").click()
        _until(page, f"window.__answers > {n}")
        notice = page.locator(".notice.conflict").inner_text()
        assert "NOT written" in notice
        assert manifest.read_text(encoding="utf-8") == by_hand
        page.reload()  # then, with the file as it is now, the change goes in
        page.evaluate(COUNT_ANSWERS)
        assert page.locator("#card-m1 input[name=location]").input_value() == "Lyon, France"
        n = _answers(page)
        page.locator("#card-m1 input[name=profession]").fill("Engineer")
        page.locator("#card-m1 form.fields button[type=submit]").click()
        _saved(page, n)
    assert manifest.read_text(encoding="utf-8") == by_hand.replace("Teacher", "Engineer")
    _no_private(seen)


def _ask(desk: Desk, path: str, *, method: str = "GET", host: str | None = None,
         headers: dict[str, str] | None = None, body: str | None = None) -> tuple[int, dict[str, str], str]:
    port = int(desk.origin.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host or f"127.0.0.1:{port}")
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        data = body.encode() if body is not None else None
        if data is not None:
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_only_the_desks_own_page_is_answered(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    manifest = folder / "collage.yaml"
    before = manifest.read_bytes()
    with running_desk(folder) as desk:
        assert desk.url.startswith("http://127.0.0.1:")
        token = desk.url.split("token=", 1)[1]
        port = int(desk.origin.rsplit(":", 1)[1])
        # No token, a wrong one: refused, and nothing of the folder in the answer.
        for path in ("/", "/?token=wrong", "/order", "/photo/m1.jpg", "/static/desk.js"):
            status, headers, text = _ask(desk, path)
            assert status == 403, (path, status)
            assert "Ada" not in text and "default-src 'none'" in headers["content-security-policy"]
        # The token once: a cookie (HttpOnly, SameSite=Strict) and the address without it.
        status, headers, _ = _ask(desk, f"/?token={token}")
        assert status == 303 and headers["location"] == "/"
        cookie = headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        jar = {"Cookie": cookie.split(";", 1)[0]}
        status, headers, text = _ask(desk, "/", headers=jar)
        assert status == 200 and "Ada Example" in text
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "http" not in policy
        assert "@example.org" not in text
        # Another Host (DNS rebinding: a name that resolves to 127.0.0.1), even with the cookie.
        for host in (f"evil.example:{port}", f"localhost:{port}", "127.0.0.1"):
            status, _, text = _ask(desk, "/", host=host, headers=jar)
            assert status == 421 and "Ada" not in text, host
        # Another site's page: refused by its Origin (or by the browser's Sec-Fetch-Site), reading or writing.
        change = "version=x&profession=Spy"
        for extra in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                      {"Origin": f"http://127.0.0.1:{port + 1}"}):
            status, _, text = _ask(desk, "/", headers={**jar, **extra})
            assert status == 403, extra
            status, _, _ = _ask(desk, "/message/m1/fields", method="POST", headers={**jar, **extra}, body=change)
            assert status == 403, extra
        status, _, _ = _ask(desk, "/message/m1/fields", method="POST", headers=jar, body=change)  # no Origin
        assert status == 403
        # The desk's own page, with a stale version: answered, and nothing written.
        status, _, text = _ask(desk, "/message/m1/fields", method="POST",
                               headers={**jar, "Origin": desk.origin}, body=change)
        assert status == 200 and "NOT written" in text
        for path in ("/problems", "/problems/m1", "/problems/m2", "/order", "/?show=pending"):
            status, _, text = _ask(desk, path, headers=jar)
            assert status == 200 and "@example.org" not in text, path
    assert manifest.read_bytes() == before


def test_listening_on_the_loopback_address_only(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    with running_desk(folder) as desk:
        port = int(desk.origin.rsplit(":", 1)[1])
        assert listening(desk.pid) == [("127.0.0.1", port)]


def test_a_problem_of_a_message_is_shown_on_that_messages_card(tmp_path: Path) -> None:
    """`check` names a message by its place (`messages[1].name`); the desk puts each problem on the card of
    the message at that place, never on another card, nor under "no message"."""
    from collage.desk.session import Desk as Session

    folder = _folder(tmp_path)
    manifest = folder / "collage.yaml"
    manifest.write_text(manifest.read_text().replace("name: Bo Sample", "name: Bo 𒀀")
                        .replace("approved: false ", "approved: true  "), encoding="utf-8")
    session = Session(folder)
    snapshot = session.snapshot()
    report = session.problems(snapshot)
    assert report is not None
    font = [p for p in report.problems if "no bundled font can draw" in p.message]
    assert font and font[0].field == "messages[1].name", font
    assert font[0] in session.problems_of(report, snapshot, "m2")
    assert font[0] not in session.problems_of(report, snapshot, "m1")
    assert font[0] not in session.problems_of(report, snapshot, None)
