"""The library's front door: folder in, finished MP4 out.

    manifest.load -> plan.build -> check.media_problems -> audio.build_bed -> Composer.frames -> Encoder

Settings are resolved once here (built-in defaults, then the manifest, then the caller's flags) and
passed down; nothing reads global configuration.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import check, manifest
from .encode import Encoder, EncodeSpec, FFmpegEncoder
from .errors import InputError, Problem
from .manifest import Project
from .plan import Timeline

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


def resolve_settings(project: Project, output: Path | str | None = None, preview: bool = False) -> Settings:
    if not preview:
        out = Path(output).absolute() if output is not None else project.output
        return Settings(project.size, project.fps, out)
    w, h = project.size
    scale = PREVIEW_SHORT_SIDE / min(w, h)
    size = (_even(w * scale), _even(h * scale))
    out = Path(output).absolute() if output is not None else project.output.with_suffix(".preview.mp4")
    return Settings(size, min(project.fps, PREVIEW_FPS), out, crf=26, preset="ultrafast", preview=True)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


@dataclass(frozen=True)
class Result:
    output: Path
    timeline: Timeline
    seconds: float
    warnings: tuple[Problem, ...]


@dataclass(frozen=True)
class Job:
    """A render that has passed every check and is ready to encode."""

    project: Project
    timeline: Timeline
    settings: Settings
    warnings: tuple[Problem, ...]

    def run(self, encoder: Encoder | None = None, progress: Progress | None = None) -> Result:
        """Encode; the output path is only ever replaced on success."""
        from . import audio
        from .compose import Composer

        started = time.monotonic()
        project, timeline, settings = self.project, self.timeline, self.settings
        encoder = encoder or FFmpegEncoder()
        spec = EncodeSpec(timeline.width, timeline.height, timeline.fps, timeline.frames, project.title,
                          crf=settings.crf, preset=settings.preset, pixel_format=encoder.pixel_format,
                          chapters=timeline.chapters())
        total = timeline.frames
        with tempfile.TemporaryDirectory(prefix="collage-") as tmp:
            bed = audio.build_bed(project.folder, project.music, timeline.duration, Path(tmp) / "bed.wav")
            composer = Composer(project.folder, timeline, manifest_name=project.manifest.name,
                                pixel_format=encoder.pixel_format)
            with encoder.session(settings.output, spec, bed) as sink:
                for done, frame in enumerate(composer.frames(), start=1):
                    sink.write(frame)
                    if progress and (done % 10 == 0 or done == total):
                        progress(done, total)
        return Result(settings.output, timeline, time.monotonic() - started, self.warnings)


def prepare(folder: Path | str, *, manifest_path: Path | str | None = None, output: Path | str | None = None,
            preview: bool = False) -> Job:
    """Load, plan and check everything; raise InputError listing every problem before any encoding."""
    project = manifest.load(folder, manifest_path)
    settings = resolve_settings(project, output, preview)
    if settings.output.suffix.lower() != ".mp4":
        raise InputError([Problem(str(settings.output), "the output must end in .mp4", hint="collage writes MP4")])
    if _is_source(project, settings.output) or settings.output.is_dir():
        raise InputError([Problem(str(settings.output), "the output would replace a source file or a folder",
                                  hint="choose another output path")])
    if not _writable(settings.output.parent):
        raise InputError([Problem(str(settings.output), "cannot write there", hint="choose a folder you can write to")])
    timeline = check.timeline(project, settings.size, settings.fps)
    problems = list(timeline.warnings) + check.media_problems(project, timeline)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return Job(project, timeline, settings, tuple(problems))


def render(folder: Path | str, *, manifest_path: Path | str | None = None, output: Path | str | None = None,
           preview: bool = False, encoder: Encoder | None = None, progress: Progress | None = None) -> Result:
    """Render the folder's video: `prepare` then `Job.run`. Raises InputError (before any encoding) when
    the input is not renderable, RenderError when encoding fails."""
    job = prepare(folder, manifest_path=manifest_path, output=output, preview=preview)
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
