"""What a publisher needs beside the MP4: the text alternative of a video that is music and signs.

    cues(project, timeline)    the captions' cues, in order (pure: no I/O)
    write(...)                 NAME.vtt (webvtt-py), NAME.srt (srt), NAME.transcript.html, NAME.jpg

A cue says what the slide shows: a title card's text; for photos and grids, each person as captioned and
what their sign says (`message`) with its `translation`, as `caption: “sign” (translation)`. The cues keep
to subtitle norms (Netflix's Timed Text Style Guides; DCMP; WCAG 2.2 1.2.2 and failure F8):

Lines. A cue has at most two lines. A line holds at most 42 characters of Latin and similar scripts, or 16
CJK characters (Han, kana, Hangul, and the full-width punctuation and forms that go with them); a line that
mixes them holds them in proportion: each CJK character takes the room of 42/16 others (`CJK_UNIT` and
`LATIN_UNIT` of `LINE_UNITS`), so an all-CJK line holds 16, an all-Latin one 42, and 8 CJK characters leave
room for 21 others. Characters are counted as a viewer sees them, by grapheme cluster (a letter with its
combining marks, an emoji sequence, a flag: one each); direction marks and isolates count nothing.

Breaks. A person's (or title card's) text is broken into lines, and the lines into cues, where it reads
best: between the caption and the sign (the colon stays at the line's end), between the sign and its
translation, between the caption's parts (" · ", which the line break replaces), then at a space (after a
comma or other punctuation first), and in CJK text between characters (after its punctuation first; never
before a closing mark or after an opening one). A word is never broken, but one too long for a line by
itself (a run of a script written without spaces, a long address) is cut between its graphemes. Each of a
title card's lines starts a line. Of every way to break, the cheapest is chosen (`broken`, `_PENALTY`): few
lines and cues, the better break points, and a caption, sign or translation that fits a line of its own
kept whole on one. A person's text starts a cue of its own: a grid's people follow one another.

Time. A slide's cues share its time from the middle of the transition that brings it in to the middle of
the one that takes it out (the first from the video's first frame, the last to its last): no slide's cues
overlap another's. Each cue gets at least the time to read it at the planner's rates for its scripts
(`collage.plan.reading`) and at least `MIN_CUE` (a second); time left over is shared in proportion. A slide
too short for that (the planner warns about it: `plan.build`) still gives each cue a share in proportion to its
reading time, and no cue less than a second; when even a second each does not fit, the cues share the time
equally, and when the slide has fewer frames than cues, its lines make one cue (the only cue with more than
two lines). Cues are timed to the frame.

Music. A stretch of at least `MUSIC_GAP` (two seconds) with no words on screen, where the video has music,
gets a cue of its own: the theme's `music_cue` ("[music]" unless `style.music_cue` says otherwise); in the
transcript, a slide with no words says it too.

Text stays as written; a part (a caption's part, the sign, the translation) in a right-to-left script is
isolated (FSI ... PDI) when a line holds anything else, and a line that starts right to left starts with a
RLM. The transcript gives every slide's text in order with the time the slide starts (h:mm:ss), each
person on one line.

Only what the video shows is here: approved messages, captions as drawn (an anonymous contributor's
name was dropped by the manifest loader, and so was every field a contributor withheld). The poster is
drawn by the video's own code (faces of masked contributors covered) and carries no metadata.
"""

from __future__ import annotations

import html
import itertools
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from collage.draw.compose import Artist
from collage.model.project import Project
from collage.model.timeline import Slide, Timeline
from collage.outputs import files, names
from collage.outputs.targets import MARK
from collage.plan import reading

FSI, PDI, RLM, ZWJ = "\u2068", "\u2069", "\u200f", "\u200d"

LATIN_UNIT, CJK_UNIT = 8, 21  # a grapheme's room on a line, in units of 1/336 of a line
LINE_UNITS = 42 * LATIN_UNIT  # = 16 * CJK_UNIT: 42 Latin graphemes a line, or 16 CJK
MAX_LINES = 2  # a cue's
MIN_CUE = reading.MIN_CUE  # s: no cue shorter, where the slide has room
MUSIC_GAP = 2.0  # s: a stretch with no words this long, with music under it, is marked

