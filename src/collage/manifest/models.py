"""The manifest as written: pydantic models of each section (types, unknown keys, required fields,
lengths), and the parsers of what editors write (durations, transitions, gains). Strict: a value of
the wrong type is an error, never coerced. `collage schema` is generated from these models.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, WithJsonSchema

from collage.manifest.durations import parse_duration
from collage.model.project import TRANSITION_STYLES, Consent, Fit, Motion, Transition


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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DescribedIn(Strict):
    """`video.described` as a mapping (`true` takes every default)."""

    language: ShortText = "en"  # what is said: en or zh
    voice: ShortText | None = None  # a local voice model in the folder (a Piper .onnx voice)
    audio: ShortText | None = None  # a folder of recordings: MESSAGE-ID.wav, title-0.wav, ...
    template: ShortText | None = None  # how each person is said, e.g. "{who}. Their sign reads: {sign}"
    renditions: list[str] = []  # renditions that get a described version too


class VideoIn(Strict):
    size: str = "1080p"
    fps: int = 30
    output: str | None = None
    fit: Fit = "blur"
    poster: int | None = None  # the slide whose middle is the poster frame (default: the first grid)
    renditions: list[str] = []  # more shapes, rendered in the same run: presets or WIDTHxHEIGHT
    # also NAME.described.mp4: true, or its settings (checked by `manifest.described`, naming each key's line)
    described: Annotated[Any, WithJsonSchema({"anyOf": [{"type": "boolean"}, DescribedIn.model_json_schema()],
                                              "description": "also NAME.described.mp4, which says what each "
                                              "slide shows: true, or its settings"})] = False


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


MAX_GAIN = 60.0  # dB either way: a thousandfold in amplitude is already far past any track's need


def _decibels(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a gain in dB such as -3 or -3dB")
    gain: float | None = None
    if isinstance(value, int):
        gain = float(value) if abs(value) <= 10**6 else math.inf  # (10**400 has no float)
    elif isinstance(value, float):
        gain = value
    elif isinstance(value, str):
        match = re.fullmatch(r"\s*([+-]?\d+(?:\.\d+)?)\s*(?:db)?\s*", value, re.IGNORECASE)
        if match:
            gain = float(match.group(1))
    if gain is None:
        raise ValueError(f"'{value}' is not a gain; write it in dB, e.g. -3 or -3dB")
    if not -MAX_GAIN <= gain <= MAX_GAIN:  # NaN too
        raise ValueError(f"a gain is from -{MAX_GAIN:g} to {MAX_GAIN:g} dB, e.g. -3dB for a little quieter")
    return gain


TransitionIn = Annotated[Any, BeforeValidator(parse_transition), WithJsonSchema({
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string"},
              {"type": "object", "additionalProperties": False,
               "properties": {"style": {"enum": list(TRANSITION_STYLES)}, "duration": DURATION_SCHEMA}}],
    "description": "a duration (a crossfade that long), a style (crossfade, fade, cut, slide), or both: `fade 1.5s`"})]


class TimingIn(Strict):
    title: Duration = 5.0
    slide: Annotated[float | str, BeforeValidator(_slide_duration)] = 6.0
    transition: TransitionIn = Transition("crossfade", 1.0)
    fit: Literal["none", "music"] = "none"
    min: Duration = 2.0
    max: Duration = 20.0
    beats: bool = False


GAIN_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*[+-]?\d+(\.\d+)?\s*(dB|db)?\s*$"}],
               "description": "gain in dB after levelling, e.g. -3 or -3dB"}


class TrackIn(Strict):
    file: ShortText
    volume: Annotated[float, BeforeValidator(_decibels), WithJsonSchema(GAIN_SCHEMA)] = 0.0
    start: TrackTime = 0.0
    end: TrackTime | None = None


class MusicIn(Strict):
    tracks: list[Any] = []
    loudness: float = -16.0
    crossfade: Duration = 2.0
    fade_in: Duration = 1.5
    fade_out: Duration = 3.0


class MessageIn(Strict):
    id: ShortText | None = None
    photo: ShortText
    name: ShortText | None = None
    profession: ShortText | None = None
    location: ShortText | None = None
    message: LongText | None = None
    translation: LongText | None = None  # what the sign says, in the audience's language (sidecars)
    tags: list[ShortText] = []
    approved: bool = False
    email: str | None = None
    fit: Fit | None = None
    focus: list[float] | None = None
    motion: Motion | None = None
    consent: Consent | None = None  # None: `privacy.default`
    hide: list[Literal["name", "profession", "location", "message", "translation"]] = []
    mask: list[list[float]] = []  # [x, y, w, h] fractions of the photo


class PrivacyIn(Strict):
    default: Consent = "named"


class TitleIn(Strict):
    title: ShortText
    subtitle: ShortText | None = None
    body: LongText | None = None
    duration: Duration | None = None
    transition: TransitionIn | None = None


class GridIn(Strict):
    grid: str
    messages: str | list[str] = "all"
    duration: Duration | None = None
    transition: TransitionIn | None = None
    motion: Motion = "none"


class PhotoIn(Strict):
    photo: str
    duration: Duration | None = None
    transition: TransitionIn | None = None
    motion: Motion = "none"


TOP_KEYS = ("title", "video", "timing", "music", "style", "privacy", "sequence", "messages")
ITEM_MODELS: dict[str, type[Strict]] = {"title": TitleIn, "grid": GridIn, "photo": PhotoIn}
