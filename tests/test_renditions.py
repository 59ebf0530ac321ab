"""More shapes from one manifest (`video.renditions`), as a publisher gets them: each file decoded and
compared with its own plan (size, fps, frames, which photo sits in which cell), its own sidecars, one
cache shared by all of them; and `check` naming a sign too small to read on any shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from .support.media import (
    BLUE,
    CYAN,
    GREEN,
    ORANGE,
    RED,
    YELLOW,
    close,
    decode_frames,
    face_with_sign,
    mean_colour,
    probe,
    solid,
    write_folder,
)
from .support.media import collage_cli as _collage

pytestmark = pytest.mark.e2e

COLOURS = {"a": RED, "b": GREEN, "c": BLUE, "d": YELLOW, "e": CYAN, "f": ORANGE}
SHAPES = {None: (640, 360), "360x640": (360, 640), "360x360": (360, 360)}


def _folder(root: Path) -> Path:
    manifest: dict[str, Any] = {
        "title": "Shapes",
        "video": {"size": "640x360", "fps": 10, "output": "out/v.mp4", "renditions": ["360x640", "360x360"]},
        "timing": {"title": "1s", "slide": "1.5s", "transition": "0.5s", "min": "1s"},
        "style": {"translations": "show"},
        "sequence": [{"title": "Shapes"}, {"grid": "3x2", "messages": "all"}],
        "messages": [{"id": i, "photo": f"photos/{i}.jpg", "name": f"Person {i.upper()}", "message": "Hello",
                      "translation": "你好", "approved": True} for i in COLOURS],
    }
    return write_folder(root / "shapes", manifest, COLOURS, size=(800, 600))


def _plan(folder: Path, rendition: str | None) -> dict[str, Any]:
    result = _collage("plan", folder, "--json", *(["--rendition", rendition] if rendition else []))
    assert result.returncode == 0, result.stderr
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = _folder(tmp_path_factory.mktemp("renditions"))
    result = _collage("render", folder, "-q")
    assert result.returncode == 0, result.stderr
    return folder, result.stdout


def test_one_render_writes_every_shape_with_its_sidecars(rendered: tuple[Path, str]) -> None:
    folder, stdout = rendered
    out = folder / "out"
    for rendition, (w, h) in SHAPES.items():
        name = "v" + (f".{rendition}" if rendition else "")
        video = out / f"{name}.mp4"
        assert f"wrote {video} ({w}x{h}, 10 fps" in stdout
        plan = _plan(folder, rendition)
        assert tuple(plan["size"]) == (w, h)
        seen = probe(video)
        assert (seen["video"]["width"], seen["video"]["height"]) == (w, h)
        assert seen["video"]["fps"] == 10 and seen["video"]["frames"] == plan["frames"]
        assert abs(seen["audio"]["duration"] - plan["duration"]) < 0.05
        import webvtt

        cues = webvtt.read(str(out / f"{name}.vtt")).captions
        slides = {c.identifier.partition(".")[0] for c in cues if c.identifier.startswith("slide-")}
        assert slides == {f"slide-{s['index']}" for s in plan["slides"]}  # each shape's cues follow its own slides
        for suffix in (".srt", ".transcript.html", ".jpg"):
            assert (out / f"{name}{suffix}").is_file()
    # the vertical frame shows fewer photos a slide than the wide one (whose 3x2 the manifest gives)
    wide, tall = (_plan(folder, r) for r in (None, "360x640"))
    per_slide = [[len(s["cells"]) for s in p["slides"] if s["kind"] == "grid"] for p in (wide, tall)]
    assert per_slide[0] == [6] and max(per_slide[1]) <= 2 and sum(per_slide[1]) == 6


def test_each_vertical_slide_shows_its_photos_in_the_planned_cells(rendered: tuple[Path, str]) -> None:
    folder, _ = rendered
    plan = _plan(folder, "360x640")
    grids = [s for s in plan["slides"] if s["kind"] == "grid"]
    middles = [round((s["start"] + s["duration"] / 2) * plan["fps"]) for s in grids]
    frames = decode_frames(folder / "out" / "v.360x640.mp4", middles)
    for slide, frame in zip(grids, frames, strict=True):
        for cell in slide["cells"]:
            colour = mean_colour(frame, cell["box"])
            assert close(colour, COLOURS[cell["message"]], tol=18), (slide["index"], cell, colour)


def test_a_second_render_reuses_every_shape_and_calls_nothing_stale(rendered: tuple[Path, str]) -> None:
    folder, _ = rendered
    again = _collage("render", folder, "-q")
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("segments: 0 encoded") == 3, again.stdout
    assert "made from an older version" not in again.stderr  # the other shapes' segments are in use
    pruned = _collage("cache", "prune", folder)
    assert pruned.returncode == 0 and ": 0 unused file(s) deleted" in pruned.stdout, pruned.stdout


def test_one_rendition_alone_and_an_unknown_one(rendered: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = rendered
    target = tmp_path / "only.mp4"
    one = _collage("render", folder, "-q", "--rendition", "360x360", "-o", target, "--no-sidecars")
    assert one.returncode == 0, one.stderr
    assert one.stdout.count("wrote ") == 1 and list(tmp_path.glob("*.mp4")) == [target]  # at -o, exactly
    assert probe(target)["video"]["width"] == 360
    bad = _collage("render", folder, "--rendition", "wide", "-o", tmp_path / "x.mp4")
    assert bad.returncode == 1
    assert "--rendition wide: not one of the shapes" in bad.stderr and "360x640, 360x360" in bad.stderr
    assert "Traceback" not in bad.stderr and not list(tmp_path.glob("x*.mp4"))


def test_translations_show_under_captions_where_there_is_room(rendered: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = rendered
    cells = [c for s in _plan(folder, "360x640")["slides"] for c in s.get("cells", [])]
    assert cells and all(c.get("translation") == "你好" for c in cells)
    # The lines are planned for it: each caption band is a line taller than the same caption's without.
    plain = _folder(tmp_path)
    data = yaml.safe_load((plain / "collage.yaml").read_text())
    data["style"] = {"translations": "sidecars"}
    (plain / "collage.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    without = [c for s in _plan(plain, "360x640")["slides"] for c in s.get("cells", [])]
    assert without and not any("translation" in c for c in without)
    assert min(c["caption_box"][3] for c in cells) > max(c["caption_box"][3] for c in without)


def test_check_names_a_sign_too_small_to_read_on_any_shape(tmp_path: Path) -> None:
    folder = tmp_path / "signs"
    face_with_sign(folder / "photos" / "p0.jpg")
    data = (folder / "photos" / "p0.jpg").read_bytes()
    ids = [f"p{i}" for i in range(12)]
    for i in ids[1:]:
        (folder / "photos" / f"{i}.jpg").write_bytes(data)
    manifest: dict[str, Any] = {
        "video": {"size": "1080p", "renditions": ["square"]},
        "timing": {"slide": "auto", "max": "60s"},
        "sequence": [{"grid": "6x2", "messages": "all"}],
        "messages": [{"id": i, "photo": f"photos/{i}.jpg", "name": f"N{i}", "approved": True} for i in ids],
    }
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    small = _collage("check", folder)
    assert small.returncode == 0, small.stderr
    warned = [line for line in small.stderr.splitlines() if "the sign of message" in line]
    assert any("'p0'" in line and "of the frame's height on slide 0" in line for line in warned), small.stderr
    assert not any("rendition" in line for line in warned)  # the square rendition lays them out large enough
    manifest["sequence"] = [{"grid": "auto", "messages": "all"}]
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    fine = _collage("check", folder)
    assert fine.returncode == 0 and "the sign of message" not in fine.stderr, fine.stderr


def test_no_video_or_file_beside_it_replaces_a_source(tmp_path: Path) -> None:
    """Sources are only read: the poster, captions and transcript beside a video (of any shape) may not
    land on a photo the manifest names, approved or not."""
    folder = tmp_path / "src"
    for ident in ("a", "a.360x360", "pending"):
        solid(folder / "photos" / f"{ident}.jpg", RED)
    manifest: dict[str, Any] = {
        "video": {"size": "640x360", "fps": 10, "renditions": ["360x360"]},
        "timing": {"title": "1s", "slide": "1s", "transition": "0s"},
        "messages": [{"id": "a", "photo": "photos/a.jpg", "name": "A", "approved": True},
                     {"id": "b", "photo": "photos/a.360x360.jpg", "name": "B", "approved": True},
                     {"id": "p", "photo": "photos/pending.jpg", "name": "P", "approved": False}],
    }
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    before = {p: p.read_bytes() for p in (folder / "photos").iterdir()}
    for target in ("photos/a.mp4", "photos/pending.mp4"):  # the main poster; the rendition's; an unapproved photo
        result = _collage("render", folder, "-q", "--no-cache", "-o", folder / target)
        assert result.returncode == 1, result.stderr
        assert "collage only reads what the organiser put there" in result.stderr and "--no-sidecars" in result.stderr
    assert {p: p.read_bytes() for p in (folder / "photos").iterdir()} == before  # nothing written, nothing changed


def test_a_problem_every_shape_shares_is_reported_once(tmp_path: Path) -> None:
    folder = tmp_path / "dup"
    solid(folder / "photos" / "a.jpg", RED)
    long_name = "Maximiliana Konstantinopoulou-Wolfeschlegelsteinhausen of the Distinguished Faculty of Law " * 3
    manifest: dict[str, Any] = {
        "video": {"size": "640x360", "fps": 10, "renditions": ["360x640"]},
        "sequence": [{"grid": "auto", "messages": "all"}],
        "messages": [{"id": "a", "photo": "photos/a.jpg", "name": long_name, "profession": long_name,
                      "location": long_name, "approved": True}],
    }
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    from collage.render import prepare

    checked = _collage("check", folder)
    cut = [line for line in checked.stderr.splitlines() if "is too long for its box" in line]
    assert len(cut) == 1 and "rendition" not in cut[0], checked.stderr
    jobs = prepare(folder, rendition=None, cache=False)  # the library's own way to every shape
    assert [j.project.rendition for j in jobs] == [None, "360x640"]
    assert sum("is too long for its box" in p.message for j in jobs for p in j.warnings) == 1
