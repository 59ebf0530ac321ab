"""The storyboard, as an organiser opens it: headless Chromium (Debian's, through playwright) loads the
page from 127.0.0.1; every slide's picture loads, the slides and their times are the plan's, nothing is
fetched from anywhere else, and no email, no unapproved message, no withheld name is on the page. The
masked contributor's picture is covered there as in the video. `still` is the video's frame."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image

from .support.browser import local_page
from .support.media import BLUE, GREEN, RED, decode_frames, sine, solid, write_folder, write_wav
from .support.media import HELD_HEAD as HEAD
from .support.media import collage_cli as _collage
from .support.media import face_with_sign as _photo

pytestmark = pytest.mark.e2e

SECRET_NAME = "Tenzin Secretname"
PENDING_ID = "awaiting-zz9"



def _folder(root: Path) -> Path:
    manifest = {
        "title": "Storyboard test",
        "video": {"size": "640x360", "fps": 10, "output": "out/v.mp4"},
        "timing": {"title": "1s", "slide": "2s", "transition": "0.5s"},
        "sequence": [{"title": "Hello", "subtitle": "你好"}, {"grid": "2x2", "messages": ["a", "b", "c"]},
                     {"photo": "m"}, {"title": "End"}],
        "messages": [
            {"id": "a", "photo": "photos/a.jpg", "name": "Alice <b>Chen</b>", "location": "Taipei", "approved": True,
             "email": "alice@example.org"},
            {"id": "b", "photo": "photos/b.jpg", "name": "Bilal", "profession": "Lawyer", "approved": True},
            {"id": "c", "photo": "photos/c.jpg", "name": "عائشة", "approved": True},
            {"id": "m", "photo": "photos/m.jpg", "name": SECRET_NAME, "consent": "masked", "approved": True},
            {"id": "d", "photo": "photos/d.jpg", "name": "Left Out", "approved": True},  # placed nowhere: a warning
            {"id": PENDING_ID, "photo": "photos/d.jpg", "name": "Pending Person", "approved": False,
             "email": "pending@example.org"},
        ],
    }
    photos = {"a": RED, "b": GREEN, "c": BLUE, "d": RED, "m": _photo}
    return write_folder(root / "board", manifest, photos, size=(800, 600))


def _open(page_dir: Path, screenshot: Path) -> dict[str, Any]:
    with local_page(page_dir) as (page, server, blocked):
        page.goto(server.url("storyboard.html"), wait_until="load")
        found = page.evaluate("""() => ({
            images: [...document.images].map(i => ({src: i.getAttribute('src'), w: i.naturalWidth,
                                                    done: i.complete})),
            slides: [...document.querySelectorAll('section.slide')].map(s => ({
                index: +s.dataset.index, kind: s.dataset.kind, start: +s.dataset.start, end: +s.dataset.end})),
            html: document.documentElement.outerHTML,
            text: document.body.innerText,
        })""")
        page.screenshot(path=str(screenshot), full_page=True)
    return {**found, "blocked": blocked}


def test_the_storyboard_opens_offline_with_every_slide_and_nothing_private(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    made = _collage("storyboard", folder)
    assert made.returncode == 0, made.stderr
    board = folder / "out" / "storyboard"
    plan = json.loads(_collage("plan", folder, "--json").stdout)
    seen = _open(board, tmp_path / "storyboard.png")

    assert not seen["blocked"]
    assert all(i["done"] and i["w"] > 0 for i in seen["images"])
    assert [i["src"] for i in seen["images"] if i["src"].startswith("slides/")] == \
        [f"slides/{s['index']:03d}.jpg" for s in plan["slides"]]
    assert [i["src"] for i in seen["images"] if i["src"].startswith("covers/")] == ["covers/000.jpg"]
    assert re.search(r"m · masked · \d+ faces? \+ 0 boxes covered", seen["text"]), seen["text"]
    assert [(s["index"], s["kind"]) for s in seen["slides"]] == [(s["index"], s["kind"]) for s in plan["slides"]]
    for shown, planned in zip(seen["slides"], plan["slides"], strict=True):
        assert shown["start"] == pytest.approx(planned["start"], abs=1e-3)
        assert shown["end"] == pytest.approx(planned["start"] + planned["duration"], abs=1e-3)
    text, page = seen["text"], seen["html"]
    assert "Alice <b>Chen</b>" in text  # escaped: shown as written, never markup
    assert "عائشة" in text and "你好" in text
    assert "Approved but left out (1): d" in text and "1 message not approved" in text
    assert "approved message 'd' is not in the sequence" in text  # every warning is on the page
    assert "collage.yaml:41: warning" in text
    for private in ("@", "example.org", PENDING_ID, "Pending Person", SECRET_NAME, "Tenzin", str(tmp_path)):
        assert private not in page, private
    with Image.open(board / "contact-sheet.png") as sheet:
        assert sheet.width >= 4 * 480 and sheet.height >= 270  # four slides a row, 480 px each

    # The masked photo's picture, as the video shows it: its face covered.
    masked_slide = next(s for s in plan["slides"] if s["kind"] == "photo")
    picture = np.asarray(Image.open(board / "slides" / f"{masked_slide['index']:03d}.jpg").convert("RGB"))
    scale = picture.shape[1] / 1280  # the photo (1280x720) fills the 16:9 frame: no caption fields left
    x0, y0, x1, y1 = (round(v * scale) for v in HEAD)
    head = picture[y0 + 3:y1 - 3, x0 + 3:x1 - 3].astype(np.float64)
    assert np.ptp(head, axis=(0, 1)).max() < 16  # a flat fill (JPEG ringing at most)
    from collage.media.subjects import find

    assert not find(np.ascontiguousarray(picture), thorough=True).faces
    # The masked photo again, on its own, for the organiser to confirm: covered, each cover outlined.
    cover = np.asarray(Image.open(board / "covers" / "000.jpg").convert("RGB")).astype(np.int16)
    scale = cover.shape[1] / 1280
    x0, y0, x1, y1 = (round(v * scale) for v in HEAD)
    inner = cover[y0 + 6:y1 - 6, x0 + 6:x1 - 6]
    assert np.abs(inner - (62, 62, 66)).max() < 16  # the head is under the flat cover
    outline = np.abs(cover - (255, 214, 0)).max(axis=2) < 60  # yellow: a face collage found
    assert outline[y0 - 12:y1 + 12, x0 - 12:x1 + 12].sum() > 2 * (x1 - x0)  # around the head
    assert not find(np.ascontiguousarray(cover.astype(np.uint8)), thorough=True).faces


def test_still_is_the_frame_the_video_shows(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert _collage("render", folder, "-q", "--no-cache").returncode == 0
    plan = json.loads(_collage("plan", folder, "--json").stdout)
    fps = plan["fps"]
    for index, at in ((1, None), (2, 0.1), (1, 0.2)):  # a grid at its middle; a transition in progress
        slide = plan["slides"][index]
        args: list[str | Path] = ["still", folder, "--slide", str(index), "-o", tmp_path / f"s{index}.png"]
        if at is not None:
            args += ["--at", str(at)]
        result = _collage(*args)
        assert result.returncode == 0, result.stderr
        frames = round(slide["duration"] * fps)
        number = round(slide["start"] * fps) + (frames // 2 if at is None else round(at * fps))
        assert f"frame {number}," in result.stdout
        still = np.asarray(Image.open(tmp_path / f"s{index}.png").convert("RGB")).astype(np.float64)
        video = decode_frames(folder / "out" / "v.mp4", [number])[0].astype(np.float64)
        assert still.shape == video.shape
        assert np.mean(np.abs(still - video)) < 3.0  # the encoder's tolerance (x264 at crf 19, 4:2:0)
    outside = _collage("still", folder, "--slide", "99")
    assert outside.returncode == 1 and "there is no slide 99" in outside.stderr
    late = _collage("still", folder, "--slide", "1", "--at", "30")
    assert late.returncode == 1 and "--at 30 is outside" in late.stderr


def _steps(path: Path, seconds: int = 12) -> None:
    """A track whose pitch changes every second (220 Hz, then 330, 440, ...): where it plays is audible."""
    write_wav(path, np.concatenate([sine(1, 220 + 110 * k, 0.3) for k in range(seconds)]))


def _pitch(samples: np.ndarray, rate: int = 48000) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def test_render_slides_is_those_slides_with_their_music_and_reuses_the_cache(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _steps(folder / "music" / "steps.wav")
    manifest = yaml.safe_load((folder / "collage.yaml").read_text())
    manifest["music"] = {"tracks": ["music/steps.wav"], "fade_in": 0, "fade_out": 0}
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
    assert _collage("render", folder, "-q").returncode == 0
    plan = json.loads(_collage("plan", folder, "--json").stdout)
    part = _collage("render", folder, "--slides", "2-3")  # from 2 s in: its music is not the music at 0
    assert part.returncode == 0, part.stderr
    out = folder / "out" / "v.slides-2-3.mp4"
    first, last = plan["slides"][2], plan["slides"][3]
    from .support.media import decode, decode_audio, probe

    frames = round((last["start"] + last["duration"] - first["start"]) * plan["fps"])
    info = probe(out)
    assert info["video"]["frames"] == frames and abs(info["audio"]["duration"] - frames / plan["fps"]) < 0.05
    assert "0 from the cache" not in part.stdout  # the slides' middles were encoded by the full render
    # Its frames are the full video's frames from the first slide's start (after its fade from black).
    whole, clip = decode(folder / "out" / "v.mp4"), decode(out)
    offset = round(first["start"] * plan["fps"])
    middle = round(first["duration"] * plan["fps"] / 2)
    assert np.mean(np.abs(clip[middle].astype(float) - whole[offset + middle].astype(float))) < 2.0
    # The music is the music that plays there: the pitch one second into the clip is the full video's.
    audio = decode_audio(out)[0]
    full = decode_audio(folder / "out" / "v.mp4")[0]
    at = 48000 * 1 + 4800
    expect = _pitch(full[round(first["start"] * 48000) + at:][:9600])
    assert abs(_pitch(audio[at:at + 9600]) - expect) < 30 and abs(expect - _pitch(full[at:at + 9600])) > 100
    # A proof leaves segments no full render uses, made from the manifest as it is: the next render does
    # not call them old (they show no one since withdrawn); an edit to the manifest makes them old.
    again = _collage("render", folder, "-q")
    assert again.returncode == 0 and "made from an older version" not in again.stderr, again.stderr
    manifest["messages"] = [m for m in manifest["messages"] if m["id"] != "c"]
    manifest["sequence"][1]["messages"] = ["a", "b"]
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
    edited = _collage("render", folder, "-q")
    assert edited.returncode == 0 and "made from an older version of the manifest" in edited.stderr
    bad = _collage("render", folder, "--slides", "2-9")
    assert bad.returncode == 1 and "the video has slides 0 to 3" in bad.stderr
    assert _collage("render", folder, "--slides", "b-a").returncode == 2


def test_the_page_never_names_a_message_not_approved(tmp_path: Path) -> None:
    """A warning about a message not approved (here: the sequence asks for it) names no id on the page."""
    folder = tmp_path / "f"
    solid(folder / "photos" / "a.jpg", RED)
    solid(folder / "photos" / "zz-hidden.jpg", GREEN)
    (folder / "collage.yaml").write_text(
        "sequence:\n  - grid: auto\n    messages: [a, zz-hidden]\nmessages:\n"
        "  - {photo: photos/a.jpg, name: A, approved: true}\n"
        "  - {photo: photos/zz-hidden.jpg, name: Z, approved: false}\n")
    assert "zz-hidden" in _collage("check", folder).stderr  # the editor's own tool still says which
    made = _collage("storyboard", folder)
    assert made.returncode == 0, made.stderr
    page = (folder / "out" / "storyboard" / "storyboard.html").read_text(encoding="utf-8")
    assert "zz-hidden" not in page and "(a message not approved) is not approved" in page


def test_the_page_draws_every_script_with_its_own_fonts_where_the_machine_has_none(tmp_path: Path) -> None:
    """Names in twenty scripts, Simplified and Traditional Chinese and emoji, opened in a browser that finds
    no font of the machine's (fontconfig pointed at a folder holding one font with no letters): every
    line on the page is drawn by the fonts the page brings (each subset to what it shows, allowed by the
    page's own policy), each script in the face the video uses; the machine's own fonts draw none of the
    names. The contact sheet numbers each slide as the page does."""
    from .support.browser import no_system_fonts
    from .support.fonts import NAMES, block_font

    messages = [{"id": f"m{i:02d}", "photo": f"photos/m{i:02d}.jpg", "name": name, "location": script,
                 "approved": True} for i, (script, name) in enumerate(NAMES.items())]
    messages += [{"id": "tw", "photo": "photos/m00.jpg", "name": "陳大文", "profession": "律師", "approved": True},
                 {"id": "em", "photo": "photos/m01.jpg", "name": "Tenzin ✊🏽", "approved": True}]
    manifest = {"title": "Every script · 每一种文字", "video": {"size": "640x360", "fps": 10, "output": "out/v.mp4"},
                "timing": {"title": "1s", "slide": "2s", "transition": "0.5s"},
                "sequence": [{"title": "致中国人权律师的话", "subtitle": "致中國人權律師的話"},
                             {"grid": "3x3", "messages": "all"}],
                "messages": messages}
    folder = write_folder(tmp_path / "scripts", manifest, {f"m{i:02d}": (RED, GREEN, BLUE)[i % 3]
                                                          for i in range(len(NAMES))})
    made = _collage("storyboard", folder)
    assert made.returncode == 0, made.stderr
    board = folder / "out" / "storyboard"
    page_text = (board / "storyboard.html").read_text(encoding="utf-8")
    assert "font-src 'self'" in page_text and (board / "fonts" / "OFL.txt").is_file()

    env = no_system_fonts(tmp_path / "browser")
    # Probes: every character of the page as a box, one font 3 em wide a box, one 6 em. A line measured with
    # its own font list and a probe after it is as wide with either probe only when no character of it
    # fell through the page's fonts (a browser draws a character no font has as its first font's box, so
    # which fonts drew a line cannot tell a box from a letter).
    chars = "".join(sorted({ch for ch in _shown_text(page_text) if not ch.isspace()}))
    block_font(board / "probe-a.ttf", chars, family="ProbeA", advance=3000)
    block_font(board / "probe-b.ttf", chars, family="ProbeB", advance=6000)
    with local_page(board, env=env) as (page, server, blocked):
        page.goto(server.url("storyboard.html"), wait_until="load")
        faces = page.evaluate("document.fonts.ready.then(() => [...document.fonts].map(f => [f.family, f.status]))")
        assert faces and all(status == "loaded" for _, status in faces), faces
        lines = page.evaluate("""async () => {
            for (const name of ['probe-a', 'probe-b']) {
                const face = new FontFace(name, `url(${name}.ttf)`);
                await face.load();
                document.fonts.add(face);
            }
            const ctx = document.createElement('canvas').getContext('2d');
            const width = (family, line) => { ctx.font = `40px ${family}`; return ctx.measureText(line).width; };
            const lines = [];
            for (const e of document.querySelectorAll('h1, h2, p, li')) {
                const family = getComputedStyle(e).fontFamily;
                for (const line of e.innerText.split('\\n').filter(l => l.trim())) {
                    lines.push([line, width(family + ', "probe-a"', line), width(family + ', "probe-b"', line),
                                width('sans-serif, "probe-a"', line), width('sans-serif, "probe-b"', line)]);
                }
            }
            return lines;
        }""")
        assert len(lines) > len(NAMES)
        for line, a, b, _, _ in lines:
            assert a == pytest.approx(b, abs=0.5), f"boxes in {line!r}: a character no page font has"
        # The control: the machine's own sans-serif draws none of the names (no font of the machine's is seen).
        names = [li for li in lines if any(name in li[0] for name in NAMES.values())]
        assert len(names) == len(NAMES) and all(sa != pytest.approx(sb, abs=0.5) for _, _, _, sa, sb in names)

        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "h1, h2, p, li"})["nodeIds"]
        drawn = [cdp.send("CSS.getPlatformFontsForNode", {"nodeId": n})["fonts"] for n in nodes]
        families = {f["familyName"] for fonts in drawn for f in fonts if f["isCustomFont"]}
        expected = {"Noto Sans", "Noto Sans Arabic", "Noto Serif Tibetan", "Noto Sans CJK SC", "Noto Sans CJK TC",
                    "Noto Color Emoji", *(f"Noto Sans {s}" for s in NAMES if s not in ("Arabic", "Tibetan"))}
        assert expected <= families, expected - families  # each script in its own face, as in the video
        page.screenshot(path=str(tmp_path / "scripts.png"), full_page=True)
    assert not blocked

    # The contact sheet: each tile's number on a dark plate in its top left corner, the page's numbers.
    with Image.open(board / "contact-sheet.png") as sheet:
        tiles = np.asarray(sheet.convert("L")).astype(int)
    plates = [tiles[8 + 4:8 + 40, x + 4:x + 40] for x in (8, 8 + 488)]
    for plate in plates:
        assert (plate < 40).mean() > 0.3 and (plate > 220).mean() > 0.05  # white on black
    assert np.abs(plates[0] - plates[1]).mean() > 5  # "0" and "1"


def _shown_text(page: str) -> str:
    """The text of a page as shown: its tags (and its style sheet) gone, its characters unescaped."""
    import html

    return html.unescape(re.sub(r"<[^>]*>", " ", re.sub(r"(?s)<style>.*?</style>", "", page)))
