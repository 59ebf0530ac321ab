"""The files beside every render, read back as a publisher's tools read them: the VTT and SRT parsed by
their own libraries (a cue per slide, timed to the frame, text as written in any script), the transcript,
the poster (the frame the video shows, no metadata), and the VTT as a <track> in Chromium whose cues fire
while the video plays. Nothing private in any of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image

from .support.browser import local_page
from .support.media import BLUE, GREEN, RED, YELLOW, write_folder
from .support.media import collage_cli as _collage

pytestmark = pytest.mark.e2e

SECRET = "Dolkar Hiddenname"



def _folder(root: Path) -> Path:
    manifest = {
        "title": "Sidecars",
        "video": {"size": "640x360", "fps": 10, "output": "out/v.mp4"},
        "timing": {"title": "1s", "slide": "2s", "transition": "0.5s"},
        "sequence": [{"title": "Messages", "subtitle": "致中国人权律师的话"},
                     {"grid": "2x2", "messages": ["a", "b", "c"]}, {"photo": "d"},
                     {"title": "Thank you", "subtitle": "谢谢"}],
        "messages": [
            {"id": "a", "photo": "photos/a.jpg", "name": "Alice Chen", "location": "Taipei", "message": "We stand 🤝",
             "translation": "我们与你们站在一起", "approved": True, "email": "alice@example.org"},
            {"id": "b", "photo": "photos/b.jpg", "name": "فاطمة السيد", "profession": "محامية",
             "message": "تضامن", "approved": True},
            {"id": "c", "photo": "photos/c.jpg", "name": SECRET, "profession": "Nurse", "consent": "anonymous",
             "approved": True},
            {"id": "d", "photo": "photos/d.jpg", "name": "王芳", "message": "你们并不孤单", "approved": True},
            {"id": "pending-x", "photo": "photos/e.jpg", "name": "Pending Person", "message": "secret sign",
             "approved": False, "email": "pending@example.org"},
        ],
    }
    photos = {"a": RED, "b": GREEN, "c": BLUE, "d": YELLOW, "e": RED}
    return write_folder(root / "side", manifest, photos, size=(800, 600))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = _folder(tmp_path_factory.mktemp("sidecars"))
    result = _collage("render", folder, "-q", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "beside it: v.vtt, v.srt, v.transcript.html, v.jpg" in result.stdout
    return folder, json.loads(_collage("plan", folder, "--json").stdout)


def test_vtt_and_srt_have_a_cue_per_slide_timed_to_the_frame(rendered: tuple[Path, dict[str, Any]]) -> None:
    import srt
    import webvtt

    folder, plan = rendered
    out = folder / "out"
    vtt = webvtt.read(str(out / "v.vtt"))
    subs = list(srt.parse((out / "v.srt").read_text(encoding="utf-8")))
    slides = plan["slides"]
    assert len(vtt.captions) == len(subs) == len(slides)
    half = 0.5 / plan["fps"]
    for cue, sub, slide in zip(vtt.captions, subs, slides, strict=True):
        start, end = slide["start"], slide["start"] + slide["duration"]
        assert abs(_seconds(cue.start) - start) <= half and abs(_seconds(cue.end) - end) <= half
        assert abs(sub.start.total_seconds() - start) <= half and abs(sub.end.total_seconds() - end) <= half
        assert cue.text == sub.content
    assert vtt.captions[0].text == "Messages\n致中国人权律师的话"
    grid = vtt.captions[1].text.split("\n")
    assert grid[0] == "Alice Chen · Taipei: “We stand 🤝” (我们与你们站在一起)"
    assert grid[1].startswith("\u200f") and "فاطمة السيد · محامية" in grid[1] and "“تضامن”" in grid[1]
    assert grid[2] == "Nurse"  # anonymous: the caption as drawn, without the name
    assert vtt.captions[2].text == "王芳: “你们并不孤单”"


def _seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_nothing_private_reaches_a_sidecar(rendered: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = rendered
    for path in (folder / "out").glob("v.*"):
        data = path.read_bytes()
        secrets = [SECRET, "Dolkar", "Pending Person", "pending-x", "secret sign", "example.org"]
        if path.suffix in (".vtt", ".srt", ".html"):
            secrets.append("@")  # (a byte any binary file may hold)
        for secret in secrets:
            assert secret.encode() not in data, (path.name, secret)


def test_the_transcript_and_the_poster(rendered: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    folder, plan = rendered
    page = (folder / "out" / "v.transcript.html").read_text(encoding="utf-8")
    assert page.count("<h2") == 2 and "致中国人权律师的话" in page and "王芳: “你们并不孤单”" in page
    assert "<script" not in page
    poster = Image.open(folder / "out" / "v.jpg")
    assert poster.size == (640, 360) and not poster.getexif() and "exif" not in poster.info
    # The first grid's middle, as the video draws it.
    grid = next(s for s in plan["slides"] if s["kind"] == "grid")
    still = tmp_path / "grid.png"
    assert _collage("still", folder, "--slide", str(grid["index"]), "-o", still).returncode == 0
    diff = np.abs(np.asarray(poster.convert("RGB"), float) - np.asarray(Image.open(still).convert("RGB"), float))
    assert diff.mean() < 3.0


def test_no_sidecars_and_a_poster_that_is_no_slide(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    result = _collage("render", folder, "-q", "--no-cache", "--preview", "--no-sidecars")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (folder / "out").iterdir()) == ["v.preview.mp4"]
    text = (folder / "collage.yaml").read_text().replace("output: out/v.mp4", "output: out/v.mp4\n  poster: 9")
    (folder / "collage.yaml").write_text(text)
    bad = _collage("render", folder, "-q", "--no-cache")
    assert bad.returncode == 1 and "video.poster: there is no slide 9" in bad.stderr


PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<video id="v" muted playsinline preload="auto" src="v.mp4" width="320">
  <track id="t" kind="captions" srclang="en" label="Messages" src="v.vtt" default></video>
<script>
window.fired = [];
const v = document.getElementById("v");
const track = v.textTracks[0];
track.mode = "hidden";
track.addEventListener("cuechange", () => {
  for (const c of track.activeCues) window.fired.push([c.id, v.currentTime]);
});
</script></body></html>"""


