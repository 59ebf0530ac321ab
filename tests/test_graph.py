"""The render as a task graph: which segments are encoded, the tasks that encode them, and the executor
that runs any graph on any runner (no pixels, no ffmpeg here: the tasks are stand-ins)."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from collage import build_plan, load
from collage.video import graph
from collage.video.encode import EncodeSpec, gop_frames
from collage.video.tasks import BedTask, SegmentTask, SlideTask
from collage.video.workers import Inline, Threads

from .support.media import BLUE, RED, write_folder

pytestmark = pytest.mark.pure


def test_work_encodes_each_different_missing_segment_once() -> None:
    keys = ["a", "b", "a", "c", "a", "d"]
    cached = [False, False, False, True, False, False]
    needed = {0, 1, 2, 3, 4}  # 5's run is in the cache
    assert graph.work(keys, needed, cached) == {0: [0, 2, 4], 1: [1]}
    assert graph.work(keys, set(), cached) == {}


def _timeline(tmp_path: Path, motion: str = "none") -> Any:
    project = load(write_folder(
        tmp_path, "video: {size: 320x180, fps: 10}\ntiming: {title: 1s, slide: 4s, transition: 0.5s}\n"
        f"sequence:\n  - title: Hello\n  - {{photo: a, motion: {motion}}}\n  - photo: b\n  - photo: a\n"
        "  - title: End\n"
        "messages:\n  - {photo: photos/a.jpg, approved: true}\n  - {photo: photos/b.jpg, approved: true}\n",
        {"a": RED, "b": BLUE}))
    return project, build_plan(project)


def test_build_draws_each_still_slide_once_before_its_first_user(tmp_path: Path) -> None:
    project, timeline = _timeline(tmp_path)
    spec = EncodeSpec(320, 180, timeline.fps, timeline.frames, "")
    segs = timeline.segments(max_hold=gop_frames(timeline.fps))
    bed = BedTask(project.folder, project.music, spec, tmp_path / "bed.m4a")
    work = graph.build(project, timeline, spec, segs, range(len(segs)), bed, tmp_path / "scratch")
    names = [n.name for n in work.nodes]
    assert names[0] == "bed" and len(set(names)) == len(names)
    slides = [n for n in work.nodes if isinstance(n.task, SlideTask)]
    assert sorted(n.name for n in slides) == sorted(f"slide-{i}" for i in range(len(timeline.slides)))
    assert all(n.scratch for n in slides)
    seen: set[str] = set()
    for node in work.nodes:
        assert set(node.needs) <= seen, node.name  # everything a node needs comes before it
        seen.add(node.name)
        if isinstance(node.task, SegmentTask):
            g = node.task.segment
            shown = {x for x in ((g.a, g.b) if g.kind == "blend" else (g.a,)) if x is not None}
            assert set(node.needs) == {f"slide-{x}" for x in shown}
            assert node.task.spec.frames == g.frames and node.task.spec.chapters == ()
    assert len([n for n in work.nodes if isinstance(n.task, SegmentTask)]) == len(segs)
    # Only what is asked for: two segments, and the slides they show.
    some = graph.build(project, timeline, spec, segs, [1, 2], None, tmp_path / "scratch")
    assert {n.name for n in some.nodes} >= {"segment-1", "segment-2"} and "bed" not in {n.name for n in some.nodes}
    assert len(some) == 2 + len({x for i in (1, 2) for x in (segs[i].a, segs[i].b) if x is not None
                                 and (segs[i].kind == "blend" or x == segs[i].a)})


@pytest.mark.frames  # planning Ken Burns looks for faces in the photo's pixels
def test_a_moving_segment_draws_its_own_frames(tmp_path: Path) -> None:
    project, timeline = _timeline(tmp_path, motion="kenburns")
    spec = EncodeSpec(320, 180, timeline.fps, timeline.frames, "")
    segs = timeline.segments(max_hold=gop_frames(timeline.fps))
    moving = [i for i, g in enumerate(segs) if g.moving]
    assert moving
    work = graph.build(project, timeline, spec, segs, moving, None, tmp_path / "scratch")
    assert all(isinstance(n.task, SegmentTask) and n.needs == () and n.task.moving is not None for n in work.nodes)


def _fake(tmp_path: Path, log: list[str], busy: list[int], peak: list[int], lock: threading.Lock) -> Any:
    def fn(task: str) -> Path:
        with lock:
            busy[0] += 1
            peak[0] = max(peak[0], busy[0])
            log.append(f"start {task}")
        time.sleep(0.01)
        out = tmp_path / f"{task}.out"
        out.write_text(task)
        with lock:
            busy[0] -= 1
            log.append(f"end {task}")
        return out
    return fn


@pytest.mark.parametrize("runner", ["inline", "threads"])
def test_execute_runs_each_node_after_its_needs_within_the_window(tmp_path: Path, runner: str) -> None:
    log: list[str] = []
    busy, peak, lock = [0], [0], threading.Lock()
    fn = _fake(tmp_path, log, busy, peak, lock)
    nodes = []
    for i in range(6):
        nodes.append(graph.Node(f"slide-{i}", fn, f"slide-{i}", scratch=True))
        needs = (f"slide-{i}",) if i == 0 else (f"slide-{i - 1}", f"slide-{i}")
        nodes.append(graph.Node(f"segment-{i}", fn, f"segment-{i}", needs))
    work = graph.Graph(tuple(nodes))
    finished: list[str] = []
    trace: list[dict[str, Any]] = []
    run = Inline() if runner == "inline" else Threads(3)
    graph.execute(work, run, 3, lambda node, path: finished.append(node.name), trace)
    run.close()
    assert sorted(finished) == sorted(n.name for n in nodes) and len(trace) == len(nodes)
    for node in nodes:
        for need in node.needs:
            assert log.index(f"end {need}") < log.index(f"start {node.name}")
    assert peak[0] <= 3
    # Scratch outputs (the slides) are deleted once every node that needs them is done; the rest stay.
    assert not list(tmp_path.glob("slide-*.out"))
    assert len(list(tmp_path.glob("segment-*.out"))) == 6
    assert {t["task"] for t in trace} == {n.name for n in nodes}
    assert next(t for t in trace if t["task"] == "segment-3")["needs"] == ["slide-2", "slide-3"]


def _overlap(log: list[str]) -> int:
    """The most tasks running at once, from the order of their start and end events."""
    running = peak = 0
    for event in log:
        running += 1 if event.startswith("start ") else -1
        peak = max(peak, running)
    return peak


@pytest.mark.parametrize("window", [2, 3])
def test_execute_runs_independent_tasks_at_once_up_to_the_window(tmp_path: Path, window: int) -> None:
    """The lower bound beside the upper one: with `window` threads, independent tasks run `window` at a
    time. Each waits at a barrier for `window` of them to have started: a runner that ran them one at a
    time would never fill it (the barrier's timeout only stops such a test from hanging: it is no speed
    limit), and the start/end events, recorded in order under a lock, show the overlap."""
    log: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(window, timeout=60)

    def fn(task: str) -> Path:
        with lock:
            log.append(f"start {task}")
        with contextlib.suppress(threading.BrokenBarrierError):  # alone past the timeout: the overlap says so
            barrier.wait()
        with lock:
            log.append(f"end {task}")
        out = tmp_path / f"{task}.out"
        out.write_text(task)
        return out

    nodes = tuple(graph.Node(f"slide-{i}", fn, f"slide-{i}") for i in range(3 * window))
    run = Threads(window + 1)  # a thread more than the window: the window is what limits
    try:
        graph.execute(graph.Graph(nodes), run, window, lambda node, path: None)
    finally:
        run.terminate()
    assert len(log) == 2 * len(nodes)
    assert _overlap(log) == window, log  # never more than the window, and the window filled
    assert all(e.startswith("start ") for e in log[:window]), log  # the first `window` all began at once


def test_execute_refuses_a_graph_that_cannot_finish(tmp_path: Path) -> None:
    fn = _fake(tmp_path, [], [0], [0], threading.Lock())
    work = graph.Graph((graph.Node("segment-0", fn, "segment-0", ("slide-9",)),))
    with pytest.raises(ValueError, match="slide-9"):
        graph.execute(work, Inline(), 2, lambda node, path: None)
