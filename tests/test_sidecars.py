"""The files beside every render, read back as a publisher's tools read them: the VTT and SRT parsed by
their own libraries (cues of at most two lines within the subtitle norms' line lengths, a grid's people one
after another, each slide's cues between the middles of its transitions, at the planner's reading rates,
"[music]" where only music plays; text as written in any script), the transcript (each slide's start),
the poster (the frame the video shows, no metadata), and the VTT as a <track> in Chromium whose cues fire
while the video plays. Nothing private in any of them. The norms are checked on the plan and the sidecars'
text (pure); the render's own files in the `e2e` tests."""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image

from .support.browser import local_page, track_page
from .support.media import BLUE, GREEN, RED, YELLOW, sine, write_folder, write_wav
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


def test_the_rendered_vtt_and_srt_are_the_same_cues_within_each_slide(
        rendered: tuple[Path, dict[str, Any]]) -> None:
    import srt
    import webvtt

    folder, plan = rendered
    out = folder / "out"
    vtt = webvtt.read(str(out / "v.vtt"))
    subs = list(srt.parse((out / "v.srt").read_text(encoding="utf-8")))
    assert len(vtt.captions) == len(subs) >= len(plan["slides"])
    slides = plan["slides"]
    half = 0.5 / plan["fps"] + 0.0005
    for cue, sub in zip(vtt.captions, subs, strict=True):
        assert abs(sub.start.total_seconds() - _seconds(cue.start)) < 0.001 and cue.text == sub.content
        assert abs(sub.end.total_seconds() - _seconds(cue.end)) < 0.001 and len(cue.text.split("\n")) <= 2
        i = int(cue.identifier.removeprefix("slide-").partition(".")[0])
        low = slides[i]["start"] + slides[i]["transition"] / 2
        high = (slides[i + 1]["start"] + slides[i + 1]["transition"] / 2 if i + 1 < len(slides)
                else slides[i]["start"] + slides[i]["duration"])
        assert low - half <= _seconds(cue.start) < _seconds(cue.end) <= high + half
    texts = [c.text for c in vtt.captions]
    assert texts[0] == "Messages\n致中国人权律师的话"
    grid = [c.text for c in vtt.captions if c.identifier.startswith("slide-1.")]
    assert len(grid) == 3  # one person after another
    assert grid[0].replace("\n", " ") == "Alice Chen · Taipei: “We stand 🤝” (我们与你们站在一起)"
    assert grid[1].startswith("\u200f") and "فاطمة السيد" in grid[1] and "“تضامن”" in grid[1]
    assert grid[2] == "Nurse"  # anonymous: the caption as drawn, without the name
    assert [c.text for c in vtt.captions if c.identifier.startswith("slide-2.")] == ["王芳: “你们并不孤单”"]


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


PAGE = track_page("v.mp4", "v.vtt", "captions", "Messages")


def test_the_vtt_plays_as_a_track_in_chromium(rendered: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    import webvtt

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
    written = webvtt.read(str(folder / "out" / "v.vtt")).captions
    assert [c[0] for c in loaded] == [c.identifier for c in written]
    assert {c[0].partition(".")[0] for c in loaded} == {f"slide-{s['index']}" for s in plan["slides"]}
    for (_, start, end, text), cue in zip(loaded, written, strict=True):
        assert abs(start - _seconds(cue.start)) < 0.002 and abs(end - _seconds(cue.end)) < 0.002
        assert text == cue.text
    assert any("王芳" in c[3] for c in loaded if c[0].startswith("slide-2."))
    # Every cue became active while the video played, no earlier than its start (and not long after).
    first = {}
    for ident, at in fired:
        first.setdefault(ident, at)
    for ident, start, _, _ in loaded:
        assert start - 0.05 <= first[ident] <= start + 0.6, (ident, first[ident])


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
    assert len(vtt.captions) == len(subs) and all(len(c.text.split("\n")) <= 2 for c in vtt.captions)
    title = [line for c in vtt.captions if c.identifier.startswith("slide-0.") for line in c.text.split("\n")]
    assert title == ["Messages", "致中国人权律师的话", "First line", "After a blank line",
                     "00:00:09.000 → 00:00:10.000"]
    assert [c.text for c in vtt.captions if c.identifier.startswith("slide-2.")] == ["王芳: “line one line → two”"]
    raw = (folder / "out" / "v.preview.vtt").read_text(encoding="utf-8")
    assert "Alice &lt;i&gt;Chen&lt;/i&gt; &amp; {\\an8}co" in raw and "<i>" not in raw
    plain = (folder / "out" / "v.preview.srt").read_text(encoding="utf-8")
    assert "Alice <\u2060i>Chen<\u2060/i> & {\u2060\\an8}co" in plain


# --- Subtitle norms, read back from the files (pure: the plan and the sidecars' text, no render) -------------

LATIN_UNIT, CJK_UNIT, LINE = 8, 21, 336  # a line holds 42 Latin graphemes, 16 CJK ones, or a mix in proportion
_CJK_RANGES = ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3040, 0x30FF), (0x3100, 0x318F),
               (0x3190, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF),
               (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFF60), (0xFFE0, 0xFFE6), (0x20000, 0x3FFFF))
