"""`sequence:`: the running order of title cards, grids and full-screen photos, each reference to a
message checked; and a warning for approved messages the order leaves out."""

from __future__ import annotations

import re
from typing import Any, Literal

from collage.errors import Problem
from collage.manifest import yamlpos
from collage.manifest.models import ITEM_MODELS, GridIn, PhotoIn, TitleIn
from collage.manifest.report import Reporter, clean, did_you_mean, kind_of
from collage.model.project import GridItem, Message, PhotoItem, SequenceItem, TitleItem, explicitly_placed

DEFAULT_CLOSING = ("Thank you", "谢谢")  # the closing card when there is no `sequence:`


def parse_grid(value: str) -> tuple[int, int] | None:
    key = value.strip().lower()
    if key == "auto":
        return None
    match = re.fullmatch(r"(\d{1,3})\s*[x×]\s*(\d{1,3})", key)
    if not match or not (1 <= int(match.group(1)) <= 6 and 1 <= int(match.group(2)) <= 6):
        raise ValueError(f"'{value}' is not a grid; write COLSxROWS (1 to 6 each, e.g. 2x2) or auto")
    return int(match.group(1)), int(match.group(2))


def sequence(r: Reporter, data: Any, messages: list[Message], unapproved: list[str]) -> tuple[SequenceItem, ...]:
    if not isinstance(data, list):
        r.error(("sequence",), f"expected a list of items, got {kind_of(data)}")
        return ()
    ids = {m.id for m in messages}
    all_ids = sorted(ids | set(unapproved))
    tags = sorted({t for m in messages for t in m.tags})
    items: list[SequenceItem] = []
    for i, raw in enumerate(data):
        path: yamlpos.Path_ = ("sequence", i)
        line = r.pos.line(path)
        if not isinstance(raw, dict):
            r.error(path, f"expected a mapping with title, grid or photo, got {kind_of(raw)}")
            continue
        kinds = [k for k in ITEM_MODELS if k in raw]
        if len(kinds) != 1:
            if kinds:
                r.error(path, "an item is one of title, grid or photo, not " + " and ".join(kinds),
                        "split it into separate items")
            elif raw:
                first = str(next(iter(raw)))
                r.error((*path, first), f"unknown item '{first}'; an item is a title, grid or photo",
                        did_you_mean(first, list(ITEM_MODELS)), key_line=True)
            else:
                r.error(path, "an empty item; an item is a title, grid or photo", "e.g. `- grid: auto`")
            continue
        item = r.model(ITEM_MODELS[kinds[0]], raw, path)
        if item is not None and item.duration is not None and item.duration <= 0:
            r.error((*path, "duration"), "must be longer than zero", key_line=True)
            continue
        if isinstance(item, TitleIn):
            items.append(TitleItem(item.title, clean(item.subtitle), clean(item.body), item.duration,
                                   item.transition, line))
        elif isinstance(item, PhotoIn):
            ref = _reference(r, (*path, "photo"), item.photo, ids, unapproved, all_ids)
            if ref:
                items.append(PhotoItem(ref, item.duration, item.transition, line, motion=item.motion))
        elif isinstance(item, GridIn):
            try:
                layout = parse_grid(item.grid)
            except ValueError as exc:
                r.error((*path, "grid"), str(exc), key_line=True)
                continue
            select: Literal["all"] | tuple[str, ...] | str
            if isinstance(item.messages, list):
                refs = [_reference(r, (*path, "messages", j), ref, ids, unapproved, all_ids)
                        for j, ref in enumerate(item.messages)]
                select = tuple(r for r in refs if r)
            elif item.messages.strip().lower() == "all":
                select = "all"
            else:
                select = item.messages
                if select not in tags:
                    hint = did_you_mean(select, tags) if tags else "no approved message has tags"
                    r.warn((*path, "messages"), f"no approved message has the tag '{select}'", hint)
            items.append(GridItem(layout, select, item.duration, item.transition, line, motion=item.motion,
                                  index=i))
    return tuple(items)


def _reference(r: Reporter, path: yamlpos.Path_, ref: str, ids: set[str], unapproved: list[str],
               all_ids: list[str]) -> str | None:
    if ref in ids:
        return ref
    if ref in r.invalid_ids:  # its own errors are reported where it is written
        return None
    if ref in unapproved:
        r.warn(path, f"message '{ref}' is not approved and is left out",
               "set `approved: true` on it to show it")
        return None
    r.error(path, f"no message with id '{ref}'", did_you_mean(ref, all_ids) if all_ids else
            "add it under `messages:`", key_line=True)
    return None


def unplaced(r: Reporter, sequence: tuple[SequenceItem, ...], messages: list[Message]) -> None:
    """A warning for each approved message a written sequence does not show."""
    if any(isinstance(s, GridItem) and s.select == "all" for s in sequence):
        return
    placed = explicitly_placed(sequence, messages)
    for m in messages:
        if m.id not in placed:
            r.problems.append(Problem(
                r.shown, f"approved message '{m.id}' is not in the sequence", line=m.line,
                field="messages", hint="add it, or a `grid` with `messages: all`", severity="warning",
            ))
