"""Planner invariants over many random timings: segments tile the video exactly, at any fps."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest

from collage import build_plan, load
from collage.model.project import Message
from collage.plan import caption_text, layout

from .support.media import RED, solid, write_folder

pytestmark = pytest.mark.pure


def _folder(tmp_path: Path, durations: list[float], transition: float, fps: int) -> Path:
    lines = [f"video: {{size: 320x180, fps: {fps}}}", f"timing: {{transition: {transition}}}", "sequence:"]
    for i, d in enumerate(durations):
        lines.append(f"  - title: T{i}\n    duration: {d}")
    # One approved message (a video shows one), left out of this title-only sequence with a warning.
    lines.append("messages:\n  - photo: photos/a.jpg\n    approved: true")
    return write_folder(tmp_path, "\n".join(lines) + "\n", {"a": RED})


@pytest.mark.parametrize("seed", range(40))
def test_segments_tile_the_timeline(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    fps = rng.choice([1, 10, 24, 25, 30, 60])
    durations = [round(rng.uniform(0.01, 4), 3) for _ in range(rng.randint(1, 6))]
    transition = round(rng.uniform(0, 3), 2)
    timeline = build_plan(load(_folder(tmp_path, durations, transition, fps)))
    for max_hold in (None, 2 * fps, 3):
        pos = 0
        for seg in timeline.segments(max_hold):
            assert seg.start == pos and seg.frames > 0
            assert seg.kind == "blend" or max_hold is None or seg.frames <= max_hold
            pos += seg.frames
        assert pos == timeline.frames
    whole = {(s.start, s.a) for s in timeline.segments() if s.kind == "hold"}
    assert whole <= {(s.start, s.a) for s in timeline.segments(3) if s.kind == "hold"}  # pieces start at the hold
    for s in timeline.slides:
        assert s.frames >= 1 and 0 <= s.transition <= s.frames
    lengths = [max(d, 1 / fps) for d in durations]
    overlaps = [min(transition, a / 2, b / 2) for a, b in itertools.pairwise(lengths)]
    assert abs(timeline.frames - (sum(lengths) - sum(overlaps)) * fps) <= 1


def test_preview_fps_keeps_the_same_timeline(tmp_path: Path) -> None:
    project = load(_folder(tmp_path, [1.0, 2.0, 2.5, 1.3], 0.5, 30))
    full, preview = build_plan(project), build_plan(project, (160, 90), 15)
    assert abs(full.duration - preview.duration) <= 1 / 15
    for a, b in zip(full.slides, preview.slides, strict=True):
        assert abs(a.start / 30 - b.start / 15) <= 1 / 15


@pytest.mark.parametrize(("parts", "caption"), [
    (("Alice", "Teacher", "Taipei"), "Alice · Teacher · Taipei"),
    (("Alice", None, "Taipei"), "Alice · Taipei"),
    ((None, "Teacher", None), "Teacher"),
    ((None, None, None), None),
])
def test_caption_drops_missing_parts(parts: tuple[str | None, ...], caption: str | None) -> None:
    m = Message("x", "p.jpg", name=parts[0], profession=parts[1], location=parts[2])
    assert caption_text(m) == caption


def test_a_rendition_lays_the_grid_out_for_its_own_frame(tmp_path: Path) -> None:
    """`grid: 2x2` is kept on the frame it was written for; the vertical rendition shows the same
    messages, in order, fewer to a slide and each large, filling its frame."""
    ids = [f"m{i}" for i in range(6)]
    lines = ["video: {size: 1080p, renditions: [vertical, square, 4k]}", "sequence:", "  - grid: 2x2",
             "    messages: all", "messages:"]
    lines += [f"  - {{id: {i}, photo: photos/{i}.jpg, name: Person {i}, approved: true}}" for i in ids]
    project = load(write_folder(tmp_path, "\n".join(lines) + "\n", dict.fromkeys(ids, RED), size=(800, 600)))
    main = build_plan(project)
    assert [len(s.cells) for s in main.slides] == [3, 3]  # 2x2, six spread evenly
    large = build_plan(project.shaped("4k"))  # the same shape, larger: the manifest's 2x2 holds
    assert [len(s.cells) for s in large.slides] == [3, 3]
    for big, small in zip(large.slides, main.slides, strict=True):
        for a, b in zip(big.cells, small.cells, strict=True):
            assert all(abs(x - 2 * y) <= 2 for x, y in zip(a.box.as_list(), b.box.as_list(), strict=True))
    for name in ("vertical", "square"):
        shaped = build_plan(project.shaped(name))
        w, h = shaped.width, shaped.height
        assert (w, h) == project.shaped(name).size
        assert [c.message for s in shaped.slides for c in s.cells] == ids
        assert all(len(s.cells) <= 2 for s in shaped.slides) if name == "vertical" else True
        for s in shaped.slides:
            boxes = [layout.CellBoxes(c.box, c.caption_box, c.caption_lines) for c in s.cells]
            assert layout.filled(boxes, w, h) >= layout.MIN_FILL
            assert all(layout.shown_height(c.box, 4 / 3) >= layout.MIN_SHOWN * h - 1 for c in s.cells)


def test_a_rendition_of_a_large_grid_plans_at_once_and_by_the_photos_real_shapes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rendition lays `grid: 6x6` out as `grid: auto` does (at most four a slide: the search over rows
    is exponential in the photos a slide), and by the photos' real shapes even when no grid in the
    manifest is `auto`: wide panoramas on a vertical frame go one above another, each as large as it would
    be alone. The work is counted, not
    timed: every search over a slide's arrangements is over at most four photos (22 ways), and there are
    a few a photo."""

    searches: list[int] = []
    real_trees = layout._trees

    def counted(count: int) -> list[layout.Tree]:
        searches.append(count)
        assert count <= layout.MAX_PER_SLIDE, f"a search over {count} photos' arrangements"
        return real_trees(count)

    monkeypatch.setattr(layout, "_trees", counted)

    ids = [f"m{i}" for i in range(36)]
    lines = ["video: {size: 1080p, renditions: [vertical]}", "sequence:", "  - grid: 6x6", "    messages: all",
             "messages:"]
    lines += [f"  - {{id: {i}, photo: photos/{i}.jpg, approved: true}}" for i in ids]
    project = load(write_folder(tmp_path, "\n".join(lines) + "\n", dict.fromkeys(ids, RED), size=(800, 400)))  # 2:1
    tall = build_plan(project.shaped("vertical"))
    assert searches and len(searches) <= 8 * len(ids), len(searches)
    assert [c.message for s in tall.slides for c in s.cells] == ids
    assert all(len(s.cells) <= layout.MAX_PER_SLIDE for s in tall.slides)
    for s in tall.slides:  # each at least MIN_SHOWN tall, or as tall as alone (across the frame's width)
        for c in s.cells:
            assert len(s.cells) == 1 or layout.shown_height(c.box, 2.0) >= layout.MIN_SHOWN * 1920 - 1 \
                or c.box.w >= layout.safe_area(1080, 1920).w - 1