def test_the_vtt_plays_as_a_track_in_chromium(rendered: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    folder, plan = rendered
    site = tmp_path / "site"
    site.mkdir()
    for name in ("v.mp4", "v.vtt"):
        (site / name).write_bytes((folder / "out" / name).read_bytes())
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    with local_page(site) as (page, server, blocked):
        page.goto(server.url("index.html"), wait_until="load")
        page.wait_for_function("() => v.textTracks[0].cues && v.textTracks[0].cues.length > 0")
        loaded = page.evaluate("() => [...v.textTracks[0].cues].map(c => [c.id, c.startTime, c.endTime, c.text])")
        page.evaluate("() => v.play()")
        page.wait_for_function("() => v.ended", timeout=60000)
        fired = page.evaluate("() => window.fired")
    assert not blocked
    slides = plan["slides"]
    assert [c[0] for c in loaded] == [f"slide-{s['index']}" for s in slides]
    for (_, start, end, _), s in zip(loaded, slides, strict=True):
        assert abs(start - s["start"]) < 0.002 and abs(end - (s["start"] + s["duration"])) < 0.002
    assert "王芳" in loaded[2][3]
    # Every cue became active while the video played, no earlier than its start (and not long after).
    first = {}
    for ident, at in fired:
        first.setdefault(ident, at)
    for s in slides:
        at = first[f"slide-{s['index']}"]
        assert s["start"] - 0.05 <= at <= s["start"] + 0.6, (s["index"], at)


def test_text_cannot_break_the_cue_structure(tmp_path: Path) -> None:
    """A body with blank lines and a caption with the timing arrow stay inside their cue."""
    import srt
    import webvtt

    folder = _folder(tmp_path)
    manifest = yaml.safe_load((folder / "collage.yaml").read_text())
    manifest["sequence"][0]["body"] = "First line\n\nAfter a blank line\n00:00:09.000 --> 00:00:10.000"
    manifest["messages"][3]["message"] = "line one\n\nline --> two"
    manifest["messages"][0]["name"] = "Alice <i>Chen</i> & {\\an8}co"  # markup in cue text stays text
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
    result = _collage("render", folder, "-q", "--no-cache", "--preview")
    assert result.returncode == 0, result.stderr
    vtt = webvtt.read(str(folder / "out" / "v.preview.vtt"))
    subs = list(srt.parse((folder / "out" / "v.preview.srt").read_text(encoding="utf-8")))
    assert len(vtt.captions) == len(subs) == 4
    assert vtt.captions[0].text.split("\n") == ["Messages", "致中国人权律师的话", "First line", "After a blank line",
                                                "00:00:09.000 → 00:00:10.000"]
    assert vtt.captions[2].text == "王芳: “line one line → two”"
    raw = (folder / "out" / "v.preview.vtt").read_text(encoding="utf-8")
    assert "Alice &lt;i&gt;Chen&lt;/i&gt; &amp; {\\an8}co" in raw and "<i>" not in raw
    plain = (folder / "out" / "v.preview.srt").read_text(encoding="utf-8")
    assert "Alice <\u2060i>Chen<\u2060/i> & {\u2060\\an8}co" in plain
