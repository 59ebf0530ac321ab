"""The desk's changes to `collage.yaml`, written the way `collage import` writes: round trip.

    read: bytes -> Version (a digest of the bytes: what the page saw)
    edit(seen, change): the file read again -> its version must still be `seen` (else `Changed`: a hand
        edit meanwhile is shown, never overwritten) -> ruamel.yaml with the dumper that reproduces the
        file exactly (`roundtrip.matching`: its own indentation; comments, order, quoting and layout
        kept) -> `change` applied -> what the file then says is checked to be the plain data with
        `change` applied and nothing else (a value shared through an anchor or merge key would change
        other messages too) -> validated (`manifest.load.load_text`: no new error) -> the write rule
        (`outputs.targets`, kind "manifest") -> written aside and moved into place, mode kept
        (`outputs.files`)

A change is a function of the document that knows nothing of ruamel: it is applied to the round-trip
document and to a plain copy, and the two must agree. An `email:` value is never read or returned: it
stays where it is in the file, untouched.
"""

from __future__ import annotations

import copy
import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collage.authoring import roundtrip
from collage.errors import InputError, Problem
from collage.manifest import yamlpos
from collage.manifest.load import _TEXT_KEYS as TEXT_KEYS
from collage.manifest.load import load_text
from collage.outputs import files, targets

# The order a message's keys are written in when the desk adds one (before the first key already there
# that comes later): beside the fields `import` writes, in the order people read them.
KEY_ORDER = ("id", "photo", "name", "profession", "location", "message", "translation", "tags", "consent", "hide",
             "mask", "focus", "fit", "motion", "approved", "email")
ITEM_ORDER = ("title", "subtitle", "body", "photo", "grid", "messages", "duration", "transition", "motion")
TEXT_FIELDS = ("name", "profession", "location", "message", "translation")

Change = Callable[[Any], None]


@dataclass(frozen=True)
class Version:
    """The manifest as the desk last read or wrote it: a digest of its bytes."""

    digest: str
    size: int
    mtime_ns: int


class Changed(Exception):
    """The file is not the one the page saw: it was edited by hand (or by another program) meanwhile."""


class Refused(Exception):
    """A change the desk does not write: the problems say why (a new error, a layout no edit keeps)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def version_of(data: bytes, mtime_ns: int = 0) -> Version:
    return Version(hashlib.blake2b(data, digest_size=12).hexdigest(), len(data), mtime_ns)


class Manifest:
    """One manifest file, edited by one desk (a lock orders its writes)."""

    def __init__(self, folder: Path, path: Path, owned: Callable[[], targets.Owned]) -> None:
        self.folder, self.path, self._owned = folder, path, owned
        self._lock = threading.Lock()
        self.written: set[str] = set()  # the digests of the versions this desk wrote

    def read(self) -> tuple[str, Version]:
        """The file's text and version (raises OSError or UnicodeDecodeError as reading does)."""
        with self.path.open("rb") as f:
            data = f.read(yamlpos.MAX_BYTES + 1)
            mtime = self.path.stat().st_mtime_ns
        return data.decode("utf-8"), version_of(data, mtime)

    def version(self) -> Version | None:
        try:
            return self.read()[1]
        except (OSError, UnicodeDecodeError):
            return None

    def edit(self, seen: str, change: Change) -> Version:
        """Apply `change` to the file if it is still the version `seen`; return the new version (the same
        one when the change changes nothing). Raises Changed, or Refused with the problems."""
        with self._lock:
            try:
                raw, now = self.read()
            except (OSError, UnicodeDecodeError) as exc:
                raise Changed(str(exc)) from None
            if now.digest != seen:
                raise Changed("the file changed since the page was loaded")
            text = edited(raw, change, self.folder, self.path)
            if text == raw:
                return now
            refused = targets.problems(self._owned(), [targets.Target(self.path, "FOLDER", "manifest")])
            if refused:
                raise Refused(refused)
            again = self.version()  # the last moment before the write: a hand edit since the read wins
            if again is None or again.digest != seen:
                raise Changed("the file changed while the change was being made")
            files.write_text(self.path, text, keep_mode=True)
            written = self.version()
            assert written is not None
            self.written.add(written.digest)
            return written