def test_a_grid_with_no_room_for_its_photos_is_an_error_not_a_crash(tmp_path: Path) -> None:
    ids = "abcdef"
    folder = write_folder(tmp_path, "video: {size: 64x64}\nsequence:\n  - grid: 1x6\n    messages: all\nmessages:\n"
                          + "".join(f"  - {{photo: photos/{i}.jpg, name: A long enough name, approved: true}}\n"
                                    for i in ids), dict.fromkeys(ids, RED))
    errors = [p for p in build_plan(load(folder)).warnings if p.severity == "error"]
    assert errors and "leaves no room for its photos on a 64x64 frame" in errors[0].message
    assert errors[0].line == 3  # the grid item


def test_a_fixed_grid_that_shows_its_photos_small_says_so_and_what_does_better(tmp_path: Path) -> None:
    """`grid: 2x2` is honoured as written, but four photos of a phone's shapes on a 16:9 frame leave half
    its width empty (the rows are as tall as the frame allows): the photos cover under MIN_FILL of the
    frame. The editor is told so, with the measured share, and what lays them out larger; `grid: auto`
    on the same photos is not warned about, and neither is a fixed grid that fills the frame."""
    shapes = {"p0": (300, 400), "l0": (400, 300), "p1": (300, 400), "l1": (400, 300)}

    def plan(grid: str, sizes: dict[str, tuple[int, int]]) -> list[str]:
        lines = ["sequence:", "  - photo: waiting", f"  - grid: {grid}", "    messages: all", "messages:",
                 "  - {id: waiting, photo: photos/p0.jpg, approved: false}"]  # an item the loader drops
        lines += [f"  - {{id: {i}, photo: photos/{i}.jpg, name: Someone {i}, approved: true}}" for i in sizes]
        folder = tmp_path / f"{grid}-{len(sizes)}-{next(iter(sizes.values()))[0]}"
        folder.mkdir()
        write_folder(folder, "\n".join(lines) + "\n",
                     {i: (lambda path, size=size: solid(path, RED, size)) for i, size in sizes.items()})
        return [f"{p.line}: {p.field}: {p.message} ({p.hint})" for p in build_plan(load(folder)).warnings]

    small = [w for w in plan("2x2", shapes) if "of the frame" in w]
    assert len(small) == 1, small
    assert small[0].startswith("3: sequence[1].grid: grid: 2x2 shows its photos on ") and "`grid: auto`" in small[0]
    share = float(small[0].split("shows its photos on ")[1].split("%")[0])
    assert 30 <= share < 100 * layout.MIN_FILL
    assert not [w for w in plan("auto", shapes) if "of the frame" in w]
    wide = {k: (1600, 900) for k in shapes}  # four 16:9 photos fill a 16:9 frame's 2x2 grid
    assert not [w for w in plan("2x2", wide) if "of the frame" in w]
    # Five: slides of 3 and 2, the pair a little under 40 %: the grid as a whole is not said to be small.
    assert not [w for w in plan("2x2", {**wide, "w4": (1600, 900)}) if "of the frame" in w]


