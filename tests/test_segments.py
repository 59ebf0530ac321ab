"""Segmented, cached, parallel rendering: the same video as one pass, and only what changed re-encoded."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from collage import build_plan, load
from collage.draw.compose import Composer
from collage.render import render
from collage.video.cache import SegmentCache
from collage.video.encode import FFmpegEncoder

from .support.media import BLUE, CYAN, GREEN, ORANGE, RED, YELLOW, msg, small_manifest, write_folder

pytestmark = pytest.mark.e2e


def _manifest(caption_of_blue: str = "Blue Person") -> dict[str, Any]:
    """Every kind of join: fade-in from black, crossfade, fade through black, slide, cut, fade-out; and a
    moving (Ken Burns) grid, so joins into and out of drawn-every-frame segments are covered too."""
    return small_manifest(
        [msg("red", name="Red Person"), msg("green", name="陳大文"), msg("blue", name=caption_of_blue),
         msg("yellow", name="Yellow"), msg("cyan", name="Cyan"), msg("orange", name="Orange")],
        timing={"title": "1s", "slide": "1.5s", "transition": "0.5s"},
        sequence=[
            {"title": "Messages", "subtitle": "致中国人权律师的话"},
            {"grid": "2x1", "messages": ["red", "green"]},
            {"grid": "2x1", "messages": ["blue", "yellow"], "transition": "fade 0.6s", "motion": "kenburns"},
            {"photo": "cyan", "transition": "slide 0.5s"},
            {"photo": "orange", "transition": "cut"},
            {"title": "Thank you"},
        ],
    )


PHOTOS = {"red": RED, "green": GREEN, "blue": BLUE, "yellow": YELLOW, "cyan": CYAN, "orange": ORANGE}


def _frames(path: Path) -> tuple[list[np.ndarray], list[int]]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        decoded = list(container.decode(stream))
        return [f.to_ndarray(format="rgb24") for f in decoded], [int(f.pts) for f in decoded]


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same folder rendered segmented (2 workers, cached) and in one pass."""
    folder = write_folder(tmp_path_factory.mktemp("segments") / "folder", _manifest(), PHOTOS)
    segmented = render(folder, jobs=2)
    single = folder / "single.mp4"
    render(folder, output=single, encoder=FFmpegEncoder())
    return {"folder": folder, "segmented": segmented, "single": single}


def test_segmented_render_decodes_like_a_single_pass(pair: dict[str, Any]) -> None:
    timeline = pair["segmented"].timeline
    seg_frames, seg_pts = _frames(pair["segmented"].output)
    one_frames, _ = _frames(pair["single"])
    assert len(seg_frames) == len(one_frames) == timeline.frames
    tick = seg_pts[1] - seg_pts[0]
    assert seg_pts == [k * tick for k in range(timeline.frames)]  # no gap, repeat or drift at any join
    assert max(_diff(a, b) for a, b in zip(seg_frames, one_frames, strict=True)) < 1.5


def test_frames_on_both_sides_of_every_join_are_the_planned_ones(pair: dict[str, Any]) -> None:
    timeline = pair["segmented"].timeline
    frames, _ = _frames(pair["segmented"].output)
    truth = Composer(pair["folder"], timeline)
    joins = [s.start for s in timeline.segments()[1:]]
    assert len(joins) >= 8  # fades, crossfades, a slide and a cut
    for j in joins:
        before, after = truth.frame_at(j - 1), truth.frame_at(j)
        assert _diff(frames[j - 1], before) < 4 and _diff(frames[j], after) < 4, j
        if _diff(before, after) > 8:  # a visible step: each side must be nearer its own frame than its neighbour
            assert _diff(frames[j], after) < _diff(frames[j], before), j
            assert _diff(frames[j - 1], before) < _diff(frames[j - 1], after), j


def test_every_segment_starts_on_a_keyframe(pair: dict[str, Any]) -> None:
    import av

    timeline = pair["segmented"].timeline
    with av.open(str(pair["segmented"].output)) as container:
        stream = container.streams.video[0]
        keys = {round(p.pts * stream.time_base * timeline.fps) for p in container.demux(stream) if p.is_keyframe}
    assert {s.start for s in timeline.segments()} <= keys


