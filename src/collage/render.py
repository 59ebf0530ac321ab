"""The library's front door: folder in, finished MP4s out.

    prepare: manifest.load -> for each shape: settings -> the write rule -> pipeline.timeline ->
             check.media_problems -> Job        (everything checked before anything is encoded)
    Job.run: video.assemble (segments, cache, join) -> outputs.sidecars

`prepare` is the one entry point: the main video and every rendition of it (`video.renditions`), or the
one video asked for (a preview, a rendition, some slides). `render` prepares and runs them all.
Settings are resolved once (`video.settings`: built-in defaults, then the manifest, then the caller's
flags) and passed down; nothing reads global configuration.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collage import check, manifest, pipeline
from collage.errors import InputError, Problem
from collage.model.project import Project
from collage.model.timeline import Timeline
from collage.outputs import descriptions, names, sidecars, targets
from collage.video import assemble
from collage.video.assemble import Progress, Window
from collage.video.encode import Encoder
from collage.video.settings import Settings, resolve_settings


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
class Job:
    """A render that has passed every check and is ready to encode."""

    project: Project
    timeline: Timeline
    settings: Settings
    warnings: tuple[Problem, ...]
    window: Window | None = None  # a part of the video (--slides): its start and the whole's length

    def run(self, encoder: Encoder | None = None, progress: Progress | None = None) -> Result:
        """Encode; the output path is only ever replaced on success. With an `encoder`, the whole video
        goes through it in one pass; otherwise segments are encoded (or reused) and joined. Then the
        sidecars beside it."""
        started = time.monotonic()
        project, timeline, settings = self.project, self.timeline, self.settings
        if encoder is not None:
            made = assemble.single_pass(project, timeline, settings, self.window, encoder, progress)
        else:
            made = assemble.segmented(project, timeline, settings, self.window, progress)
        return Result(settings.output, timeline, time.monotonic() - started, self.warnings, reused=made.reused,
                      repeated=made.repeated, encoded=made.encoded,
                      cache=settings.cache_dir if encoder is None else None, size=settings.size, stale=made.stale,
                      sidecars=self._sidecars(), rendition=project.rendition)

    def _sidecars(self) -> tuple[Path, ...]:
        if not self.settings.sidecars:
            return ()
        made = descriptions if self.project.narrated else sidecars  # the described version's: what it says
        return tuple(made.write(self.project, self.timeline, self.settings.output, self.settings.size))


def prepare(folder: Path | str, *, manifest_path: Path | str | None = None, output: Path | str | None = None,
            preview: bool = False, rendition: str | None = None, slides: tuple[int, int] | None = None,
            described: bool = False, **options: Any) -> list[Job]:
    """Load, plan and check everything; raise InputError listing every problem before any encoding.

    Without `preview`, `rendition` or `slides`: the main video and every rendition (`video.renditions`),
    planned and checked together (a problem in any stops them all; the media are measured and checked
    once; each rendition is laid out for its own frame, written beside the main output, or `output`, as
    NAME.<rendition>.mp4, and named in its warnings), and the described version of each shape
    `video.described` asks for (NAME.described.mp4). With one of them: only that video (a rendition at
    `output` when it is given); with `described`, the described version of that shape only. `options`
    go to `resolve_settings` (jobs, cache_dir, cache, cache_limit, cluster, sidecars)."""
    options["slides"] = slides
    if described:
        shaped = manifest.load(folder, manifest_path, rendition)
        return [_job(described_version(shaped), output, preview, options)]
    if preview or rendition is not None or slides is not None:
        return [_job(manifest.load(folder, manifest_path, rendition), output, preview, options)]
    project = manifest.load(folder, manifest_path)
    jobs: list[Job] = []
    problems: list[Problem] = []
    shapes: list[tuple[str | None, bool]] = [(name, False) for name in (None, *(r.name for r in project.renditions))]
    if project.described is not None:
        shapes += [(name, True) for name in (None, *project.described.renditions)]
    for name, narrated in shapes:
        try:
            where = output if output is None or name is None else \
                Path(output).with_name(f"{Path(output).stem}.{name}.mp4")  # beside the main video's -o
            where = names.described(Path(where)) if narrated and where is not None else where
            shaped = project.shaped(name)
            job = _job(shaped.describing() if narrated else shaped, where, False, options,
                       media=name is None and not narrated)
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


def render(folder: Path | str, *, manifest_path: Path | str | None = None, output: Path | str | None = None,
           preview: bool = False, encoder: Encoder | None = None, progress: Progress | None = None,
           **options: Any) -> Result:
    """Render the folder's video and its renditions (`prepare`, then `Job.run` for each; only the one
    asked for with `preview`, `rendition` or `slides`). Raises InputError (before any encoding) when
    the input is not renderable, RenderError when encoding fails."""
    jobs = prepare(folder, manifest_path=manifest_path, output=output, preview=preview, **options)
    main, *more = [job.run(encoder, progress) for job in jobs]
    return dataclasses.replace(main, renditions=tuple(more))


def _job(project: Project, output: Path | str | None, preview: bool, options: dict[str, Any],
         media: bool = True) -> Job:
    """One video of a loaded project, checked; `media`: check the photos and music too (once a run)."""
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
    timeline = pipeline.timeline(project, project.size, settings.fps, settings.cache_dir)
    problems = list(timeline.warnings) + _media_problems(project, timeline, settings, media)
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


def described_version(project: Project) -> Project:
    """The described version of this shape, or why there is none."""
    try:
        return project.describing()
    except KeyError:
        shown = manifest.display_path(project.manifest)
        if project.described is None:
            raise InputError([Problem(shown, "--described: the manifest asks for no described version",
                                      field="video.described", hint="add `described: true` under `video:`")]) from None
        raise InputError([Problem(shown, f"--described: video.described does not list the {project.rendition} "
                                  "rendition", field="video.described.renditions",
                                  hint=f"add it: `renditions: [{project.rendition}]` under `described:`")]) from None


def _media_problems(project: Project, timeline: Timeline, settings: Settings, media: bool) -> list[Problem]:
    """Every photo is decoded whole before encoding, as `check` does, and remembered in the cache by file
    state (an editor's renders pay for it once). Without a cache there is nowhere to remember it, and
    drawing decodes each photo anyway: a damaged one then stops the render when it is drawn (exit 1,
    nothing written), rather than every photo being decoded twice (+40 % CPU on a cold CI preview). A
    rendition's media are checked once, on the main video; its own layout is checked here."""
    said = check.described_problems(project, timeline) if project.narrated else []
    if not media:
        return said + check.layout_problems(project, timeline)
    verified = check.verified_photos(settings.cache_dir) if settings.cache_dir is not None else None
    return said + check.media_problems(project, timeline, verified, check.measured_music(settings.cache_dir))


def _targets(project: Project, settings: Settings, output_given: bool = False,
             cache_given: bool = False) -> list[targets.Target]:
    return targets.video_targets(project, settings.output, manifest.display_path(project.manifest),
                                 sidecars=settings.sidecars, cache=settings.cache_dir, output_given=output_given,
                                 cache_given=cache_given)