def edited(raw: str, change: Change, folder: Path, manifest: Path) -> str:
    """`raw` (the file's text) with `change` applied, round trip; raises Refused."""
    shown = manifest.name
    bom, crlf = raw.startswith("\ufeff"), "\r\n" in raw
    original = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    try:
        plain, _ = yamlpos.load(original, TEXT_KEYS)  # bounded (aliases, depth, size) before ruamel reads it
    except yamlpos.YamlSyntaxError as exc:
        raise Refused([Problem(shown, f"the manifest cannot be read: {exc}", line=exc.line,
                               hint="correct it in the file, then reload the page")]) from None
    before = {_key(p) for p in _errors(folder, manifest, original)}
    yaml, exact = roundtrip.matching(original)
    if not exact:
        raise Refused([Problem(shown, "this manifest's layout cannot be kept exactly by an automatic edit, so the "
                               "desk does not write it", hint="make this change by hand in the file")])
    document = yaml.load(original)
    change(document)
    expected = copy.deepcopy(plain)
    change(expected)
    text = roundtrip.dump(yaml, document)
    if text == original:
        return raw
    after, _ = yamlpos.load(text, TEXT_KEYS)
    if after != expected:
        raise Refused([Problem(shown, "this change would also change other parts of the manifest, which share "
                               "values through an anchor (&) or a merge key (<<)",
                               hint="make this change by hand in the file")])
    new = [p for p in _errors(folder, manifest, text) if _key(p) not in before]
    if new:
        raise Refused(new)
    if crlf:
        text = text.replace("\n", "\r\n")
    return ("\ufeff" if bom else "") + text


def _key(problem: Problem) -> tuple[str, str]:
    """A problem whatever line it is on (an edit above it moves it)."""
    return problem.field, re.sub(r"line \d+", "line", problem.message)


def _errors(folder: Path, manifest: Path, text: str) -> list[Problem]:
    """The errors the loader finds in `text`, but those an organiser meets while reviewing (nothing
    approved yet; photo files still to be renamed)."""
    try:
        load_text(folder, manifest, text)
    except InputError as exc:
        return roundtrip.blocking(exc.errors)
    return []


# --- changes: each works on a round-trip document and on plain data alike -----------------------------


def message_of(document: Any, ident: str) -> Any:
    """The message whose id (or, without one, photo file stem) is `ident`."""
    for item in document.get("messages") or []:
        if not isinstance(item, dict):
            continue
        own = item.get("id")
        if own is None and isinstance(item.get("photo"), str):
            own = Path(item["photo"]).stem
        if own is not None and str(own) == ident:
            return item
    raise KeyError(ident)


def put(mapping: Any, key: str, value: Any, order: tuple[str, ...] = KEY_ORDER) -> None:
    """Set `key`; a new key goes before the first key already there that `order` puts after it."""
    if key in mapping:
        mapping[key] = value
        return
    later = set(order[order.index(key) + 1:]) if key in order else set()
    keys = list(mapping)
    at = next((k for k, name in enumerate(keys) if name in later), len(keys))
    if hasattr(mapping, "insert"):
        mapping.insert(at, key, value)
    else:
        mapping[key] = value


def drop(mapping: Any, key: str) -> None:
    if key in mapping:
        del mapping[key]


def flow(values: list[Any], plain: bool) -> Any:
    """A list written on one line (`[a, b]`), as people write masks and hidden fields."""
    if plain:
        return list(values)
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _plain(document: Any) -> bool:
    return not hasattr(document, "lc")


def set_text(ident: str, name: str, value: str | None) -> Change:
    """A caption field; None or empty removes it."""
    assert name in TEXT_FIELDS

    def change(document: Any) -> None:
        message = message_of(document, ident)
        if value:
            put(message, name, value)
        else:
            drop(message, name)
    return change


def set_approved(ident: str, approved: bool) -> Change:
    def change(document: Any) -> None:
        message = message_of(document, ident)
        if approved or "approved" in message:
            put(message, "approved", approved)
    return change


def set_consent(ident: str, consent: str, default: str) -> Change:
    """`consent:` (written only where it differs from the manifest's `privacy.default`, or was written)."""
    def change(document: Any) -> None:
        message = message_of(document, ident)
        if consent != default or "consent" in message:
            put(message, "consent", consent)
    return change


def set_hide(ident: str, hidden: list[str]) -> Change:
    def change(document: Any) -> None:
        message = message_of(document, ident)
        if hidden:
            if list(message.get("hide") or []) != hidden:
                put(message, "hide", flow(hidden, _plain(document)))
        else:
            drop(message, "hide")
    return change


Quad = tuple[float, float, float, float]


def set_mask(ident: str, boxes: list[Quad]) -> Change:
    """`mask: [[x, y, w, h], ...]` (fractions of the upright photo, 4 decimals); none removes it."""
    def change(document: Any) -> None:
        message = message_of(document, ident)
        if not boxes:
            drop(message, "mask")
            return
        rows = [flow(list(b), _plain(document)) for b in boxes]
        put(message, "mask", flow(rows, _plain(document)))
    return change


def move_item(index: int, to: int) -> Change:
    """Move sequence item `index` to position `to`."""
    def change(document: Any) -> None:
        items = document["sequence"]
        items.insert(to, items.pop(index))
    return change


def set_item(index: int, key: str, value: Any) -> Change:
    """A sequence item's key (a title card's texts, any item's duration, a grid's layout); None removes it."""
    def change(document: Any) -> None:
        item = document["sequence"][index]
        if value is None or value == "":
            drop(item, key)
        else:
            put(item, key, value, ITEM_ORDER)
    return change
