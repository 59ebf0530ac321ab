"""What must never be shown: contributors' email addresses.

Text that looks like an email address is refused in anything that can be shown (every caption field,
title cards, the caption template, ids and file names that reach plan output and messages), and every
line collage prints passes through `redact`, so an address can never be echoed back even inside an
error about it.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HIDDEN = "[email hidden]"


def looks_like_email(text: str) -> bool:
    return EMAIL.search(text) is not None


def redact(text: str) -> str:
    return EMAIL.sub(HIDDEN, text)
