"""The library's front door: folder in, finished MP4 out.

    manifest.load -> pipeline.timeline (media facts, plan) -> check.media_problems -> (segments) -> join

`Job.run` cuts the timeline into segments (Timeline.segments: holds in GOP-long pieces, and
transitions), looks each up in the segment cache (`NullCache` when there is none: the same interface,
keeping nothing), and turns what is missing into a task graph (video.graph: each different segment once,
each slide it needs drawn once, the music bed beside them), run by one executor on threads, inline, or
a Dask cluster (`_executor`, the one seam). Then ffmpeg's concat demuxer joins the segments and muxes
the bed and chapters, copying every stream. `Job.run(encoder=...)` instead streams the whole video
through one encoder (tests, and the single-pass reference).

Settings are resolved once here (built-in defaults, then the manifest, then the caller's flags) and
passed down; nothing reads global configuration.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collage import check, manifest, pipeline
from collage.errors import InputError, Problem
from collage.model.project import Project
from collage.model.timeline import Segment, Timeline
from collage.outputs import names, targets
from collage.outputs.targets import Target
from collage.video.encode import Encoder, EncodeSpec

if TYPE_CHECKING:
    from collage.draw.pixels import PixelFormat
    from collage.ffmpeg import FFmpegProcesses
    from collage.video.cache import Cache
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
    slides: tuple[int, int] | None = None  # only these slides (first, last), for proofing
    sidecars: bool = True  # NAME.vtt, .srt, .transcript.html and .jpg beside the video


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def resolve_settings(project: Project, output: Path | str | None = None, preview: bool = False, *,
                     jobs: int | None = None, cache_dir: Path | str | None = None, cache: bool = True,
                     cluster: str | None = None, cache_limit: int = DEFAULT_CACHE_LIMIT,
                     slides: tuple[int, int] | None = None, sidecars: bool = True) -> Settings:
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
        out = out if output is not None else names.preview(project.output)
    if slides is not None and output is None:  # beside the video, named for the slides
        out = names.slides(project.output, slides[0], slides[1], preview)
    folder = None
    if cache:
        folder = Path(cache_dir).absolute() if cache_dir is not None else names.cache(out)
    return Settings(size, fps, out, crf=crf, preset=preset, preview=preview, audio_bitrate=audio[0], audio_coder=coder,
                    sample_rate=audio[1], jobs=jobs or default_jobs(),
                    cache_dir=folder, cache_limit=cache_limit, cluster=cluster or None, slides=slides,
                    sidecars=sidecars)


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
    stale: tuple[int, int] = (0, 0)  # cached files (and bytes) this manifest no longer uses: `cache prune`
    sidecars: tuple[Path, ...] = ()  # captions, transcript and poster written beside the video
    renditions: tuple[Result, ...] = ()  # the other shapes made in the same run (`video.renditions`)
    rendition: str | None = None  # which shape this is: None for the main video


@dataclass(frozen=True)
class Keys:
    segments: list[Segment]
    segment: list[str]  # each segment's key
    runs: list[list[int]]  # segments joined and kept together (one run a slide)
    run: list[str]
    bed: str

    @property
    def all(self) -> set[str]:
        return {*self.segment, *self.run, self.bed}


@dataclass(frozen=True)
class Job:
    """A render that has passed every check and is ready to encode."""

    project: Project
    timeline: Timeline
    settings: Settings
    warnings: tuple[Problem, ...]
    window: tuple[float, float] | None = None  # a part of the video (--slides): its start and the whole's length

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

    def keys(self, cache: Cache, tool: str) -> Keys:
        """The cache key of every segment, run of segments and the bed this render needs."""
        from collage.video import keys
        from collage.video.encode import gop_frames

        project, timeline, spec, digests = self.project, self.timeline, self._spec(), cache.digests
        # Holds in pieces of one GOP: the keyframes fall where one long encode would put them, and a
        # long hold no longer keeps one core busy after the others are done (an edit re-encodes a
        # slide's pieces in parallel).
        segs = timeline.segments(max_hold=gop_frames(timeline.fps))
        slide_keys = [keys.slide(s, project.folder, project.theme, spec, digests, tool,
                                 (timeline.width, timeline.height)) for s in timeline.slides]
        seg_keys = [keys.segment(g, None if g.a is None else slide_keys[g.a],
                                 None if g.b is None else slide_keys[g.b], spec, tool, _moments(timeline, g))
                    for g in segs]
        # Runs: each slide's segments (the transition into it, its hold pieces) joined once and kept,
        # so that the final join opens one file a slide, not one a segment (ffmpeg's concat demuxer
        # decodes a frame of every file it opens: ~20 ms at 1080p), and an edit looks up and joins
        # only the runs it touches. A cache that keeps nothing keeps no runs either.
        runs = _runs(segs) if cache.durable else [[i] for i in range(len(segs))]
        run_keys = [keys.run([seg_keys[i] for i in r]) for r in runs]
        return Keys(segs, seg_keys, runs, run_keys, keys.bed(project.music, project.folder, spec, digests, tool,
                                                                         self.window))

    def _single_pass(self, encoder: Encoder, progress: Progress | None) -> Result:
        from collage.audio import bed as audio
        from collage.draw.compose import Composer

        started = time.monotonic()
        project, timeline, settings = self.project, self.timeline, self.settings
        spec = self._spec(encoder.pixel_format)
        total = timeline.frames
        with tempfile.TemporaryDirectory(prefix="collage-") as tmp:
            bed = audio.build_bed(project.folder, project.music, timeline.duration, Path(tmp) / "bed.wav",
                                  window=self.window)
            composer = Composer(project.folder, timeline, project.theme, manifest_name=project.manifest.name,
                                pixel_format=encoder.pixel_format, size=settings.size)
            with encoder.session(settings.output, spec, bed) as sink:
                for done, frame in enumerate(composer.frames(), start=1):
                    sink.write(frame)
                    if progress and (done % 10 == 0 or done == total):
                        progress(done, total)
        return Result(settings.output, timeline, time.monotonic() - started, self.warnings, size=settings.size,
                      sidecars=self._sidecars(), rendition=project.rendition)

    def _sidecars(self) -> tuple[Path, ...]:
        if not self.settings.sidecars:
            return ()
        from collage.outputs import sidecars

        return tuple(sidecars.write(self.project, self.timeline, self.settings.output, self.settings.size))

    def _segmented(self, progress: Progress | None) -> Result:
        from collage.ffmpeg import own_processes
        from collage.video import graph, keys
        from collage.video.cache import open_cache
        from collage.video.encode import chapters_file, concat_command, concat_list, join_command, run_ffmpeg
        from collage.video.tasks import BedTask

        started = time.monotonic()
        project, timeline, settings = self.project, self.timeline, self.settings
        spec = self._spec()
        # Holds in pieces of one GOP: the keyframes fall where one long encode would put them, and a
        # long hold no longer keeps one core busy after the others are done (an edit re-encodes a
        # slide's pieces in parallel).
        cache = open_cache(settings.cache_dir, settings.cache_limit)
        scratch = cache.scratch()
        digests = cache.digests
        try:
            tool = keys.tool(digests)
            named = self.keys(cache, tool)
            segs, seg_keys, runs, run_keys, bed_key = named.segments, named.segment, named.runs, named.run, named.bed
            run_files: list[Path | None] = [cache.lookup(k) for k in run_keys]
            needed = {i for r, f in zip(runs, run_files, strict=True) if f is None for i in r}
            files: list[Path | None] = [cache.lookup(k) if i in needed else None for i, k in enumerate(seg_keys)]
            copies = graph.work(seg_keys, needed, [f is not None for f in files])
            bed_file = cache.lookup(bed_key, ".m4a")
            bed_task = None if bed_file else BedTask(project.folder, project.music, spec, scratch / "bed.m4a",
                                                               self.window)
            work = graph.build(project, timeline, spec, segs, list(copies), bed_task, scratch)
            done = sum(g.frames for i, g in enumerate(segs) if i not in needed or files[i] is not None)
            if progress:
                progress(done, timeline.frames)

            def finished(node: graph.Node, path: Path) -> None:
                nonlocal done, bed_file
                if node.name == "bed":
                    bed_file = cache.store(bed_key, path, ".m4a")
                    return
                kind, _, number = node.name.partition("-")
                if kind != "segment":
                    return
                i = int(number)
                stored = cache.store(seg_keys[i], path)
                for j in copies[i]:
                    files[j] = stored
                    done += segs[j].frames
                if progress:
                    progress(done, timeline.frames)

            trace: list[dict[str, Any]] = []  # each task, how long it took, what it needed
            phase = time.monotonic()
            with own_processes() as processes, \
                    _executor(settings, project, tool, processes, len(work)) as (run, window):
                graph.execute(work, run, window, finished, trace)
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
                run_files[k] = cache.store(run_keys[k], joined)
            chapters = chapters_file(spec, scratch / "chapters.txt") if spec.chapters else None
            listing = concat_list([f for f in run_files if f is not None], scratch / "segments.txt")
            audio = bed_file
            if audio is None:
                raise RuntimeError("the graph finished without the music bed")
            run_ffmpeg(lambda target: join_command(spec, listing, audio, target, chapters), settings.output)
            timings["join_seconds"] = round(time.monotonic() - phase, 3)
            record = _record(segs, seg_keys, set(copies), settings, runs, run_keys, set(joined_runs))
            cache.write_record({**record, **timings, "tasks": trace})
            cache.prune(keep=named.all)
            stale = cache.unused(named.all, lambda: named.all.union(*(
                keys_in_use or set() for keys_in_use in _every_variant(project, cache, tool))))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            digests.save()
        produced = sum(len(group) for group in copies.values())  # encoded here, or repeating one that was
        return Result(settings.output, timeline, time.monotonic() - started, self.warnings,
                      reused=len(segs) - produced, encoded=len(copies), repeated=produced - len(copies),
                      cache=settings.cache_dir, size=settings.size, stale=stale, sidecars=self._sidecars(),
                      rendition=project.rendition)


def _in_use(project: Project, cache: Cache, tool: str, preview: bool) -> set[str] | None:
    """The keys a full render (or, with `preview`, a preview) of the manifest as it is now uses; None
    when it has errors (a masked photo with nothing found to cover, say): then nothing is in use."""
    settings = resolve_settings(project, preview=preview, cache_dir=cache.root)
    timeline = pipeline.timeline(project, project.size, settings.fps)
    if any(p.severity == "error" for p in timeline.warnings):
        return None
    return Job(project, timeline, settings, ()).keys(cache, tool).all


def _every_variant(project: Project, cache: Cache, tool: str, remember: bool = True) -> list[set[str] | None]:
    """`_in_use` of the full render and the preview of the main video and of every rendition. With
    `remember`, worked out once for the same manifest, cache and tool (each shape of a run asks for
    the note about stale files); `cache prune` always works it out afresh."""
    st = project.manifest.stat()
    key = (str(project.manifest), st.st_mtime_ns, st.st_size, str(cache.root), tool)
    if key not in _VARIANTS or not remember:
        main = project.shaped(None) if project.rendition is None else _main(project)
        _VARIANTS.clear()
        _VARIANTS[key] = [_in_use(main.shaped(r), cache, tool, preview)
                          for r in (None, *(x.name for x in main.renditions)) for preview in (False, True)]
    return _VARIANTS[key]


_VARIANTS: dict[tuple[str, int, int, str, str], list[set[str] | None]] = {}


def _main(project: Project) -> Project:
    """The main video's project, from one of its renditions (whose own `renditions` are empty)."""
    return manifest.load(project.folder, project.manifest)


