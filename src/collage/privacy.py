"""What must never be shown: contributors' email addresses, and names withheld.

Text is judged as a viewer reads it, not as it is stored (`fold`): compatibility forms folded (＠ is @,
ｂ is b), invisible characters removed (zero-width spaces and joiners, the combining grapheme joiner,
variation selectors, direction marks and overrides), accents and other combining marks removed, and
characters that read as a dot made dots. An address is then looked for in the text as written, in
reverse (a right-to-left override shows `gro.elpmaxe@ecila` as an address), with the spaces and line
breaks a person reads past collapsed around `@` and dots, with lines run together (an address broken
across two lines), and spelled out (`alice [at] example [dot] org`, `alice at example dot org`). A
disguised address counts when it ends in a top-level domain, so a sentence after an @-handle does not.

Every line collage prints passes through `redact`, so an address can never be echoed back even inside
an error about it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Bounded (the lengths RFC 5321 allows): unbounded runs made the search quadratic on a long word
# (100,000 letters took 35 s, found by fuzzing). The local part is tried once a run of its characters,
# from the run's start, and never given back (`++`: no character of it can be an @): a run of a million
# letters is read once, not 64 times. (Whether an address is there is the same: one is there exactly
# when an @ has such a character before it and a domain after it.)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
HIDDEN = "[email hidden]"
HIDDEN_LINE = "[a line that holds an email address was hidden]"
# Characters that read as a dot (NFKC leaves the ideographic full stop as it is).
_DOTS = str.maketrans({"\u3002": ".", "\uff61": ".", "\u2024": ".", "\ufe52": "."})
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): drawn as nothing.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")
# A disguised address: `@` (or `[at]`) with spaces around it, and dots written with spaces before them
# or as `[dot]` (a sentence's full stop has its space after it: `@handle. Be brave` is not an address);
# or `at` as a word, with `dot` as a word or a plain dot.
_LABEL = r"[\w-]{1,63}"
_BRACKETED = r"\s*[\[({{<]\s*{}\s*[\])}}>]\s*"
_AT_SIGN = rf"(?:\s*@\s*|{_BRACKETED.format('at')})"
_DOT_SIGN = rf"(?:\s+\.\s*|\.|{_BRACKETED.format('dot')})"
_DOT_WORD = rf"(?:\s+dot\s+|\.|{_BRACKETED.format('dot')})"
_AFTER_LOCAL = rf"(?:{_AT_SIGN}{_LABEL}(?:{_DOT_SIGN}{_LABEL}){{1,8}}|\s+at\s+{_LABEL}(?:{_DOT_WORD}{_LABEL}){{1,8}})"
_DISGUISED = re.compile(rf"[\w.+-]{{1,64}}{_AFTER_LOCAL}", re.IGNORECASE)
# The same, tried only from the start of a run of the local part's characters, which it takes whole and
# never gives back (`++`; what may follow it, a space, an @ or a bracket, is none of them): tried from
# every letter, a word of a million letters cost 64 million steps (found by fuzzing). See `_disguised`.
_DISGUISED_RUN = re.compile(rf"(?<![\w.+-])[\w.+-]++{_AFTER_LOCAL}", re.IGNORECASE)
_LOCAL_RUN = re.compile(r"[\w.+-]*")
_LOCAL_CHAR = re.compile(r"[\w.+-]")
_AT = re.compile("at", re.IGNORECASE)  # a disguised address has an @ or the word `at`
_SPACE_RUN = re.compile(r"\s+")
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\u200f\u202b\u202e\u2067\ufb1d-\ufdff\ufe70-\ufeff]|[\U00010800-\U00010fff]")
_LAST_LABEL = re.compile(rf"(?:\.|dot|\s)\s*[\])}}>]?\s*({_LABEL})$", re.IGNORECASE)
_TOP_LEVEL = frozenset({
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "mobi", "app", "dev", "io",
    "ai", "xyz", "online", "site", "email", "mail", "asia", "top", "club", "live", "news", "ngo", "ong", "law",
    "lawyer", "legal", "blog", "cloud", "page"})  # and every two-letter country code


def fold(text: str) -> str:
    """The text as a reader sees it: compatibility forms folded, invisible characters and combining
    marks (accents) removed, ideographic and other dots made dots."""
    if text.isascii():  # nothing in ASCII folds, is invisible, combines or reads as another dot
        return text
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    # Each distinct character judged once, then all removed at once: a long text is mostly a few characters.
    marks = {ord(ch): None for ch in set(folded)
             if unicodedata.category(ch)[0] == "M" or unicodedata.category(ch) == "Cf"}
    return _IGNORABLE.sub("", folded.translate(marks) if marks else folded).translate(_DOTS)


def name_key(text: str) -> str:
    """A name folded for comparison: as read (`fold`), case folded, and only its letters and digits (no
    spaces, hyphens or dots): `Ａｌｉｃｅ Exámple`, `alice-example` and `AliceExample` are the same."""
    return "".join(filter(str.isalnum, fold(text).casefold()))


def _run_together(text: str) -> str:
    """The text with its lines run together: each run of white space that holds a line break dropped.
    (As `re.sub(r"\\s*[\\r\\n]+\\s*", "", text)` did, but that tried a run without a break from each
    of its characters: a million spaces never finished, found by fuzzing.)"""
    if "\n" not in text and "\r" not in text:
        return text
    return _SPACE_RUN.sub(lambda m: "" if "\n" in m.group() or "\r" in m.group() else m.group(), text)


def _readings(text: str) -> Iterator[str]:
    plain = fold(text)
    joined = _run_together(plain)  # an address broken over lines
    readings = [plain] if joined == plain else [plain, joined]
    yield from readings
    if _RIGHT_TO_LEFT.search(text):  # what a right-to-left run or an override shows reversed
        yield from (r[::-1] for r in readings)


def looks_like_email(text: str) -> bool:
    if EMAIL.search(text) is not None:
        return True
    for reading in _readings(text):
        if EMAIL.search(reading) is not None:
            return True
        if "@" not in reading and _AT.search(reading) is None:
            continue
        for found in _disguised(reading):
            # Only its end can be the last label (a separator, white space, a bracket, at most 63 letters),
            # once each run of white space is one space: searched from every character of a long run,
            # the whole match was quadratic.
            end = _LAST_LABEL.search(_SPACE_RUN.sub(" ", found[-(1 << 16):])[-80:])
            last = end.group(1).casefold() if end else ""
            if (len(last) == 2 and last.isalpha()) or last in _TOP_LEVEL:
                return True
    return False


def _disguised(reading: str) -> Iterator[str]:
    """The matches `_DISGUISED.finditer(reading)` finds, each as far as its end (all that is judged of
    it), in time linear in the text. A match starts in a run of local-part characters, and only where
    the run's last 64 of them begin (a shorter local part is followed by one more of them, which
    nothing after a local part can be); all those starts end alike. So each run is tried once, from its
    start (`_DISGUISED_RUN`), but a run that a match ended inside of, which `finditer` goes on from
    where that match ended."""
    pos, size = 0, len(reading)
    while pos <= size:
        found = None
        if 0 < pos < size and _LOCAL_CHAR.match(reading, pos - 1) and _LOCAL_CHAR.match(reading, pos):
            run_end = _LOCAL_RUN.match(reading, pos).end()  # type: ignore[union-attr]  # `*` always matches
            found = _DISGUISED.match(reading, max(pos, run_end - 64))
            if found is None:
                pos = run_end
        if found is None:
            found = _DISGUISED_RUN.search(reading, pos)
            if found is None:
                return
        yield found.group(0)
        pos = found.end()


def redact(text: str) -> str:
    """Every address hidden, written plainly or disguised: each word that holds one, and, if the line
    still reads as holding one (an address spread over words), the whole line."""
    if not looks_like_email(text):
        return text
    text = "".join(HIDDEN if looks_like_email(part) else part for part in re.split(r"(\s+)", text))
    return HIDDEN_LINE if looks_like_email(text) else text
