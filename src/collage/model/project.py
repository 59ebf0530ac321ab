"""The project as validated: what every stage after the manifest reads. Frozen data, no behaviour
beyond lookups; built only by `collage.manifest`. There is deliberately no email anywhere here, and
only approved messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from collage.errors import Problem
from collage.model.theme import DEFAULT as DEFAULT_THEME
from collage.model.theme import Theme
from collage.outputs import names

DEFAULT_CAPTION = "{name} · {profession} · {location}"
CAPTION_FIELDS = ("name", "profession", "location", "message")

Fit = Literal["blur", "contain", "cover"]  # whole over a blurred fill of itself; whole; filling the box
Motion = Literal["none", "kenburns"]  # kenburns: a slow push in, drifting toward the face and the sign
TransitionStyle = Literal["crossfade", "fade", "cut", "slide"]
# What a contributor agreed to show: named (default); anonymous (no name anywhere); masked (no name, and
# every face found and every `mask` box covered irreversibly).
Consent = Literal["named", "anonymous", "masked"]
CONSENTS: tuple[Consent, ...] = ("named", "anonymous", "masked")
HIDEABLE = ("name", "profession", "location", "message", "translation")  # caption fields a contributor may withhold
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
    """An approved photo message. There is deliberately no email field, and no field a contributor
    withheld: an anonymous contributor's name, and every field in `hide`, are dropped by the manifest
    loader, so no later stage can show them."""

    id: str
    photo: str  # relative to the folder, as written in the manifest
    name: str | None = None
    profession: str | None = None
    location: str | None = None
    text: str | None = None
    translation: str | None = None  # the sign in the audience's language
    tags: tuple[str, ...] = ()
    line: int | None = None
    fit: Fit | None = None  # None: the video's
    focus: tuple[float, float] | None = None  # what a cover crop keeps in view (fractions); None: found
    motion: Motion | None = None  # None: the sequence item's
    consent: Consent = "named"
    hidden: tuple[str, ...] = ()  # the caption fields withheld (the name, for anonymous and masked)
    mask: tuple[tuple[float, float, float, float], ...] = ()  # boxes to cover: x, y, w, h (fractions)
    index: int | None = None  # its place in the manifest's `messages:` list

    def field(self, part: str = "") -> str:
        """The field path a problem names, as the manifest's loader names it: by place, never by id (an
        id may spell a name)."""
        path = "messages" if self.index is None else f"messages[{self.index}]"
        return f"{path}.{part}" if part else path


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
    index: int | None = None  # its place in the manifest's `sequence:` list (None: the default sequence)


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
class Rendition:
    """Another shape of the same video (`video.renditions`), laid out for its frame and written beside
    the main one as NAME.<name>.mp4."""

    name: str  # a size preset (vertical, square, 4k, ...) or WIDTHxHEIGHT
    size: tuple[int, int]


DESCRIBED_LANGUAGES = ("en", "zh")  # what the described version can say (its phrasing and the default voices)
DESCRIBED_FIELDS = ("who", "name", "profession", "location", "sign")  # a `video.described.template`'s fields


@dataclass(frozen=True)
class Described:
    """`video.described`: a version of the video that says what each slide shows (NAME.described.mp4),
    each slide lengthened to fit what is said (extended audio description)."""

    language: str = "en"  # what is said: `en` or `zh` (the sign's text, or its translation, in that language)
    voice: str | None = None  # a local voice model in the folder (a Piper .onnx); None: the bundled engine
    audio: str | None = None  # a folder of recordings in the folder: one per message id and title card
    template: str | None = None  # how a person is said: "{who}. Their sign reads: {sign}" (DESCRIBED_FIELDS)
    renditions: tuple[str, ...] = ()  # renditions that get a described version too
    line: int | None = None


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
    poster: int | None = None  # `video.poster`: the slide whose middle is NAME.jpg
    renditions: tuple[Rendition, ...] = ()  # more shapes rendered in the same run
    rendition: str | None = None  # which shape this is: None for the main video
    main_size: tuple[int, int] | None = None  # a rendition's: the main video's size, which the sequence was written for
    show_translations: bool = False  # `style.translations: show`: translations on screen, not only in sidecars
    # Every file the manifest names, approved or not (photos, music, theme file, images, fonts): no output
    # may replace one, nor be written among them (`outputs.targets`).
    sources: frozenset[Path] = field(default_factory=frozenset)
    output_line: int | None = None  # the line of `video.output`, when the manifest gives it
    described: Described | None = None  # `video.described`: NAME.described.mp4 is made too
    narrated: bool = False  # this is the described version (`describing`)

    def shaped(self, rendition: str | None) -> Project:
        """The project as its rendition `rendition` (None: the main video) is made: that frame size, and
        the output NAME.<rendition>.mp4 beside the main one. Raises KeyError for a name not in
        `renditions`."""
        if rendition is None:
            return self
        for r in self.renditions:
            if r.name == rendition:
                return replace(self, size=r.size, output=names.rendition(self.output, r.name),
                               renditions=(), rendition=r.name, poster=None, main_size=self.size)
        raise KeyError(rendition)

    def describing(self) -> Project:
        """The described version of this shape: the same slides, each as long as what is said about it
        needs (so not fitted to the music, nor snapped to beats), written as NAME.described.mp4. Raises
        KeyError when the manifest asks for no described version of this shape."""
        d = self.described
        if d is None or (self.rendition is not None and self.rendition not in d.renditions):
            raise KeyError(self.rendition or "described")
        return replace(self, output=names.described(self.output), renditions=(), narrated=True,
                       timing=replace(self.timing, fit="none", beats=False))

    def message(self, message_id: str) -> Message:
        for m in self.messages:
            if m.id == message_id:
                return m
        raise KeyError(message_id)


_FIELD = re.compile(r"\{(\w+)\}")


def caption_text(message: Message, template: str = DEFAULT_CAPTION) -> str | None:
    """The caption template filled in (`{name} · {profession} · {location}` by default). A missing
    part goes with the separator before it (after it, for the first part); None when all are missing.
    (Here, below every stage: the manifest's checks and the plan make the same caption.)"""
    pieces = _FIELD.split(template)
    literals, fields = pieces[0::2], pieces[1::2]
    values = {"name": message.name, "profession": message.profession, "location": message.location,
              "message": message.text}
    present = [(i, values.get(f)) for i, f in enumerate(fields) if values.get(f)]
    if not present:
        return None
    out = literals[0]
    for k, (i, value) in enumerate(present):
        out += (literals[i] if k and i else "") + str(value)
    return (out + literals[-1]).strip() or None


def explicitly_placed(sequence: tuple[SequenceItem, ...], messages: tuple[Message, ...] | list[Message]) -> set[str]:
    """The messages the sequence places by name: a `photo:` item, a grid's list of ids, a grid's tag (what
    a grid with `messages: all` shows is every approved message not placed so)."""
    placed: set[str] = set()
    for item in sequence:
        if isinstance(item, PhotoItem):
            placed.add(item.message)
        elif isinstance(item, GridItem) and item.select != "all":
            if isinstance(item.select, tuple):
                placed.update(item.select)
            else:
                placed.update(m.id for m in messages if item.select in m.tags)
    return placed