@dataclass(frozen=True)
class Pruned:
    cache: Path
    files: int  # segments, runs and beds deleted
    bytes: int
    everything: bool = False  # the manifest has errors: nothing could be shown to be in use


def prune_cache(folder: Path | str, *, manifest_path: Path | str | None = None,
                cache_dir: Path | str | None = None) -> Pruned:
    """`collage cache prune`: delete every cached file that neither the full render nor the preview of
    the manifest as it is now uses, for the main video or any rendition (a withdrawn or newly masked
    contributor's pictures leave the disk), with the scratch of runs that died and what the cache
    remembers of other files."""
    from collage.resources import fonts_dir
    from collage.video import keys
    from collage.video.cache import SegmentCache

    project = manifest.load(folder, manifest_path)
    settings = resolve_settings(project, cache_dir=cache_dir)
    root = settings.cache_dir
    assert root is not None
    chosen = [dataclasses.replace(t, hint="give the cache folder itself") for t in _targets(
        project, settings, cache_given=cache_dir is not None) if t.kind == "cache"]
    refused = targets.problems(targets.owned(project), chosen)  # the rule: nothing else is ever deleted
    if refused:
        raise InputError(refused)
    if not (root / "entries").is_dir():
        return Pruned(root, 0, 0)
    cache = SegmentCache(root)
    tool = keys.tool(cache.digests)
    used = _every_variant(project, cache, tool, remember=False)
    # A manifest with errors proves nothing in use: everything goes (an unmasked slide must not survive
    # because its masked version cannot be planned yet).
    keep = set() if any(u is None for u in used) else set().union(*(u for u in used if u is not None))
    cache.digests.save()
    sources = [project.folder / m.photo for m in project.messages]
    sources += [project.folder / t.file for t in project.music.tracks]
    sources += list(fonts_dir().iterdir())  # the tool's fingerprint digests them
    if project.theme.background_image:
        sources.append(Path(project.theme.background_image))
    files, freed = cache.remove_unused(keep, sources)
    return Pruned(root, files, freed, not keep)


