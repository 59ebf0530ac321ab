"""The timeline as data: which slide shows when, for how many frames, with what in which box; and the
facts about the media the planner may know. Built by the pure planner (`collage.plan`), read by every
stage after it. Everything is in integer frames (seconds are `frames / fps`) and integer pixels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from collage.errors import Problem
from collage.model.project import Fit, TransitionStyle

Box = tuple[float, float, float, float]  # x, y, w, h as fractions of a photo
Area = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the upright photo


@dataclass(frozen=True)
class Mask:
    """What is covered in one photo: the faces found there (as they will be covered: the head, with a
    margin kept off the sign) and the boxes the manifest gives."""

    faces: tuple[Area, ...] = ()
    boxes: tuple[Area, ...] = ()
    # A face was still seen in the photo with all of these covered (by a second detector, at the sizes
    # the photo is shown): the photo must not be shown; `check` says so, naming the message.
    refused: bool = False

    @property
    def areas(self) -> tuple[Area, ...]:
        return self.faces + self.boxes

    @property
    def face_count(self) -> int:
        """Faces as a person counts them: detections that overlap are one face (several detectors, and
        several scales, find the same head)."""
        groups: list[list[Area]] = []
        for f in self.faces:
            touching = [g for g in groups if any(_meets(f, h) for h in g)]
            merged = [f] + [h for g in touching for h in g]
            groups = [g for g in groups if g not in touching] + [merged]
        return len(groups)


def _meets(a: Area, b: Area) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]


SlideKind = Literal["title", "photo", "grid"]


@dataclass(frozen=True)
class Cell:
    message: str
    photo: str  # relative to the folder
    box: Rect  # where the photo is fitted
    caption: str | None
    caption_box: Rect | None
    caption_lines: int = 1
    fit: Fit = "blur"
    focus: tuple[float, float] = (0.5, 0.5)
    caption_px: int = 0  # the caption's type size (it may shrink to the legibility floor to fit)
    caption_over: bool = False  # on a band over the photo, not on the background below it
    crop: tuple[float, float, float, float] | None = None  # of a cover fit, in fractions of the photo
    # Ken Burns: the part of the photo shown at the slide's first and last frame (fractions), drawn
    # into the box (cover) or the photo's contained place in it; in between, linearly.
    motion: tuple[tuple[float, float, float, float], tuple[float, float, float, float]] | None = None
    # Covered opaquely on the decoded photo before it is scaled, cropped or moved (a masked contributor's
    # faces, and any `mask` boxes): no later resampling can bring detail back.
    cover: tuple[Area, ...] = ()
    translation: str | None = None  # shown on its own line under the caption (`style.translations: show`)
    caption_head: int = 0  # the caption's first characters that are the name, set stronger than the rest


@dataclass(frozen=True)
class Slide:
    index: int
    kind: SlideKind
    start: int  # first frame on screen (inside the incoming transition)
    frames: int  # frames on screen, transitions included
    transition: int  # frames shared with the previous slide (0 for the first)
    title: str | None = None
    subtitle: str | None = None
    body: str | None = None
    cells: tuple[Cell, ...] = ()
    line: int | None = None  # the sequence item it comes from
    style: TransitionStyle = "crossfade"  # how it comes in over the previous slide

    @property
    def end(self) -> int:
        return self.start + self.frames

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(c.message for c in self.cells)

    @property
    def moving(self) -> bool:
        return any(c.motion for c in self.cells)

    def progress(self, frame: int) -> float:
        """How far through its time on screen the slide is at `frame` (0 at its first, 1 at its last)."""
        return min(1.0, max(0.0, (frame - self.start) / max(1, self.frames - 1)))


@dataclass(frozen=True)
class Segment:
    """A stretch of frames made the same way: a `hold` of one slide, or a `blend` from slide `a` to
    slide `b` (None is black). Frame k of an n-frame blend shows b at weight (k + 1) / (n + 1)."""

    kind: Literal["hold", "blend"]
    start: int
    frames: int
    a: int | None
    b: int | None = None
    style: TransitionStyle = "crossfade"
    moving: bool = False  # a slide in it moves (Ken Burns): every frame is drawn, not one per slide


@dataclass(frozen=True)
class Spoken:
    """What the described version says over a slide: one title card's or one person's words."""

    slide: int
    key: str  # `title-N` (the N-th title card) or a message id: what is said, and its recording's name
    start: int  # first frame
    frames: int


@dataclass(frozen=True)
class Timeline:
    title: str
    width: int
    height: int
    fps: int
    slides: tuple[Slide, ...]
    fade_in: int
    fade_out: int
    warnings: tuple[Problem, ...] = ()
    masks: dict[str, Mask] = field(default_factory=dict)  # message id -> what is covered in its photo
    narration: tuple[Spoken, ...] = ()  # the described version's: what is said when, in order
    cuts: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)  # the grid cuts it used, by key

    @property
    def frames(self) -> int:
        return self.slides[-1].end if self.slides else 0

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def segments(self, max_hold: int | None = None) -> list[Segment]:
        """The frames [0, frames) cut into holds and blends, in order, with no gaps. With `max_hold`,
        holds are cut further into pieces of at most that many frames (from the hold's start, so a
        piece is the same wherever its slide appears)."""
        out: list[Segment] = []
        for seg in self._segments():
            if seg.kind == "hold" and max_hold and seg.frames > max_hold:
                out += [Segment("hold", seg.start + k, min(max_hold, seg.frames - k), seg.a, moving=seg.moving)
                        for k in range(0, seg.frames, max_hold)]
            else:
                out.append(seg)
        return out

    def _segments(self) -> list[Segment]:
        out: list[Segment] = []
        moves = [s.moving for s in self.slides]
        for i, slide in enumerate(self.slides):
            incoming = slide.transition if i else self.fade_in
            if incoming:
                style: TransitionStyle = slide.style if i else "crossfade"  # from black: a fade-in
                out.append(Segment("blend", slide.start, incoming, i - 1 if i else None, i, style,
                                   moves[i] or (i > 0 and moves[i - 1])))
            nxt = self.slides[i + 1].transition if i + 1 < len(self.slides) else self.fade_out
            hold = slide.frames - incoming - nxt
            if hold:
                out.append(Segment("hold", slide.start + incoming, hold, i, moving=moves[i]))
            if i + 1 == len(self.slides) and self.fade_out:
                out.append(Segment("blend", slide.end - self.fade_out, self.fade_out, i, None, moving=moves[i]))
        return out

    def cut(self, first: int, last: int) -> Timeline:
        """Slides `first` to `last` (inclusive) as a video of their own, for proofing: the same slides
        with the same transitions between them, starting at frame 0. The transition into `first`
        becomes a fade from black of the same length, and the one out of `last` a fade to black."""
        chosen = self.slides[first:last + 1]
        base = chosen[0].start
        slides = tuple(replace(s, index=k, start=s.start - base, transition=s.transition if k else 0)
                       for k, s in enumerate(chosen))
        fade_in = self.slides[first].transition if first else self.fade_in
        fade_out = self.slides[last + 1].transition if last + 1 < len(self.slides) else self.fade_out
        said = tuple(replace(p, slide=p.slide - first, start=p.start - base) for p in self.narration
                     if first <= p.slide <= last)
        return replace(self, slides=slides, fade_in=fade_in, fade_out=fade_out, narration=said)

    def chapters(self) -> tuple[tuple[int, int, str], ...]:
        """(start frame, end frame, title) of each section a title card opens; players list them."""
        starts = [(0 if s.index == 0 else s.start, s.title) for s in self.slides if s.kind == "title" and s.title]
        if not starts:
            return ()
        if starts[0][0] != 0:
            starts.insert(0, (0, self.title))
        ends = [s for s, _ in starts[1:]] + [self.frames]
        return tuple((start, end, title) for (start, title), end in zip(starts, ends, strict=True))

    def to_dict(self) -> dict[str, Any]:
        def sec(frames: int) -> float:
            return round(frames / self.fps, 6)

        return {
            "title": self.title,
            "size": [self.width, self.height],
            "fps": self.fps,
            "frames": self.frames,
            "duration": sec(self.frames),
            "fade_in": sec(self.fade_in),
            "fade_out": sec(self.fade_out),
            "slides": [
                {
                    "index": s.index,
                    "kind": s.kind,
                    "start": sec(s.start),
                    "duration": sec(s.frames),
                    "transition": sec(s.transition),
                    **({"transition_style": s.style} if s.transition else {}),
                    "start_frame": s.start,
                    "frames": s.frames,
                    "messages": list(s.messages),
                    **({"title": s.title} if s.title is not None else {}),
                    **({"subtitle": s.subtitle} if s.subtitle is not None else {}),
                    **({"body": s.body} if s.body is not None else {}),
                    **(
                        {"cells": [
                            {"message": c.message, "photo": c.photo, "box": c.box.as_list(), "caption": c.caption,
                             **({"caption_box": c.caption_box.as_list(),
                                 "caption_position": "over" if c.caption_over else "below"} if c.caption_box else {}),
                             **({"translation": c.translation} if c.translation else {}),
                             **({"fit": c.fit} if c.fit != "blur" else {}),
                             **({"motion": "kenburns"} if c.motion else {})}
                            for c in s.cells
                        ]}
                        if s.cells else {}
                    ),
                }
                for s in self.slides
            ],
            **({"narration": [{"slide": p.slide, "says": p.key, "start": sec(p.start), "duration": sec(p.frames),
                               "start_frame": p.start, "frames": p.frames} for p in self.narration]}
               if self.narration else {}),
        }


@dataclass(frozen=True)
class MusicFacts:
    """What the planner may know about the music; measured elsewhere (the planner reads no files)."""

    seconds: float  # the playlist played once, crossfades included
    beats: tuple[float, ...] = ()  # onset times in the bed as it plays under the video


@dataclass(frozen=True)
class MediaFacts:
    """What was measured of the folder's media for the planner (which reads no files itself): each
    approved photo's upright size where a layout needs it, the faces and sign found in photos that are
    cropped or moved, and the music's length and beats."""

    photo_sizes: dict[str, tuple[int, int]] | None = None  # message id -> (width, height)
    subjects: dict[str, tuple[Box, ...]] | None = None  # message id -> boxes to keep in view
    music: MusicFacts | None = None
    masks: dict[str, Mask] | None = None  # message id -> what to cover (masked consent, `mask` boxes)
    speech: dict[str, float] | None = None  # the described version's: seconds each thing said lasts, by key
    cuts: Mapping[str, tuple[int, ...]] | None = None  # `grid: auto` cuts worked out before, by `layout.cut_key`
