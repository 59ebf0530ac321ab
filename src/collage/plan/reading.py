"""Time to read: how long a slide's text takes to read, by the script it is written in. Pure: no I/O.

Rates, in characters a second, are three quarters of the adult ceilings of Netflix's Timed Text Style
Guides (partnerhelp.netflixstudios.com, one guide per language):

    script                         Netflix adult ceiling                          here
    Latin, and any other           English (USA): 20 (children's programs: 17)    15
    Arabic, Hebrew (right to left) Arabic: 20; Hebrew: 17 (the lower is taken)    12.75
    Han (Chinese characters)       Simplified and Traditional Chinese: 9          6.75
    Hangul                         Korean: 12                                     9
    Kana (and Han beside kana)     Japanese: 4                                    3

Why lower than Netflix: those are ceilings for dialogue a viewer also hears; here the text is what the
slide is for, it shares the screen with photos to look at, and much of it is read in a second language
(the video is bilingual and goes round the world). Three quarters puts Latin at the 15 a second issue 12
asks for, below Netflix's children's rate, and within the BBC Subtitle Guidelines' 160-180 words a minute
(bbc.github.io/subtitle-guidelines, "Timing"; about 15-17 characters a second at 5.7 a word with its
space). The same margin is kept for every script so their ratios stay Netflix's. Uyghur, written in
Arabic script with every vowel, takes the lower of the Arabic and Hebrew ceilings.

What counts as a character: a letter or digit (with its combining marks), a symbol, an emoji (one, however
many code points make it: skin tone, joiner sequences, flags), and the gap between two words (once,
however many spaces and punctuation marks fill it, at the rate of the word before it; Netflix counts
spaces too). Punctuation alone is not read: `·` and `—` in a caption are seen, not spelled out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from collage.model.project import Message
from collage.model.timeline import Cell

MIN_CUE = 1.0  # s: no caption cue is on screen for less (outputs.sidecars: each person one cue or more)

Script = Literal["latin", "rtl", "han", "hangul", "kana"]

MARGIN = 0.75  # of each Netflix adult ceiling (see above)
NETFLIX_ADULT: dict[Script, float] = {"latin": 20.0, "rtl": 17.0, "han": 9.0, "hangul": 12.0, "kana": 4.0}
RATES: dict[Script, float] = {script: MARGIN * cps for script, cps in NETFLIX_ADULT.items()}

# A moment to look before any reading: a second to find one's way into a new picture after the cut, and a
# second for each photo's face and sign (what `auto` gave each photo before it knew about scripts). A slide
# with little text gets this; one with much text gets its reading time, which leaves the eyes time for the
# photos because the rates above are well below what a reader manages.
LOOK_BASE = 1.0
LOOK_PER_PHOTO = 1.0

_RTL = ("ARABIC", "HEBREW", "SYRIAC", "THAANA", "NKO", "SAMARITAN", "MANDAIC")
_HAN = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "IDEOGRAPHIC", "KANGXI RADICAL", "CJK RADICAL",
        "BOPOMOFO")
_KANA = ("HIRAGANA", "KATAKANA", "HALFWIDTH KATAKANA")
_HANGUL = ("HANGUL", "HALFWIDTH HANGUL")
_ZWJ = "\u200d"


def script_of(ch: str) -> Script:
    """The script whose rate a character is read at (anything not listed reads at the Latin rate)."""
    name = unicodedata.name(ch, "")
    if name.startswith(_HAN):
        return "han"
    if name.startswith(_KANA):
        return "kana"
    if name.startswith(_HANGUL):
        return "hangul"
    if name.startswith(_RTL):
        return "rtl"
    return "latin"


def _counted(text: str) -> list[Script | None]:
    """One entry per character read (its script), None per gap between words; nothing for what is not read."""
    out: list[Script | None] = []
    gap = joined = False
    regional = 0  # regional indicators in a row: two make one flag
    for ch in text:
        category = unicodedata.category(ch)
        if ch == _ZWJ:
            joined = True
            continue
        if category in ("Cf", "Co", "Cn", "Cs"):  # invisible: direction marks, variation tags
            continue
        if category[0] == "Z" or category == "Cc" or ch.isspace():
            gap, joined, regional = True, False, 0
            continue
        if category[0] in "MP" or category == "Sk":  # marks, punctuation, emoji modifiers: no letter of their own
            if category[0] == "P":
                regional = 0
            joined = joined and category[0] != "P"
            continue
        if joined:  # the next part of an emoji joined by ZWJ
            joined = False
            continue
        is_regional = "\U0001f1e6" <= ch <= "\U0001f1ff"
        regional = regional + 1 if is_regional else 0
        if is_regional and regional % 2 == 0:
            continue
        if gap and out:
            out.append(None)
        gap = False
        out.append(script_of(ch))
    return out


def runs(text: str) -> list[tuple[Script, int]]:
    """The characters of `text` that are read, as runs of one script: (script, count). Each gap between
    words counts once, in the run before it. Han characters in a text that has kana are Japanese and read
    at its rate."""
    counted = _counted(text)
    japanese = "kana" in counted
    out: list[tuple[Script, int]] = []
    for script in counted:
        if script is None:  # a gap: one more in the run before it (a gap always follows a character)
            last, n = out[-1]
            out[-1] = (last, n + 1)
            continue
        script = "kana" if japanese and script == "han" else script
        if out and out[-1][0] == script:
            out[-1] = (script, out[-1][1] + 1)
        else:
            out.append((script, 1))
    return out


def reading_seconds(texts: Iterable[str | None]) -> float:
    """Seconds to read every text, each run at its script's rate."""
    return sum(n / RATES[script] for text in texts if text for script, n in runs(text))


def look_seconds(photos: int) -> float:
    """Seconds to take in a slide of `photos` photos before (or besides) reading it."""
    return LOOK_BASE + LOOK_PER_PHOTO * photos


def slide_texts(cells: Sequence[Cell], messages: Mapping[str, Message], sign_in_caption: bool = False) -> list[str]:
    """What a photo or grid slide gives to read: each photo's caption as shown, its sign (`message`) and
    the sign's translation (in the sidecars, or on screen with `style.translations: show`: counted either
    way). A sign the caption already shows (`sign_in_caption`: the caption template has `{message}`) is
    read once."""
    out: list[str] = []
    for cell in cells:
        caption = cell.caption or ""
        if caption:
            out.append(caption)
        message = messages.get(cell.message)
        if message is None:
            continue
        sign = None if sign_in_caption and caption else message.text
        out += [t for t in (sign, message.translation) if t and t.strip()]
    return out