@contextlib.contextmanager
def _executor(settings: Settings, project: Project, tool: str, processes: FFmpegProcesses,
              tasks: int) -> Iterator[tuple[Runner, int]]:
    """The one seam where the render's tasks meet an engine: a Dask cluster's workers (once every one
    has passed the preflight) or this process's threads; with how many tasks to keep in flight. Anything
    still running when the render stops early (an error, Ctrl-C) is cancelled."""
    from collage.video import workers

    with _cluster(settings, project, tool) as client:
        run: Runner
        if client is not None:
            from collage.video.cluster import DaskRunner

            run, window = DaskRunner(client), 2 * max(settings.jobs, len(client.scheduler_info()["workers"]))
        else:
            run, window = workers.runner(min(settings.jobs, max(1, tasks)), processes), 2 * settings.jobs
        try:
            yield run, window
            run.close()
        except BaseException:
            run.terminate()
            raise


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
            preview: bool = False, rendition: str | None = None, **options: Any) -> Job:
    """Load, plan and check everything; raise InputError listing every problem before any encoding.
    `rendition` names one of `video.renditions` to make instead of the main video (at `output` when it
    is given, else NAME.<rendition>.mp4 beside the main video's output). `options` go to
    `resolve_settings` (jobs, cache_dir, cache, cache_limit, slides, sidecars)."""
    return _prepare(manifest.load(folder, manifest_path, rendition), output, preview, options)