_NO_START = set("，。、：；！？）」』》〉”’,.:;!?)")
_NO_END = set("（「『《〈“‘([")

NORMS: dict[str, Any] = {
    "title": "Norms",
    "video": {"size": "640x360", "fps": 25, "output": "out/n.mp4"},
    "timing": {"title": "10s", "slide": "8s", "transition": "1s"},
    "music": [{"file": "music/bed.wav"}],
    "sequence": [
        {"title": "Messages to Human Rights Lawyers in China", "subtitle": "致中国人权律师的话",
         "body": "China Human Rights Lawyers Day · July 9 · 中国人权律师节"},
        {"grid": "2x2", "messages": ["latin", "cjk", "arabic", "mixed"], "duration": "48s"},
        {"photo": "quiet", "duration": "4s"},  # no caption, no sign: only the music is heard
        {"photo": "brief", "duration": "5s"},  # too short for its text
        {"title": "Thank you", "subtitle": "谢谢"},
    ],
    "messages": [
        {"id": "latin", "photo": "photos/latin.jpg", "name": "Maximilian Hoffmann-Whitfield",
         "profession": "Human-rights lawyer", "location": "Sa\u0303o Paulo, Brazil",  # a tilde of its own
         "message": "Thank you for your courage and for everything you do for justice in China, every single day",
         "translation": "谢谢你们的勇气，谢谢你们为中国的正义所做的一切", "approved": True},
        {"id": "cjk", "photo": "photos/cjk.jpg", "name": "陳大文", "profession": "律師", "location": "香港特別行政區",
         "message": "正義不是罪，我們永遠與你們同在，直到每一位律師都重獲自由為止",
         "translation": "Justice is not a crime; we stand with you until every lawyer is free", "approved": True},
        {"id": "arabic", "photo": "photos/arabic.jpg", "name": "فاطمة السيد", "profession": "محامية",
         "location": "Berlin", "message": "تضامن مع جميع المحامين في الصين من أجل العدالة وحقوق الإنسان",
         "translation": "与中国所有律师团结一致", "approved": True},
        {"id": "mixed", "photo": "photos/mixed.jpg", "name": "王芳 Wang Fang", "profession": "记者 journalist",
         "location": "New York", "message": "你们并不孤单 — You are not alone 🤝👩🏽‍⚖️🇹🇼",
         "translation": "You are not alone", "approved": True},
        {"id": "quiet", "photo": "photos/quiet.jpg", "approved": True},
        {"id": "brief", "photo": "photos/brief.jpg", "name": "Li Wei", "location": "الرباط",
         "message": "We will remember every one of you, every day, in every city of the world",
         "translation": "我们会在世界的每一个城市，每一天，记住你们每一个人", "approved": True},
    ],
}


def _norms(tmp_path: Path, **style: Any) -> tuple[Any, Any]:
    """The project and timeline of NORMS (with `style` values, and without music if `music=None`)."""
    from collage import build_plan, load

    manifest = json.loads(json.dumps(NORMS))
    if "music" in style and style.pop("music") is None:
        del manifest["music"]
    if style:
        manifest["style"] = style
    folder = write_folder(tmp_path / "norms", manifest, dict.fromkeys(("latin", "cjk", "arabic", "mixed", "quiet",
                                                                         "brief"), RED))
    write_wav(folder / "music" / "bed.wav", sine(1.0))
    project = load(folder)
    return project, build_plan(project)


Parsed = list[tuple[str, float, float, list[str]]]  # id, start, end, lines