def test_a_second_render_reuses_every_segment(pair: dict[str, Any], tmp_path: Path) -> None:
    again = render(pair["folder"], jobs=2)
    assert (again.encoded, again.reused) == (0, len(again.timeline.segments()))
    a, _ = _frames(again.output)
    b, _ = _frames(pair["single"])
    assert len(a) == len(b)


def _record(output: Path) -> dict[str, Any]:
    return SegmentCache(output.parent / "collage-cache").last_record()


def test_caption_edit_reencodes_only_the_segments_showing_it(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(_manifest(), PHOTOS)
    first = render(folder, jobs=2)
    assert _record(first.output)["encoded"] == len(first.timeline.segments())
    (folder / "collage.yaml").write_text(yaml.safe_dump(_manifest("Blue Person, Esq."), allow_unicode=True),
                                         encoding="utf-8")
    edited = render(folder, jobs=2)
    slide = next(s.index for s in edited.timeline.slides if "blue" in s.messages)
    record = _record(edited.output)
    encoded = [(s["a"], s["b"]) for s in record["segments"] if s["encoded"]]
    # the slide's own hold, the transition into it and the one out of it; nothing else
    assert sorted(encoded, key=str) == sorted([(slide - 1, slide), (slide, None), (slide, slide + 1)], key=str)
    assert edited.encoded == 3
    scratch = render(folder, output=folder / "scratch.mp4", cache=False, jobs=1)
    a, _ = _frames(edited.output)
    b, _ = _frames(scratch.output)
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_moving_a_slide_reuses_its_hold(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(_manifest(), PHOTOS)
    render(folder, jobs=1)
    manifest = _manifest()
    seq = manifest["sequence"]
    seq[3]["photo"], seq[4]["photo"] = seq[4]["photo"], seq[3]["photo"]  # swap them, transitions stay
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    moved = render(folder, jobs=1)
    holds = [s for s in _record(moved.output)["segments"] if s["kind"] == "hold"]
    assert not any(s["encoded"] for s in holds)  # the same pictures, only in another place


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "entries").rglob("*.mp4"))


@pytest.mark.parametrize("damage", ["cut-off", "no-record", "corrupted"])
def test_a_damaged_cache_entry_is_never_used(make_folder: Callable[..., Path], damage: str) -> None:
    folder = make_folder(_manifest(), PHOTOS)
    first = render(folder, jobs=1)
    expected, _ = _frames(first.output)
    cache = first.output.parent / "collage-cache"
    record = _record(first.output)
    index, victim = next((i, s) for i, s in enumerate(record["segments"]) if s["kind"] == "hold" and s["frames"] > 5)
    run = next(r for r in record["runs"] if index in r["segments"])  # the joined run holding it, too
    sizes = {}
    for key in (victim["key"], run["key"]):
        entry = next(p for p in _entries(cache) if p.stem == key)
        data = entry.read_bytes()
        sizes[key] = len(data)
        if damage == "cut-off":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "no-record":
            entry.with_suffix(".json").unlink()
        else:
            middle = len(data) // 2
            entry.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    again = render(folder, jobs=1)
    after = _record(again.output)
    assert [s["key"] for s in after["segments"] if s["encoded"]] == [victim["key"]]
    assert [r["key"] for r in after["runs"] if r["joined"]] == [run["key"]]
    for key, size in sizes.items():
        entry = next(p for p in _entries(cache) if p.stem == key)
        assert json.loads(entry.with_suffix(".json").read_text())["size"] == size == len(entry.read_bytes())
    frames, _ = _frames(again.output)
    assert all(np.array_equal(x, y) for x, y in zip(frames, expected, strict=True))


