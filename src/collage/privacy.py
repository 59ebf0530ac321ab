"""What must never be shown: contributors' email addresses.

Text that looks like an email address is refused in anything that can be shown (every caption field,
title cards, the caption template, ids and file names that reach plan output and messages), and every
line collage prints passes through `redact`, so an address can never be echoed back even inside an
error about it.
"""

from __future__ import annotations

import re
import unicodedata

# Bounded (the lengths RFC 5321 allows): unbounded runs made the search quadratic on a long word
# (100,000 letters took 35 s, found by fuzzing).
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
HIDDEN = "[email hidden]"
# Characters that read as a dot (NFKC leaves the ideographic full stop as it is).
_DOTS = str.maketrans({"\u3002": ".", "\uff61": "."})


def _plain(text: str) -> str:
    """The text as a reader sees it: compatibility forms folded (＠ is @, ｂ is b), invisible format
    characters (zero-width spaces and joiners, direction marks) removed, ideographic dots made dots."""
    folded = unicodedata.normalize("NFKC", text).translate(_DOTS)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def looks_like_email(text: str) -> bool:
    return EMAIL.search(text) is not None or EMAIL.search(_plain(text)) is not None


def redact(text: str) -> str:
    """Every address hidden, written plainly or disguised (＠, zero-width characters, ideographic dots):
    a line that still reads as holding one after the plain pass has each word that does hidden."""
    text = EMAIL.sub(HIDDEN, text)
    if EMAIL.search(_plain(text)) is None:
        return text
    return "".join(HIDDEN if looks_like_email(part) else part for part in re.split(r"(\s+)", text))