def _parsed(project: Any, timeline: Any) -> Parsed:
    """The VTT's cues as webvtt-py reads them, checked to be the SRT's cues as srt reads them."""
    import srt
    import webvtt

    from collage.outputs import sidecars

    vtt = webvtt.from_string(sidecars.vtt(project, timeline))
    subs = list(srt.parse(sidecars.srt_text(project, timeline)))
    assert len(vtt.captions) == len(subs)
    out = []
    for cue, sub in zip(vtt.captions, subs, strict=True):
        start, end = _seconds(cue.start), _seconds(cue.end)
        assert abs(sub.start.total_seconds() - start) < 0.001 and abs(sub.end.total_seconds() - end) < 0.001
        assert cue.text == sub.content
        out.append((cue.identifier or "", start, end, cue.text.split("\n")))
    return out


def _clusters(line: str) -> list[str]:
    """The grapheme clusters a viewer sees (invisible direction marks are none): a base with its marks,
    emoji modifiers and ZWJ sequences, a flag's two regional indicators."""
    out: list[str] = []
    joined = False
    for ch in line:
        cat = unicodedata.category(ch)
        if ch == "\u200d":
            joined = True
            out[-1] += ch
        elif cat == "Cf":
            continue
        elif out and (joined or cat[0] == "M" or "\U0001f3fb" <= ch <= "\U0001f3ff" or (
                "\U0001f1e6" <= ch <= "\U0001f1ff" and len(out[-1]) == 1 and "\U0001f1e6" <= out[-1] <= "\U0001f1ff")):
            out[-1] += ch
            joined = False
        else:
            out.append(ch)
    return out


def _cjk(cluster: str) -> bool:
    return any(lo <= ord(cluster[0]) <= hi for lo, hi in _CJK_RANGES)


def _units(line: str) -> int:
    return sum(CJK_UNIT if _cjk(c) else LATIN_UNIT for c in _clusters(line))


def _slide_of(ident: str) -> int:
    return int(ident.removeprefix("slide-").partition(".")[0])


def _windows(timeline: Any) -> list[tuple[float, float]]:
    """Each slide's captions' time: from the middle of the transition in to the middle of the one out."""
    fps, slides = timeline.fps, timeline.slides
    out = []
    for i, s in enumerate(slides):
        start = (s.start + s.transition / 2) / fps
        end = (slides[i + 1].start + slides[i + 1].transition / 2) / fps if i + 1 < len(slides) else s.end / fps
        out.append((start, end))
    return out


def _bare(text: str) -> str:
    """Text with what a line break may take or add removed: spaces, the caption's separators, isolates."""
    return "".join(ch for ch in text.replace(" · ", "").replace(":", "")
                   if not ch.isspace() and unicodedata.category(ch) != "Cf")


@pytest.mark.pure
def test_every_cue_is_two_lines_within_the_line_limits_broken_between_words(tmp_path: Path) -> None:
    project, timeline = _norms(tmp_path)
    cues = _parsed(project, timeline)
    by_id = {m.id: m for m in project.messages}
    worded = 0
    for ident, _, _, lines in cues:
        assert 1 <= len(lines) <= 2, lines
        for line in lines:
            assert line and line == line.strip() and _units(line) <= LINE, (line, _units(line))
            clusters = _clusters(line.lstrip("\u200f\u2068"))
            assert clusters[0][0] not in _NO_START and clusters[-1][0] not in _NO_END, line
            assert unicodedata.category(line[0])[0] != "M"  # no grapheme cut
        if ident.startswith("slide-"):
            worded += 1
    assert worded > 12  # the grid's people take several cues each
    # Each slide's cues say all of its text, in order, each person from the start of a cue.
    for slide in timeline.slides:
        said = [lines for ident, _, _, lines in cues if ident.startswith("slide-") and _slide_of(ident) == slide.index]
        if slide.kind == "title":
            expected = [t for t in (slide.title, slide.subtitle, slide.body) if t]
        else:
            parts = [(c.caption, by_id[c.message].text, by_id[c.message].translation) for c in slide.cells]
            expected = [f"{caption or ''}{f'“{sign}”' if sign else ''}{f'({said})' if said else ''}"
                        for caption, sign, said in parts if caption or sign or said]
        assert _bare("".join("".join(lines) for lines in said)) == _bare("".join(expected))
        if slide.kind == "title":
            continue
        starts, at = set(), 0
        for lines in said:
            starts.add(at)
            at += len(_bare("".join(lines)))
        at = 0
        for text in expected:
            assert at in starts, text  # a person's text starts a cue of its own
            at += len(_bare(text))
    # No word broken: every word with no CJK in it is whole on one line (the isolates are between words).
    lines = ["".join(ch for ch in line if ch not in "\u2068\u2069\u200f") for _, _, _, ls in cues for line in ls]
    for m in project.messages:
        for text in (m.name, m.profession, m.location, m.text, m.translation):
            for word in (text or "").split():
                if not any(_cjk(c) for c in _clusters(word)):
                    assert any(word in line for line in lines), word


