"""Extended description: the described version's slides, each on screen as long as what is said about it
needs, and when each thing is said. Pure: the seconds each thing takes to say come in the media facts.

A slide's words start `LEAD` after it is fully on screen (its incoming transition done), one person's
after another's with `BETWEEN` between them, and the slide stays `PAUSE` after the last word before its
outgoing transition starts: so nothing is said over a transition, and the picture always matches the
words. A slide that already lasts longer keeps its length; one that would need more than `timing.max` (or
its own longer `duration`) gets that, with a warning, and its words run on into the next slide, whose
words then wait for them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from collage.errors import Problem
from collage.model.timeline import Slide, Spoken

LEAD = 0.3  # s from a slide being fully on screen to its first word
BETWEEN = 0.6  # s between the words about two people on one slide
PAUSE = 1.0  # s from the last word to the slide starting to go


def said(kinds: Sequence[str], messages: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """What is said over each slide, by key: the N-th title card's `title-N`; each person's message id."""
    out: list[tuple[str, ...]] = []
    titles = 0
    for kind, ids in zip(kinds, messages, strict=True):
        if kind == "title":
            out.append((f"title-{titles}",))
            titles += 1
        else:
            out.append(tuple(ids))
    return out


def speaking(keys: Sequence[str], speech: Mapping[str, float]) -> float:
    """Seconds of words over a slide, with the pauses between people."""
    lengths = [speech[k] for k in keys if speech.get(k)]
    return sum(lengths) + BETWEEN * max(0, len(lengths) - 1)


def lengthened(seconds: Sequence[float], keys: Sequence[Sequence[str]], transitions: Sequence[float], fade: float,
               speech: Mapping[str, float], high: float) -> tuple[list[float], dict[int, float]]:
    """Each slide's seconds, long enough for its words and the pauses around them (never shorter than
    planned, never longer than `high` or its planned length if that is longer); and the slides that
    cannot fit their words, with the seconds they would need. Slides are followed in order as they will
    be placed, so words held back by a slide before that could not fit them are waited for."""
    out: list[float] = []
    short: dict[int, float] = {}
    n = len(seconds)
    end = free = 0.0  # where the slide before ends; the first moment the next words may start
    for i in range(n):
        coming = transitions[i] if i else fade
        going = transitions[i + 1] if i + 1 < n else fade
        start = end - min(coming, (out[-1] if out else 0.0) / 2) if i else 0.0
        words = speaking(keys[i], speech)
        if not words:
            out.append(seconds[i])
        else:
            said_from = max(start + coming + LEAD, free)
            needs = _tenths_up(said_from + words + PAUSE + going - start)
            cap = max(high, seconds[i])
            if needs > cap:
                short[i] = needs
            out.append(max(seconds[i], min(needs, cap)))
            free = said_from + words + BETWEEN
        end = start + out[-1]
    return out, short


def place(slides: Sequence[Slide], keys: Sequence[Sequence[str]], speech: Mapping[str, float], fps: int,
          fade_in: int) -> tuple[Spoken, ...]:
    """When each thing is said: from `LEAD` after its slide is fully on screen, one after another, never
    over the words before."""
    out: list[Spoken] = []
    free = 0  # the first frame after the words said so far (and the pause after them)
    for slide, said_here in zip(slides, keys, strict=True):
        shown = slide.start + (slide.transition if slide.index else fade_in)
        at = max(shown + _frames(LEAD, fps), free)
        for k, key in enumerate(x for x in said_here if speech.get(x)):
            if k:
                at += _frames(BETWEEN, fps)
            frames = math.ceil(speech[key] * fps - 1e-9)
            out.append(Spoken(slide.index, key, at, frames))
            at += frames
        if out and out[-1].slide == slide.index:
            free = at + _frames(BETWEEN, fps)
    return tuple(out)


def problems(slides: Sequence[Slide], short: Mapping[int, float], spoken: Sequence[Spoken], fps: int, high: float,
             manifest: str) -> list[Problem]:
    """A warning for each slide whose words do not fit it (more than `timing.max`), and for words that
    run past the end of the video."""
    out: list[Problem] = []
    for i, needs in short.items():
        slide = slides[i]
        words = sum(p.frames for p in spoken if p.slide == i) / fps
        out.append(Problem(manifest, f"slide {i} of the described version needs {needs:.1f} s for what is said "
                           f"about it ({words:.1f} s of words, and the pauses around them), but may last "
                           f"{slide.frames / fps:.1f} s (timing.max is {high:g}s): its words run on over the next "
                           "slide", line=slide.line, field="video.described",
                           hint="raise `timing.max`, split the grid into smaller pages, or shorten the text "
                           "(a `template` under video.described)", severity="warning"))
    end = slides[-1].end if slides else 0
    if spoken and spoken[-1].start + spoken[-1].frames > end:
        out.append(Problem(manifest, "the described version's last words run past the end of the video and are cut",
                           field="video.described", hint="raise `timing.max`", severity="warning"))
    return out


def _frames(seconds: float, fps: int) -> int:
    return round(seconds * fps)


def _tenths_up(seconds: float) -> float:
    return math.ceil(round(seconds * 10, 6)) / 10
