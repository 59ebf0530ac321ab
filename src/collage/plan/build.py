"""The timeline as pure data: which slide shows when, for how many frames, with what in which box.

`plan`, `check` and `render` all call `build`. Everything is counted in integer frames (seconds are
`frames / fps`), so the rendered video lasts exactly what the plan says. This module does no I/O and
imports no imaging library.

Slides overlap by their transition: slide i+1 starts `transition` frames before slide i ends, and those
frames blend the two. The first slide fades in from black and the last fades out to black.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from collage.errors import Problem
from collage.model.project import (
    Fit,
    GridItem,
    Message,
    PhotoItem,
    Project,
    SequenceItem,
    Timing,
    TitleItem,
    Transition,
    caption_text,
    explicitly_placed,
)
from collage.model.timeline import Cell, Mask, MediaFacts, Slide, SlideKind, Spoken, Timeline
from collage.plan import layout, narration, reading
from collage.plan.captions import Caption


@dataclass
class _Draft:
    kind: SlideKind
    seconds: float
    transition: Transition  # resolved: style and seconds both set
    fixed: bool  # an explicit `duration:` that fitting to the music leaves alone
    text: tuple[str | None, str | None, str | None] = (None, None, None)
    cells: tuple[Cell, ...] = ()
    line: int | None = None
    needs: float = 0.0  # seconds its text takes to read (collage.plan.reading)


BEAT_WINDOW = 0.3  # s: how far a cut may move to land on a beat


def auto_seconds(cells: tuple[Cell, ...], needs: float, low: float, high: float) -> float:
    """`timing.slide: auto`: time to take a slide in, within [low, high]: its reading time (`needs`: captions,
    signs and translations at each script's rate, up to the next tenth of a second), or a moment to look
    at its photos if that is longer."""
    return min(high, max(low, reading.look_seconds(len(cells)), _tenths_up(needs)))


def _read_between_transitions(drafts: list[_Draft], timing: Timing) -> None:
    """The caption files show a slide's words between the middles of its transitions, each person's for a
    second at least (`outputs.sidecars`): what a slide needs is its reading time, at least a second a
    person, and half of each transition; `timing.slide: auto` gives a photo or grid slide that."""
    for i, d in enumerate(drafts):
        edges = (d.transition.seconds or 0.0) / 2 if i else 0.0  # (the first fades in from black: words from 0)
        edges += (drafts[i + 1].transition.seconds or 0.0) / 2 if i + 1 < len(drafts) else 0.0
        d.needs = max(d.needs, reading.MIN_CUE * max(1, len(d.cells))) + edges if d.needs else 0.0
        if d.kind != "title" and not d.fixed and timing.slide == "auto":
            d.seconds = auto_seconds(d.cells, d.needs, timing.min, timing.max)


def _tenths_up(seconds: float) -> float:
    return math.ceil(round(seconds * 10, 6)) / 10


def build(project: Project, facts: MediaFacts | None = None, size: tuple[int, int] | None = None,
          fps: int | None = None) -> Timeline:
    """Plan `project` at `size` and `fps` (defaults: the manifest's). Pure: what it knows of the media
    comes in `facts`. The music is needed for `timing.fit: music` and `timing.beats`; without it those
    are left out (with a warning). Photo sizes (message id -> upright width, height) let `grid: auto`
    set photos in justified rows by their shapes; without them it falls back to an even grid.
    Subjects (message id -> boxes of faces and sign) place cover crops so they stay whole; a photo
    whose subjects no crop of its box's shape can hold is shown whole over its blurred fill instead.

    Each sequence item becomes drafts (one a slide) by the builder of its kind (`_DRAFTS`); then the
    timing (fitted to the music, placed, snapped to beats); then the slides in integer frames."""
    facts = facts or MediaFacts()
    ctx = _Context(project, facts, *(size or project.size), fps or project.fps)
    drafts = [d for item in project.sequence for d in _DRAFTS[item.kind](ctx, item)]
    timing, music = project.timing, facts.music
    _read_between_transitions(drafts, timing)
    if timing.fit == "music" or timing.beats:
        if music is None:
            ctx.problems.append(Problem(ctx.manifest, "timing follows the music, but the music was not measured; "
                                        "plain timing is shown", field="timing", severity="warning"))
        elif timing.fit == "music":
            ctx.problems.extend(_fit(drafts, music.seconds, timing.min, timing.max, ctx.fps, ctx.manifest))
    said = narration.said([d.kind for d in drafts], [[c.message for c in d.cells] for d in drafts])
    short: dict[int, float] = {}
    if project.narrated and facts.speech is not None:  # the described version: each slide as long as its words
        seconds, short = narration.lengthened([d.seconds for d in drafts], said,
                                              [d.transition.seconds or 0.0 for d in drafts],
                                              timing.transition.seconds or 0.0, facts.speech, timing.max)
        for draft, length in zip(drafts, seconds, strict=True):
            draft.seconds = length
    bounds = _place(drafts, ctx.fps)
    if timing.beats and music is not None:
        bounds = _snap(bounds, music.beats, ctx.fps, [d.needs for d in drafts])
    slides = _slides(drafts, bounds, ctx.fps)
    fade_in, fade_out = _fades(slides, bounds, timing.transition.seconds or 0.0, ctx.fps)
    ctx.problems += _unread(slides, drafts, project, ctx.fps, timing.fit == "music" and music is not None, ctx.manifest)
    ctx.problems += _unmasked(project, facts.masks)
    spoken: tuple[Spoken, ...] = ()
    if project.narrated:
        if facts.speech is None:
            ctx.problems.append(Problem(ctx.manifest, "the described version's words were not measured; it is "
                                        "planned without them", field="video.described", severity="warning"))
        else:
            spoken = narration.place(slides, said, facts.speech, ctx.fps, fade_in)
            ctx.problems += narration.problems(slides, short, spoken, ctx.fps, timing.max, ctx.manifest)
    shown = {c.message for s in slides for c in s.cells}
    return Timeline(project.title, ctx.width, ctx.height, ctx.fps, tuple(slides), fade_in, fade_out,
                    tuple(project.warnings) + tuple(ctx.problems),
                    {k: v for k, v in ctx.masks.items() if k in shown}, spoken, ctx.cuts)


@dataclass
class _Context:
    """What every draft builder reads (the project, the media's facts, the frame) and adds to (problems,
    and whether a grid has taken `all` the messages not placed elsewhere)."""

    project: Project
    facts: MediaFacts
    width: int
    height: int
    fps: int
    problems: list[Problem] = dataclasses.field(default_factory=list)
    all_taken: bool = False
    cuts: dict[str, tuple[int, ...]] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        t = self.project.theme
        self.captions = layout.Captions(t.caption_px, t.caption_over_px, t.caption_position,
                                        strong=t.caption_name_weight == "bold", bold=t.caption_weight == "bold")
        self.by_id = {m.id: m for m in self.project.messages}
        self.placed = explicitly_placed(self.project.sequence, self.project.messages)
        self.masks: Mapping[str, Mask] = self.facts.masks or {}
        self.manifest = self.project.manifest.name
        self.template = self.project.caption_template

    def cut(self, aspects: list[float], texts: list[layout.Text], per_page: int, crop: list[bool]) -> list[int]:
        """How many photos each slide of a `grid: auto` shows: as worked out before (`facts.cuts`), or
        searched now; kept in `cuts` either way, for the pipeline to remember."""
        most = min(per_page, layout.MAX_PER_SLIDE)
        key = layout.cut_key(aspects, self.width, self.height, self.captions, texts, most, crop)
        known = (self.facts.cuts or {}).get(key)
        if not (isinstance(known, tuple) and sum(known) == len(aspects) and all(0 < n <= most for n in known)):
            known = tuple(layout.page_sizes(aspects, self.width, self.height, self.captions, texts, most, crop))
        self.cuts[key] = known
        return list(known)

    def transition(self, item: SequenceItem) -> Transition:
        default = self.project.timing.transition
        return default if item.transition is None else item.transition.over(default)

    def text(self, message: Message, translated: bool = False) -> layout.Text:
        """What the message's caption band holds: its caption, the name first (set stronger), and its
        translation when translations are shown on screen."""
        caption = caption_text(message, self.template)
        if caption is None:
            return layout.Text()
        head = len(message.name) if message.name and caption.startswith(message.name) else 0
        return layout.Text(Caption(caption, head), message.translation if translated else None)

    def cell(self, message: Message, boxes: layout.CellBoxes, fit: Fit, motion: str, translated: bool) -> Cell:
        """A message in its boxes: its caption, its crop (a cover fit that cannot keep the faces and the sign
        whole is shown whole instead), its Ken Burns move and its covers."""
        text = self.text(message)
        caption = text.caption.text if text.caption else None
        fit = message.fit or fit
        crop = None
        size = (self.facts.photo_sizes or {}).get(message.id)
        keep = (self.facts.subjects or {}).get(message.id, ())
        if fit == "cover" and size:
            crop = layout.cover_crop(size, (boxes.photo.w, boxes.photo.h), keep, message.focus)
            if crop is None:
                fit = "blur"
        moves = None
        if (message.motion or motion) == "kenburns":
            start = crop or (0.0, 0.0, 1.0, 1.0)  # the cover window, or the whole photo in its place
            moves = (start, layout.kenburns(start, keep, message.focus))
        cover = self.masks[message.id].areas if message.id in self.masks else ()
        return Cell(message.id, message.photo, boxes.photo, caption, boxes.caption if caption else None,
                    boxes.caption_lines, fit, message.focus or (0.5, 0.5), boxes.caption_px, boxes.caption_over, crop,
                    moves, cover, message.translation if translated and caption else None,
                    text.caption.head if text.caption else 0)

    def seconds(self, item: SequenceItem, cells: tuple[Cell, ...], needs: float) -> float:
        """How long a photo or grid slide stays: its item's `duration`, else `timing.slide` (`auto`: as
        long as its text takes to read, within the bounds)."""
        timing = self.project.timing
        if item.duration is not None:
            return item.duration
        if timing.slide == "auto":
            return auto_seconds(cells, needs, timing.min, timing.max)
        return timing.slide


def _title_drafts(ctx: _Context, item: SequenceItem) -> list[_Draft]:
    assert isinstance(item, TitleItem)
    seconds = ctx.project.timing.title if item.duration is None else item.duration
    texts = (item.title, item.subtitle, item.body)
    return [_Draft("title", seconds, ctx.transition(item), item.duration is not None, texts, (), item.line,
                   reading.reading_seconds(texts))]


def _photo_drafts(ctx: _Context, item: SequenceItem) -> list[_Draft]:
    """One message full-screen; shown whole over its blurred fill when a cover crop cannot keep it whole."""
    assert isinstance(item, PhotoItem)
    project, message = ctx.project, ctx.by_id[item.message]
    has_caption = caption_text(message, ctx.template) is not None
    translated = has_caption and project.show_translations and bool(message.translation)
    text = ctx.text(message, translated)

    def boxes(cover: bool) -> layout.CellBoxes:
        return layout.full_screen(ctx.width, ctx.height, caption=has_caption, cover=cover, captions=ctx.captions,
                                  text=text)

    cell = ctx.cell(message, boxes((message.fit or project.fit) == "cover"), project.fit, item.motion, translated)
    if cell.fit != (message.fit or project.fit):  # the crop could not keep the subjects: whole instead
        cell = ctx.cell(message, boxes(False), cell.fit, item.motion, translated)
    return [_slide_draft(ctx, item, "photo", (cell,))]


def _grid_drafts(ctx: _Context, item: SequenceItem) -> list[_Draft]:
    """The messages a grid selects, paginated: as the manifest's `grid: CxR` says on a frame of the shape
    it was written for, or as many a slide as are shown large (`auto`, and every rendition of another
    shape)."""
    assert isinstance(item, GridItem)
    project, width, height = ctx.project, ctx.width, ctx.height
    chosen = _select(item, project.messages, ctx.placed, ctx.all_taken)
    ctx.all_taken = ctx.all_taken or item.select == "all"
    if not chosen:
        ctx.problems.append(Problem(ctx.manifest, "this grid selects no approved message; it is skipped",
                                    line=item.line, field="sequence", severity="warning"))
        return []
    per_page = item.layout[0] * item.layout[1] if item.layout else layout.MAX_PER_SLIDE
    shape = item.layout if _same_shape(project.main_size or (width, height), (width, height)) else None
    aspects = [_aspect(m, ctx.facts.photo_sizes) for m in chosen]
    # Translations shown on screen get a line of their own under their captions, where they fit it.
    texts = [ctx.text(m, project.show_translations) for m in chosen]
    crop = [(m.fit or project.fit) == "cover" for m in chosen]
    counts = layout.paginate(len(chosen), per_page) if shape else ctx.cut(aspects, texts, per_page, crop)
    drafts, pos, shares = [], 0, []
    for count in counts:
        page = chosen[pos:pos + count]
        boxes_list = layout.grid_page(aspects[pos:pos + count], width, height, ctx.captions, texts[pos:pos + count],
                                      shape, crop[pos:pos + count])
        shares.append(layout.photo_share(boxes_list, aspects[pos:pos + count], crop[pos:pos + count], width, height))
        pos += count
        if any(b.photo.w < 2 or b.photo.h < 2 for b in boxes_list):
            ctx.problems.append(Problem(ctx.manifest, f"this grid leaves no room for its photos on a {width}x{height} "
                                        "frame: its captions and gutters take it all", line=item.line,
                                        field="sequence", hint="use fewer columns or rows, or a larger video.size"))
            break
        cells = tuple(ctx.cell(m, b, project.fit, item.motion, project.show_translations and b.translated)
                      for m, b in zip(page, boxes_list, strict=True))
        drafts.append(_slide_draft(ctx, item, "grid", cells))
    if shape is not None and shares and statistics.median(shares) < layout.MIN_FILL:
        ctx.problems.append(_small_grid(ctx, item, shape, shares))
    return drafts


def _small_grid(ctx: _Context, item: GridItem, shape: tuple[int, int], shares: list[float]) -> Problem:
    """A fixed grid is drawn as written; when its photos' shapes leave much of the frame empty (a row of
    portraits and landscapes is as tall as the frame allows and half as wide), the editor hears it here."""
    least, median = min(shares), statistics.median(shares)
    spread = f"the median of its {len(shares)} slides; {_percent(least)} the least" if len(shares) > 1 else \
        "its one slide"
    return Problem(ctx.manifest, f"grid: {shape[0]}x{shape[1]} shows its photos on {_percent(median)} of the "
                   f"frame ({spread}): its cells keep their columns and rows, and in them these photos leave much "
                   "of the frame empty", line=item.line,
                   field="sequence" if item.index is None else f"sequence[{item.index}].grid",
                   hint="write `grid: auto` to lay each slide out by its photos' shapes, or use fewer columns or rows",
                   severity="warning")


def _percent(share: float) -> str:
    """A share in whole percent, rounded down (39.6 % is not "40%", the floor it is compared with)."""
    return f"{math.floor(share * 100)}%"


def _slide_draft(ctx: _Context, item: SequenceItem, kind: SlideKind, cells: tuple[Cell, ...]) -> _Draft:
    needs = reading.reading_seconds(reading.slide_texts(cells, ctx.by_id, "{message}" in ctx.template))
    return _Draft(kind, ctx.seconds(item, cells, needs), ctx.transition(item), item.duration is not None,
                  cells=cells, line=item.line, needs=needs)


# The draft builder of each kind of sequence item (its `kind`): a new kind of item is one more entry.
_DRAFTS: dict[str, Callable[[_Context, SequenceItem], list[_Draft]]] = {
    "title": _title_drafts, "photo": _photo_drafts, "grid": _grid_drafts}


def _slides(drafts: list[_Draft], bounds: list[tuple[float, float]], fps: int) -> list[Slide]:
    """The drafts as slides in integer frames: each boundary rounded (not each length), each slide
    overlapping the previous one by its transition."""
    slides: list[Slide] = []
    for i, (draft, (start_s, end_s)) in enumerate(zip(drafts, bounds, strict=True)):
        start, end = _frames(start_s, fps), _frames(end_s, fps)
        overlap = slides[-1].end - start if slides else 0
        title, subtitle, body = draft.text
        slides.append(Slide(i, draft.kind, start, end - start, overlap, title, subtitle, body, draft.cells,
                            draft.line, draft.transition.style or "crossfade"))
    return slides


def _fades(slides: list[Slide], bounds: list[tuple[float, float]], fade: float, fps: int) -> tuple[int, int]:
    """Frames of the fade from black at the start and to black at the end: the transition's length, at
    most half the slide, and never into another transition."""
    if not slides:
        return 0, 0
    fade_in = _frames(min(fade, bounds[0][1] / 2), fps)
    fade_out = _frames(min(fade, (bounds[-1][1] - bounds[-1][0]) / 2), fps)
    fade_in = min(fade_in, slides[0].frames - (slides[1].transition if len(slides) > 1 else 0))
    fade_out = min(fade_out, slides[-1].frames - (slides[-1].transition if len(slides) > 1 else fade_in))
    return fade_in, fade_out


def _frames(seconds: float, fps: int) -> int:
    return max(0, round(seconds * fps))


def _same_shape(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return abs(a[0] / a[1] - b[0] / b[1]) < 0.01


ASSUMED_ASPECT = 4 / 3  # a photo whose shape is not known (unreadable: the checks report it)


def _aspect(message: Message, photo_sizes: Mapping[str, tuple[int, int]] | None) -> float:
    w, h = (photo_sizes or {}).get(message.id, (0, 0))
    return w / h if w and h else ASSUMED_ASPECT


def _unread(slides: list[Slide], drafts: list[_Draft], project: Project, fps: int, fitted: bool,
            manifest: str) -> list[Problem]:
    """A slide on screen for less time than its text takes to read (`collage.plan.reading`), as planned
    (after fitting to the music and snapping to beats): a warning naming it, the time it has and the
    time it needs, and what would give it that time. A frame short is rounding, not a warning."""
    timing = project.timing
    out: list[Problem] = []
    for slide, draft in zip(slides, drafts, strict=True):
        if slide.frames + 1 >= draft.needs * fps:
            continue
        has, needs = math.floor(slide.frames / fps * 10) / 10, _tenths_up(draft.needs)
        what = ("title" if slide.kind == "title" else f"photo '{slide.cells[0].message}'" if slide.kind == "photo"
                else f"grid of {len(slide.cells)}")
        duration = f"give it `duration: {needs:g}s`"
        if draft.fixed:
            hint = duration
        elif fitted:
            hint = f"fitting to the music shortened it: {duration}, raise `timing.min`, or use longer music"
        elif slide.kind == "title":
            hint = f"{duration}, or raise `timing.title`"
        elif timing.slide == "auto":  # longer than timing.max allows
            hint = (f"even `timing.max` ({timing.max:g}s) is too short: raise it, or "
                    + ("split the grid into smaller pages (e.g. `grid: 2x1`)" if slide.kind == "grid"
                       else "shorten the text"))
        else:  # an explicit `duration` is not held to timing.max; `auto` is
            hint = f"{duration}, or use `timing.slide: auto`" if needs <= timing.max else duration
        out.append(Problem(manifest, f"slide {slide.index} ({what}) is on screen {has:.1f} s, but its text takes "
                           f"{needs:.1f} s to read (with half of each transition, where its captions change)",
                           line=slide.line, field="sequence", hint=hint, severity="warning"))
    return out


def _unmasked(project: Project, masks: Mapping[str, Mask] | None) -> list[Problem]:
    """A masked contributor whose photo shows no face collage can find, and who has no `mask` box: an
    error, because collage cannot promise what it cannot see. (A photo that was not measured, being
    unreadable, is reported by the checks.)"""
    if masks is None:
        return []
    out = [Problem(project.manifest.name, f"message '{m.id}' is masked, but no face was found in its photo and "
                   "no `mask` box is given: collage cannot promise to cover what it cannot see", line=m.line,
                   field=m.field("consent"),
                   hint="add the face's box, `mask: [[x, y, w, h]]` (fractions of the photo); check it with "
                   "`collage still`")
           for m in project.messages if m.consent == "masked" and m.id in masks and not masks[m.id].areas]
    out += [Problem(project.manifest.name, f"message '{m.id}' shows a photo in which a face is still seen after every "
                    "face found is covered: collage will not show it", line=m.line, field=m.field("photo"),
                    hint="cover the face with a `mask` box, `mask: [[x, y, w, h]]` (fractions of the photo), and "
                    "check it with `collage still`; or use another photo")
            for m in project.messages if m.id in masks and masks[m.id].refused]
    out += [Problem(project.manifest.name, f"message '{m.id}' shows the photo of a masked message: its faces are "
                    "covered here too", line=m.line, field=m.field("photo"),
                    hint="give this message its own photo, or set `consent: masked` on it", severity="warning")
            for m in project.messages if m.consent != "masked" and m.id in masks and masks[m.id].faces]
    return out


def _place(drafts: list[_Draft], fps: int) -> list[tuple[float, float]]:
    """Start and end (s) of each slide. Each transition is clamped to half of either neighbour, here
    and only here. Callers round each boundary to a frame (not each length): the same timeline at any
    fps (a preview matches the full render), and rounding never accumulates."""
    bounds: list[tuple[float, float]] = []
    for i, draft in enumerate(drafts):
        length = max(draft.seconds, 1 / fps)
        if i == 0:
            bounds.append((0.0, length))
            continue
        prev_len = bounds[-1][1] - bounds[-1][0]
        overlap = min(draft.transition.seconds or 0.0, prev_len / 2, length / 2)
        start = bounds[-1][1] - overlap
        bounds.append((start, start + length))
    return bounds


def _total(drafts: list[_Draft], fps: int) -> float:
    bounds = _place(drafts, fps)
    return bounds[-1][1] if bounds else 0.0


def _fit(drafts: list[_Draft], target: float, low: float, high: float, fps: int, manifest: str) -> list[Problem]:
    """Scale the slides without an explicit duration so the video lasts `target` seconds, each within
    [low, high]. Lengths are found by bisection on one common scale (overlaps depend on lengths, so the
    total is not linear in it); slides that hit a bound stay there."""
    free = [d for d in drafts if not d.fixed]
    if not free:
        return [Problem(manifest, "every slide has a fixed duration; nothing can follow the music",
                        field="timing.fit", severity="warning")]
    base = [d.seconds for d in free]

    def total_at(scale: float) -> float:
        for d, b in zip(free, base, strict=True):
            d.seconds = min(high, max(low, b * scale))
        return _total(drafts, fps)

    shortest, longest = total_at(0.0), total_at(1e9)
    if not shortest - 0.5 / fps <= target <= longest + 0.5 / fps:
        total_at(1.0)
        return [Problem(manifest, f"the music lasts {target:.1f} s, but with slides of {low:g}-{high:g} s the "
                        f"video can last only {shortest:.1f}-{longest:.1f} s", field="timing.fit",
                        hint="widen timing.min/max, or change the sequence or the music")]
    lo, hi = 0.0, 1.0
    while total_at(hi) < target:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if total_at(mid) < target:
            lo = mid
        else:
            hi = mid
    total_at(hi)
    return []


def _snap(bounds: list[tuple[float, float]], beats: tuple[float, ...], fps: int,
          floors: list[float] | None = None) -> list[tuple[float, float]]:
    """Move each cut (the middle of each transition) to the nearest beat within BEAT_WINDOW, keeping
    every slide at least as long as its transitions, and never shortening one below its `floors`
    (its reading time); the video's end does not move."""
    if not beats or len(bounds) < 2:
        return bounds
    marks = sorted(beats)
    out = [list(b) for b in bounds]
    for k in range(len(out) - 1):
        cut = (out[k + 1][0] + out[k][1]) / 2
        nearest = min(marks, key=lambda b: abs(b - cut))
        shift = nearest - cut
        if abs(shift) > BEAT_WINDOW:
            continue
        overlap = out[k][1] - out[k + 1][0]
        prev_in = out[k - 1][1] - out[k][0] if k else 0.0
        next_out = out[k + 1][1] - out[k + 2][0] if k + 2 < len(out) else 0.0
        # Slide k keeps room for its incoming and outgoing transitions, and so does slide k+1.
        if (out[k][1] + shift) - out[k][0] < prev_in + overlap + 1 / fps:
            continue
        if out[k + 1][1] - (out[k + 1][0] + shift) < overlap + next_out + 1 / fps:
            continue
        if floors and ((shift < 0 and (out[k][1] + shift) - out[k][0] < floors[k])
                       or (shift > 0 and out[k + 1][1] - (out[k + 1][0] + shift) < floors[k + 1])):
            continue  # the slide it shortens would have less time than its text needs
        out[k][1] += shift
        out[k + 1][0] += shift
    return [(a, b) for a, b in out]


def _select(item: GridItem, messages: tuple[Message, ...], placed: set[str], all_taken: bool) -> list[Message]:
    if isinstance(item.select, tuple):
        by_id = {m.id: m for m in messages}
        return [by_id[i] for i in item.select]
    if item.select == "all":
        return [] if all_taken else [m for m in messages if m.id not in placed]
    return [m for m in messages if item.select in m.tags]
