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
# (100,000 letters took 35 s, found by fuzzing).
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
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
_DISGUISED = re.compile(rf"[\w.+-]{{1,64}}(?:{_AT_SIGN}{_LABEL}(?:{_DOT_SIGN}{_LABEL}){{1,8}}"
                        rf"|\s+at\s+{_LABEL}(?:{_DOT_WORD}{_LABEL}){{1,8}})", re.IGNORECASE)
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\u200f\u202b\u202e\u2067\ufb1d-\ufdff\ufe70-\ufeff]|[\U00010800-\U00010fff]")
_LAST_LABEL = re.compile(rf"(?:\.|dot|\s)\s*[\])}}>]?\s*({_LABEL})$", re.IGNORECASE)
_TOP_LEVEL = frozenset({
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "mobi", "app", "dev", "io",
    "ai", "xyz", "online", "site", "email", "mail", "asia", "top", "club", "live", "news", "ngo", "ong", "law",
    "lawyer", "legal", "blog", "cloud", "page"})  # and every two-letter country code


def fold(text: str) -> str:
    """The text as a reader sees it: compatibility forms folded, invisible characters and combining
    marks (accents) removed, ideographic and other dots made dots."""
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("M")
                   and unicodedata.category(ch) != "Cf")
    return _IGNORABLE.sub("", kept).translate(_DOTS)


def name_key(text: str) -> str:
    """A name folded for comparison: as read (`fold`), case folded, and only its letters and digits (no
    spaces, hyphens or dots): `Ａｌｉｃｅ Exámple`, `alice-example` and `AliceExample` are the same."""
    return "".join(ch for ch in fold(text).casefold() if ch.isalnum())


def _readings(text: str) -> Iterator[str]:
    plain = fold(text)
    joined = re.sub(r"\s*[\r\n]+\s*", "", plain)  # an address broken over lines
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
        for found in _DISGUISED.finditer(reading):
            end = _LAST_LABEL.search(found.group(0))
            last = end.group(1).casefold() if end else ""
            if (len(last) == 2 and last.isalpha()) or last in _TOP_LEVEL:
                return True
    return False


def redact(text: str) -> str:
    """Every address hidden, written plainly or disguised: each word that holds one, and, if the line
    still reads as holding one (an address spread over words), the whole line."""
    if not looks_like_email(text):
        return text
    text = "".join(HIDDEN if looks_like_email(part) else part for part in re.split(r"(\s+)", text))
    return HIDDEN_LINE if looks_like_email(text) else text
