"""Emails are private: anything that looks like an address, anywhere in the manifest but a message's
`email:` itself, is an error. Every caption field, title card, template, tag, id and file name can
reach a frame or a printout; the value is never repeated in the message. The same walk refuses text
that no file, frame or page can hold (half of a UTF-16 pair, written in YAML as "\\uD800")."""

from __future__ import annotations

from typing import Any

from collage.manifest import yamlpos
from collage.manifest.report import Reporter
from collage.privacy import looks_like_email


def emails(r: Reporter, value: Any, path: yamlpos.Path_) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if looks_like_email(k):
                r.error((*path, k), "a key looks like an email address", "emails are private; remove it",
                        key_line=True)
            elif _broken(k):
                r.error((*path, k), "a key holds an invalid character (half of a UTF-16 pair)", key_line=True)
            elif k != "email":
                emails(r, v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            emails(r, v, (*path, i))
    elif isinstance(value, str | yamlpos.Verbatim):
        text = value.text if isinstance(value, yamlpos.Verbatim) else value
        if _broken(text):
            r.error(path, "holds an invalid character (half of a UTF-16 pair, such as \\uD800)",
                    "remove it; write characters themselves, or whole \\U escapes", key_line=True)
        elif looks_like_email(text):
            r.error(path, "looks like an email address; emails are private and never shown",
                    "move it to the message's `email:` field, or remove it", key_line=True)


def _broken(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)
