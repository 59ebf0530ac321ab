"""The timeline as pure data: which slide shows when, for how many frames, with what in which box.

`plan`, `check` and `render` all call `build`. Everything is counted in integer frames (seconds are
`frames / fps`), so the rendered video lasts exactly what the plan says. This module does no I/O and
imports no imaging library.

Slides overlap by their transition: slide i+1 starts `transition` frames before slide i ends, and those
frames blend the two. The first slide fades in from black and the last fades out to black.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from . import layout
from .errors import Problem
from .layout import Rect
from .manifest import GridItem, Message, PhotoItem, Project, SequenceItem, TitleItem

SlideKind = Literal["title", "photo", "grid"]


@dataclass(frozen=True)
class Cell:
    message: str
    photo: str  # relative to the folder
    box: Rect  # where the photo is fitted
    caption: str | None
    caption_box: Rect | None
    caption_lines: int = 1


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

    @property
    def end(self) -> int:
        return self.start + self.frames

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(c.message for c in self.cells)


@dataclass(frozen=True)
class Segment:
    """A stretch of frames made the same way: a `hold` of one slide, or a `blend` from slide `a` to
    slide `b` (None is black). Frame k of an n-frame blend shows b at weight (k + 1) / (n + 1)."""

    kind: Literal["hold", "blend"]
    start: int
    frames: int
    a: int | None
    b: int | None = None


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

    @property
    def frames(self) -> int:
        return self.slides[-1].end if self.slides else 0

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def segments(self) -> list[Segment]:
        """The frames [0, frames) cut into holds and blends, in order, with no gaps."""
        out: list[Segment] = []
        for i, slide in enumerate(self.slides):
            incoming = slide.transition if i else self.fade_in
            if incoming:
                out.append(Segment("blend", slide.start, incoming, i - 1 if i else None, i))
            nxt = self.slides[i + 1].transition if i + 1 < len(self.slides) else self.fade_out
            hold = slide.frames - incoming - nxt
            if hold:
                out.append(Segment("hold", slide.start + incoming, hold, i))
            if i + 1 == len(self.slides) and self.fade_out:
                out.append(Segment("blend", slide.end - self.fade_out, self.fade_out, i, None))
        return out

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
                    "start_frame": s.start,
                    "frames": s.frames,
                    "messages": list(s.messages),
                    **({"title": s.title} if s.title is not None else {}),
                    **({"subtitle": s.subtitle} if s.subtitle is not None else {}),
                    **({"body": s.body} if s.body is not None else {}),
                    **(
                        {"cells": [
                            {"message": c.message, "photo": c.photo, "box": c.box.as_list(), "caption": c.caption}
                            for c in s.cells
                        ]}
                        if s.cells else {}
                    ),
                }
                for s in self.slides
            ],
        }


def caption_text(message: Message) -> str | None:
    """`name · profession · location`, dropping missing parts and their separators."""
    parts = [p for p in (message.name, message.profession, message.location) if p]
    return " · ".join(parts) or None


def build(project: Project, size: tuple[int, int] | None = None, fps: int | None = None) -> Timeline:
    """Plan `project` at `size` and `fps` (defaults: the manifest's). Pure."""
    width, height = size or project.size
    fps = fps or project.fps
    warnings: list[Problem] = []
    by_id = {m.id: m for m in project.messages}

    def frames(seconds: float) -> int:
        return max(0, round(seconds * fps))

    placed = _explicitly_placed(project.sequence, project.messages)
    all_taken = False
    # (kind, seconds, transition seconds, title fields, cells, line)
    drafts: list[tuple[SlideKind, float, float, tuple[str | None, ...], tuple[Cell, ...], int | None]] = []
    for item in project.sequence:
        transition = project.timing.transition if item.transition is None else item.transition
        if isinstance(item, TitleItem):
            seconds = project.timing.title if item.duration is None else item.duration
            drafts.append(("title", seconds, transition, (item.title, item.subtitle, item.body), (), item.line))
            continue
        seconds = project.timing.slide if item.duration is None else item.duration
        if isinstance(item, PhotoItem):
            message = by_id[item.message]
            boxes = layout.full_screen(width, height, caption=caption_text(message) is not None)
            drafts.append(("photo", seconds, transition, (None, None, None),
                           (_cell(message, boxes),), item.line))
            continue
        chosen = _select(item, project.messages, placed, all_taken)
        all_taken = all_taken or item.select == "all"
        if not chosen:
            warnings.append(Problem(project.manifest.name, "this grid selects no approved message; it is skipped",
                                    line=item.line, field="sequence", severity="warning"))
            continue
        per_page = item.layout[0] * item.layout[1] if item.layout else layout.MAX_PER_SLIDE
        pos = 0
        for count in layout.paginate(len(chosen), per_page):
            page = chosen[pos:pos + count]
            pos += count
            cols, rows = item.layout or layout.auto_shape(count, width, height)
            boxes_list = layout.grid_cells(width, height, cols, rows, count)
            cells = tuple(_cell(m, b) for m, b in zip(page, boxes_list, strict=True))
            drafts.append(("grid", seconds, transition, (None, None, None), cells, item.line))

    # Place slides in seconds, clamping each transition to half of either neighbour (here and only
    # here), then round every boundary to a frame. Rounding boundaries rather than lengths keeps the
    # same timeline at any fps (a preview matches the full render) and never accumulates error.
    bounds: list[tuple[float, float]] = []
    for i, draft in enumerate(drafts):
        length = max(draft[1], 1 / fps)
        if i == 0:
            bounds.append((0.0, length))
            continue
        prev_len = bounds[-1][1] - bounds[-1][0]
        overlap = min(draft[2], prev_len / 2, length / 2)
        start = bounds[-1][1] - overlap
        bounds.append((start, start + length))
    slides: list[Slide] = []
    for i, ((kind, _, _, (title, subtitle, body), cells, line), (start_s, end_s)) in enumerate(
            zip(drafts, bounds, strict=True)):
        start, end = frames(start_s), frames(end_s)
        overlap = slides[-1].end - start if slides else 0
        slides.append(Slide(i, kind, start, end - start, overlap, title, subtitle, body, cells, line))
    fade = project.timing.transition
    fade_in = frames(min(fade, bounds[0][1] / 2)) if slides else 0
    fade_out = frames(min(fade, (bounds[-1][1] - bounds[-1][0]) / 2)) if slides else 0
    if slides:
        fade_in = min(fade_in, slides[0].frames - (slides[1].transition if len(slides) > 1 else 0))
        fade_out = min(fade_out, slides[-1].frames - (slides[-1].transition if len(slides) > 1 else fade_in))
    return Timeline(project.title, width, height, fps, tuple(slides), fade_in, fade_out,
                    tuple(project.warnings) + tuple(warnings))


def _cell(message: Message, boxes: layout.CellBoxes) -> Cell:
    caption = caption_text(message)
    return Cell(message.id, message.photo, boxes.photo, caption, boxes.caption if caption else None,
                boxes.caption_lines)


def _explicitly_placed(sequence: tuple[SequenceItem, ...], messages: tuple[Message, ...]) -> set[str]:
    placed: set[str] = set()
    for item in sequence:
        if isinstance(item, PhotoItem):
            placed.add(item.message)
        elif isinstance(item, GridItem) and item.select != "all":
            if isinstance(item.select, tuple):
                placed.update(item.select)
            else:
                placed.update(m.id for m in messages if item.select in m.tags)
    return placed


def _select(item: GridItem, messages: tuple[Message, ...], placed: set[str], all_taken: bool) -> list[Message]:
    if isinstance(item.select, tuple):
        by_id = {m.id: m for m in messages}
        return [by_id[i] for i in item.select]
    if item.select == "all":
        return [] if all_taken else [m for m in messages if m.id not in placed]
    return [m for m in messages if item.select in m.tags]