@pytest.mark.pure
def test_lines_keep_to_42_latin_16_cjk_and_a_mix_in_proportion(tmp_path: Path) -> None:
    """The rule on lines that are all Latin, all CJK and mixed; graphemes counted, not code points."""
    project, timeline = _norms(tmp_path)
    lines = [line for _, _, _, ls in _parsed(project, timeline) for line in ls]
    latin = [line for line in lines if not any(_cjk(c) for c in _clusters(line))]
    cjk = [line for line in lines if all(_cjk(c) for c in _clusters(line) if c.strip())]
    mixed = [line for line in lines if line not in latin and line not in cjk]
    assert latin and cjk and mixed
    assert max(len(_clusters(line)) for line in latin) <= 42 and max(len(_clusters(line)) for line in cjk) <= 16
    assert any(len(_clusters(line)) > 36 for line in latin)  # lines are filled, not broken at every word
    assert any(sum(map(_cjk, _clusters(line))) > 12 for line in lines)
    tilde = next(line for line in lines if "Sa\u0303o" in line)
    assert len(tilde) > len(_clusters(tilde))  # a decomposed letter counts once
    emoji = next(line for line in lines if "🤝" in line)
    assert "👩🏽‍⚖️" in emoji and "🇹🇼" in emoji  # a ZWJ sequence and a flag stay whole


@pytest.mark.pure
def test_a_right_to_left_part_stays_isolated(tmp_path: Path) -> None:
    project, timeline = _norms(tmp_path)
    lines = [line for _, _, _, ls in _parsed(project, timeline) for line in ls]
    arabic = [line for line in lines if any(unicodedata.bidirectional(ch) == "AL" for ch in line)]
    rtl_first = ltr_first = 0
    for line in arabic:
        assert line.count("\u2068") == line.count("\u2069")
        first = next(unicodedata.bidirectional(ch) for ch in line if unicodedata.bidirectional(ch) in ("L", "AL")
                     and ch != "\u200f")
        if first == "AL":  # a line that starts right to left starts with a RLM
            rtl_first += 1
            assert line.startswith("\u200f"), line
        else:  # Arabic inside a left-to-right line is isolated (FSI ... PDI)
            ltr_first += 1
            depth = 0
            for ch in line:
                depth += (ch == "\u2068") - (ch == "\u2069")
                assert depth > 0 or unicodedata.bidirectional(ch) != "AL", line
    assert rtl_first >= 2 and ltr_first >= 1


@pytest.mark.pure
def test_cues_keep_to_their_slide_between_the_transitions_midpoints(tmp_path: Path) -> None:
    project, timeline = _norms(tmp_path)
    cues = _parsed(project, timeline)
    windows = _windows(timeline)
    frame = 1 / timeline.fps
    for (_, _, end), (_, start, _) in itertools.pairwise((c[0], c[1], c[2]) for c in cues):
        assert start >= end - 0.0005  # never overlapping
    for ident, start, end, _ in cues:
        assert end - start >= frame
        if ident.startswith("slide-"):
            low, high = windows[_slide_of(ident)]
            assert low - frame / 2 - 0.0005 <= start and end <= high + frame / 2 + 0.0005, (ident, start, end)
    for i, (low, high) in enumerate(windows):  # a slide with words has them from its first moment to its last
        own = [(s, e) for ident, s, e, _ in cues if ident.startswith("slide-") and _slide_of(ident) == i]
        if own:
            assert abs(own[0][0] - low) <= frame / 2 + 0.0005 and abs(own[-1][1] - high) <= frame / 2 + 0.0005
            assert all(abs(a[1] - b[0]) < 0.0005 for a, b in itertools.pairwise(own))  # one after another


