"""What must not reach a frame, a page or a printout, looked for in every text the manifest holds (every
caption field, title card, template, tag, id and file name; keys too):

  - an email address, anywhere but a message's own `email:`, read as a viewer reads it
    (`privacy.looks_like_email`: folded, reversed, respaced, spelled out);
  - a name withheld (an `anonymous` or `masked` contributor's, or one in `hide:`), folded the same way
    with spaces and accents ignored (`privacy.name_key`): the whole name anywhere, and each word of it
    as a word in the titles, templates, ids, file names and that contributor's own fields. Where it could
    be another person's (inside another contributor's own name; a word of it in their caption) it is a
    warning;
  - text no file, frame or page can hold: half of a UTF-16 pair ("\\uD800"), control characters
    (NUL, escape, …; a line break and a tab are text).

A problem names the line and field, never the value found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from collage.errors import Severity
from collage.manifest import yamlpos
from collage.manifest.report import Reporter
from collage.privacy import fold, looks_like_email, name_key

NAMES_WITHHELD = "holds the name of a contributor who asked not to be named"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WORDS = re.compile(r"[^\W_]+")
_CONSENTS = ("anonymous", "masked")


@dataclass(frozen=True)
class _Withheld:
    message: int  # its index under `messages:`
    key: str  # the whole name folded (`name_key`)
    words: frozenset[str]  # each word of it folded, long enough not to be any word
    hidden: frozenset[str]  # the message's fields in `hide:`: dropped unread, never shown
    parts: frozenset[str] = frozenset()  # its words apart where it runs them together (`ZeldaQuorvath`)


def leaks(r: Reporter, data: dict[str, Any], implied_title: str | None = None) -> None:
    """Report every leak in the manifest's data; `implied_title`: the title the folder's name gives when
    the manifest has none (it is shown on the first card and written into the video's metadata)."""
    withheld = _withheld(data)
    if withheld:
        r.mentions = lambda text: mentions(text, withheld)
        r.mentions_whole = lambda text: mentions(text, withheld, whole=True)
    _walk(r, data, (), withheld, {})
    if implied_title is not None:
        _names(r, implied_title, ("title",), withheld)


def _walk(r: Reporter, value: Any, path: yamlpos.Path_, withheld: list[_Withheld], seen: dict[str, str]) -> None:
    """`seen`: what each text was judged to hold ("" for nothing), so that a text an alias repeats
    (a few hundred bytes can repeat a long one thousands of times) is read once."""
    if isinstance(value, dict):
        for k, v in value.items():
            bad = _judged(k, seen)
            if bad == _EMAIL:
                r.error((*path, k), "a key looks like an email address", "emails are private; remove it",
                        key_line=True)
            elif bad:
                r.error((*path, k), f"a key holds {bad}", key_line=True)
            elif k != "email":
                if withheld and mentions(k, withheld):
                    r.error((*path, k), f"a key {NAMES_WITHHELD}", "take the name out", key_line=True)
                _walk(r, v, (*path, k), withheld, seen)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _walk(r, v, (*path, i), withheld, seen)
    elif isinstance(value, str | yamlpos.Verbatim):
        text = value.text if isinstance(value, yamlpos.Verbatim) else value
        bad = _judged(text, seen)
        if bad == _EMAIL:
            r.error(path, "looks like an email address; emails are private and never shown",
                    "move it to the message's `email:` field, or remove it", key_line=True)
        elif bad:
            r.error(path, f"holds {bad}", "remove it; write characters themselves (a line break is fine)",
                    key_line=True)
        else:
            _names(r, text, path, withheld)


_EMAIL = "an email address"


def _judged(text: str, seen: dict[str, str]) -> str:
    """What `text` must not hold and does (a character no file can hold, or an address), or ""."""
    if text not in seen:
        seen[text] = _unholdable(text) or (_EMAIL if looks_like_email(text) else "")
    return seen[text]


def _unholdable(text: str) -> str | None:
    if _SURROGATE.search(text):
        return "an invalid character (half of a UTF-16 pair, such as \\uD800)"
    found = _CONTROL.search(text)
    if found:
        return f"a control character (U+{ord(found.group()):04X}), which no caption, title or file name may hold"
    return None


def withheld_names(data: dict[str, Any]) -> list[_Withheld]:
    """The names `data` (a manifest's) withholds, for `mentions`."""
    return _withheld(data)


def _withheld(data: dict[str, Any]) -> list[_Withheld]:
    """Every name a contributor withheld, approved or not (a name is never shown, whatever the review)."""
    privacy = data.get("privacy")
    default = privacy.get("default") if isinstance(privacy, dict) else None
    items = data.get("messages")
    out = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        consent, hide = item.get("consent", default), item.get("hide")
        if consent in _CONSENTS or (isinstance(hide, list) and "name" in hide):
            key = name_key(item["name"])
            parts = frozenset(filter(_telling, _words(_apart(item["name"]))))
            words = frozenset(filter(_telling, _words(item["name"]))) | parts
            if key:
                hidden = frozenset(h for h in hide if isinstance(h, str)) if isinstance(hide, list) else frozenset()
                out.append(_Withheld(i, key, words, hidden, parts))
    return out


def _telling(word: str) -> bool:
    """A word of a name that counts alone, as it could not be just any word: three letters and more, or
    any word of a script written without spaces (a Chinese given name)."""
    return len(word) >= 3 or not word.isascii()


def _words(text: str) -> list[str]:
    return _WORDS.findall(fold(text).casefold())


def _text_words(text: str) -> set[str]:
    """A text's words, and those it runs together apart (`ZeldaQuorvath and friends`: found by fuzzing)."""
    words = set(_words(text))
    return words | set(_words(_apart(text))) if any(c.isupper() for c in text) else words


def _apart(name: str) -> str:
    """The name with a space where a lower-case letter meets a capital (`ZeldaQuorvath`: Zelda Quorvath)."""
    text = fold(name)
    return "".join(c + " " if c.islower() and n.isupper() else c for c, n in zip(text, text[1:] + " ", strict=False))


def _found(w: _Withheld, key: str, words: set[str]) -> tuple[bool, bool]:
    """Whether a text (as `name_key` and `_words` give it) holds the whole name `w`, and a word of it."""
    # A two-letter name (Li, Bo) is looked for as a word only: as part of a longer text it is any word.
    whole = (w.key in key) if len(w.key) >= 3 or not w.key.isascii() else w.key in words
    # Every word of it, in any order, is the whole name too (`Quorvath, Zelda`: found by fuzzing).
    whole = whole or any(len(ws) >= 2 and ws <= words for ws in (w.words, w.parts))
    return whole, bool(words & w.words)


def mentions(text: str, withheld: list[_Withheld], whole: bool = False) -> bool:
    """Whether `text` holds a withheld name, or (unless `whole`) a word of one, wherever it is written."""
    key, words = name_key(text), _text_words(text)
    return any(_found(w, key, words)[0] or (not whole and _found(w, key, words)[1]) for w in withheld)


def _names(r: Reporter, text: str, path: yamlpos.Path_, withheld: list[_Withheld]) -> None:
    if not withheld:
        return
    key, words = name_key(text), _text_words(text)
    for w in withheld:  # (the name itself, and fields withheld with it, are dropped unread)
        own = path[:2] == ("messages", w.message)
        if own and len(path) > 2 and (path[2] == "name" or path[2] in w.hidden):
            continue
        whole, word = _found(w, key, words)
        # Another contributor may share the name: inside their own name it is a warning, and a word of it
        # in their caption is one too; the whole name in their caption is shown all the same.
        other = path[:1] == ("messages",) and not own and len(path) >= 3 and path[2] in (
            "name", "profession", "location", "message", "translation")
        in_name = other and path[2] == "name"
        part = word and not in_name
        if whole or part:
            severity: Severity = "warning" if other and (in_name or not whole) else "error"
            r.error(path, f"{NAMES_WITHHELD} (the message at line {r.pos.line(('messages', w.message))})",
                    "take the name out; give the message a neutral id (such as m12) and its photo a neutral file "
                    "name" if path[-1:] in (("id",), ("photo",)) else "take the name out of this text",
                    key_line=True, severity=severity)
            return