def prepare_all(folder: Path | str, *, manifest_path: Path | str | None = None, output: Path | str | None = None,
                **options: Any) -> list[Job]:
    """The main video and every rendition of it (`video.renditions`), planned and checked together:
    a problem in any stops them all before any encoding. The media are measured and checked once; each
    rendition is laid out for its own frame, written beside the main output (or `output`) as
    NAME.<rendition>.mp4, and named in its warnings."""
    project = manifest.load(folder, manifest_path)
    jobs: list[Job] = []
    problems: list[Problem] = []
    for name in (None, *(r.name for r in project.renditions)):
        try:
            where = output if output is None or name is None else \
                Path(output).with_name(f"{Path(output).stem}.{name}.mp4")  # beside the main video's -o
            job = _prepare(project.shaped(name), where, False, options, media=name is None)
        except InputError as exc:
            problems += check.own_problems(exc.problems, problems, name)
            continue
        job = dataclasses.replace(job, warnings=tuple(check.own_problems(job.warnings, problems, name)))
        problems += job.warnings
        jobs.append(job)
    written = [t.path.resolve() for job in jobs for t in _targets(job.project, job.settings) if t.kind == "file"]
    twice = sorted({str(t) for t in written if written.count(t) > 1})
    if twice:  # (names are built from the shapes, so this would be a bug; never let one file overwrite another)
        problems.append(Problem(twice[0], "two of the videos would write this same file",
                                hint="give video.output or -o another name"))
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return jobs


