"""The library's front door: folder in, finished MP4 out.

    manifest.load -> pipeline.timeline (media facts, plan) -> check.media_problems -> (segments) -> join

`Job.run` cuts the timeline into segments (Timeline.segments: holds in GOP-long pieces, and
transitions), looks each up in the segment cache, and encodes only the missing ones (each different
one once), as independent tasks (video.tasks) inline or on --jobs threads. Each slide a missing segment
needs is drawn once per run. Beside them the music bed is built and encoded once for the whole video
(another task); then ffmpeg's concat demuxer joins the segments and muxes the bed and chapters,
copying every stream. `Job.run(encoder=...)` instead streams the whole video
through one encoder (tests, and the single-pass reference).

Settings are resolved once here (built-in defaults, then the manifest, then the caller's flags) and
passed down; nothing reads global configuration.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collage import check, manifest, pipeline
from collage.errors import InputError, Problem
from collage.model.project import Project
from collage.model.timeline import Segment, Timeline
from collage.video.encode import Encoder, EncodeSpec

if TYPE_CHECKING:
    from collage.draw.pixels import PixelFormat
    from collage.video.tasks import BedTask
    from collage.video.workers import Runner

DEFAULT_CACHE_LIMIT = 4 << 30

PREVIEW_SHORT_SIDE = 360
PREVIEW_FPS = 15

Progress = Callable[[int, int], None]  # (frames done, frames in all)


@dataclass(frozen=True)
class Settings:
    size: tuple[int, int]
    fps: int
    output: Path
    crf: int = 19
    preset: str = "medium"
    preview: bool = False
    audio_bitrate: str = "192k"
    sample_rate: int = 48000
    audio_coder: str = "twoloop"
    jobs: int = 1  # segments encoded at once
    cache_dir: Path | None = None  # None: no cache (segments are encoded in a scratch folder)
    cluster: str | None = None  # a Dask scheduler's address: segment tasks run on its workers
    cache_limit: int = DEFAULT_CACHE_LIMIT


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def resolve_settings(project: Project, output: Path | str | None = None, preview: bool = False, *,
                     jobs: int | None = None, cache_dir: Path | str | None = None, cache: bool = True,
                     cluster: str | None = None,
                     cache_limit: int = DEFAULT_CACHE_LIMIT) -> Settings:
    """Defaults, then the manifest, then the caller's choices. The cache lives beside the output, in
    `collage-cache/`, unless `cache_dir` names another folder or `cache` is False."""
    size, fps, crf, preset, audio, coder = project.size, project.fps, 19, "medium", ("192k", 48000), "twoloop"
    out = Path(output).absolute() if output is not None else project.output
    if preview:
        w, h = project.size
        scale = PREVIEW_SHORT_SIDE / min(w, h)
        size, fps, crf, preset = (_even(w * scale), _even(h * scale)), min(project.fps, PREVIEW_FPS), 26, "ultrafast"
        # The output contract's AAC-LC 48 kHz stereo, at a lower bitrate and with ffmpeg's fast coder: the
        # default coder spent 3 of a preview's 12 CPU-seconds on the bed alone (measured).
        audio = ("96k", 48000)
        coder = "fast"
        out = out if output is not None else project.output.with_suffix(".preview.mp4")
    folder = None
    if cache:
        folder = Path(cache_dir).absolute() if cache_dir is not None else out.parent / "collage-cache"
    return Settings(size, fps, out, crf=crf, preset=preset, preview=preview, audio_bitrate=audio[0], audio_coder=coder,
                    sample_rate=audio[1], jobs=jobs or default_jobs(),
                    cache_dir=folder, cache_limit=cache_limit, cluster=cluster or None)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


@dataclass(frozen=True)
class Result:
    output: Path
    timeline: Timeline
    seconds: float
    warnings: tuple[Problem, ...]
    reused: int = 0  # segments taken from the cache
    repeated: int = 0  # segments that play a piece encoded in this run again (a long hold's equal pieces)
    encoded: int = 0  # segments encoded in this run
    cache: Path | None = None
    size: tuple[int, int] = (0, 0)  # the frames' size (a preview's is smaller than the timeline's layout)


@dataclass(frozen=True)
class Job:
    """A render that has passed every check and is ready to encode."""

    project: Project
    timeline: Timeline
    settings: Settings
    warnings: tuple[Problem, ...]

    def run(self, encoder: Encoder | None = None, progress: Progress | None = None) -> Result:
        """Encode; the output path is only ever replaced on success. With an `encoder`, the whole video
        goes through it in one pass; otherwise segments are encoded (or reused) and joined."""
        if encoder is not None:
            return self._single_pass(encoder, progress)
        return self._segmented(progress)

    def _spec(self, pixel_format: PixelFormat = "yuv420p") -> EncodeSpec:
        t, s = self.timeline, self.settings
        return EncodeSpec(s.size[0], s.size[1], t.fps, t.frames, self.project.title, crf=s.crf, preset=s.preset,
                          audio_bitrate=s.audio_bitrate, sample_rate=s.sample_rate, audio_coder=s.audio_coder,
                          pixel_format=pixel_format, chapters=t.chapters())

    def _single_pass(self, encoder: Encoder, progress: Progress | None) -> Result:
        from collage.audio import bed as audio
        from collage.draw.compose import Composer

        started = time.monotonic()
        project, timeline, settings = self.project, self.timeline, self.settings
        spec = self._spec(encoder.pixel_format)
        total = timeline.frames
        with tempfile.TemporaryDirectory(prefix="collage-") as tmp:
            bed = audio.build_bed(project.folder, project.music, timeline.duration, Path(tmp) / "bed.wav")
            composer = Composer(project.folder, timeline, project.theme, manifest_name=project.manifest.name,
                                pixel_format=encoder.pixel_format, size=settings.size)
            with encoder.session(settings.output, spec, bed) as sink:
                for done, frame in enumerate(composer.frames(), start=1):
                    sink.write(frame)
                    if progress and (done % 10 == 0 or done == total):
                        progress(done, total)
        return Result(settings.output, timeline, time.monotonic() - started, self.warnings, size=settings.size)

    def _segmented(self, progress: Progress | None) -> Result:
        from collage.ffmpeg import own_processes
        from collage.video import keys, workers
        from collage.video.cache import FileDigests, SegmentCache
        from collage.video.encode import (
            chapters_file,
            concat_command,
            concat_list,
            gop_frames,
            join_command,
            run_ffmpeg,
        )
        from collage.video.tasks import BedTask

        started = time.monotonic()
        project, timeline, settings = self.project, self.timeline, self.settings
        spec = self._spec()
        # Holds in pieces of one GOP: the keyframes fall where one long encode would put them, and a
        # long hold no longer keeps one core busy after the others are done (an edit re-encodes a
        # slide's pieces in parallel).
        segs = timeline.segments(max_hold=gop_frames(timeline.fps))
        cache = SegmentCache(settings.cache_dir, settings.cache_limit) if settings.cache_dir else None
        scratch = cache.scratch() if cache else Path(tempfile.mkdtemp(prefix="collage-"))
        digests = cache.digests if cache else FileDigests(None)
        try:
            # Keys read every photo's bytes (once; then remembered by file stamp): only worth it with a cache.
            tool = keys.tool(digests) if cache else ""
            slide_keys = [keys.slide(s, project.folder, project.theme, spec, digests, tool,
                                     (timeline.width, timeline.height)) if cache else ""
                          for s in timeline.slides]

            def key_of(index: int | None) -> str | None:
                return None if index is None else slide_keys[index]

            seg_keys = [keys.segment(g, key_of(g.a), key_of(g.b), spec, tool, _moments(timeline, g)) if cache else ""
                        for g in segs]
            # Runs: each slide's segments (the transition into it, its hold pieces) joined once and kept,
            # so that the final join opens one file a slide, not one a segment (ffmpeg's concat demuxer
            # decodes a frame of every file it opens: ~20 ms at 1080p), and an edit looks up and joins
            # only the runs it touches.
            runs = _runs(segs) if cache else [[i] for i in range(len(segs))]  # nothing to keep: no runs
            run_keys = [keys.run([seg_keys[i] for i in r]) if cache else "" for r in runs]
            run_files: list[Path | None] = [cache.lookup(k) if cache else None for k in run_keys]
            needed = {i for r, f in zip(runs, run_files, strict=True) if f is None for i in r}
            files: list[Path | None] = [cache.lookup(k) if cache and i in needed else None
                                        for i, k in enumerate(seg_keys)]
            # Segments that are the same (a long hold's equal pieces, a slide shown twice) are encoded
            # once and listed as often as they play.
            same: dict[object, list[int]] = {}
            for i, f in enumerate(files):
                if f is None and i in needed:
                    same.setdefault(_identity(segs[i], seg_keys[i], i), []).append(i)
            missing = [group[0] for group in same.values()]
            copies = {group[0]: group for group in same.values()}
            done = sum(g.frames for i, g in enumerate(segs) if i not in needed or files[i] is not None)
            if progress:
                progress(done, timeline.frames)

            def finished(i: int, path: Path) -> None:
                nonlocal done
                stored = cache.store(seg_keys[i], path) if cache else path
                for j in copies[i]:
                    files[j] = stored
                    done += segs[j].frames
                if progress:
                    progress(done, timeline.frames)

            bed_key = keys.bed(project.music, project.folder, spec, digests, tool) if cache else ""
            bed: list[Path | None] = [cache.lookup(bed_key, ".m4a") if cache else None]
            bed_task = None if bed[0] else BedTask(project.folder, project.music, spec, scratch / "bed.m4a")

            def bed_done(path: Path) -> None:
                bed[0] = cache.store(bed_key, path, ".m4a") if cache else path

            with own_processes() as processes, _cluster(settings, project, tool) as client:
                run: Runner
                if client is not None:
                    from collage.video.cluster import DaskRunner

                    run, window = DaskRunner(client), 2 * max(settings.jobs, len(client.scheduler_info()["workers"]))
                else:
                    run = workers.runner(min(settings.jobs, max(1, len(missing) + (bed_task is not None))), processes)
                    window = 2 * settings.jobs
                trace: list[dict[str, Any]] = []  # each task, how long it took, what it needed
                phase = time.monotonic()
                try:
                    _encode_missing(self, segs, missing, run, scratch, window, finished, bed_task, bed_done, trace)
                    run.close()
                except BaseException:
                    run.terminate()
                    raise
            timings = {"encode_seconds": round(time.monotonic() - phase, 3)}
            phase = time.monotonic()
            for k, r in enumerate(runs):
                if len(r) == 1:  # a run of one segment is that segment
                    run_files[k] = files[r[0]]
            joined_runs = [k for k, f in enumerate(run_files) if f is None]
            for k in joined_runs:
                members = concat_list([p for p in (files[i] for i in runs[k]) if p is not None],
                                      scratch / f"run-{k}.txt")
                joined = run_ffmpeg(functools.partial(concat_command, spec, members), scratch / f"run-{k}.mp4")
                run_files[k] = cache.store(run_keys[k], joined) if cache else joined
            chapters = chapters_file(spec, scratch / "chapters.txt") if spec.chapters else None
            listing = concat_list([f for f in run_files if f is not None], scratch / "segments.txt")
            audio = bed[0]
            assert audio is not None
            run_ffmpeg(lambda target: join_command(spec, listing, audio, target, chapters), settings.output)
            timings["join_seconds"] = round(time.monotonic() - phase, 3)
            if cache:
                record = _record(segs, seg_keys, set(missing), settings, runs, run_keys, set(joined_runs))
                cache.write_record({**record, **timings, "tasks": trace})
                cache.prune(keep={*seg_keys, *run_keys, bed_key})
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            digests.save()
        produced = sum(len(group) for group in copies.values())  # encoded here, or repeating one that was
        return Result(settings.output, timeline, time.monotonic() - started, self.warnings,
                      reused=len(segs) - produced, encoded=len(missing), repeated=produced - len(missing),
                      cache=settings.cache_dir, size=settings.size)


@contextlib.contextmanager
def _cluster(settings: Settings, project: Project, tool: str) -> Iterator[Any]:
    """The Dask client for `settings.cluster` once every worker has passed the preflight; None locally."""
    if settings.cluster is None:
        yield None
        return
    from collage.video.cluster import connect, preflight

    assert settings.cache_dir is not None  # `prepare` requires the cache: the workers write into it
    client = connect(settings.cluster)
    try:
        preflight(client, project.folder.resolve(), settings.cache_dir, tool)
        yield client
    finally:
        client.close()


def _runs(segs: list[Segment]) -> list[list[int]]:
    """Consecutive segments grouped by the slide they bring on: a transition into a slide starts a run,
    its hold pieces follow (the fade to black at the end stays with the last slide)."""
    runs: list[list[int]] = []
    for i, g in enumerate(segs):
        if not runs or (g.kind == "blend" and g.b is not None):
            runs.append([i])
        else:
            runs[-1].append(i)
    return runs


def _identity(seg: Segment, key: str, index: int) -> object:
    """What makes two segments the same picture: their cache key; without a cache, a still hold is its
    slide and length, and anything else is itself."""
    if key:
        return key
    if seg.kind == "hold" and not seg.moving:
        return ("hold", seg.a, seg.frames)
    return index


def _encode_missing(job: Job, segs: list[Segment], missing: list[int], run: Runner, scratch: Path, window: int,
                    finished: Callable[[int, Path], None], bed: BedTask | None,
                    bed_done: Callable[[Path], None], trace: list[dict[str, Any]]) -> None:
    """Encode the segments numbered in `missing`, in order, at most `window` tasks in flight, and the bed
    (first, beside them). Each slide they show is drawn once, kept as a file while a segment still
    needs it, then deleted."""
    from collage.video.tasks import (
        Moving,
        SegmentTask,
        SlideTask,
        draw_slide,
        encode_bed,
        encode_segment,
        segment_spec,
        timed,
    )

    project, timeline, spec = job.project, job.timeline, job._spec()

    def needs(i: int) -> list[int]:
        g = segs[i]
        if g.moving:
            return []  # drawn frame by frame inside its own task
        return [x for x in ((g.a, g.b) if g.kind == "blend" else (g.a,)) if x is not None]

    def submit(fn: Callable[[Any], Path], task: Any, tag: tuple[str, int]) -> None:
        run.submit(functools.partial(timed, fn), task, tag)

    users = Counter(x for i in missing for x in needs(i))
    drawn: dict[int, Path | None] = {}  # None while being drawn
    waiting: deque[int] = deque()
    upcoming = iter(missing)
    in_flight = 0
    exhausted = False
    if bed is not None:
        submit(encode_bed, bed, ("bed", 0))
        in_flight += 1

    def launch_ready() -> None:
        nonlocal in_flight
        while waiting and all(drawn.get(x) is not None for x in needs(waiting[0])):
            i = waiting.popleft()
            g = segs[i]
            target = scratch / f"segment-{i}.mp4"
            if g.moving:
                slides = (None if g.a is None else timeline.slides[g.a],
                          None if g.kind == "hold" or g.b is None else timeline.slides[g.b])
                moving = Moving(project.folder, slides, project.theme, project.manifest.name,
                                (timeline.width, timeline.height))
                task = SegmentTask(g, None, None, replace(segment_spec(spec, g), pixel_format="rgb24"), target, moving)
            else:
                a = drawn[g.a] if g.a is not None else None
                b = drawn[g.b] if g.kind == "blend" and g.b is not None else None
                task = SegmentTask(g, a, b, segment_spec(spec, g), target)
            submit(encode_segment, task, ("segment", i))
            in_flight += 1

    while True:
        while not exhausted and in_flight < window and len(waiting) < window:
            i = next(upcoming, None)
            if i is None:
                exhausted = True
                break
            for x in needs(i):
                if x not in drawn:
                    drawn[x] = None
                    submit(draw_slide, SlideTask(project.folder, timeline.slides[x], (spec.width, spec.height),
                                                     project.theme, project.manifest.name, spec.pixel_format,
                                                     scratch / f"slide-{x}.npy", (timeline.width, timeline.height)),
                               ("slide", x))
                    in_flight += 1
            waiting.append(i)
            launch_ready()
        if in_flight == 0:
            break
        (kind, index), (path, seconds) = run.next_done()
        in_flight -= 1
        trace.append({"task": f"{kind}-{index}", "seconds": round(seconds, 4),
                      "needs": [f"slide-{x}" for x in needs(index)] if kind == "segment" else []})
        if kind == "slide":
            drawn[index] = path
        elif kind == "bed":
            bed_done(path)
        else:
            finished(index, path)
            for x in needs(index):
                users[x] -= 1
                if users[x] == 0:
                    Path(drawn[x] or "").unlink(missing_ok=True)
        launch_ready()


def _moments(timeline: Timeline, seg: Segment) -> tuple[tuple[int, int], ...]:
    """For a moving segment, where it sits in each of its slides (offset, slide length): its frames
    depend on it. Nothing for still segments, whose frames are the same wherever they fall."""
    if not seg.moving:
        return ()
    return tuple((seg.start - timeline.slides[i].start, timeline.slides[i].frames)
                 for i in (seg.a, seg.b) if i is not None)


def _record(segs: list[Segment], seg_keys: list[str], encoded: set[int], settings: Settings, runs: list[list[int]],
            run_keys: list[str], joined: set[int]) -> dict[str, Any]:
    return {
        "output": str(settings.output),
        "segments": [{"start": g.start, "frames": g.frames, "kind": g.kind, "a": g.a, "b": g.b, "key": k,
                      "encoded": i in encoded} for i, (g, k) in enumerate(zip(segs, seg_keys, strict=True))],
        "runs": [{"key": k, "segments": r, "joined": i in joined}
                 for i, (r, k) in enumerate(zip(runs, run_keys, strict=True))],
        "encoded": len(encoded),
        "reused": len(segs) - len(encoded),
    }


def prepare(folder: Path | str, *, manifest_path: Path | str | None = None, output: Path | str | None = None,
            preview: bool = False, **options: Any) -> Job:
    """Load, plan and check everything; raise InputError listing every problem before any encoding.
    `options` go to `resolve_settings` (jobs, cache_dir, cache, cache_limit)."""
    project = manifest.load(folder, manifest_path)
    settings = resolve_settings(project, output, preview, **options)
    if settings.output.suffix.lower() != ".mp4":
        raise InputError([Problem(str(settings.output), "the output must end in .mp4", hint="collage writes MP4")])
    if _is_source(project, settings.output) or settings.output.is_dir():
        raise InputError([Problem(str(settings.output), "the output would replace a source file or a folder",
                                  hint="choose another output path")])
    if not _writable(settings.output.parent):
        raise InputError([Problem(str(settings.output), "cannot write there", hint="choose a folder you can write to")])
    if settings.cluster is not None and settings.cache_dir is None:
        raise InputError([Problem(str(settings.output), "--cluster needs the cache: the workers write their "
                                  "segments into it", hint="drop --no-cache, or give a --cache-dir they all see")])
    if settings.cache_dir is not None and not _writable(settings.cache_dir):
        raise InputError([Problem(str(settings.cache_dir), "cannot write the cache folder",
                                  hint="choose another --cache-dir, or render with --no-cache")])
    # Laid out at the video's own size, whatever size it is encoded at: a preview is the same layout, scaled.
    timeline = pipeline.timeline(project, project.size, settings.fps)
    # Every photo is decoded whole before encoding, as `check` does, and remembered in the cache by file
    # state (an editor's renders pay for it once). Without a cache there is nowhere to remember it, and
    # drawing decodes each photo anyway: a damaged one then stops the render when it is drawn (exit 1,
    # nothing written), rather than every photo being decoded twice (+40 % CPU on a cold CI preview).
    verified = check.verified_photos(settings.cache_dir) if settings.cache_dir is not None else None
    problems = list(timeline.warnings) + check.media_problems(project, timeline, verified)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return Job(project, timeline, settings, tuple(problems))


def render(folder: Path | str, *, manifest_path: Path | str | None = None, output: Path | str | None = None,
           preview: bool = False, encoder: Encoder | None = None, progress: Progress | None = None,
           **options: Any) -> Result:
    """Render the folder's video: `prepare` then `Job.run`. Raises InputError (before any encoding) when
    the input is not renderable, RenderError when encoding fails."""
    job = prepare(folder, manifest_path=manifest_path, output=output, preview=preview, **options)
    return job.run(encoder, progress)


def _writable(folder: Path) -> bool:
    """A file can be created in the folder, or in the nearest existing one above it (the rest of the
    path is created later). Tried for real: permission bits do not tell root about /proc or a
    read-only mount."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            try:
                with tempfile.TemporaryFile(dir=candidate):
                    return True
            except OSError:
                return False
    return False


def _is_source(project: Project, output: Path) -> bool:
    sources = {project.manifest.resolve()} | {(project.folder / m.photo).resolve() for m in project.messages}
    sources |= {(project.folder / t.file).resolve() for t in project.music.tracks}
    return output.resolve() in sources
