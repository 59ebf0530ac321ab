"""From a checked timeline to the finished MP4.

`segmented`: cut the timeline into segments (holds in GOP-long pieces, and transitions), look each up in
the segment cache (`NullCache` when there is none: the same interface, keeping nothing), turn what is
missing into a task graph (`video.graph`: each different segment once, each slide it needs drawn once,
the music bed beside them), run it through the one executor seam (threads, or a Dask cluster), then join
the segments with ffmpeg's concat demuxer, muxing the bed and chapters and copying every stream.
`single_pass` instead streams the whole video through one encoder (tests, and the single-pass reference).
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collage.audio import bed as audio
from collage.audio import described
from collage.draw.compose import Composer
from collage.ffmpeg import own_processes
from collage.model.project import Project
from collage.model.timeline import Segment, Timeline
from collage.video import graph, keys
from collage.video.cache import Cache, open_cache
from collage.video.encode import (
    Encoder,
    EncodeSpec,
    chapters_file,
    concat_command,
    concat_list,
    join_command,
    run_ffmpeg,
)
from collage.video.executor import executor
from collage.video.prune import every_variant
from collage.video.settings import Settings
from collage.video.tasks import BedTask

Progress = Callable[[int, int], None]  # (frames done, frames in all)
Window = tuple[float, float]  # a part of a longer video: its start, and the whole's length (seconds)


@dataclass(frozen=True)
class Assembled:
    reused: int = 0  # segments taken from the cache
    repeated: int = 0  # segments that play a piece encoded in this run again (a long hold's equal pieces)
    encoded: int = 0  # segments encoded in this run
    stale: tuple[int, int] = (0, 0)  # cached files (and bytes) this manifest no longer uses: `cache prune`


def single_pass(project: Project, timeline: Timeline, settings: Settings, window: Window | None,
                encoder: Encoder, progress: Progress | None) -> Assembled:
    """Every frame drawn in order and written to `encoder`, with the music bed."""
    spec = settings.spec(timeline, project.title, encoder.pixel_format)
    total = timeline.frames
    with tempfile.TemporaryDirectory(prefix="collage-") as tmp:
        words = tuple(described.Said(s.start / timeline.fps + (window[0] if window else 0.0), s.clip)
                      for s in keys.said(project, timeline, settings.cache_dir))
        bed = (described.build(project.folder, project.music, timeline.duration, words, Path(tmp) / "bed.wav",
                               ("-c:a", "pcm_s16le"), window) if words else
               audio.build_bed(project.folder, project.music, timeline.duration, Path(tmp) / "bed.wav", window=window))
        composer = Composer(project.folder, timeline, project.theme, manifest_name=project.manifest.name,
                            pixel_format=encoder.pixel_format, size=settings.size)
        with encoder.session(settings.output, spec, bed) as sink:
            for done, frame in enumerate(composer.frames(), start=1):
                sink.write(frame)
                if progress and (done % 10 == 0 or done == total):
                    progress(done, total)
    return Assembled()


def segmented(project: Project, timeline: Timeline, settings: Settings, window: Window | None,
              progress: Progress | None) -> Assembled:
    """Encode what the cache lacks, as a task graph, and join it all into `settings.output`."""
    spec = settings.spec(timeline, project.title)
    cache = open_cache(settings.cache_dir, settings.cache_limit)
    scratch = cache.scratch()
    try:
        tool = keys.tool(cache.digests)
        named = keys.of_render(project, timeline, spec, cache.digests, tool, cache.durable, window, settings.cache_dir)
        run_files: list[Path | None] = [cache.lookup(k) for k in named.run]
        needed = {i for r, f in zip(named.runs, run_files, strict=True) if f is None for i in r}
        files: list[Path | None] = [cache.lookup(k) if i in needed else None for i, k in enumerate(named.segment)]
        copies = graph.work(named.segment, needed, [f is not None for f in files])
        bed_file = cache.lookup(named.bed, ".m4a")
        words = tuple(described.Said(s.start / timeline.fps + (window[0] if window else 0.0), s.clip)
                      for s in named.said)  # (a proof's words, where they play in the whole video)
        bed_task = None if bed_file else BedTask(project.folder, project.music, spec, scratch / "bed.m4a", window,
                                                 words)
        work = graph.build(project, timeline, spec, named.segments, list(copies), bed_task, scratch)
        done = sum(g.frames for i, g in enumerate(named.segments) if i not in needed or files[i] is not None)
        if progress:
            progress(done, timeline.frames)

        def finished(node: graph.Node, path: Path) -> None:
            nonlocal done, bed_file
            if node.name == "bed":
                bed_file = cache.store(named.bed, path, ".m4a")
                return
            kind, _, number = node.name.partition("-")
            if kind != "segment":
                return
            stored = cache.store(named.segment[int(number)], path)
            for j in copies[int(number)]:
                files[j] = stored
                done += named.segments[j].frames
            if progress:
                progress(done, timeline.frames)

        trace: list[dict[str, Any]] = []  # each task, how long it took, what it needed
        phase = time.monotonic()
        with own_processes() as processes, executor(settings.jobs, settings.cluster, settings.cache_dir,
                                                    project.folder, tool, processes, len(work)) as (run, ahead):
            graph.execute(work, run, ahead, finished, trace)
        timings = {"encode_seconds": round(time.monotonic() - phase, 3)}
        phase = time.monotonic()
        joined = _join(named, files, run_files, bed_file, cache, spec, scratch, settings.output)
        timings["join_seconds"] = round(time.monotonic() - phase, 3)
        cache.write_record({**_record(named, set(copies), settings.output, joined), **timings, "tasks": trace})
        cache.prune(keep=named.all)
        stale = cache.unused(named.all, lambda: named.all.union(*(
            used or set() for used in every_variant(project, cache, tool))), project.manifest.stat().st_mtime)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        cache.digests.save()
    produced = sum(len(group) for group in copies.values())  # encoded here, or repeating one that was
    return Assembled(reused=len(named.segments) - produced, encoded=len(copies), repeated=produced - len(copies),
                     stale=stale)


def _join(named: keys.Keys, files: list[Path | None], run_files: list[Path | None], bed: Path | None, cache: Cache,
          spec: EncodeSpec, scratch: Path, output: Path) -> set[int]:
    """Join the runs (a run of one segment is that segment; the others are joined, copied and not
    encoded, and kept in the cache), then the runs with the bed and the chapters into `output`. Returns
    which runs were joined."""
    if bed is None:
        raise RuntimeError("the graph finished without the music bed")
    for k, r in enumerate(named.runs):
        if len(r) == 1:
            run_files[k] = files[r[0]]
    joined = {k for k, f in enumerate(run_files) if f is None}
    for k in sorted(joined):
        members = concat_list([p for p in (files[i] for i in named.runs[k]) if p is not None], scratch / f"run-{k}.txt")
        made = run_ffmpeg(functools.partial(concat_command, spec, members), scratch / f"run-{k}.mp4")
        run_files[k] = cache.store(named.run[k], made)
    chapters = chapters_file(spec, scratch / "chapters.txt") if spec.chapters else None
    listing = concat_list([f for f in run_files if f is not None], scratch / "segments.txt")
    run_ffmpeg(lambda target: join_command(spec, listing, bed, target, chapters), output)
    return joined


def _record(named: keys.Keys, encoded: set[int], output: Path, joined: set[int]) -> dict[str, Any]:
    segs: list[Segment] = named.segments
    return {
        "output": str(output),
        "segments": [{"start": g.start, "frames": g.frames, "kind": g.kind, "a": g.a, "b": g.b, "key": k,
                      "encoded": i in encoded} for i, (g, k) in enumerate(zip(segs, named.segment, strict=True))],
        "runs": [{"key": k, "segments": r, "joined": i in joined}
                 for i, (r, k) in enumerate(zip(named.runs, named.run, strict=True))],
        "encoded": len(encoded),
        "reused": len(segs) - len(encoded),
    }