@pytest.mark.pure
def test_each_cue_reads_within_the_planners_rates_where_the_slide_allows(tmp_path: Path) -> None:
    from collage.plan import reading

    project, timeline = _norms(tmp_path)
    cues = _parsed(project, timeline)
    fps, checked = timeline.fps, 0
    for slide in timeline.slides:  # (the cues fill their slide's time: see the test above)
        own = [(s, e, reading.reading_seconds(lines)) for ident, s, e, lines in cues
               if ident.startswith("slide-") and _slide_of(ident) == slide.index]
        frames = round((own[-1][1] - own[0][0]) * fps) if own else 0
        if own and sum(max(fps, math.ceil(r * fps - 1e-9)) for _, _, r in own) <= frames:  # the slide allows it
            checked += len(own)
            for start, end, read in own:
                assert end - start >= max(read, 1.0) - 0.001, (slide.index, end - start, read)
    assert checked >= 10  # the grid and both title cards


@pytest.mark.pure
def test_a_slide_too_short_for_its_text_says_so_and_shares_its_time(tmp_path: Path) -> None:
    from collage.plan import reading

    project, timeline = _norms(tmp_path)
    brief = next(s for s in timeline.slides if s.messages == ("brief",))
    said = [p for p in timeline.warnings if "takes" in p.message and "to read" in p.message]  # the planner's
    assert [p.severity for p in said] == ["warning"]
    assert f"slide {brief.index}" in said[0].message and "Li Wei" not in str(said[0])
    own = [(e - s, reading.reading_seconds(lines)) for ident, s, e, lines in _parsed(project, timeline)
           if ident.startswith("slide-") and _slide_of(ident) == brief.index]
    assert len(own) >= 2 and sum(r for _, r in own) > sum(s for s, _ in own)  # read faster than the rates ...
    for seconds, _ in own:
        assert seconds >= 1.0 - 0.001  # ... yet no cue is shorter than a second
    longest = max(own, key=lambda c: c[1])
    assert longest[0] == max(s for s, _ in own)  # the most to read, the most time


@pytest.mark.pure
def test_music_only_passages_are_marked(tmp_path: Path) -> None:
    project, timeline = _norms(tmp_path)
    cues = _parsed(project, timeline)
    quiet = next(s for s in timeline.slides if s.messages == ("quiet",))
    low, high = _windows(timeline)[quiet.index]
    music = [c for c in cues if c[3] == ["[music]"]]
    assert len(music) == 1 and abs(music[0][1] - low) < 0.021 and abs(music[0][2] - high) < 0.021
    # Nowhere else a stretch of 2 s without words: from the first frame to the last.
    edges = [0.0] + [t for c in cues for t in (c[1], c[2])] + [timeline.duration]
    assert all(b - a < 2.0 for a, b in zip(edges[0::2], edges[1::2], strict=True))
    # The organisation's own words for it; and no music, no mark.
    renamed = _parsed(*_norms(tmp_path / "de", music_cue="[Musik]"))
    assert [c[3] for c in renamed if c[0].startswith("music")] == [["[Musik]"]]
    assert not [c for c in _parsed(*_norms(tmp_path / "silent", music=None)) if c[0].startswith("music")]


@pytest.mark.pure
def test_the_music_cue_is_a_theme_value() -> None:
    from collage.model import theme

    assert theme.DEFAULT.music_cue == "[music]" and "music_cue" in theme.KEYS
    assert theme.with_values(theme.DEFAULT, {"music_cue": "[音乐]"}).music_cue == "[音乐]"
    for bad in ("", "  ", "a\nb", 3, None, "x" * 33):
        with pytest.raises(theme.ThemeError, match="music_cue"):
            theme.with_values(theme.DEFAULT, {"music_cue": bad})


@pytest.mark.pure
def test_the_transcript_gives_each_slides_start(tmp_path: Path) -> None:
    from collage.outputs import sidecars

    project, timeline = _norms(tmp_path)
    page = sidecars.transcript(project, timeline)
    stamps = re.findall(r'<time[^>]* datetime="PT(\d+)S"[^>]*>(\d+:\d\d:\d\d)</time>', page)
    assert len(stamps) == len(timeline.slides)
    for (seconds, shown), slide in zip(stamps, timeline.slides, strict=True):
        whole = slide.start // timeline.fps
        assert int(seconds) == whole and shown == f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    assert page.count("<h2") == 2 and "陳大文 · 律師 · 香港特別行政區: “正義不是罪" in page  # each person on one line
    assert "China Human Rights Lawyers Day · July 9 · 中国人权律师节" in page