def _prepare(project: Project, output: Path | str | None, preview: bool, options: dict[str, Any],
             media: bool = True) -> Job:
    """`prepare` for a loaded project; `media`: check the photos and music too (once a run)."""
    settings = resolve_settings(project, output, preview, **options)
    if settings.output.suffix.lower() != ".mp4":
        raise InputError([Problem(str(settings.output), "the output must end in .mp4", hint="collage writes MP4")])
    refused = targets.problems(targets.owned(project), _targets(project, settings, output is not None,
                                                                 options.get("cache_dir") is not None))
    if refused:
        raise InputError(refused)
    if settings.cluster is not None and settings.cache_dir is None:
        raise InputError([Problem(str(settings.output), "--cluster needs the cache: the workers write their "
                                  "segments into it", hint="drop --no-cache, or give a --cache-dir they all see")])
    # Laid out at the video's own size, whatever size it is encoded at: a preview is the same layout, scaled.
    timeline = pipeline.timeline(project, project.size, settings.fps)
    # Every photo is decoded whole before encoding, as `check` does, and remembered in the cache by file
    # state (an editor's renders pay for it once). Without a cache there is nowhere to remember it, and
    # drawing decodes each photo anyway: a damaged one then stops the render when it is drawn (exit 1,
    # nothing written), rather than every photo being decoded twice (+40 % CPU on a cold CI preview).
    verified = check.verified_photos(settings.cache_dir) if settings.cache_dir is not None else None
    problems = list(timeline.warnings)
    if media:
        problems += check.media_problems(project, timeline, verified, check.measured_music(settings.cache_dir))
    else:  # a rendition: the media are checked once, on the main video; its own layout is checked here
        problems += check.layout_problems(project, timeline)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    if project.poster is not None and project.poster >= len(timeline.slides):
        raise InputError([Problem(manifest.display_path(project.manifest), f"video.poster: there is no slide "
                                  f"{project.poster}; the video has slides 0 to {len(timeline.slides) - 1}",
                                  hint="`collage plan FOLDER` lists them")])
    if settings.slides is None:
        return Job(project, timeline, settings, tuple(problems))
    first, last = settings.slides
    if not 0 <= first <= last < len(timeline.slides):
        raise InputError([Problem(manifest.display_path(project.manifest),
                                  f"--slides {first}{f'-{last}' if last != first else ''}: the video has slides 0 "
                                  f"to {len(timeline.slides) - 1}",
                                  hint="`collage plan FOLDER` lists them")])
    window = (timeline.slides[first].start / timeline.fps, timeline.duration)  # the music as it plays there
    return Job(project, timeline.cut(first, last), settings, tuple(problems), window)


def render(folder: Path | str, *, manifest_path: Path | str | None = None, output: Path | str | None = None,
           preview: bool = False, encoder: Encoder | None = None, progress: Progress | None = None,
           **options: Any) -> Result:
    """Render the folder's video and its renditions (`prepare_all`, then `Job.run` for each; only the
    one asked for with `preview`, `rendition` or `slides`). Raises InputError (before any encoding) when
    the input is not renderable, RenderError when encoding fails."""
    jobs = prepare_jobs(folder, manifest_path=manifest_path, output=output, preview=preview, **options)
    main, *more = [job.run(encoder, progress) for job in jobs]
    return dataclasses.replace(main, renditions=tuple(more))


def prepare_jobs(folder: Path | str, *, preview: bool = False, rendition: str | None = None,
                 slides: tuple[int, int] | None = None, **options: Any) -> list[Job]:
    """What one `render` makes: the main video and every rendition (`prepare_all`), or only the one
    video asked for: a preview, a rendition, or some slides (`prepare`)."""
    if preview or rendition is not None or slides is not None:
        return [prepare(folder, preview=preview, rendition=rendition, slides=slides, **options)]
    return prepare_all(folder, **options)


def _targets(project: Project, settings: Settings, output_given: bool = False,
             cache_given: bool = False) -> list[Target]:
    return targets.video_targets(project, settings.output, manifest.display_path(project.manifest),
                                 sidecars=settings.sidecars, cache=settings.cache_dir, output_given=output_given,
                                 cache_given=cache_given)
