"""`messages:`: each photo message checked (photo inside the folder, unique id, approval written as the
literal `true`), its email dropped; approved ones kept, unapproved ones known by id only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collage.manifest import yamlpos
from collage.manifest.models import MessageIn
from collage.manifest.report import PHOTO_SUFFIXES, Reporter, clean, kind_of
from collage.model.project import Message


def messages(r: Reporter, data: Any) -> tuple[list[Message], list[str]]:
    if data is None:
        return [], []
    if not isinstance(data, list):
        r.error(("messages",), f"expected a list of messages, got {kind_of(data)}")
        return [], []
    approved: list[Message] = []
    unapproved: list[str] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(data):
        line = r.pos.line(("messages", i))
        # Ids count even on a message with other errors, so duplicates are reported where they are.
        raw_id = _raw_id(item)
        if raw_id is not None and raw_id in seen:
            where = f" (first at line {seen[raw_id]})" if seen[raw_id] else ""
            r.error(("messages", i, "id" if "id" in item else "photo"),
                    f"duplicate id '{raw_id}'{where}", "give each message a unique `id:`", key_line=True)
            continue
        if raw_id is not None:
            seen[raw_id] = line
        approval = item.get("approved") if isinstance(item, dict) else None
        if isinstance(approval, yamlpos.Verbatim):
            written = f'"{approval.text}"' if approval.quoted else f"'{approval.text}'"
            r.error(("messages", i, "approved"), f"approved is {written}; only the literal `true` approves",
                    "write `approved: true` (or `false`)", key_line=True)
            item = {k: v for k, v in item.items() if k != "approved"}  # and report its other problems
        msg = r.model(MessageIn, item, ("messages", i))
        if msg is None:
            if isinstance(item, dict) and isinstance(item.get("photo"), str):  # report its file too
                r.inside(("messages", i, "photo"), item["photo"], "photo", PHOTO_SUFFIXES)
            continue
        rel = r.inside(("messages", i, "photo"), msg.photo, "photo", PHOTO_SUFFIXES)
        message_id = msg.id if msg.id is not None else Path(msg.photo).stem
        if not message_id.strip():
            r.error(("messages", i, "id"), "empty id", "give the message an id", key_line=True)
            continue
        if rel is None:
            continue
        if msg.focus is not None and (len(msg.focus) != 2 or not all(0 <= v <= 1 for v in msg.focus)):
            r.error(("messages", i, "focus"), "focus is [x, y] with each from 0 to 1",
                    "e.g. [0.5, 0.3] keeps the upper middle in view", key_line=True)
            continue
        if msg.approved:
            approved.append(Message(
                id=message_id, photo=rel, name=clean(msg.name), profession=clean(msg.profession),
                location=clean(msg.location), text=clean(msg.message), tags=tuple(msg.tags), line=line,
                fit=msg.fit, focus=(msg.focus[0], msg.focus[1]) if msg.focus else None, motion=msg.motion,
            ))
        else:
            unapproved.append(message_id)
    return approved, unapproved


def _raw_id(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    ident = item.get("id")
    if isinstance(ident, str):
        return ident
    if "id" not in item and isinstance(item.get("photo"), str):
        return Path(item["photo"]).stem
    return None
