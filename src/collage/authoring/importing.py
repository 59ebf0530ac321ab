"""`collage import FOLDER SHEET`: submissions from a sheet into `collage.yaml`.

    sheet.read -> rows -> each row matched to a message (by photo, then id) -> merged -> written aside, moved

A new manifest is written when there is none. An existing one is edited round trip (ruamel.yaml): its
comments, key order, quoting and layout survive byte for byte wherever nothing changed (the indentation
is taken from the file itself, and the untouched document is checked to come back unchanged). New
submissions are appended `approved: false` unless the sheet approves them; messages already in the
manifest change only in the fields `--update` names. Emails stay out of the manifest unless
`--keep-emails`, and are never part of the report. The result is validated before it replaces anything.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ruamel.yaml.comments import CommentedSeq

from collage.authoring.roundtrip import appended, check_current, dump, editor, matching, only_updated, validate
from collage.authoring.scaffold import header_text, media_files
from collage.authoring.schema import SCHEMA_ID, schema_json
from collage.authoring.sheet import Row, read
from collage.errors import InputError, Problem
from collage.manifest import MANIFEST_NAME
from collage.manifest.leaks import mentions, withheld_names
from collage.manifest.report import AUDIO_SUFFIXES, PHOTO_SUFFIXES
from collage.model.project import CONSENTS
from collage.outputs import files, targets

WRITTEN = ("id", "photo", "name", "profession", "location", "message", "translation", "tags", "consent",
           "approved", "email")  # the order new messages' keys are written in
UPDATABLE = ("name", "profession", "location", "message", "translation", "tags", "consent", "approved", "email")
YES = {"approved", "approve", "yes", "y", "true", "x", "✓", "✔", "1", "ok", "accepted", "accept"}
NO = {"rejected", "reject", "no", "n", "false", "0", "pending", "waiting", "declined", "todo", "to do", "review",
      "in review", "not approved", "unapproved"}


@dataclass
class Imported:
    manifest: Path
    created: bool = False
    written: bool = False
    added: list[str] = field(default_factory=list)  # ids
    approved: list[str] = field(default_factory=list)  # of those added, the ones the sheet approves
    unchanged: list[str] = field(default_factory=list)
    # id, field, and how it differs: "'old' in the manifest, 'new' in the sheet" (values as YAML writes them),
    # or "differs (not shown: …)" for a withheld value (an anonymous contributor's name, a field in `hide`, an email)
    differing: list[tuple[str, str, str]] = field(default_factory=list)
    updated: list[tuple[str, str]] = field(default_factory=list)  # id, field
    # row, photo as the row wrote it and a did-you-mean; both None for a row whose contributor is not named
    missing: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)  # photos in the folder that no row names
    unnamed_shown: bool = True  # False under `privacy.default: anonymous`: their file names may name someone
    unmapped: list[str] = field(default_factory=list)
    guessed: list[tuple[str, str]] = field(default_factory=list)  # column title -> field
    numbers: list[str] = field(default_factory=list)  # "ID" columns of response numbers, not imported
    emails: int = 0  # rows that gave an email (kept only with --keep-emails)
    kept_emails: bool = False
    named_files: int = 0  # photo files named after a contributor who asked not to be named: to rename


def import_sheet(folder: Path | str, sheet: Path | str, *, mapping: dict[str, str] | None = None,
                 update: tuple[str, ...] = (), keep_emails: bool = False,
                 manifest_path: Path | str | None = None) -> Imported:
    folder = Path(folder)
    target = _target(folder, update, manifest_path)
    table = read(Path(sheet), mapping)
    result = Imported(target, unmapped=table.unmapped, kept_emails=keep_emails, numbers=table.numbers,
                      guessed=[(t, table.columns[t]) for t in table.guessed])
    created = not target.exists()
    if not created:  # the manifest as it is must be valid: a merge into a broken file could hide what broke it
        check_current(folder, target)
    raw = header_text(folder) if created else target.read_bytes().decode("utf-8")  # line ends as they are
    # Edited as LF text without a BOM; both are put back as the file had them.
    bom, crlf = raw.startswith("\ufeff"), "\r\n" in raw
    original = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    yaml, exact = (editor(), True) if created else matching(original)
    data = yaml.load(original)
    merge = _Merge(folder, data, table_name(sheet), update, keep_emails, result)
    for row in table.rows:
        merge.row(row)
    if result.updated and not created:
        only_updated(original, data, yaml, result.updated, merge.shown)
    merge.finish()  # (after: the report's ids are concealed there)
    if exact or created:
        text = dump(yaml, data)
    elif result.updated:
        raise InputError([Problem(target.name, "this manifest's layout cannot be kept exactly by an automatic edit, "
                                  "so --update was not applied", hint="make those changes by hand, or import "
                                  "without --update (new messages are then added as text at the end)")])
    else:
        text = appended(original, data, merge.messages, merge.before, target.name)
    text = ("\ufeff" if bom else "") + (text.replace("\n", "\r\n") if crlf else text)
    if text != raw or created:
        result.named_files = validate(folder, target, text)
        files.write_text(target, text, keep_mode=True)
        result.written = True
        if created:  # the schema the modeline names, as `init` writes it; one already there stays
            files.create(folder / SCHEMA_ID, schema_json() + "\n")
    result.created = created
    return result


def _target(folder: Path, update: tuple[str, ...], manifest_path: Path | str | None) -> Path:
    """The manifest to write, once the folder, the fields to update and the write rule allow it."""
    if not folder.is_dir():
        why = _not_a_folder(folder)
        raise InputError([Problem(str(folder), why, hint="create it and put the photos inside" if why == "no such "
                                  "folder" else "give the folder that holds the photos (and collage.yaml)")])
    wrong = [f for f in update if f not in UPDATABLE]
    if wrong:
        raise InputError([Problem("--update", f"'{wrong[0]}' cannot be updated from a sheet",
                                  hint="fields: " + ", ".join(UPDATABLE))])
    target = Path(manifest_path) if manifest_path is not None else folder / MANIFEST_NAME
    media = [folder / p for p in media_files(folder, PHOTO_SUFFIXES | AUDIO_SUFFIXES)]
    refused = targets.problems(targets.Owned.of(folder, media), [targets.Target(
        target, "--manifest" if manifest_path is not None else "FOLDER", "manifest")])
    if refused:
        raise InputError(refused)
    return target


class _Merge:
    """The sheet's rows merged into the manifest's messages (the round-trip document), row by row, with
    what the report says of each."""

    def __init__(self, folder: Path, data: Any, shown: str, update: tuple[str, ...], keep_emails: bool,
                 result: Imported) -> None:
        messages = data.get("messages")
        if messages is None or (not messages and messages.fa.flow_style()):  # `messages: []`: a block list
            data["messages"] = messages = CommentedSeq()
        self.folder, self.data, self.shown, self.update, self.keep_emails = folder, data, shown, update, keep_emails
        self.result, self.messages, self.before = result, messages, len(messages)
        self.photos = _photos(folder)
        self.by_photo = {_key(str(m.get("photo", ""))): m for m in messages if isinstance(m, dict)}
        self.by_id = {str(m.get("id")): m for m in messages if isinstance(m, dict) and m.get("id") is not None}
        self.ids = set(self.by_id) | {Path(str(m.get("photo", ""))).stem for m in messages
                                      if isinstance(m, dict) and "id" not in m}
        self.named: set[str] = set()
        self.default = _default_consent(data)
        self.missing: list[tuple[int, str, bool]] = []  # row, photo as written, whether the row's contributor is named
        self.quiet_rows: list[dict[str, str]] = []  # the names of rows not to be named (as written in the sheet)

    def row(self, row: Row) -> None:
        values = _values(self.shown, row)
        self.result.emails += "email" in values
        said = values.get("consent")
        rel = _find(self.folder, self.photos, values.pop("photo", ""))
        if rel is None:
            self.missing.append((row.number, row.values.get("photo", ""), (said or self.default) == "named"))
            if (said or self.default) != "named" and isinstance(values.get("name"), str):
                self.quiet_rows.append({"name": values["name"], "consent": "anonymous"})
            return
        self.named.add(rel)
        if not self.keep_emails:
            values.pop("email", None)
        existing = self.by_photo.get(_key(rel))
        if existing is None and "id" in values and values["id"] in self.by_id:
            other = self.by_id[values["id"]]
            # By id only when that message's photo is gone (renamed or moved): otherwise it is someone else.
            if (self.folder / str(other.get("photo", ""))).is_file():
                which = f"id '{_short(values['id'])}'" if (said or self.default) == "named" else "its id"
                raise InputError([Problem(self.shown, f"row {row.number}: {which} is a message with another photo",
                                          line=row.number, field="id",
                                          hint="give the row its own id, or correct its photo")])
            existing = other
        # Not to be named when the sheet says so, or the manifest does (its message's consent, or its
        # privacy.default); with neither, the default decides.
        consents = [c for c in (said, _consent(existing, self.default) if existing is not None else None) if c]
        private = any(c != "named" for c in consents) if consents else self.default != "named"
        if private and isinstance(values.get("name"), str):  # her name, whatever else of her row holds it
            self.quiet_rows.append({"name": values["name"], "consent": "anonymous"})
        if existing is None:
            self._add(row, rel, values, private)
        else:
            self._compare(existing, rel, values, private)

    def _add(self, row: Row, rel: str, values: dict[str, Any], private: bool) -> None:
        # A contributor who is not to be named gets a neutral id, numbered by the row (stable while the
        # sheet grows below), never one made from a file name or taken from the sheet's id column.
        given = values.pop("id", None)
        ident = f"m{row.number}" if private else given or Path(rel).stem
        base, n = ident, 2
        while ident in self.ids:
            ident, n = f"{base}-{n}", n + 1
        self.ids.add(ident)
        entry = {"id": ident, "photo": rel, **values}
        entry.setdefault("approved", False)
        self.messages.append({k: entry[k] for k in WRITTEN if k in entry})
        self.by_photo[_key(rel)] = self.messages[-1]
        self.result.added.append(ident)
        if entry["approved"] is True:
            self.result.approved.append(ident)

    def _compare(self, existing: Any, rel: str, values: dict[str, Any], private: bool) -> None:
        """A message already in the manifest: the fields `--update` names are taken, the others reported
        where they differ (never a withheld value)."""
        result = self.result
        ident = str(existing.get("id", Path(rel).stem))
        values.pop("id", None)
        changed = False
        hide = existing.get("hide")
        hidden = {str(h) for h in hide} if isinstance(hide, list) else set()
        for name, value in values.items():
            if existing.get(name) == value or (name == "approved" and value is False and "approved" not in existing):
                continue
            if name in self.update:
                existing[name] = value
                result.updated.append((ident, name))
                changed = True
            elif name == "email":
                result.differing.append((ident, name, "differs (not shown: an email is private)"))
            elif name == "name" and private:
                result.differing.append((ident, name, "differs (not shown: the contributor is not named)"))
            elif name in hidden:
                result.differing.append((ident, name, f"differs (not shown: the message hides its {name})"))
            else:
                result.differing.append((ident, name, f"{_shown(existing.get(name))} in the manifest, "
                                                      f"{_shown(value)} in the sheet"))
        if not changed and not any(d[0] == ident for d in result.differing):
            result.unchanged.append(ident)

    def finish(self) -> None:
        """The rows without a photo, the photos without a row, and no withheld name in any of it."""
        result, default = self.result, self.default

        def may_show(photo: str) -> bool:  # a photo whose file name may be printed: a named contributor's
            message = self.by_photo.get(_key(photo))
            return (_consent(message, default) if message is not None else default) == "named"

        for number, written, named_row in self.missing:
            if named_row:
                showable = [p for p in self.photos if may_show(p)]
                result.missing.append((number, _short(written), _guess(written, showable)))
            else:
                result.missing.append((number, None, None))
        result.unnamed = sorted(p for p in self.photos if p not in self.named and _key(p) not in self.by_photo)
        result.unnamed_shown = default == "named"
        _withhold(result, withheld_names({"privacy": self.data.get("privacy"),
                                          "messages": [*self.messages, *self.quiet_rows]}))


NOT_SHOWN = "(a file whose name is not shown: it holds the name of a contributor not to be named)"
NOT_SHOWN_ID = "(an id not shown: it holds the name of a contributor not to be named)"


def _withhold(result: Imported, withheld: list[Any]) -> None:
    """No line of the report repeats a withheld name (of a message or a row not to be named), whatever
    holds it: a file no row names, what a row wrote as its photo or a guess at it, a value that differs,
    a new id (found by fuzzing: a photo named after her, her row's own file name mistyped, was listed),
    or an id already in the manifest whose row now asks not to be named."""
    if not withheld:
        return

    def says(text: str | None) -> bool:
        return text is not None and mentions(text, withheld)

    result.added = [NOT_SHOWN_ID if says(i) else i for i in result.added]  # an id made of such a file's name
    result.approved = [NOT_SHOWN_ID if says(i) else i for i in result.approved]
    result.unnamed = [NOT_SHOWN if says(p) else p for p in result.unnamed]
    result.missing = [(n, None, None) if says(written) else (n, written, None if says(guess) else guess)
                      for n, written, guess in result.missing]
    hidden = "differs (not shown: it holds the name of a contributor not to be named)"
    result.differing = [(NOT_SHOWN_ID if says(i) else i, f, hidden if says(how) else how)
                        for i, f, how in result.differing]
    # A message's id in the manifest may hold the name its row now asks to withhold (found by fuzzing).
    result.updated = [(NOT_SHOWN_ID if says(i) else i, f) for i, f in result.updated]


def table_name(sheet: Path | str) -> str:
    return Path(sheet).name


def _default_consent(data: Any) -> str:
    """`privacy: {default: …}`: the consent of every message that does not give its own."""
    privacy = data.get("privacy") if isinstance(data, dict) else None
    value = privacy.get("default") if isinstance(privacy, dict) else None
    return str(value) if value in CONSENTS else "named"


def _consent(message: Any, default: str) -> str:
    value = message.get("consent") if isinstance(message, dict) else None
    return str(value) if value in CONSENTS else default


def _shown(value: Any) -> str:
    """A value in a report line as YAML writes it: true, 3, 'text' ('' for none)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return repr(_short(value))


def _not_a_folder(path: Path) -> str:
    """Why `path` is not a folder: there is none, or it (or one above it) is a file."""
    for above in (path, *path.parents):
        if above.exists():
            if above == path:
                return "is a file, not a folder" if above.is_file() else "not a folder"
            if not above.is_dir():
                return f"{above} is a file, so there is no folder below it"
            break
    return "no such folder"


def _values(shown: str, row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, text in row.values.items():
        if name == "approved":
            word = text.strip().casefold()
            if word in YES:
                out[name] = True
            elif word in NO or not word:
                out[name] = False
            else:
                raise InputError([Problem(shown, f"row {row.number}: the approval cell is neither approved nor "
                                          "rejected", line=row.number, field="approved",
                                          hint="write approved, pending or rejected")])
        elif name == "consent":
            word = text.strip().casefold()
            if word not in CONSENTS:
                # (The cell is not quoted: a row run into the wrong columns may put a name here, perhaps
                # of someone not to be named: found by fuzzing.)
                raise InputError([Problem(shown, f"row {row.number}: the consent cell is not one of "
                                          + ", ".join(CONSENTS), line=row.number, field="consent",
                                          hint="write named, anonymous or masked")])
            out[name] = word
        elif name == "tags":
            out[name] = [t.strip() for t in re.split(r"[,;]", text) if t.strip()]
        elif name in ("message", "translation"):
            out[name] = text.strip()
        else:
            out[name] = " ".join(text.split())
    return out


def _photos(folder: Path) -> list[str]:
    return [p.as_posix() for p in media_files(folder, PHOTO_SUFFIXES)]


def _key(rel: str) -> str:
    """A photo path as the manifest writes it, for matching: exact, but for slashes and a leading ./"""
    rel = rel.replace("\\", "/")
    return rel[2:] if rel.startswith("./") else rel


def _find(folder: Path, photos: list[str], written: str) -> str | None:
    """The photo a cell names: a path in the folder, or a file name (also the last part of a URL or of
    a path on someone else's disk) found anywhere in it, ignoring case when that is unambiguous."""
    if not written:
        return None
    name = written.strip()
    if re.match(r"^[a-z][a-z0-9+.-]*://", name, re.IGNORECASE):
        name = unquote(urlparse(name).path)
    name = name.replace("\\", "/")
    if name in photos:
        return name
    base = name.rsplit("/", 1)[-1]
    exact = [p for p in photos if p.rsplit("/", 1)[-1] == base]
    if len(exact) == 1:
        return exact[0]
    loose = [p for p in photos if p.rsplit("/", 1)[-1].casefold() == base.casefold()]
    return loose[0] if len(loose) == 1 else None


def _guess(written: str, photos: list[str]) -> str | None:
    base = written.strip().replace("\\", "/").rsplit("/", 1)[-1].casefold()
    names = {p.rsplit("/", 1)[-1].casefold(): p for p in photos}
    close = difflib.get_close_matches(base, list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


def _short(value: Any) -> str:
    from collage.privacy import looks_like_email, redact

    text = ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
    text = " ".join(text.split())
    if looks_like_email(text):  # the whole text, before any cut: a cut address may no longer look like one
        return "(text with an email address)"
    return redact(text if len(text) <= 60 else text[:57] + "…")


