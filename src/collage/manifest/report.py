"""What every section's validation shares: the problems found so far (each with its line, field path
and a hint), pydantic's errors in editors' words, paths that must stay inside the folder, and small
helpers for messages (did-you-mean, the kind of a value)."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from collage.errors import Problem
from collage.manifest import yamlpos
from collage.manifest.models import Strict

WITHHELD_HIDDEN = "(not shown: it holds the name of a contributor who asked not to be named)"
# What a problem quotes of the manifest: 'a value', "a value", a list after "one of:", a field's keys.
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_LISTED = re.compile(r"(one of:? )([^()\n]*)")
_PART = re.compile(r"[^.\[\]]+")
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".avif", ".tif", ".tiff"})
AUDIO_SUFFIXES = frozenset({".mp3", ".wav", ".flac", ".ogg", ".opus", ".m4a", ".aac"})


class Reporter:
    """One validation pass over one manifest; collects problems instead of stopping at the first."""

    def __init__(self, folder: Path, manifest: Path, shown: str) -> None:
        self.folder, self.manifest, self.shown = folder, manifest, shown
        self.root = folder.resolve()
        self.problems: list[Problem] = []
        self.pos = yamlpos.Positions()
        self.invalid_ids: set[str] = set()  # messages reported invalid: references to them say no more
        # Whether a text holds a name withheld in this manifest (set by `leaks`): no problem repeats one.
        self.mentions: Callable[[str], bool] | None = None  # the whole name or a word of it
        self.mentions_whole: Callable[[str], bool] | None = None  # the whole name (not a common word of it)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def error(self, path: yamlpos.Path_, message: str, hint: str = "", *, key_line: bool = False,
              severity: Literal["error", "warning"] = "error") -> None:
        line = self.pos.key.get(path) if key_line else None
        self.problems.append(Problem(
            self.shown, message, line=line or self.pos.line(path), field=path_str(path), hint=hint,
            severity=severity,
        ))

    def concealed(self) -> list[Problem]:
        """The problems found, none repeating a withheld name: a problem quotes what the manifest wrote
        (an id, a file name, a key), which may be the name of a contributor who asked not to be named;
        each quoted value, listed value and key that holds one or a word of one is replaced, and a text
        that still holds a whole one is replaced whole."""
        if self.mentions is None:
            return self.problems
        mentions = self.mentions

        def hidden(text: str) -> str:
            if not text or not mentions(text):
                return text
            text = _QUOTED.sub(lambda m: "'…'" if mentions(m.group()) else m.group(), text)
            text = _LISTED.sub(lambda m: m.group(1) + ", ".join("…" if mentions(item) else item
                                                              for item in m.group(2).split(", ")), text)
            return WITHHELD_HIDDEN if whole(text) else text

        def hidden_field(path: str) -> str:
            return WITHHELD_HIDDEN if whole(path := _PART.sub(
                lambda m: "…" if mentions(m.group()) else m.group(), path)) else path

        whole = self.mentions_whole or mentions

        return [dataclasses.replace(p, message=hidden(p.message), hint=hidden(p.hint), field=hidden_field(p.field))
                for p in self.problems]

    def warn(self, path: yamlpos.Path_, message: str, hint: str = "") -> None:
        self.error(path, message, hint, severity="warning")

    def model(self, cls: type[Strict], data: Any, path: yamlpos.Path_) -> Any:
        """Validate `data` with `cls`, translating pydantic's errors into Problems; None on error."""
        if not isinstance(data, dict):
            self.error(path, f"expected a mapping of keys, got {kind_of(data)}")
            return None
        try:
            return cls.model_validate(data)
        except UnicodeError:  # a validator's message quoting half of a UTF-16 pair, which pydantic cannot hold
            self.error(path, "a value holds an invalid character (half of a UTF-16 pair, such as \\uD800)",
                       "write characters themselves", key_line=True)
            return None
        except ValidationError as exc:
            for err in exc.errors(include_input=False, include_url=False):
                loc = (*path, *err["loc"])
                kind = err["type"]
                if kind == "extra_forbidden":
                    key = str(err["loc"][-1])
                    self.error(loc, f"unknown key '{short(key)}'", did_you_mean(key, list(cls.model_fields)),
                               key_line=True)
                elif kind == "missing":
                    self.error(loc, "required but missing", f"add '{err['loc'][-1]}:'")
                else:
                    msg = err["msg"].removeprefix("Value error, ")
                    self.error(loc, msg[0].lower() + msg[1:], key_line=True)
            return None

    def inside(self, path: yamlpos.Path_, rel: str, what: str, suffixes: frozenset[str] | None) -> str | None:
        """Check that `rel` names an existing file inside the folder; return it normalised."""
        if not rel.strip():
            self.error(path, f"empty {what} path", key_line=True)
            return None
        unusable = unusable_path(rel)
        if unusable:
            self.error(path, f"the {what} path {unusable}", "check the file's name", key_line=True)
            return None
        candidate = Path(rel)
        if candidate.is_absolute():
            self.error(path, f"'{rel}' is an absolute path", "paths are relative to the folder", key_line=True)
            return None
        full = self.folder / candidate
        try:
            resolved = full.resolve()
            exists = resolved.is_file()
        except (OSError, RuntimeError, ValueError):
            self.error(path, f"cannot resolve '{short(rel)}'", "check the file's name", key_line=True)
            return None
        if not resolved.is_relative_to(self.root):
            self.error(path, f"'{rel}' leads outside the folder", "keep media inside the folder (no `..`, "
                       "no links pointing out)", key_line=True)
            return None
        if not exists:
            # Compare stems: with the extension in, 'bob.jpg' looks like any other '.jpg'.
            names = {p.stem: p.name for p in sorted(full.parent.glob("*"))} if full.parent.is_dir() else {}
            close = difflib.get_close_matches(candidate.stem, list(names), n=1, cutoff=0.6)
            hint = f"did you mean '{names[close[0]]}'?" if close else "check the name and the folder"
            self.error(path, f"no such file '{rel}'", hint, key_line=True)
            return None
        if suffixes is not None and resolved.suffix.lower() not in suffixes:
            self.error(path, f"'{rel}' is not a supported {what} file",
                       "use one of " + ", ".join(sorted(suffixes)), key_line=True)
            return None
        return candidate.as_posix()


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def path_str(path: yamlpos.Path_) -> str:
    out = ""
    for part in path:  # a key can be any text the manifest holds: quoted short
        out += f"[{part}]" if isinstance(part, int) else (f".{short(part)}" if out else short(part))
    return out


def unusable_path(rel: str) -> str | None:
    """Why `rel` cannot name a file on any disk (a control character, a name over 255 bytes), or None.
    Asked before the path reaches the filesystem, which would answer with an exception."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in rel):
        return "contains a control character, which no file name has"
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in rel):
        return "contains an invalid character (half of a UTF-16 pair)"
    if any(len(part.encode()) > 255 for part in Path(rel).parts):
        return "has a name longer than 255 bytes, which no file system allows"
    return None


def short(value: Any, limit: int = 40) -> str:
    """A value as a message may quote it: cut to `limit` characters (a key can be 100,000 letters long,
    and Python refuses to print an integer of more than 4,300 digits)."""
    try:
        text = str(value)
    except ValueError:
        return "a number too long to print"
    return text if len(text) <= limit else text[:limit] + "…"


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "expected one of: " + ", ".join(choices) if len(choices) <= 12 else ""


def clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split()) if "\n" not in text.strip() else text.strip()
    return text or None


def kind_of(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)
