"""How a caption is set, as a magazine sets one: the name first and stronger (the theme's
`caption_name_weight`, bold by default), then the details (profession, place) in the regular weight.

    Alice Chen · Teacher · Taipei, Taiwan        name and details on one line, where they fit
    Amina Yusuf                                  else the name on a line of its own,
    Human-rights lawyer · Nairobi, Kenya         the details on the next (one line where they fit)

Lines break first between the caption's parts (at its separators, " · "), then at spaces, and never inside
a word in any script: a Chinese name or place ("中华人民共和国") is one word, kept whole on its line. Only a
word wider than the line by itself is cut short with an ellipsis (the drawing first shrinks it toward the
legibility floor; `check` names the message). Of the ways to break into as few lines, the most even wins.

The same rules set a caption twice: in the planner, with widths estimated from the characters
(`collage.plan.layout.text_px`: it reads no fonts), to leave each caption the lines it needs under its
photo; and in the drawing, with the fonts' own widths. The estimate is never narrower than the font, so
the drawing never needs more lines than the plan left it. Pure: no fonts, no pixels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

ELLIPSIS = "…"
# Between a caption's parts (the template's separators); a line break there drops the separator.
_PART = re.compile(r"\s+[·•|–—/]\s+")
_LEADING = " \t·•|–—/,;:"  # what follows the name before the details: dropped when they go to the next line

Measure = Callable[[str], float]  # a line's width in pixels, in one weight


@dataclass(frozen=True)
class Caption:
    """A caption as it is set: `text` whole, its first `head` characters the name (0: no name shown)."""

    text: str
    head: int = 0

    @property
    def name(self) -> str | None:
        return self.text[:self.head].strip() or None if self.head else None

    @property
    def details(self) -> str | None:
        rest = self.text[self.head:] if self.head else self.text
        return rest.lstrip(_LEADING).strip() or None


@dataclass(frozen=True)
class Lines:
    """Text broken into lines; `cut`: a word wider than the line was cut short with an ellipsis."""

    lines: tuple[str, ...] = ()
    cut: bool = False


@dataclass(frozen=True)
class Setting:
    """A caption as set in a width: `inline` (the name, then the details, on one line: `name` holds that
    line), or the name's lines and then the details' lines."""

    name: Lines
    details: Lines
    inline: bool = False

    @property
    def lines(self) -> int:
        return len(self.name.lines) + len(self.details.lines)

    @property
    def cut(self) -> bool:
        return self.name.cut or self.details.cut


def set_caption(caption: Caption, width: float, strong: Measure, regular: Measure, even: bool = True) -> Setting:
    """`caption` set in `width`: on one line when the name (measured by `strong`) and the details (by
    `regular`) fit there together and read left to right, else the name's lines and then the details'
    (a line of its own for each reads in its own direction). `even`: lines as even as they can be (else
    only as many, as the planner counts them)."""
    name, details = caption.name, caption.details
    if name is None:
        return Setting(Lines(), break_words(details or "", width, regular, even))
    if details is None:
        return Setting(break_words(name, width, strong, even), Lines())
    head = caption.text[:caption.head]
    if not _rtl(caption.text) and strong(head) + regular(caption.text[caption.head:]) <= width:
        return Setting(Lines((caption.text,)), Lines(), inline=True)
    return Setting(break_words(name, width, strong, even), break_words(details, width, regular, even))


def break_words(text: str, width: float, measure: Measure, even: bool = True) -> Lines:
    """`text` in lines of at most `width`: broken between its parts where it must break, a part wider
    than the line at its spaces, and a word wider than the line cut short with an ellipsis; as few
    lines as that takes, as even as they can be (`even`; else as full as they can be, in the same
    number: the planner only counts them)."""
    text = text.strip()
    if not text:
        return Lines()
    if measure(text) <= width:
        return Lines((text,))
    units: list[tuple[str, str]] = []  # (piece, what joins it to the one before on a line)
    cut = False
    pieces = _PART.split(text)
    joins = [""] + [m.group(0) for m in _PART.finditer(text)]
    for piece, join in zip(pieces, joins, strict=True):
        if measure(piece) <= width:
            units.append((piece, join))
            continue
        for k, word in enumerate(piece.split()):
            if measure(word) > width:
                word, cut = ellipsized(word, width, measure) if even else ELLIPSIS, True
            units.append((word, join if k == 0 else " "))
    lines = _greedy(units, width, measure)
    if not even:
        return Lines(tuple(lines), cut)
    low = max(measure(u) for u, _ in units)
    high = width
    for _ in range(10):  # the narrowest width that still takes as few lines: the most even lines
        if high - low < 1:
            break
        mid = (low + high) / 2
        trial = _greedy(units, mid, measure)
        if len(trial) <= len(lines):
            lines, high = trial, mid
        else:
            low = mid
    return Lines(tuple(lines), cut)


def _greedy(units: list[tuple[str, str]], width: float, measure: Measure) -> list[str]:
    lines: list[str] = []
    line = ""
    for piece, join in units:
        candidate = line + join + piece if line else piece
        if line and measure(candidate) > width:
            lines.append(line)
            line = piece
        else:
            line = candidate
    lines.append(line)
    return lines


def ellipsized(word: str, width: float, measure: Measure) -> str:
    """`word` cut short to fit `width` with an ellipsis after it."""
    while word and measure(word + ELLIPSIS) > width:
        word = word[:-1]
    return word.rstrip(" ·,") + ELLIPSIS


def words(text: str) -> list[str]:
    """A caption's words, as a line break may separate them (separators are not words)."""
    return [w for piece in _PART.split(text) for w in piece.split()]


def _rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)
