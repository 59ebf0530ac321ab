"""Segment tasks: the units of work of a render, each a pure function of its inputs.

    draw_slide(SlideTask)      one slide drawn and packed into the encoder's pixel format -> a .npy file
    encode_segment(SegmentTask) one segment (a hold or a transition) from its packed slides -> an MP4 file
    encode_bed(BedTask)        the music bed (or silence) for the whole video, as AAC -> an .m4a file; for the
                               described version, the words over the bed ducked under them

A task names everything it needs (the slide as plan data, the folder, sizes, encoder settings, file
paths) and touches nothing else, so it runs the same inline, on a worker thread or, later, on a
distributed engine. Outputs are written aside and moved into place, so a file at a task's target is
always whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from collage.audio import bed as audio
from collage.audio import described
from collage.draw.compose import Artist, moving_frames, segment_frames
from collage.draw.pixels import Packed, PixelFormat, black
from collage.model.project import Music
from collage.model.theme import Theme
from collage.model.timeline import Segment, Slide
from collage.outputs import files
from collage.video.encode import EncodeSpec, aac_args, ffmpeg_pipe, run_ffmpeg, segment_command, silence_command


@dataclass(frozen=True)
class SlideTask:
    folder: Path
    slide: Slide
    size: tuple[int, int]
    theme: Theme
    manifest_name: str
    pixel_format: PixelFormat
    target: Path  # .npy
    design: tuple[int, int] | None = None  # the size the slide is laid out for (None: `size`)


@dataclass(frozen=True)
class Moving:
    """What a segment with a moving slide draws frame by frame, itself: the slides, and what to draw
    them with (the segment's spec takes RGB frames; ffmpeg converts them as for every segment)."""

    folder: Path
    slides: tuple[Slide | None, Slide | None]
    theme: Theme
    manifest_name: str
    design: tuple[int, int] | None = None  # the size the slides are laid out for (None: the segment's)


@dataclass(frozen=True)
class SegmentTask:
    segment: Segment
    a: Path | None  # packed slides (.npy) the segment shows; None is black
    b: Path | None
    spec: EncodeSpec  # frames = the segment's length
    target: Path  # .mp4
    moving: Moving | None = None


def timed(fn: Callable[[Any], Path], task: Any) -> tuple[Path, float]:
    """Run a task and say how long it took (seconds of wall time where it ran): the render's record of
    its tasks, from which the benchmark finds the graph's critical path."""
    started = time.perf_counter()
    return fn(task), time.perf_counter() - started


def draw_slide(task: SlideTask) -> Path:
    artist = Artist(task.folder, task.size, task.theme, task.manifest_name, task.design)
    packed = artist.packed(task.slide, task.pixel_format)
    def write(path: Path) -> None:
        with path.open("wb") as f:  # (given a path, numpy would add .npy to it)
            np.save(f, packed)

    return files.save(task.target, write, private=True)


def encode_segment(task: SegmentTask) -> Path:
    spec, seg = task.spec, task.segment
    if task.moving is not None:
        m = task.moving
        artist = Artist(m.folder, (spec.width, spec.height), m.theme, m.manifest_name, m.design)
        with ffmpeg_pipe(lambda target: segment_command(spec, target, hold=False), task.target) as sink:
            for frame in moving_frames(seg, m.slides, artist):
                sink.write(frame)
        return task.target

    def load(path: Path | None) -> Packed:
        return black(spec.width, spec.height, spec.pixel_format) if path is None else np.load(path)

    hold = seg.kind == "hold"
    a = load(task.a)
    b = None if hold else load(task.b)
    with ffmpeg_pipe(lambda target: segment_command(spec, target, hold), task.target) as sink:
        if hold:
            sink.write(a)  # ffmpeg repeats it
        else:
            for frame in segment_frames(seg, a, b, (spec.width, spec.height), spec.pixel_format):
                sink.write(frame)
    return task.target


@dataclass(frozen=True)
class BedTask:
    folder: Path
    music: Music
    spec: EncodeSpec  # the whole video's: its length, audio codec settings
    target: Path  # .m4a
    window: tuple[float, float] | None = None  # a part of a longer video: (its start, the whole's length), s
    said: tuple[described.Said, ...] = ()  # the described version's words: the music is ducked under them


def encode_bed(task: BedTask) -> Path:
    spec = task.spec
    codec = tuple(aac_args(spec))
    if task.said:
        described.build(task.folder, task.music, spec.duration, task.said, task.target, codec, task.window)
        return task.target
    if audio.build_bed(task.folder, task.music, spec.duration, task.target, codec, task.window) is None:
        run_ffmpeg(lambda target: silence_command(spec, target), task.target)  # players expect an audio track
    return task.target


def segment_spec(spec: EncodeSpec, seg: Segment) -> EncodeSpec:
    """The video's encoder settings for one segment: same everything, its own length, no chapters."""
    return replace(spec, frames=seg.frames, chapters=(), title="")
