"""`messages:`: each photo message checked (photo inside the folder, unique id, approval written as the
literal `true`, consent and mask boxes), its email dropped, and every field its contributor withheld
dropped too (the name of an anonymous or masked one, the fields in `hide`); approved ones kept,
unapproved ones known by id only. `privacy:` gives the consent of messages that do not say theirs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collage.manifest import yamlpos
from collage.manifest.models import MessageIn, PrivacyIn
from collage.manifest.report import PHOTO_SUFFIXES, Reporter, clean, kind_of
from collage.model.project import Consent, Message


def default_consent(r: Reporter, data: Any) -> Consent:
    """`privacy: {default: anonymous}`: the consent of every message that does not give its own."""
    if data is None:
        return "named"
    privacy = r.model(PrivacyIn, data, ("privacy",))
    return "named" if privacy is None else privacy.default


def messages(r: Reporter, data: Any, consent: Consent = "named") -> tuple[list[Message], list[str]]:
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
        msg = r.model(MessageIn, _approval(r, i, item), ("messages", i))
        if msg is None:
            if raw_id is not None:
                r.invalid_ids.add(raw_id)
            if isinstance(item, dict) and isinstance(item.get("photo"), str):  # report its file too
                r.inside(("messages", i, "photo"), item["photo"], "photo", PHOTO_SUFFIXES)
            continue
        rel = r.inside(("messages", i, "photo"), msg.photo, "photo", PHOTO_SUFFIXES)
        message_id = msg.id if msg.id is not None else Path(msg.photo).stem
        if not message_id.strip():
            r.error(("messages", i, "id"), "empty id", "give the message an id", key_line=True)
            continue
        bad_focus = msg.focus is not None and (len(msg.focus) != 2 or not all(0 <= v <= 1 for v in msg.focus))
        if bad_focus:
            r.error(("messages", i, "focus"), "focus is [x, y] with each from 0 to 1",
                    "e.g. [0.5, 0.3] keeps the upper middle in view", key_line=True)
        mask = _mask(r, msg.mask, ("messages", i, "mask"))
        if rel is None or bad_focus or mask is None:
            r.invalid_ids.add(message_id)  # reported here: the sequence's references to it say no more
            continue
        given = msg.consent or consent
        hidden = tuple(dict.fromkeys((*(("name",) if given != "named" else ()), *msg.hide)))
        fields = {"name": msg.name, "profession": msg.profession, "location": msg.location, "message": msg.message,
                  "translation": msg.translation}
        kept = {k: None if k in hidden else clean(v) for k, v in fields.items()}
        if msg.approved:
            approved.append(Message(
                id=message_id, photo=rel, name=kept["name"], profession=kept["profession"],
                location=kept["location"], text=kept["message"], translation=kept["translation"],
                tags=tuple(msg.tags), line=line,
                fit=msg.fit, focus=(msg.focus[0], msg.focus[1]) if msg.focus else None, motion=msg.motion,
                consent=given, hidden=hidden, mask=mask, index=i,
            ))
        else:
            unapproved.append(message_id)
    return approved, unapproved


def _approval(r: Reporter, i: int, item: Any) -> Any:
    """The message as written, without an `approved` that is not the literal `true` or `false` written on
    it (merged in, an alias, a quoted or tagged string): that is an error, and its other problems are
    reported too."""
    approval = item.get("approved") if isinstance(item, dict) else None
    if not isinstance(approval, yamlpos.Verbatim):
        return item
    if approval.came:
        how = "merged in through `<<`" if approval.came == "merged" else "an alias (`*`) of another value"
        r.error(("messages", i, "approved"), f"approved is {how}; approval is written on each message itself",
                "write `approved: true` in this message", key_line=approval.came != "merged")
    else:
        written = f'"{approval.text}"' if approval.quoted else f"'{approval.text}'"
        r.error(("messages", i, "approved"), f"approved is {written}; only the literal `true` approves",
                "write `approved: true` (or `false`)", key_line=True)
    return {k: v for k, v in item.items() if k != "approved"}


def _raw_id(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    ident = item.get("id")
    if isinstance(ident, str):
        return ident
    if "id" not in item and isinstance(item.get("photo"), str):
        return Path(item["photo"]).stem
    return None


Quad = tuple[float, float, float, float]


def _mask(r: Reporter, boxes: list[list[float]], path: tuple[Any, ...]) -> tuple[Quad, ...] | None:
    """`mask: [[x, y, w, h], ...]`, fractions of the photo as shown upright; None when one is wrong."""
    out = []
    for k, box in enumerate(boxes):
        x, y, w, h = (box[0], box[1], box[2], box[3]) if len(box) == 4 else (-1.0, -1.0, 0.0, 0.0)
        if not (0 <= x < 1 and 0 <= y < 1 and w > 0 and h > 0 and x + w <= 1 and y + h <= 1):
            r.error((*path, k), "a mask box is [x, y, w, h]: its left, top, width and height as fractions of the "
                    "photo (0 to 1), inside the photo", "e.g. [0.41, 0.18, 0.16, 0.22]")
            return None
        out.append((float(x), float(y), float(w), float(h)))
    return tuple(out)
