"""The render as a task graph, and the one executor that runs it.

    work(seg_keys, runs, cached)         which segments to encode: each different one once (pure)
    build(project, timeline, spec, ...)  the graph of tasks that encodes them (pure: no pixels, no I/O)
    execute(graph, runner, window, ...)  runs a graph on any `workers.Runner` (threads, inline, Dask)

The graph: `draw_slide` for each slide a still segment shows, `encode_segment` for each segment (needing
its slides; a moving segment draws its own frames), and `encode_bed` beside them. The joins are not in
it: they read what the tasks wrote and stay on the machine that writes the output.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from collage.model.project import Project
from collage.model.timeline import Segment, Timeline
from collage.video.encode import EncodeSpec
from collage.video.tasks import (
    BedTask,
    Moving,
    SegmentTask,
    SlideTask,
    draw_slide,
    encode_bed,
    encode_segment,
    segment_spec,
    timed,
)
from collage.video.workers import Runner


@dataclass(frozen=True)
class Node:
    name: str  # unique in its graph: "slide-3", "segment-7", "bed"
    fn: Callable[[Any], Path]
    task: Any  # a frozen description naming everything the task needs (video.tasks)
    needs: tuple[str, ...] = ()
    scratch: bool = False  # its output only feeds other nodes: deleted once they are all done


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]  # each after the nodes it needs: the order work is handed out in

    def __len__(self) -> int:
        return len(self.nodes)


def work(seg_keys: Sequence[str], needed: set[int], cached: Sequence[bool]) -> dict[int, list[int]]:
    """The segments to encode: for each different key among the needed segments the cache does not
    hold, its first index -> every index that plays it (a long hold's equal pieces, a slide shown twice)."""
    same: dict[str, list[int]] = {}
    for i, key in enumerate(seg_keys):
        if i in needed and not cached[i]:
            same.setdefault(key, []).append(i)
    return {group[0]: group for group in same.values()}


def build(project: Project, timeline: Timeline, spec: EncodeSpec, segs: Sequence[Segment], encode: Sequence[int],
          bed: BedTask | None, scratch: Path) -> Graph:
    """The tasks that encode the segments numbered in `encode` (in that order) and the bed, writing
    under `scratch`. Each slide a still segment shows is drawn once, just before its first user."""
    design = (timeline.width, timeline.height)
    nodes: list[Node] = [Node("bed", encode_bed, bed)] if bed is not None else []
    drawn: set[int] = set()
    for i in encode:
        g = segs[i]
        target = scratch / f"segment-{i}.mp4"
        if g.moving:  # drawn frame by frame inside its own task
            slides = (None if g.a is None else timeline.slides[g.a],
                      None if g.kind == "hold" or g.b is None else timeline.slides[g.b])
            moving = Moving(project.folder, slides, project.theme, project.manifest.name, design)
            task = SegmentTask(g, None, None, replace(segment_spec(spec, g), pixel_format="rgb24"), target, moving)
            nodes.append(Node(f"segment-{i}", encode_segment, task))
            continue
        shown = [x for x in ((g.a, g.b) if g.kind == "blend" else (g.a,)) if x is not None]
        for x in shown:
            if x not in drawn:
                drawn.add(x)
                nodes.append(Node(f"slide-{x}", draw_slide, SlideTask(
                    project.folder, timeline.slides[x], (spec.width, spec.height), project.theme,
                    project.manifest.name, spec.pixel_format, _slide_file(scratch, x), design), scratch=True))
        a = _slide_file(scratch, g.a) if g.a is not None else None
        b = _slide_file(scratch, g.b) if g.kind == "blend" and g.b is not None else None
        nodes.append(Node(f"segment-{i}", encode_segment, SegmentTask(g, a, b, segment_spec(spec, g), target),
                          tuple(f"slide-{x}" for x in shown)))
    return Graph(tuple(nodes))


def _slide_file(scratch: Path, index: int) -> Path:
    return scratch / f"slide-{index}.npy"


def execute(graph: Graph, run: Runner, window: int, done: Callable[[Node, Path], None],
            trace: list[dict[str, Any]] | None = None) -> None:
    """Run every node on `run`, at most `window` at once, each once the nodes it needs are done, handing
    work out in the graph's order (so slides are drawn just before the segments that show them, and few
    drawn slides wait on disk). `done(node, output)` is called here, in this thread, as each finishes;
    `trace` gets each node's name, duration and needs."""
    by_name = {node.name: node for node in graph.nodes}
    users = Counter(x for node in graph.nodes for x in node.needs)
    outputs: dict[str, Path] = {}
    pending = deque(graph.nodes)
    in_flight = 0
    while pending or in_flight:
        # Look a little past the window: a segment waiting for its slide must not hold up the slides after it.
        for node in list(itertools.islice(pending, window)):
            if in_flight >= window:
                break
            if all(x in outputs for x in node.needs):
                pending.remove(node)
                run.submit(functools.partial(timed, node.fn), node.task, node.name)
                in_flight += 1
        if in_flight == 0:
            missing = sorted({x for node in pending for x in node.needs} - set(by_name))
            raise ValueError(f"the task graph cannot go on: it needs {missing or 'a node that needs itself'}")
        name, (path, seconds) = run.next_done()
        in_flight -= 1
        node = by_name[name]
        outputs[name] = path
        if trace is not None:
            trace.append({"task": name, "seconds": round(seconds, 4), "needs": list(node.needs)})
        done(node, path)
        for x in node.needs:
            users[x] -= 1
            if users[x] == 0 and by_name[x].scratch:
                outputs[x].unlink(missing_ok=True)