def test_a_grid_cut_is_worked_out_once_and_remembered_by_what_it_depends_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`grid: auto` cuts its photos into slides by a search that costs most of a one-slide `still`; the
    cut is remembered in the cache folder by a digest of what it depends on (the photos' shapes, the
    captions, the frame), so the next command plans without searching and gets the same plan. A changed
    caption is searched again; a memo that does not add up, or is not JSON, is not believed."""
    from collage import pipeline
    from collage.outputs import targets

    ids = [f"m{i}" for i in range(9)]
    lines = ["sequence:", "  - grid: auto", "    messages: all", "messages:"]
    lines += [f"  - {{id: {i}, photo: photos/{i}.jpg, name: Person {i}, approved: true}}" for i in ids]
    folder = write_folder(tmp_path / "f", "\n".join(lines) + "\n",
                          {i: (lambda path, k=k: solid(path, RED, (400, 300) if k % 3 else (300, 400)))
                           for k, i in enumerate(ids)})
    searches: list[int] = []
    real = layout.page_sizes

    def counted(*args: object, **kwargs: object) -> list[int]:
        searches.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(layout, "page_sizes", counted)
    project = load(folder)
    memo = targets.memo_folder(project)
    assert memo is not None
    first = pipeline.timeline(project, memo=memo)
    assert searches == [1]
    again = pipeline.timeline(load(folder), memo=memo)
    assert searches == [1] and again.to_dict() == first.to_dict()
    assert all(c not in (memo / "grid-cuts.json").read_text() for c in ("Person", "m0", "photos"))
    (folder / "collage.yaml").write_text("\n".join(lines).replace("Person m4", "Person Four") + "\n")
    pipeline.timeline(load(folder), memo=memo)
    assert searches == [1, 1]
    stored = (memo / "grid-cuts.json").read_text()
    (memo / "grid-cuts.json").write_text(re.sub(r"\[(?=\d)", "[7, ", stored))  # each cut adds up to 7 more
    assert pipeline.timeline(load(folder), memo=memo).to_dict() == pipeline.timeline(load(folder)).to_dict()
    (memo / "grid-cuts.json").write_text("{not json")
    pipeline.timeline(load(folder), memo=memo)
    (memo / "grid-cuts.json").write_text("[" * 100_000)  # nested past what the JSON reader can follow
    pipeline.timeline(load(folder), memo=memo)
    assert len(searches) == 6