def test_jobs_1_and_2_give_identical_files(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(_manifest(), PHOTOS)
    one = render(folder, output=folder / "one.mp4", jobs=1, cache=False)
    two = render(folder, output=folder / "two.mp4", jobs=2, cache=False)
    assert one.output.read_bytes() == two.output.read_bytes()
    assert not (folder / "collage-cache").exists()


def test_cache_is_pruned_oldest_first(tmp_path: Path) -> None:
    cache = SegmentCache(tmp_path / "cache", limit=2500)
    aa, bb, cc, dd = (k * 10 for k in ("aa01", "bb02", "cc03", "dd04"))  # keys are 40 hex digits
    for i, key in enumerate([aa, bb, cc, dd]):
        produced = tmp_path / f"{key}.bin"
        produced.write_bytes(bytes([i]) * 1000)
        cache.store(key, produced)
        stamp = time.time() - 100 + i
        os.utime(cache.entries / key[:2] / f"{key}.json", (stamp, stamp))
    assert cache.lookup(aa) is not None  # used just now: the newest
    stale = cache.root / "tmp" / "run-dead"
    stale.mkdir()
    os.utime(stale, (0, 0))
    cache.prune(keep={bb})
    left = sorted(p.stem for p in _entries_any(cache.root))
    assert left == [aa, bb]  # cc03 (oldest not kept) and dd04 went; bb02 was in use
    assert not stale.exists()


def _entries_any(root: Path) -> list[Path]:
    return [p for p in (root / "entries").rglob("*.mp4")]


def test_slide_keys_follow_what_is_drawn_not_where(make_folder: Callable[..., Path]) -> None:
    from collage.model.theme import DEFAULT
    from collage.store import FileDigests
    from collage.video import keys
    from collage.video.encode import EncodeSpec

    folder = make_folder(_manifest(), PHOTOS)
    digests = FileDigests(None)
    tool = keys.tool(digests)
    spec = EncodeSpec(320, 180, 10, 100, "t")
    timeline = build_plan(load(folder))
    grid = timeline.slides[1]
    key = keys.slide(grid, folder, DEFAULT, spec, digests, tool)
    from dataclasses import replace

    assert keys.slide(replace(grid, index=9, start=500, frames=99), folder, DEFAULT, spec, digests, tool) == key
    worded = replace(DEFAULT, music_cue="[musique]")  # the caption files' words, drawn in no frame
    assert keys.slide(grid, folder, worded, spec, digests, tool) == key
    assert keys.slide(grid, folder, replace(DEFAULT, caption=(1, 2, 3)), spec, digests, tool) != key
    edited = replace(grid, cells=(replace(grid.cells[0], caption="Someone else"), *grid.cells[1:]))
    assert keys.slide(edited, folder, DEFAULT, spec, digests, tool) != key
    assert keys.slide(grid, folder, DEFAULT, replace(spec, width=640, height=360), digests, tool) != key
    (folder / "photos" / "red.jpg").write_bytes((folder / "photos" / "red.jpg").read_bytes() + b"\0")
    assert keys.slide(grid, folder, DEFAULT, spec, FileDigests(None), tool) != key  # the photo's bytes count
    seg = timeline.segments()[2]
    assert keys.segment(seg, key, None, spec, tool) != keys.segment(seg, key, None, replace(spec, crf=20), tool)


def test_equal_pieces_of_a_long_hold_are_encoded_once(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red", name="R"), msg("blue", name="B")],
                                        sequence=[{"photo": "red", "duration": "10s"}, {"photo": "blue"}]),
                         {"red": RED, "blue": BLUE})
    result = render(folder, jobs=2)
    record = _record(result.output)
    pieces = [s for s in record["segments"] if s["kind"] == "hold" and s["a"] == 0]
    assert len(pieces) >= 4 and len({s["key"] for s in pieces if s["frames"] == 20}) == 1
    assert sum(s["encoded"] for s in pieces if s["frames"] == 20) == 1  # one encode serves every equal piece
    assert result.reused == 0 and result.repeated == sum(1 for s in pieces if s["frames"] == 20) - 1
    frames, pts = _frames(result.output)
    assert len(frames) == result.timeline.frames and pts == sorted(set(pts))
    start = result.timeline.slides[0]
    hold = frames[start.start + 10:start.end - 10]
    assert max(_diff(f, hold[0]) for f in hold) < 1.0  # the repeated piece plays as one still slide
    scratch = render(folder, output=folder / "scratch.mp4", cache=False, jobs=1)
    again, _ = _frames(scratch.output)
    assert all(np.array_equal(x, y) for x, y in zip(frames, again, strict=True))  # without a cache, the same


def test_a_file_of_remembered_facts_nested_too_deep_is_forgotten_not_a_crash(tmp_path: Path) -> None:
    """A cache file is read as it is found: one nested deeper than the JSON reader can follow (damaged,
    or written to trip it) is forgotten like any unreadable one."""
    from collage.store import FileFacts

    store = tmp_path / "digests.json"
    store.write_text("[" * 100_000)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    facts = FileFacts(store, lambda path: "computed")
    assert facts(photo) == "computed"