_CJK_EXTRA = ((0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFF60), (0xFFE0, 0xFFE6))  # CJK punctuation, forms
# Kinsoku: no line starts with a closing mark, none ends with an opening one.
_NO_START = set("，。、．・：；！？）」』】〕〉》〗〙〛”’…‥ー々ゝゞヽヾ,.:;!?)]}»"
                "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
_NO_END = set("（「『【〔〈《〖〘〚“‘([{«")
_CLAUSE_END = set(",.;:!?—–…،؛")  # a space after one of these is a better break

# What joins two pieces of text, and what a break there costs. Text: between them on one line, and at the
# end of a line broken there. Costs: breaking a line there, and ending a cue there, beside `_LINE` and
# `_CUE` for each line and cue: a text (a caption, a sign, a translation, a title card's line) that fits a
# line of its own is broken inside only to save more than a line and a cue ("whole"); a translation stays
# in its sign's cue unless that costs a line.
_MID = {"hard": "", "colon": ": ", "group": " ", "field": " · ", "punct": " ", "space": " ", "cjkpunct": "",
        "cjk": "", "cut": ""}
_END = {"colon": ":"}
_PENALTY = {  # (a line break here, a cue break here)
    "hard": (0, 0),  # between a title card's lines: always broken
    "colon": (0, 0),  # the caption, then what the sign says
    "group": (5, 150),  # the sign, then its translation
    "field": (10, 200),  # between a caption's parts
    "cjkpunct": (60, 200),  # after CJK punctuation
    "punct": (100, 250),  # a space after a comma, a full stop, a dash
    "space": (150, 300),
    "cjk": (300, 450),  # between CJK characters (inside a word, often): after punctuation is better
    "cut": (1000, 1000),  # inside a word too long for a line: no other way
    "whole": (500, 600),  # any break inside a text that fits a line of its own
}
_LINE, _CUE, _RAGGED = 100, 150, 30
_INSIDE = ("punct", "space", "cjkpunct", "cjk", "cut")  # breaks inside a part: its lines should be full


@dataclass(frozen=True)
class Cue:
    start: int  # first frame
    end: int  # one past the last frame
    lines: tuple[str, ...]
    title: bool = False  # of a title card
    slide: int | None = None  # the slide it belongs to; None: a music cue
    ident: str = ""  # the VTT cue's identifier: slide-N.K (K from 1), music-K, or said-N.K (the descriptions)


@dataclass(frozen=True)
class _Atom:
    """A piece of text no line breaks inside: a word, a CJK character with what may not leave it."""

    text: str
    group: int  # the part it belongs to (isolated as one when right to left)
    glue: str  # what joins it to the atom before it (a key of `_MID`); "" for the first
    units: int
    unit: int  # the text it belongs to: a caption (all its parts), a sign, a translation, a title card's line


def _graphemes(text: str) -> list[str]:
    """Extended grapheme clusters, as far as captions need them (UAX #29 simplified): a base with its
    combining marks, variation selectors and emoji modifiers; a ZWJ sequence; a flag's two regional
    indicators; Hangul jamo with the syllable they complete."""
    out: list[str] = []
    joined = False
    for ch in text:
        code = ord(ch)
        prev = ord(out[-1][-1]) if out else 0
        extend = bool(out) and (
            joined or unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch == ZWJ
            or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F  # skin tones, emoji tags
            or (_regional(ch) and len(out[-1]) == 1 and _regional(out[-1]))
            or (0x1160 <= code <= 0x11FF and (0x1100 <= prev <= 0x11FF or 0xAC00 <= prev <= 0xD7A3)))
        joined = ch == ZWJ
        if extend:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


@cache
def _cjk(ch: str) -> bool:
    code = ord(ch)
    return reading.script_of(ch) in ("han", "kana", "hangul") or any(lo <= code <= hi for lo, hi in _CJK_EXTRA)


def _units(text: str) -> int:
    """The room `text` takes on a line (see `LINE_UNITS`)."""
    return sum(0 if all(unicodedata.category(c) == "Cf" for c in g) else CJK_UNIT if _cjk(g[0]) else LATIN_UNIT
               for g in _graphemes(text))


def _atoms(parts: tuple[tuple[str, str], ...]) -> list[_Atom]:
    """The atoms of `parts` ((text, glue before it) each); a part is broken into words, and a word where
    CJK text may break, or, too long for a line, between its graphemes."""
    out: list[_Atom] = []
    unit = -1
    for group, (text, glue) in enumerate(parts):
        unit += glue != "field"
        for word in text.split(" "):
            if not word:
                continue
            for k, (piece, inner) in enumerate(_pieces(word)):
                out.append(_Atom(piece, group, glue if k == 0 else inner, _units(piece), unit))
            glue = "punct" if word[-1] in _CLAUSE_END else "space"
    return out


def _pieces(word: str) -> list[tuple[str, str]]:
    """A word as the pieces a line may break between: (text, glue before it)."""
    gs = _graphemes(word)
    out: list[tuple[str, str]] = [(gs[0], "")]
    for prev, g in itertools.pairwise(gs):
        if (_cjk(prev[0]) or _cjk(g[0])) and g[0] not in _NO_START and prev[0] not in _NO_END:
            out.append((g, "cjkpunct" if unicodedata.category(prev[0])[0] == "P" else "cjk"))
        else:
            out[-1] = (out[-1][0] + g, out[-1][1])
    whole: list[tuple[str, str]] = []
    for text, glue in out:
        if _units(text) + LATIN_UNIT <= LINE_UNITS:  # (room for a colon after it)
            whole.append((text, glue))
        else:
            whole += [(g, glue if k == 0 else "cut") for k, g in enumerate(_graphemes(text))]
    return whole


def _parts(text: str, glue: str) -> tuple[tuple[str, str], ...]:
    """A text as its parts: split at " · ", each part joined to the one before by `field`."""
    return tuple((p, glue if k == 0 else "field") for k, p in enumerate(text.split(" · ")))


def _person_parts(caption: str | None, sign: str | None, translation: str | None) -> tuple[tuple[str, str], ...]:
    """`caption: “sign” (translation)` as parts, each present or not."""
    parts = _parts(_flat(caption), "") if caption and caption.strip() else ()
    if sign and sign.strip():
        parts += _parts(f"“{_flat(sign)}”", "colon" if parts else "")
    if translation and translation.strip():
        parts += _parts(f"({_flat(translation)})", "group" if sign and sign.strip() else "colon" if parts else "")
    return tuple((t, g) for t, g in parts if t.strip())


def _title_parts(slide: Slide) -> tuple[tuple[str, str], ...]:
    """A title card's title, subtitle and body lines, each starting a line."""
    out: tuple[tuple[str, str], ...] = ()
    for t in (slide.title, slide.subtitle, *(slide.body or "").splitlines()):
        if t and t.strip():
            out += _parts(_flat(t), "hard" if out else "")
    return out


@lru_cache(maxsize=4096)
def broken(parts: tuple[tuple[str, str], ...]) -> tuple[tuple[str, ...], ...]:
    """`parts` ((text, glue before it) each: see `_MID`) as cues of lines, broken where it reads best: of
    every way to break it, the cheapest (`_LINE` a line, `_CUE` a cue, `_PENALTY` each break, `_RAGGED` a
    line broken inside a part that leaves room)."""
    atoms = _atoms(parts)
    n = len(atoms)
    if not n:
        return ()
    room: dict[int, int] = {}  # each text's width on a line of its own (and a colon after it)
    for k, a in enumerate(atoms):
        inner = k and atoms[k - 1].unit == a.unit
        room[a.unit] = room.get(a.unit, LATIN_UNIT) + a.units + (LATIN_UNIT * len(_MID[a.glue]) if inner else 0)
    # best[c][i]: the least cost of the text from atom i on, a line starting there after c lines of its cue.
    best = [[0.0] * (n + 1) for _ in range(MAX_LINES)]
    choice = [[(n, True)] * (n + 1) for _ in range(MAX_LINES)]
    for i in range(n - 1, -1, -1):
        lines: list[tuple[int, float, str]] = []  # the lines that may start at i: (end, cost, break there)
        width = 0
        for j in range(i + 1, n + 1):
            a = atoms[j - 1]
            width += a.units + (LATIN_UNIT * len(_MID[a.glue]) if j - 1 > i else 0)  # (separators are Latin)
            end = atoms[j].glue if j < n else ""
            fits = width + LATIN_UNIT * len(_END.get(end, "")) <= LINE_UNITS
            if not fits and j > i + 1:  # (a single atom is a line even when too wide: it cannot be)
                break
            ragged = _RAGGED * (max(0, LINE_UNITS - width) / LINE_UNITS) ** 2 if end in _INSIDE else 0.0
            whole = j < n and atoms[j].unit == atoms[j - 1].unit and room[atoms[j].unit] <= LINE_UNITS
            lines.append((j, _LINE + ragged, "whole" if whole else end))
            if end == "hard" or not fits:
                break
        for c in range(MAX_LINES):  # (a line's end is n, or a break `_PENALTY` knows)
            best[c][i] = math.inf
            for j, cost, end in lines:
                cost += _CUE if c == 0 else 0
                options = [(cost + (_PENALTY[end][1] + best[0][j] if j < n else 0), True)]
                if j < n and c + 1 < MAX_LINES:
                    options.append((cost + _PENALTY[end][0] + best[c + 1][j], False))
                for total, closes in options:
                    if total < best[c][i]:
                        best[c][i], choice[c][i] = total, (j, closes)
    cues: list[tuple[str, ...]] = []
    said: list[str] = []
    i, c = 0, 0
    while i < n:
        j, closes = choice[c][i]
        said.append(_assemble(atoms[i:j], atoms[j].glue if j < n else ""))
        if closes:
            cues.append(tuple(said))
            said = []
        i, c = j, 0 if closes else c + 1
    return tuple(cues)


def _assemble(atoms: list[_Atom], end: str) -> str:
    """One line of atoms: each part's text, right-to-left parts isolated when the line holds more than
    one part, a RLM first when it starts right to left."""
    pieces, seps = [atoms[0].text], []
    for prev, a in itertools.pairwise(atoms):
        if a.group == prev.group:
            pieces[-1] += _MID[a.glue] + a.text
        else:
            seps.append(_MID[a.glue])
            pieces.append(a.text)
    shown = [f"{FSI}{p}{PDI}" if len(pieces) > 1 and _rtl(p) else p for p in pieces]
    text = shown[0] + "".join(s + p for s, p in zip(seps, shown[1:], strict=True)) + _END.get(end, "")
    return (RLM + text) if _first_strong_rtl(pieces[0]) else text


def _windows(timeline: Timeline) -> list[tuple[int, int]]:
    """Each slide's captions' frames: from the middle of the transition in to the middle of the one out."""
    slides = timeline.slides
    out = []
    for i, s in enumerate(slides):
        start = s.start + s.transition // 2
        end = slides[i + 1].start + slides[i + 1].transition // 2 if i + 1 < len(slides) else s.end
        out.append((start, max(start, end)))
    return out


def _slide_cues(project: Project, slide: Slide) -> list[tuple[str, ...]]:
    """A slide's text as cues of lines: a title card's, or each person's in turn."""
    if slide.kind == "title":
        return list(broken(_title_parts(slide)))
    by_id = {m.id: m for m in project.messages}
    return [cue for c in slide.cells
            for cue in broken(_person_parts(c.caption, by_id[c.message].text, by_id[c.message].translation))]


def _needs(texts: list[tuple[str, ...]], fps: int) -> list[int]:
    """Frames each cue needs: to read it at the planner's rates, and `MIN_CUE` at least."""
    least = math.ceil(MIN_CUE * fps - 1e-9)
    return [max(least, math.ceil(reading.reading_seconds(lines) * fps - 1e-9)) for lines in texts]


def _shares(texts: list[tuple[str, ...]], frames: int, fps: int) -> list[int]:
    """Frames for each cue of a slide with `frames` for them all: see the module's "Time"."""
    n, needs = len(texts), _needs(texts, fps)
    if sum(needs) <= frames:  # room for all: each its reading time, and what is left in proportion
        return _apportion([float(x) for x in needs], frames)
    least = math.ceil(MIN_CUE * fps - 1e-9)
    floor = least if n * least <= frames else frames // n
    weights = [max(reading.reading_seconds(lines), 1e-6) for lines in texts]
    fixed: set[int] = set()
    scale = 0.0
    while len(fixed) < n:  # in proportion to reading time, but no cue below `floor`
        free = [k for k in range(n) if k not in fixed]
        scale = (frames - floor * len(fixed)) / sum(weights[k] for k in free)
        low = {k for k in free if weights[k] * scale < floor}
        if not low:
            break
        fixed |= low
    return _apportion([floor if k in fixed else weights[k] * scale for k in range(n)], frames)


def _apportion(shares: list[float], frames: int) -> list[int]:
    """Whole frames for real `shares`, summing to `frames` (largest remainders), never below their floor."""
    total = sum(shares)
    exact = [s * frames / total for s in shares]
    out = [math.floor(x + 1e-9) for x in exact]
    order = sorted(range(len(exact)), key=lambda k: out[k] - exact[k])  # the largest remainder first
    for k in order[:max(0, frames - sum(out))]:
        out[k] += 1
    for k in order[::-1][:max(0, sum(out) - frames)]:  # (a float's error: a frame too many)
        out[k] -= 1
    return out


def cues(project: Project, timeline: Timeline) -> list[Cue]:
    """Every cue, in order: each slide's, and a music cue where only music plays."""
    out: list[Cue] = []
    for slide, (start, end) in zip(timeline.slides, _windows(timeline), strict=True):
        texts = _slide_cues(project, slide)
        frames = end - start
        if not texts or not frames:
            continue
        if frames < len(texts):  # fewer frames than cues: one cue says it all
            texts = [tuple(line for cue in texts for line in cue)]
        at = start
        for k, (lines, length) in enumerate(zip(texts, _shares(texts, frames, timeline.fps), strict=True),
                                            start=1):
            out.append(Cue(at, at + length, lines, slide.kind == "title", slide.index, f"slide-{slide.index}.{k}"))
            at += length
    return _with_music(project, timeline, out)


def _with_music(project: Project, timeline: Timeline, said: list[Cue]) -> list[Cue]:
    """`said` with a music cue in each stretch of at least `MUSIC_GAP` with no words, where music plays."""
    if not project.music.tracks:
        return said
    words = [line for cue in broken(_parts(_flat(project.theme.music_cue), "")) for line in cue]
    least = math.ceil(MUSIC_GAP * timeline.fps - 1e-9)
    out: list[Cue] = []
    at = 0
    for cue in [*said, Cue(timeline.frames, timeline.frames, ())]:
        if cue.start - at >= least:
            out.append(Cue(at, cue.start, tuple(words), ident=f"music-{sum(c.slide is None for c in out) + 1}"))
        if cue.lines:
            out.append(cue)
        at = max(at, cue.end)
    return out


def _person(caption: str | None, sign: str | None, translation: str | None) -> str:
    """`caption: “sign” (translation)` on one line, each part present or not (the transcript's line)."""
    said = [f"“{_flat(sign)}”"] if sign else []
    said += [f"({_flat(translation)})"] if translation else []
    return _line([_flat(caption), *said] if caption else said, ": " if caption and said else " ")


def _flat(text: str) -> str:
    """One line of cue text: whitespace (line breaks too: a blank line would end the cue) made single
    spaces, and the cue timing arrow, which may not appear in a cue's text, made an arrow."""
    return " ".join(text.split()).replace("-->", "→")


def _line(parts: list[str], first_sep: str = " ") -> str:
    """Parts joined (the first by `first_sep`), each right-to-left part isolated when there are several;
    RLM first when the line starts right to left."""
    shown = [f"{FSI}{p}{PDI}" if _rtl(p) and len(parts) > 1 else p for p in parts]
    text = shown[0] + (first_sep + " ".join(shown[1:]) if len(shown) > 1 else "") if shown else ""
    return (RLM + text) if parts and _first_strong_rtl(parts[0]) else text


def _rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def _first_strong_rtl(text: str) -> bool:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _vtt_escape(text: str) -> str:
    """Cue text is markup in WebVTT (`<v>`, `<c>`, `<i>`, timestamps, entities): text stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _srt_plain(text: str) -> str:
    """SRT has no escapes, yet players read `<i>`-style tags and `{\\an8}`-style overrides: a word
    joiner after each opening bracket keeps them text (shown as written, never interpreted)."""
    return text.replace("<", "<\u2060").replace("{", "{\u2060")


def poster_slide(project: Project, timeline: Timeline) -> Slide:
    """`video.poster`, or the first grid, or the first photo, or the first slide."""
    if project.poster is not None and project.poster < len(timeline.slides):
        return timeline.slides[project.poster]
    for kind in ("grid", "photo"):
        for s in timeline.slides:
            if s.kind == kind:
                return s
    return timeline.slides[0]


def vtt(project: Project, timeline: Timeline) -> str:
    return vtt_text(cues(project, timeline), timeline.fps)


def vtt_text(timed: Iterable[Cue], fps: int, *notes: str) -> str:
    """WebVTT of cues (the captions', or the described version's), with `notes` after the mark."""
    from webvtt import Caption, WebVTT

    doc = WebVTT()
    for cue in timed:
        doc.captions.append(Caption(_stamp(cue.start, fps, "."), _stamp(cue.end, fps, "."),
                                    [_vtt_escape(line) for line in cue.lines], identifier=cue.ident))
    # A note (no player shows it) marks the file as collage's: a later render may replace it.
    header, _, rest = str(doc.content).partition("\n\n")
    return "\n\n".join([header, f"NOTE {MARK}", *(f"NOTE {n}" for n in notes), rest])


def srt_text(project: Project, timeline: Timeline) -> str:
    return srt_of(cues(project, timeline), timeline.fps)


def srt_of(timed: Iterable[Cue], fps: int) -> str:
    """SubRip of cues (the captions', or the described version's)."""
    import datetime

    import srt

    subs = [srt.Subtitle(k, datetime.timedelta(milliseconds=round(c.start * 1000 / fps)),
                         datetime.timedelta(milliseconds=round(c.end * 1000 / fps)),
                         "\n".join(_srt_plain(line) for line in c.lines))
            for k, c in enumerate(timed, start=1)]
    return str(srt.compose(subs))


def transcript(project: Project, timeline: Timeline) -> str:
    """Every slide's text in order, each with the time it starts (h:mm:ss), a heading for each title card:
    the text alternative. A slide with no words says the theme's `music_cue` where music plays."""
    e = html.escape
    by_id = {m.id: m for m in project.messages}
    body = []
    for slide in timeline.slides:
        whole = slide.start // timeline.fps
        when = (f'<time class="t" datetime="PT{whole}S">{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}'
                "</time> ")
        if slide.kind == "title":
            lines = [_line([_flat(t)]) for t in (slide.title, slide.subtitle, *(slide.body or "").splitlines())
                     if t and t.strip()]
        else:
            lines = [line for c in slide.cells
                     if (line := _person(c.caption, by_id[c.message].text, by_id[c.message].translation))]
        if slide.kind == "title" and lines:
            body.append(f'<h2 dir="auto">{when}{e(lines[0].lstrip(RLM))}</h2>')
            body += [f'<p dir="auto">{e(line.lstrip(RLM))}</p>' for line in lines[1:]]
        elif lines:
            body.append(f"<p>{when.strip()}</p><ul>"
                        + "".join(f'<li dir="auto">{e(line.lstrip(RLM))}</li>' for line in lines) + "</ul>")
        elif project.music.tracks:
            body.append(f'<p dir="auto">{when}{e(_flat(project.theme.music_cue))}</p>')
    return f"""<!doctype html>
<html><head><meta charset="utf-8">
<meta name="generator" content="{MARK}">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(project.title)}: transcript</title>
<style>body {{ font: 16px/1.5 system-ui, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
       "Noto Sans Arabic", sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; }}
.t {{ color: #777; font: 13px ui-monospace, monospace; }} li {{ margin: .3em 0; }} p + ul {{ margin-top: 0; }}</style>
</head>
<body>
<h1 dir="auto">{e(project.title)}</h1>
<p>The text of the video: every title card, and every person shown with what their sign says, each slide with
the time it starts.</p>
{"".join(body)}
</body></html>
"""


def _stamp(frame: int, fps: int, comma: str) -> str:
    """A cue time: HH:MM:SS.mmm (WebVTT, comma ".") or HH:MM:SS,mmm (SRT, ",")."""
    ms = round(frame * 1000 / fps)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{comma}{ms:03d}"


def write(project: Project, timeline: Timeline, video: Path, size: tuple[int, int]) -> list[Path]:
    """The sidecars beside `video` (NAME.vtt, NAME.srt, NAME.transcript.html, NAME.jpg), each written
    aside and moved into place."""
    texts = (vtt(project, timeline), srt_text(project, timeline), transcript(project, timeline))
    return write_beside(project, timeline, video, size, texts)


def write_beside(project: Project, timeline: Timeline, video: Path, size: tuple[int, int],
                 texts: tuple[str, str, str]) -> list[Path]:
    """NAME.vtt, NAME.srt and NAME.transcript.html of `texts`, and the poster NAME.jpg, beside `video`
    (the main video's sidecars, and the described version's)."""
    vtt_path, srt_path, transcript_path, poster = names.sidecars(video)
    for target, text in zip((vtt_path, srt_path, transcript_path), texts, strict=True):
        files.write_text(target, text)
    slide = poster_slide(project, timeline)
    artist = Artist(project.folder, size, project.theme, project.manifest.name, (timeline.width, timeline.height))
    picture = artist.draw(slide, slide.progress(slide.start + slide.frames // 2))
    # No EXIF (none is given); a comment marks it as collage's.
    files.save(poster, lambda path: picture.save(path, format="JPEG", quality=90, comment=MARK.encode()))
    return [vtt_path, srt_path, transcript_path, poster]
