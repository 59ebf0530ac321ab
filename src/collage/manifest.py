"""Load and validate `collage.yaml` into a frozen `Project`.

Every problem is collected and reported at once, each with its line, field path and a hint. The
contributor's `email` is checked for type and then dropped: no object after this module holds it.
Unapproved messages are dropped too, so nothing downstream can render one by mistake.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError, WithJsonSchema

from . import theme as theme_module
from . import yamlpos
from .durations import parse_duration
from .errors import InputError, Problem
from .privacy import looks_like_email
from .theme import DEFAULT as DEFAULT_THEME
from .theme import Theme

MANIFEST_NAME = "collage.yaml"
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".avif", ".tif", ".tiff"})
AUDIO_SUFFIXES = frozenset({".mp3", ".wav", ".flac", ".ogg", ".opus", ".m4a", ".aac"})
SIZE_PRESETS = {
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "4k": (3840, 2160),
    "vertical": (1080, 1920),
    "square": (1080, 1080),
}
DEFAULT_CLOSING = ("Thank you", "谢谢")
# Scalars that are text even when YAML would read them as something else (`location: NO`).
_TEXT_KEYS = frozenset(
    {"id", "photo", "name", "profession", "location", "message", "title", "subtitle", "body", "email",
     "tags", "messages", "file", "output", "grid", "caption", "theme", "background_image"}
)
DEFAULT_CAPTION = "{name} · {profession} · {location}"
CAPTION_FIELDS = ("name", "profession", "location", "message")


# ---------------------------------------------------------------------------------------------------
# The validated project: what every later stage reads.


Fit = Literal["blur", "contain", "cover"]  # whole over a blurred fill of itself; whole; filling the box
Motion = Literal["none", "kenburns"]  # kenburns: a slow push in, drifting toward the face and the sign
TransitionStyle = Literal["crossfade", "fade", "cut", "slide"]
TRANSITION_STYLES: tuple[TransitionStyle, ...] = ("crossfade", "fade", "cut", "slide")


@dataclass(frozen=True)
class Transition:
    """How one slide gives way to the next. None fields are taken from `timing.transition`."""

    style: TransitionStyle | None = None  # crossfade; fade (through black); cut; slide (the next pushes in)
    seconds: float | None = None

    def over(self, default: Transition) -> Transition:
        """This transition with its missing parts taken from `default`; a cut takes no time."""
        style = self.style or default.style
        seconds = 0.0 if style == "cut" else (default.seconds if self.seconds is None else self.seconds)
        return Transition(style, seconds)


@dataclass(frozen=True)
class Timing:
    title: float = 5.0
    slide: float | Literal["auto"] = 6.0  # auto: longer for slides with more to read
    transition: Transition = Transition("crossfade", 1.0)
    fit: Literal["none", "music"] = "none"  # music: scale slides so the video ends with the music
    min: float = 2.0  # bounds for `auto` and `fit`, per slide
    max: float = 20.0
    beats: bool = False  # move cuts onto the music's beats (within 0.3 s)


@dataclass(frozen=True)
class Track:
    file: str  # relative to the folder
    line: int | None = None
    volume: float = 0.0  # dB, applied after levelling
    start: float = 0.0  # trim, seconds into the file
    end: float | None = None


@dataclass(frozen=True)
class Music:
    tracks: tuple[Track, ...] = ()
    loudness: float = -16.0  # integrated LUFS of the whole bed (EBU R128)
    crossfade: float = 2.0  # equal-power crossfade between consecutive tracks (and at a loop)
    fade_in: float = 1.5
    fade_out: float = 3.0


@dataclass(frozen=True)
class Message:
    """An approved photo message. There is deliberately no email field."""

    id: str
    photo: str  # relative to the folder, as written in the manifest
    name: str | None = None
    profession: str | None = None
    location: str | None = None
    text: str | None = None
    tags: tuple[str, ...] = ()
    line: int | None = None
    fit: Fit | None = None  # None: the video's
    focus: tuple[float, float] | None = None  # what a cover crop keeps in view (fractions); None: found
    motion: Motion | None = None  # None: the sequence item's


@dataclass(frozen=True)
class TitleItem:
    title: str
    subtitle: str | None = None
    body: str | None = None
    duration: float | None = None
    transition: Transition | None = None
    line: int | None = None
    kind: Literal["title"] = "title"


@dataclass(frozen=True)
class GridItem:
    layout: tuple[int, int] | None  # (cols, rows); None = auto
    select: Literal["all"] | tuple[str, ...] | str  # `all`, explicit ids (tuple) or a tag (str)
    duration: float | None = None
    transition: Transition | None = None
    line: int | None = None
    motion: Motion = "none"
    kind: Literal["grid"] = "grid"


@dataclass(frozen=True)
class PhotoItem:
    message: str
    duration: float | None = None
    transition: Transition | None = None
    line: int | None = None
    motion: Motion = "none"
    kind: Literal["photo"] = "photo"


SequenceItem = TitleItem | GridItem | PhotoItem


@dataclass(frozen=True)
class Project:
    folder: Path
    manifest: Path
    title: str
    size: tuple[int, int]
    fps: int
    output: Path  # absolute
    timing: Timing
    music: Music
    sequence: tuple[SequenceItem, ...]
    messages: tuple[Message, ...]  # approved only, in manifest order
    unapproved: frozenset[str] = field(default_factory=frozenset)
    fit: Fit = "blur"
    sequence_given: bool = True
    warnings: tuple[Problem, ...] = ()
    theme: Theme = DEFAULT_THEME
    caption_template: str = DEFAULT_CAPTION

    def path(self, rel: str) -> Path:
        return self.folder / rel

    def message(self, message_id: str) -> Message:
        for m in self.messages:
            if m.id == message_id:
                return m
        raise KeyError(message_id)


# ---------------------------------------------------------------------------------------------------
# The manifest as written (pydantic models: types, unknown keys, required fields).


def _duration(value: Any) -> float:
    return parse_duration(value)


def _track_time(value: Any) -> float:
    return parse_duration(value, limit=TRACK_SECONDS)


DURATION_SCHEMA = {"anyOf": [{"type": "number", "minimum": 0},
                             {"type": "string", "pattern": r"^\s*((\d+(\.\d+)?|\.\d+)(h|ms|m|s)?\s*)+$"}],
                   "description": "seconds (5, 1.5) or a duration (5s, 500ms, 1m30s)"}
Duration = Annotated[float, BeforeValidator(_duration), WithJsonSchema(DURATION_SCHEMA)]
TrackTime = Annotated[float, BeforeValidator(_track_time), WithJsonSchema(DURATION_SCHEMA)]
TRACK_SECONDS = 24 * 3600.0  # a trim point inside a long recording
# Far above anything that fits on a slide, and low enough that measuring it stays instant.
ShortText = Annotated[str, StringConstraints(max_length=300)]
LongText = Annotated[str, StringConstraints(max_length=3000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Video(_Strict):
    size: str = "1080p"
    fps: int = 30
    output: str | None = None
    fit: Fit = "blur"


def parse_transition(value: Any) -> Transition:
    """`1s` (a crossfade that long), `cut`, `fade`, `slide 0.8s`, or `{style: fade, duration: 1.5s}`."""
    if isinstance(value, dict):
        unknown = set(value) - {"style", "duration"}
        if unknown:
            raise ValueError(f"unknown key '{sorted(unknown)[0]}' in a transition; use style and duration")
        value = f"{value.get('style', '')} {value.get('duration', '')}"
    if isinstance(value, str):
        words = value.split()
        style = words[0].lower() if words and words[0].lower() in TRANSITION_STYLES else None
        rest = " ".join(words[1:] if style else words)
        if not style and words and not any(ch.isdigit() for ch in words[0]):
            raise ValueError(f"'{words[0]}' is not a transition; use one of " + ", ".join(TRANSITION_STYLES)
                             + ", optionally with a duration (fade 1.5s)")
        seconds = parse_duration(rest) if rest else None
        if style == "cut":
            seconds = 0.0
        return Transition(style, seconds)  # type: ignore[arg-type]
    return Transition(None, parse_duration(value))


def _slide_duration(value: Any) -> float | str:
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    return parse_duration(value)


def _decibels(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a gain in dB such as -3 or -3dB")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = re.fullmatch(r"\s*([+-]?\d+(?:\.\d+)?)\s*(?:db)?\s*", value, re.IGNORECASE)
        if match:
            return float(match.group(1))
    raise ValueError(f"'{value}' is not a gain; write it in dB, e.g. -3 or -3dB")


TransitionIn = Annotated[Any, BeforeValidator(parse_transition), WithJsonSchema({
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string"},
              {"type": "object", "additionalProperties": False,
               "properties": {"style": {"enum": list(TRANSITION_STYLES)}, "duration": DURATION_SCHEMA}}],
    "description": "a duration (a crossfade that long), a style (crossfade, fade, cut, slide), or both: `fade 1.5s`"})]


class _Timing(_Strict):
    title: Duration = 5.0
    slide: Annotated[float | str, BeforeValidator(_slide_duration)] = 6.0
    transition: TransitionIn = Transition("crossfade", 1.0)
    fit: Literal["none", "music"] = "none"
    min: Duration = 2.0
    max: Duration = 20.0
    beats: bool = False


GAIN_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*[+-]?\d+(\.\d+)?\s*(dB|db)?\s*$"}],
               "description": "gain in dB after levelling, e.g. -3 or -3dB"}


class _Track(_Strict):
    file: ShortText
    volume: Annotated[float, BeforeValidator(_decibels), WithJsonSchema(GAIN_SCHEMA)] = 0.0
    start: TrackTime = 0.0
    end: TrackTime | None = None


class _Music(_Strict):
    tracks: list[Any] = []
    loudness: float = -16.0
    crossfade: Duration = 2.0
    fade_in: Duration = 1.5
    fade_out: Duration = 3.0


class _Message(_Strict):
    id: ShortText | None = None
    photo: ShortText
    name: ShortText | None = None
    profession: ShortText | None = None
    location: ShortText | None = None
    message: LongText | None = None
    tags: list[ShortText] = []
    approved: bool = False
    email: str | None = None
    fit: Fit | None = None
    focus: list[float] | None = None
    motion: Motion | None = None


class _Title(_Strict):
    title: ShortText
    subtitle: ShortText | None = None
    body: LongText | None = None
    duration: Duration | None = None
    transition: TransitionIn | None = None


class _Grid(_Strict):
    grid: str
    messages: str | list[str] = "all"
    duration: Duration | None = None
    transition: TransitionIn | None = None
    motion: Motion = "none"


class _Photo(_Strict):
    photo: str
    duration: Duration | None = None
    transition: TransitionIn | None = None
    motion: Motion = "none"


_TOP_KEYS = ("title", "video", "timing", "music", "style", "sequence", "messages")
_ITEM_MODELS: dict[str, type[_Strict]] = {"title": _Title, "grid": _Grid, "photo": _Photo}


# ---------------------------------------------------------------------------------------------------
# Loading.


def find_manifest(folder: Path, manifest: Path | None = None) -> Path:
    return manifest if manifest is not None else folder / MANIFEST_NAME


def load(folder: Path | str, manifest: Path | str | None = None) -> Project:
    """Read and validate the manifest; raise InputError listing every problem found."""
    folder = Path(folder)
    manifest_path = find_manifest(folder, None if manifest is None else Path(manifest))
    shown = _display(manifest_path)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "no such folder", hint="give the folder that holds collage.yaml")])
    try:
        st = manifest_path.stat()
        size = st.st_size
        if not stat.S_ISREG(st.st_mode):  # a folder, a pipe or a device: never read without end
            raise InputError([Problem(shown, "not a regular file", hint="give the path of a manifest file")])
        if size > yamlpos.MAX_BYTES:  # refused before it is read: a manifest is text a person writes
            raise InputError([Problem(shown, f"the manifest is {size >> 20} MB; collage reads manifests up to "
                                      f"{yamlpos.MAX_BYTES >> 20} MB", line=1,
                                      hint="split the project, or remove what it does not use")])
        with manifest_path.open("rb") as f:
            text = f.read(yamlpos.MAX_BYTES + 1).decode("utf-8")  # bounded even if it grows meanwhile
    except FileNotFoundError:
        raise InputError([Problem(shown, "no manifest here", hint="run `collage init FOLDER` to write one")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(shown, "not UTF-8 text", hint="save the manifest as UTF-8")]) from None
    except OSError as exc:
        raise InputError([Problem(shown, f"cannot read the manifest: {exc.strerror or 'not a readable file'}",
                                  hint="give the path of a manifest file")]) from None
    return _Validator(folder, manifest_path, shown, text).run()


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _path_str(path: yamlpos.Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "expected one of: " + ", ".join(choices) if len(choices) <= 12 else ""


def parse_size(value: str) -> tuple[int, int]:
    """`1920x1080` or a preset name; both sides even (H.264 4:2:0 needs even sizes)."""
    key = value.strip().lower()
    if key in SIZE_PRESETS:
        return SIZE_PRESETS[key]
    match = re.fullmatch(r"(\d+)\s*[x×]\s*(\d+)", key)
    if not match:
        raise ValueError(f"'{value}' is not a size; write WIDTHxHEIGHT like 1920x1080, or one of "
                         + ", ".join(SIZE_PRESETS))
    w, h = int(match.group(1)), int(match.group(2))
    if not (64 <= w <= 7680 and 64 <= h <= 7680):
        raise ValueError(f"{w}x{h} is out of range; each side must be 64 to 7680 pixels")
    if w % 2 or h % 2:
        raise ValueError(f"{w}x{h} has an odd side; H.264 needs even sizes, e.g. {w + w % 2}x{h + h % 2}")
    return w, h


def parse_grid(value: str) -> tuple[int, int] | None:
    key = value.strip().lower()
    if key == "auto":
        return None
    match = re.fullmatch(r"(\d+)\s*[x×]\s*(\d+)", key)
    if not match or not (1 <= int(match.group(1)) <= 6 and 1 <= int(match.group(2)) <= 6):
        raise ValueError(f"'{value}' is not a grid; write COLSxROWS (1 to 6 each, e.g. 2x2) or auto")
    return int(match.group(1)), int(match.group(2))


class _Validator:
    """One validation pass; collects problems instead of stopping at the first."""

    def __init__(self, folder: Path, manifest: Path, shown: str, text: str) -> None:
        self.folder, self.manifest, self.shown, self.text = folder, manifest, shown, text
        self.root = folder.resolve()
        self.problems: list[Problem] = []
        self.pos = yamlpos.Positions()

    # -- reporting ---------------------------------------------------------------------------------

    def error(self, path: yamlpos.Path_, message: str, hint: str = "", *, key_line: bool = False,
              severity: Literal["error", "warning"] = "error") -> None:
        line = self.pos.key.get(path) if key_line else None
        self.problems.append(Problem(
            self.shown, message, line=line or self.pos.line(path), field=_path_str(path), hint=hint,
            severity=severity,
        ))

    def warn(self, path: yamlpos.Path_, message: str, hint: str = "") -> None:
        self.error(path, message, hint, severity="warning")

    def model(self, cls: type[_Strict], data: Any, path: yamlpos.Path_) -> Any:
        """Validate `data` with `cls`, translating pydantic's errors into Problems; None on error."""
        if not isinstance(data, dict):
            self.error(path, f"expected a mapping of keys, got {_kind(data)}")
            return None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors(include_input=False, include_url=False):
                loc = (*path, *err["loc"])
                kind = err["type"]
                if kind == "extra_forbidden":
                    key = str(err["loc"][-1])
                    self.error(loc, f"unknown key '{key}'", did_you_mean(key, list(cls.model_fields)),
                               key_line=True)
                elif kind == "missing":
                    self.error(loc, "required but missing", f"add '{err['loc'][-1]}:'")
                else:
                    msg = err["msg"].removeprefix("Value error, ")
                    self.error(loc, msg[0].lower() + msg[1:], key_line=True)
            return None

    # -- the pass ------------------------------------------------------------------------------------

    def run(self) -> Project:
        try:
            data, self.pos = yamlpos.load(self.text, _TEXT_KEYS)
        except yamlpos.YamlSyntaxError as exc:
            raise InputError([Problem(self.shown, str(exc), line=exc.line, column=exc.column,
                                      hint=exc.hint)]) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InputError([Problem(self.shown, f"the manifest must be a mapping of keys, not {_kind(data)}",
                                      line=1)])
        self._emails(data, ())
        for key in data:
            if key not in _TOP_KEYS:
                self.error((key,), f"unknown key '{key}'", did_you_mean(key, _TOP_KEYS), key_line=True)

        title = data.get("title")
        if title is not None and not isinstance(title, str):
            self.error(("title",), f"expected text, got {_kind(title)}")
            title = None
        elif title is not None and len(title) > 300:
            self.error(("title",), "longer than 300 characters", "a title is a line or two", key_line=True)
            title = None
        video = self.model(_Video, data.get("video") or {}, ("video",)) or _Video()
        size = self._size(video)
        if not 1 <= video.fps <= 120:
            self.error(("video", "fps"), f"{video.fps} fps is out of range", "use 1 to 120, e.g. 25 or 30")
        timing_in = self.model(_Timing, data.get("timing") or {}, ("timing",)) or _Timing()
        slide: float | Literal["auto"] = "auto" if timing_in.slide == "auto" else float(timing_in.slide)
        transition = timing_in.transition.over(Transition("crossfade", 1.0))
        timing = Timing(timing_in.title, slide, transition, timing_in.fit, timing_in.min, timing_in.max,
                        timing_in.beats)
        for name in ("title", "slide", "min", "max"):
            value = getattr(timing, name)
            if isinstance(value, float) and value <= 0:
                self.error(("timing", name), "must be longer than zero", key_line=True)
        if timing.min > timing.max:
            self.error(("timing", "min"), f"min {timing.min:g}s is longer than max {timing.max:g}s", key_line=True)
        music = self._music(data.get("music"))
        theme, caption_template = self._style(data.get("style"))
        if (timing.fit == "music" or timing.beats) and not music.tracks:
            self.error(("timing", "fit" if timing.fit == "music" else "beats"), "needs music to follow",
                       "add tracks under `music:`", key_line=True)
        messages, unapproved = self._messages(data.get("messages"))
        sequence_given = data.get("sequence") is not None
        if sequence_given:
            sequence = self._sequence(data.get("sequence"), messages, unapproved)
        else:
            sequence = (
                TitleItem(title or _folder_title(self.folder)),
                GridItem(None, "all"),
                TitleItem(*DEFAULT_CLOSING),
            )
        output = self._output(video.output)
        self._check_unplaced(sequence, messages, sequence_given)
        if not messages and not [p for p in self.problems if p.severity == "error"]:
            if data.get("messages"):
                self.error(("messages",), "no message is approved: there is nothing to show",
                           "set `approved: true` on the messages to show", key_line=True)
            else:
                self.error(("messages",) if "messages" in data else (), "no messages: there is nothing to show",
                           "add the photo messages under `messages:` (`collage init` or `collage import` writes them)")
        if title is None and looks_like_email(_folder_title(self.folder)):
            self.error(("title",), "the folder's name looks like an email address and would be the title",
                       "give a `title:`")

        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            raise InputError(self.problems)
        return Project(
            folder=self.folder,
            manifest=self.manifest,
            title=title or _folder_title(self.folder),
            size=size,
            fps=video.fps,
            output=output,
            timing=timing,
            music=music,
            sequence=sequence,
            messages=tuple(messages),
            unapproved=frozenset(unapproved),
            sequence_given=sequence_given,
            warnings=tuple(self.problems),
            fit=video.fit,
            theme=theme,
            caption_template=caption_template,
        )

    def _emails(self, value: Any, path: yamlpos.Path_) -> None:
        """Anything that looks like an email address, anywhere but in `email:` itself, is an error:
        every caption field, title card, template, id and file name can reach a frame or a printout.
        The value is never repeated in the message."""
        if isinstance(value, dict):
            for k, v in value.items():
                if looks_like_email(k):
                    self.error((*path, k), "a key looks like an email address", "emails are private; remove it",
                               key_line=True)
                elif k != "email":
                    self._emails(v, (*path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._emails(v, (*path, i))
        elif isinstance(value, str | yamlpos.Verbatim) and looks_like_email(str(getattr(value, "text", value))):
            self.error(path, "looks like an email address; emails are private and never shown",
                       "move it to the message's `email:` field, or remove it", key_line=True)

    # -- sections --------------------------------------------------------------------------------------

    def _size(self, video: _Video) -> tuple[int, int]:
        try:
            return parse_size(video.size)
        except ValueError as exc:
            self.error(("video", "size"), str(exc), key_line=True)
            return SIZE_PRESETS["1080p"]

    def _inside(self, path: yamlpos.Path_, rel: str, what: str, suffixes: frozenset[str] | None) -> str | None:
        """Check that `rel` names an existing file inside the folder; return it normalised."""
        if not rel.strip():
            self.error(path, f"empty {what} path", key_line=True)
            return None
        candidate = Path(rel)
        if candidate.is_absolute():
            self.error(path, f"'{rel}' is an absolute path", "paths are relative to the folder", key_line=True)
            return None
        full = self.folder / candidate
        try:
            resolved = full.resolve()
        except (OSError, RuntimeError):
            self.error(path, f"cannot resolve '{rel}'", key_line=True)
            return None
        if not resolved.is_relative_to(self.root):
            self.error(path, f"'{rel}' leads outside the folder", "keep media inside the folder (no `..`, "
                       "no links pointing out)", key_line=True)
            return None
        if not resolved.is_file():
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

    def _style(self, data: Any) -> tuple[Theme, str]:
        """`style:` picks a theme (`theme: light`, or a theme file in the folder), sets the caption
        template (`caption: "{name} · {location}"`) and overrides single theme values."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.error(("style",), f"expected a mapping of keys, got {_kind(data)}", "e.g. `style: {theme: light}`")
            return DEFAULT_THEME, DEFAULT_CAPTION
        name = data.get("theme", "calm")
        theme, base = DEFAULT_THEME, self.folder
        if not isinstance(name, str):
            self.error(("style", "theme"), f"expected a theme name, got {_kind(name)}", key_line=True)
        else:
            try:
                theme, base = theme_module.load(name, self.folder)
            except theme_module.ThemeError as exc:
                self.error(("style", "theme"), str(exc), "or name a theme file in the folder, e.g. themes/mine.yaml",
                           key_line=True)
        template = data.get("caption", DEFAULT_CAPTION)
        if not isinstance(template, str):
            self.error(("style", "caption"), f"expected text, got {_kind(template)}", key_line=True)
            template = DEFAULT_CAPTION
        fields = re.findall(r"\{([^{}]*)\}", template)
        unknown = [f for f in fields if f not in CAPTION_FIELDS]
        if unknown:
            self.error(("style", "caption"), f"unknown field '{{{unknown[0]}}}' in the caption",
                       "use " + ", ".join(f"{{{f}}}" for f in CAPTION_FIELDS), key_line=True)
            template = DEFAULT_CAPTION
        elif not fields:
            self.error(("style", "caption"), "the caption names no field",
                       'e.g. "{name} · {location}"', key_line=True)
            template = DEFAULT_CAPTION
        for key, value in data.items():
            if key in ("theme", "caption"):
                continue
            try:
                theme = theme_module.with_values(theme, {key: value})
            except theme_module.ThemeError as exc:
                if str(exc).startswith("unknown theme key"):
                    self.error(("style", key), f"unknown key '{key}'",
                               did_you_mean(key, ["theme", "caption", *theme_module.KEYS]), key_line=True)
                else:
                    self.error(("style", key), str(exc).partition(": ")[2] or str(exc), key_line=True)
        if theme.background_image:  # the manifest's is relative to the folder, a theme file's to the theme
            if "background_image" in data:
                rel = self._inside(("style", "background_image"), theme.background_image, "image", PHOTO_SUFFIXES)
                image = None if rel is None else str(self.folder / rel)
            else:  # relative to the theme file, which is in the folder (built-in themes have no image)
                rel_to_folder = (base / theme.background_image).resolve()
                image = None
                if not rel_to_folder.is_relative_to(self.root) or not rel_to_folder.is_file():
                    self.error(("style", "theme"), f"the theme's background_image '{theme.background_image}' is not "
                               "a file inside the folder", "keep the image beside the theme file", key_line=True)
                else:
                    image = str(base / theme.background_image)
            theme = dataclasses.replace(theme, background_image=image)
        return theme_module.readable(theme), template

    def _music(self, data: Any) -> Music:
        """`music:` is a list of tracks, or a mapping with `tracks:` and the bed's settings."""
        options = _Music()
        base: yamlpos.Path_ = ("music",)
        if isinstance(data, dict):
            options = self.model(_Music, data, base) or _Music()
            if not -40 <= options.loudness <= -5:
                self.error(("music", "loudness"), f"{options.loudness} LUFS is out of range",
                           "use -40 to -5; -16 suits the web, -23 broadcast", key_line=True)
            data, base = options.tracks, ("music", "tracks")
        tracks: list[Track] = []
        if data is not None and not isinstance(data, list):
            self.error(base, f"expected a list of tracks, got {_kind(data)}", "write `- file: music/x.mp3`")
            data = None
        for i, item in enumerate(data or []):
            if isinstance(item, str):
                item = {"file": item}
            track = self.model(_Track, item, (*base, i))
            if track is None:
                continue
            if track.end is not None and track.end <= track.start:
                self.error((*base, i, "end"), f"end {track.end:g}s is not after start {track.start:g}s",
                           key_line=True)
                continue
            rel = self._inside((*base, i, "file"), track.file, "audio", AUDIO_SUFFIXES)
            if rel:
                tracks.append(Track(rel, self.pos.line((*base, i)), track.volume, track.start, track.end))
        return Music(tuple(tracks), options.loudness, options.crossfade, options.fade_in, options.fade_out)

    def _messages(self, data: Any) -> tuple[list[Message], list[str]]:
        if data is None:
            return [], []
        if not isinstance(data, list):
            self.error(("messages",), f"expected a list of messages, got {_kind(data)}")
            return [], []
        approved: list[Message] = []
        unapproved: list[str] = []
        seen: dict[str, int | None] = {}
        for i, item in enumerate(data):
            line = self.pos.line(("messages", i))
            # Ids count even on a message with other errors, so duplicates are reported where they are.
            raw_id = _raw_id(item)
            if raw_id is not None and raw_id in seen:
                where = f" (first at line {seen[raw_id]})" if seen[raw_id] else ""
                self.error(("messages", i, "id" if "id" in item else "photo"),
                           f"duplicate id '{raw_id}'{where}", "give each message a unique `id:`", key_line=True)
                continue
            if raw_id is not None:
                seen[raw_id] = line
            approval = item.get("approved") if isinstance(item, dict) else None
            if isinstance(approval, yamlpos.Verbatim):
                written = f'"{approval.text}"' if approval.quoted else f"'{approval.text}'"
                self.error(("messages", i, "approved"), f"approved is {written}; only the literal `true` approves",
                           "write `approved: true` (or `false`)", key_line=True)
                item = {k: v for k, v in item.items() if k != "approved"}  # and report its other problems
            msg = self.model(_Message, item, ("messages", i))
            if msg is None:
                if isinstance(item, dict) and isinstance(item.get("photo"), str):  # report its file too
                    self._inside(("messages", i, "photo"), item["photo"], "photo", PHOTO_SUFFIXES)
                continue
            rel = self._inside(("messages", i, "photo"), msg.photo, "photo", PHOTO_SUFFIXES)
            message_id = msg.id if msg.id is not None else Path(msg.photo).stem
            if not message_id.strip():
                self.error(("messages", i, "id"), "empty id", "give the message an id", key_line=True)
                continue
            if rel is None:
                continue
            if msg.focus is not None and (len(msg.focus) != 2 or not all(0 <= v <= 1 for v in msg.focus)):
                self.error(("messages", i, "focus"), "focus is [x, y] with each from 0 to 1",
                           "e.g. [0.5, 0.3] keeps the upper middle in view", key_line=True)
                continue
            if msg.approved:
                approved.append(Message(
                    id=message_id, photo=rel, name=_clean(msg.name), profession=_clean(msg.profession),
                    location=_clean(msg.location), text=_clean(msg.message), tags=tuple(msg.tags), line=line,
                    fit=msg.fit, focus=(msg.focus[0], msg.focus[1]) if msg.focus else None, motion=msg.motion,
                ))
            else:
                unapproved.append(message_id)
        return approved, unapproved

    def _sequence(self, data: Any, messages: list[Message], unapproved: list[str]) -> tuple[SequenceItem, ...]:
        if not isinstance(data, list):
            self.error(("sequence",), f"expected a list of items, got {_kind(data)}")
            return ()
        ids = {m.id for m in messages}
        all_ids = sorted(ids | set(unapproved))
        tags = sorted({t for m in messages for t in m.tags})
        items: list[SequenceItem] = []
        for i, raw in enumerate(data):
            path: yamlpos.Path_ = ("sequence", i)
            line = self.pos.line(path)
            if not isinstance(raw, dict):
                self.error(path, f"expected a mapping with title, grid or photo, got {_kind(raw)}")
                continue
            kinds = [k for k in _ITEM_MODELS if k in raw]
            if len(kinds) != 1:
                if kinds:
                    self.error(path, "an item is one of title, grid or photo, not " + " and ".join(kinds),
                               "split it into separate items")
                elif raw:
                    first = str(next(iter(raw)))
                    self.error((*path, first), f"unknown item '{first}'; an item is a title, grid or photo",
                               did_you_mean(first, list(_ITEM_MODELS)), key_line=True)
                else:
                    self.error(path, "an empty item; an item is a title, grid or photo", "e.g. `- grid: auto`")
                continue
            item = self.model(_ITEM_MODELS[kinds[0]], raw, path)
            if item is not None and item.duration is not None and item.duration <= 0:
                self.error((*path, "duration"), "must be longer than zero", key_line=True)
                continue
            if isinstance(item, _Title):
                items.append(TitleItem(item.title, _clean(item.subtitle), _clean(item.body), item.duration,
                                       item.transition, line))
            elif isinstance(item, _Photo):
                ref = self._reference((*path, "photo"), item.photo, ids, unapproved, all_ids)
                if ref:
                    items.append(PhotoItem(ref, item.duration, item.transition, line, motion=item.motion))
            elif isinstance(item, _Grid):
                try:
                    layout = parse_grid(item.grid)
                except ValueError as exc:
                    self.error((*path, "grid"), str(exc), key_line=True)
                    continue
                select: Literal["all"] | tuple[str, ...] | str
                if isinstance(item.messages, list):
                    refs = [self._reference((*path, "messages", j), ref, ids, unapproved, all_ids)
                            for j, ref in enumerate(item.messages)]
                    select = tuple(r for r in refs if r)
                elif item.messages.strip().lower() == "all":
                    select = "all"
                else:
                    select = item.messages
                    if select not in tags:
                        hint = did_you_mean(select, tags) if tags else "no approved message has tags"
                        self.warn((*path, "messages"), f"no approved message has the tag '{select}'", hint)
                items.append(GridItem(layout, select, item.duration, item.transition, line, motion=item.motion))
        return tuple(items)

    def _reference(self, path: yamlpos.Path_, ref: str, ids: set[str], unapproved: list[str],
                   all_ids: list[str]) -> str | None:
        if ref in ids:
            return ref
        if ref in unapproved:
            self.warn(path, f"message '{ref}' is not approved and is left out",
                      "set `approved: true` on it to show it")
            return None
        self.error(path, f"no message with id '{ref}'", did_you_mean(ref, all_ids) if all_ids else
                   "add it under `messages:`", key_line=True)
        return None

    def _output(self, rel: str | None) -> Path:
        rel = rel or f"out/{_slug(self.folder.resolve().name)}.mp4"
        candidate = Path(rel)
        path: yamlpos.Path_ = ("video", "output")
        if candidate.is_absolute():
            self.error(path, f"'{rel}' is an absolute path", "give a path relative to the folder, or use -o",
                       key_line=True)
            return self.folder.absolute() / "out.mp4"
        out = self.folder / candidate
        if not out.resolve().is_relative_to(self.root):
            self.error(path, f"'{rel}' leads outside the folder", "use -o to write elsewhere", key_line=True)
        if out.suffix.lower() != ".mp4":
            self.error(path, f"output '{out.name}' must end in .mp4", "collage writes MP4 files", key_line=True)
        return out.absolute()

    def _check_unplaced(self, sequence: tuple[SequenceItem, ...], messages: list[Message], given: bool) -> None:
        if not given or any(isinstance(s, GridItem) and s.select == "all" for s in sequence):
            return
        placed: set[str] = set()
        for item in sequence:
            if isinstance(item, PhotoItem):
                placed.add(item.message)
            elif isinstance(item, GridItem):
                if isinstance(item.select, tuple):
                    placed.update(item.select)
                else:
                    placed.update(m.id for m in messages if item.select in m.tags)
        for m in messages:
            if m.id not in placed:
                self.problems.append(Problem(
                    self.shown, f"approved message '{m.id}' is not in the sequence", line=m.line,
                    field="messages", hint="add it, or a `grid` with `messages: all`", severity="warning",
                ))


def _raw_id(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("id"), str):
        return item["id"]
    if "id" not in item and isinstance(item.get("photo"), str):
        return Path(item["photo"]).stem
    return None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split()) if "\n" not in text.strip() else text.strip()
    return text or None


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-") or "collage"


def _folder_title(folder: Path) -> str:
    return folder.resolve().name.replace("-", " ").replace("_", " ").strip() or "Collage"
