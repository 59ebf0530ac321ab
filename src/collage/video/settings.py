"""A render's settings, resolved once: built-in defaults, then the manifest, then the caller's flags;
passed down, never read from global configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from collage.draw.pixels import PixelFormat
from collage.model.project import Project
from collage.model.timeline import Timeline
from collage.outputs import names
from collage.video.encode import EncodeSpec

DEFAULT_CACHE_LIMIT = 4 << 30
PREVIEW_SHORT_SIDE = 360
PREVIEW_FPS = 15


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

    def spec(self, timeline: Timeline, title: str, pixel_format: PixelFormat = "yuv420p") -> EncodeSpec:
        """The encoder's settings for `timeline` (its frames, chapters and fps; this size and quality)."""
        return EncodeSpec(self.size[0], self.size[1], timeline.fps, timeline.frames, title, crf=self.crf,
                          preset=self.preset, audio_bitrate=self.audio_bitrate, sample_rate=self.sample_rate,
                          audio_coder=self.audio_coder, pixel_format=pixel_format, chapters=timeline.chapters())


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
