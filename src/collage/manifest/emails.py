"""Emails are private: anything that looks like an address, anywhere in the manifest but a message's
`email:` itself, is an error. Every caption field, title card, template, tag, id and file name can
reach a frame or a printout; the value is never repeated in the message."""

from __future__ import annotations

from typing import Any

from collage.manifest import yamlpos
from collage.manifest.report import Reporter
from collage.privacy import looks_like_email


def emails(r: Reporter, value: Any, path: yamlpos.Path_) -> None:
    """Anything that looks like an email address, anywhere but in `email:` itself, is an error:
    every caption field, title card, template, id and file name can reach a frame or a printout.
    The value is never repeated in the message."""
    if isinstance(value, dict):
        for k, v in value.items():
            if looks_like_email(k):
                r.error((*path, k), "a key looks like an email address", "emails are private; remove it",
                        key_line=True)
            elif k != "email":
                emails(r, v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            emails(r, v, (*path, i))
    elif isinstance(value, str | yamlpos.Verbatim) and looks_like_email(str(getattr(value, "text", value))):
        r.error(path, "looks like an email address; emails are private and never shown",
                "move it to the message's `email:` field, or remove it", key_line=True)
