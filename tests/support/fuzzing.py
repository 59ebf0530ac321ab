"""Fuzzing the gate: generated folders and sheets, and the properties every one of them must keep.

One set of generators serves two drivers. Each generator takes a `Draw`, the source of its choices:

- `Draw(seed)`: `random.Random` (tens of microseconds an example). `benchmarks/fuzz_campaign.py` runs
  hundreds of thousands of examples with it, each regenerated exactly from (seed, kind, index).
- `HypothesisDraw`, through `strategy(generator)`: the same generator as a Hypothesis strategy, so that
  `tests/test_fuzz.py` keeps explicit `@example`s and shrinking (a few ms an example).

What is generated:

    manifests   `manifest_case`: a folder's `collage.yaml` (and now and then a changed photo or track)
                 schema      schema-shaped manifests with hostile values in every place (`schema_manifest`)
                 trust       a valid manifest with one breach of the trust boundary (`trust_case`)
                 privacy     withheld names (anonymous, masked, hide, privacy.default) written where they
                             must be refused, disguised addresses in `email:`, captions composed into an
                             address (`privacy_case`)
                 example     the example's manifest (examples/lawyers-day) mutated: bytes, lines, values,
                             consent, approval (`example_case`)
                 yaml        aliases, merge keys, self-reference, nesting, size (`yaml_structure`)
                 random      random bytes, token soup, encodings, tabs, documents (`random_document`)
                 photos      a photo truncated, flipped, padded, lying about its size, a bomb (`photo_case`)
                 music       a WAV truncated or with broken header fields (`music_case`)
    sheets      `sheet_case`: a submissions sheet, the photos beside it and perhaps a manifest to merge into
                 csv         form exports with hostile headers and cells, emails and withheld names
                 text        encodings, BOMs, delimiters, quoting, line ends, bytes mutated, limits' edges
                 xlsx        workbooks written here part by part (shared and inline strings, dates, styles)
                 xml         those workbooks with their XML changed (DTDs, references, types, numbers, nesting)
                 zip         a valid workbook's zip changed (bytes, members, compression, flags, sizes)
                 merge       a sheet merged into an existing manifest (comments, anchors, CRLF, privacy)

The properties (`Harness.manifest`, `Harness.sheet`) for every example, in this process:

- only `collage.errors.InputError` (or success) comes out of `manifest.load`, `pipeline.timeline`,
  `check.run` (`media=False`; `media=True` for a sample and for media cases), `sheet.read`,
  `importing.import_sheet` and the CLI's report of an import; anything else is a finding, with its type,
  collage's frame and line, and the input;
- no generated address (a canary `canary.person@example.org` in plain and disguised forms, only ever in
  `email:` fields and email columns) and no withheld name (a canary on an anonymous or masked message or
  row) appears in any Problem's text, in the Project's fields, in the plan's JSON, or in what `import`
  prints; and an import without `--keep-emails` writes none of the sheet's addresses into the manifest;
- no text that reads as an address is shown (the Project's shown fields, the plan's JSON);
- a message is approved only where the manifest literally wrote `approved: true` on it (an oracle reads
  the YAML node tree itself); an import approves only the rows the sheet approves;
- what a generator knows must fail (an approval by `yes`, an address or a withheld name in a shown
  field, an undecodable photo) fails;
- an example over `SLOW` seconds, and any growth of the process's peak RSS over `GROWTH` bytes, is recorded.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import functools
import io
import json
import math
import os
import random
import re
import resource
import shutil
import struct
import time
import traceback
import unicodedata
import warnings
import wave
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from hypothesis import strategies as st
from PIL import Image

from collage.errors import Problem

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "lawyers-day"

# -- where choices come from ------------------------------------------------------------------------------

SPECIAL_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, 1e-9, 2.0**53,
                  1e16, 119.5, 7680.0]
_ODD_CHARS = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad" \
             "\u034f\ufe0f\u3164\u0301\u0308\u2028\u2029\x85\ufffd\ufffe\uffff＠．。"


class Draw:
    """A generator's choices from `random.Random`: fast, and the same for the same seed everywhere (a
    string seed is hashed with SHA-512, not Python's per-process hash)."""

    def __init__(self, seed: int | str | random.Random = 0) -> None:
        self.rng = seed if isinstance(seed, random.Random) else random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def boolean(self) -> bool:
        return self.rng.random() < 0.5

    def percent(self, p: int) -> bool:
        """True `p` times in a hundred."""
        return self.integer(0, 99) < p

    def big(self) -> int:
        """Any integer: small ones most often, now and then one of hundreds of digits."""
        bits = self.choice([3, 8, 16, 32, 64, 65, 128, 1500])
        return self.rng.randint(-(1 << bits), 1 << bits)

    def uniform(self, lo: float, hi: float) -> float:
        return self.rng.uniform(lo, hi)

    def floating(self) -> float:
        """Any float: NaN, infinities, subnormals, huge and tiny."""
        k = self.rng.random()
        if k < 0.3:
            return self.choice(SPECIAL_FLOATS)
        if k < 0.6:
            return self.rng.uniform(-1000, 1000)
        return float(struct.unpack("<d", self.rng.randbytes(8))[0])

    def text(self, max_size: int) -> str:
        """Any characters but surrogates (as Hypothesis's `text()`): mostly ASCII, with controls, the
        rest of the BMP, astral planes and invisible or combining marks."""
        n = self.integer(0, max_size) if self.boolean() else self.integer(0, min(max_size, 4))
        return "".join(self._char() for _ in range(n))

    def _char(self) -> str:
        k = self.rng.random()
        if k < 0.55:
            return chr(self.rng.randint(32, 126))
        if k < 0.62:
            return chr(self.choice([*range(0, 32), *range(127, 160)]))
        if k < 0.85:
            c = self.rng.randint(160, 0xFFFF)
            return chr(c) if not 0xD800 <= c <= 0xDFFF else "\ufffd"
        if k < 0.93:
            return chr(self.rng.randint(0x10000, 0x10FFFF))
        return self.choice(_ODD_CHARS)

    def word(self, alphabet: str, lo: int, hi: int) -> str:
        return "".join(self.choice(alphabet) for _ in range(self.integer(lo, hi)))

    def binary(self, max_size: int) -> bytes:
        return self.rng.randbytes(self.integer(0, max_size))

    def shuffled(self, items: Sequence[T]) -> list[T]:
        return self.rng.sample(list(items), len(items))


class HypothesisDraw(Draw):
    """The same choices drawn from Hypothesis: shrinkable, and replayable from an `@example`."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def choice(self, options: Sequence[T]) -> T:
        return self.draw(st.sampled_from(options))

    def boolean(self) -> bool:
        return self.draw(st.booleans())

    def big(self) -> int:
        return self.draw(st.integers())

    def uniform(self, lo: float, hi: float) -> float:
        return self.draw(st.floats(lo, hi, allow_nan=False))

    def floating(self) -> float:
        return self.draw(st.floats())

    def text(self, max_size: int) -> str:
        return self.draw(st.text(max_size=max_size))

    def word(self, alphabet: str, lo: int, hi: int) -> str:
        return self.draw(st.text(alphabet=alphabet, min_size=lo, max_size=hi))

    def binary(self, max_size: int) -> bytes:
        return self.draw(st.binary(max_size=max_size))

    def shuffled(self, items: Sequence[T]) -> list[T]:
        return self.draw(st.permutations(list(items)))


def strategy(generate: Callable[[Draw], T]) -> st.SearchStrategy[T]:
    """A generator as a Hypothesis strategy."""

    @st.composite
    def drawn(draw: st.DrawFn) -> T:
        return generate(HypothesisDraw(draw))

    return drawn()


def seeded(seed: int | str, kind: str, index: int) -> Draw:
    """The Draw of example `index` of `kind` in a campaign with `seed`: regenerated exactly from these."""
    return Draw(f"{seed}/{kind}/{index}")


# -- YAML text with chosen scalars left as written --------------------------------------------------------


class Raw(str):
    """A scalar written into the YAML exactly as it is (`yes`, `.nan`, `!!binary aGk=`), never quoted."""


def to_yaml(data: Any, flow: bool | None = False) -> str:
    raws: list[str] = []

    class Dumper(yaml.SafeDumper):
        pass

    def represent_raw(dumper: yaml.SafeDumper, value: Raw) -> yaml.ScalarNode:
        raws.append(str(value))
        return dumper.represent_scalar("tag:yaml.org,2002:str", f"RAWTOKEN{len(raws) - 1}X")

    Dumper.add_representer(Raw, represent_raw)
    text = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100_000,
                     default_flow_style=flow)
    return re.sub(r"RAWTOKEN(\d+)X", lambda m: raws[int(m.group(1))], text)


# -- values -----------------------------------------------------------------------------------------------

FRAGMENTS = [
    "ئۇيغۇرچە", "مرحبا بكم", "שלום", "\u202e", "\u202dLTR", "\u200f", "致中国人权律师的话", "謝謝", "བོད་ཡིག",
    "🕯️", "👩🏽\u200d⚖️", "🏳️\u200d🌈", "\u200b", "\u200d", "\ufeff", "\x00", "\x07", "\x1b[31m", "\x7f", "\x85",
    "\u2028", "\u2029", "\ue000", "\ufffd", "\ufffe", "\uffff", "\U0010ffff", "e\u0301\u0301\u0301", "İ", "ß",
    "ﷺ", "\t", "\r\n", "\r", " ", "  ", ": ", " #", "- ", "{", "}", "[", "]", "&a", "*a", "!!", "%", "`",
    "'", '"', "\\", "{name}", "{location}", "{{", "}}", "{0}", "{name!r}", "{name.__class__}", "{name:>99999}",
    "%s", "..", "../", "/", "~", "photos/a.jpg", "A" * 1000, "界" * 300, "\U0001f600" * 200,
    "\ud800", "\udc80",  # lone surrogates: written as "\uD800" escapes, read back as such by YAML
]
BIG_TEXT = ["A" * 100_000, "界" * 50_000, "\u200b" * 10_000, "e" + "\u0301" * 5000, "ئ" * 20_000, "🕯️" * 5000]

RAW_TOKENS = [
    "yes", "no", "on", "off", "Yes", "ON", "y", "n", "~", "null", "NULL", ".inf", "-.inf", ".NaN", "0x1F", "0o17",
    "017", "0b101", "1_000", "190:20:30", "1:30", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "1" * 5000,
    "1" * 5000 + ".0", "1.0e+400", "-1.0e+400", "1e400", ".5", "+12", "0.", "5s", "1m30s", "1e308s", "-5s",
    "!!binary aGVsbG8=", "!!binary '%%%'", "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1, a: 2]",
    "!!python/tuple [1]", "!!python/object/apply:os.system ['true']", "!!int abc", "!!float abc",
    "!!timestamp nope", "!!bool maybe", "!!null x", "!!str 1", "!!map [1]", "!!seq {a: 1}", "!custom 1",
    "!<tag:x,2000:y> 1", "=", "<<", "*undefined", "&anchor x", "'unterminated", '"\\x"', '"\\uD800"',
    '"\\U0010FFFF"', "|", ">-", "[", "{}", "[]", "? x",
]

ODD_NUMBERS: list[int | float] = [0, -1, 1, 2**31, 2**63, -(2**63), 10**400, -(10**30), float("nan"), float("inf"),
                                  float("-inf"), 1e308, -1e308, 5e-324, -0.0, 0.5, 1e-9, 119, 120, 121, 7680, 7681]


def odd_text(d: Draw, max_size: int = 8) -> str:
    """Short text of any script and category; now and then (1 in 25) a very long one."""
    if d.integer(0, 24) == 0:
        return d.choice(BIG_TEXT)
    if d.boolean():
        return d.text(20)
    return "".join(d.choice(FRAGMENTS) if d.boolean() else d.text(4) for _ in range(d.integer(0, max_size)))


def scalar(d: Draw) -> Any:
    k = d.integer(0, 6)
    if k == 0:
        return None
    if k == 1:
        return d.boolean()
    if k == 2:
        return d.big()
    if k == 3:
        return d.choice(ODD_NUMBERS)
    if k == 4:
        return d.floating()
    if k == 5:
        return odd_text(d)
    return Raw(d.choice(RAW_TOKENS))


SCHEMA_KEYS = ["title", "video", "timing", "music", "style", "sequence", "messages", "id", "photo", "name",
               "approved", "email", "grid", "file", "size", "fps", "output", "<<", "consent", "hide", "privacy"]


def odd_value(d: Draw, leaves: int = 6) -> Any:
    """Anything: scalars, and lists and mappings of them a few levels deep."""
    budget = [leaves]

    def key() -> Any:
        k = d.integer(0, 2)
        return d.choice(SCHEMA_KEYS) if k == 0 else odd_text(d, 3) if k == 1 else d.big()

    def value(depth: int) -> Any:
        if budget[0] <= 0 or depth >= 3 or d.integer(0, 2) > 0:
            budget[0] -= 1
            return scalar(d)
        if d.boolean():
            return [value(depth + 1) for _ in range(d.integer(0, 3))]
        return {key(): value(depth + 1) for _ in range(d.integer(0, 3))}

    return value(0)


def maybe(d: Draw, chaos: int, good: Callable[[], Any]) -> Any:
    """A plausible value, or (chaos % of the time) anything at all."""
    if d.integer(0, 99) < chaos:
        return odd_value(d)
    return good()


def some(d: Draw, make: Callable[[], T], max_size: int, min_size: int = 0) -> list[T]:
    return [make() for _ in range(d.integer(min_size, max_size))]


def fixed(d: Draw, required: dict[str, Callable[[], Any]], optional: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """A mapping with every required key, and each optional one half of the time."""
    out = {k: make() for k, make in required.items()}
    for k, make in optional.items():
        if d.boolean():
            out[k] = make()
    return out


def duration(d: Draw) -> Any:
    k = d.integer(0, 2)
    if k == 0:
        return d.choice(["1s", "0.5s", "500ms", "2", "1m", "1m30s", "0s", "1h", "99999h", "1e308s"])
    if k == 1:
        return d.choice([1, 0.5, 2.5, 0, 10**6])
    return d.uniform(0, 100)


def transition(d: Draw) -> Any:
    k = d.integer(0, 2)
    if k == 0:
        return duration(d)
    if k == 1:
        return d.choice(["cut", "fade", "crossfade 0.3s", "slide 0.2s", "fade 99h"])
    return fixed(d, {"style": lambda: d.choice(["fade", "cut", "slide", "wipe"])}, {"duration": lambda: duration(d)})


PHOTO_PATHS = ["photos/a.jpg", "photos/b.png", "photos/c.webp", "photos/missing.jpg", "../outside.jpg",
               "/etc/passwd", "photos", "collage.yaml", "music/t.wav", "photos/A.JPG", "photos/./a.jpg",
               "photos//b.png", "", " ", "photos/a.jpg\x00x", "photos/" + "a" * 300 + ".jpg", "a/" * 2100 + "x.jpg",
               "photos/\udc80.jpg", "photos/bob@example.org.jpg", "photos/*.jpg", "~/a.jpg", "photos/a.jpg/"]
MUSIC_PATHS = ["music/t.wav", "music/missing.mp3", "../x.mp3", "photos/a.jpg", "music", "/dev/zero", "",
               "music/t.wav\x00", "music/" + "t" * 300 + ".wav"]
TEXT_FIELDS = ("name", "profession", "location", "message")
CAPTIONS = ["{name} · {location}", "{message}", "{nope}", "plain", "{name} {", "{name} }", "{{name}}", "{name!r}",
            "{name:>999999999}", "{name}{profession}", "{name}@{location}", "{name} [at] {location}"]

# -- canaries: what must never be shown --------------------------------------------------------------------

CANARY_EMAIL = "canary.person@example.org"
# The canary as people write it (and as a hostile sheet may): every form is still this address.
CANARY_FORMS = [
    CANARY_EMAIL, CANARY_EMAIL.upper(), f" {CANARY_EMAIL} ", f"<{CANARY_EMAIL}>", f"mailto:{CANARY_EMAIL}",
    f"Canary Person <{CANARY_EMAIL}>", "canary.person [at] example [dot] org", "canary.person at example dot org",
    "canary.person(at)example(dot)org", "canary.person @ example . org",
    "ｃａｎａｒｙ.ｐｅｒｓｏｎ＠ｅｘａｍｐｌｅ.ｏｒｇ",
    "canary\u200b.person@exam\u200bple.org", "canary.person@example\u3002org", "canary.person@\nexample.org",
    "\u202egro.elpmaxe@nosrep.yranac\u202c", f"{CANARY_EMAIL}, second.canary@example.org", "canary.person＠example.org",
]
CANARY_LOCAL = "canary.person"  # only ever in an email field: never anywhere else, in any form
# A withheld name: on an anonymous or masked message (or row) only; folded by `privacy.name_key` to one key.
WITHHELD_NAME = "Zelda Quorvath"
WITHHELD_FORMS = [
    WITHHELD_NAME, "zelda quorvath", "ZELDA-QUORVATH", "ZeldaQuorvath", "Ze\u0301lda Quo\u0301rvath",
    "Ｚｅｌｄａ Ｑｕｏｒｖａｔｈ", "Zelda\u200bQuorvath", "zelda_quorvath", "Zelda  Quorvath", "Quorvath, Zelda",
]
WITHHELD_CJK = "钟灵秀"
WITHHELD_WORD = "quorvath"  # the surname alone names her too


def private_address(n: int) -> str:
    return f"p{n}.contributor@private-mail.example"


# -- base media, made in code -----------------------------------------------------------------------------


def _gradient(size: tuple[int, int]) -> Image.Image:
    w, h = size
    im = Image.new("RGB", size)
    im.putdata([((x * 255) // w, (y * 255) // h, ((x + y) * 7) % 256) for y in range(h) for x in range(w)])
    return im


@functools.cache
def photo_bytes(fmt: str, size: tuple[int, int] = (96, 72)) -> bytes:
    buffer = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    _gradient(size).save(buffer, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return buffer.getvalue()


@functools.cache
def wav_bytes(seconds: float = 0.4) -> bytes:
    rate = 22050
    frames = b"".join(
        struct.pack("<hh", int(8000 * math.sin(2 * math.pi * 440 * i / rate)),
                    int(8000 * math.sin(2 * math.pi * 660 * i / rate)))
        for i in range(int(rate * seconds))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buffer.getvalue()


def base_media() -> dict[str, bytes]:
    return {"photos/a.jpg": photo_bytes("JPEG"), "photos/b.png": photo_bytes("PNG"),
            "photos/c.webp": photo_bytes("WEBP"), "music/t.wav": wav_bytes()}


_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".heic": "HEIF"}


@functools.cache
def example_media() -> dict[str, bytes]:
    """The example's photos and track, tiny (same names and formats): its manifest, mutated, stays fast."""
    out = {}
    for path in sorted((EXAMPLE / "photos").iterdir()):
        fmt = _FORMATS.get(path.suffix.lower())
        if fmt:
            out[f"photos/{path.name}"] = photo_bytes(fmt, (64, 48) if path.stem != "wang-fang" else (48, 64))
    for path in sorted((EXAMPLE / "music").iterdir()):
        out[f"music/{path.name}"] = wav_bytes()  # ffmpeg reads what the bytes are, whatever the name says
    return out


def folder_media() -> dict[str, bytes]:
    """The media every manifest example's folder holds."""
    return {**base_media(), **example_media()}


@functools.cache
def example_text() -> str:
    return (EXAMPLE / "collage.yaml").read_text(encoding="utf-8")


GOOD_MANIFEST = """\
title: Messages to Human Rights Lawyers in China
video: {size: 320x180, fps: 10, output: out/test.mp4}
timing: {title: 1s, slide: 1s, transition: 0.2s}
messages:
  - id: a
    photo: photos/a.jpg
    name: Alice Chen
    profession: Teacher
    location: Taipei, Taiwan
    message: We stand with you.
    tags: [teachers]
    approved: true
    email: alice.private@secret.example
"""
GOOD_PRIVATE = ("alice.private@secret.example",)


# -- a manifest example -----------------------------------------------------------------------------------


@dataclass
class Case:
    """One generated folder: the manifest's bytes, media files and what the generator knows about them."""

    manifest: bytes
    files: dict[str, bytes] = field(default_factory=dict)  # written over the base media (folder-relative)
    private: tuple[str, ...] = ()  # addresses (and their forms) written in `email:` fields: never in any output
    must_fail: str | None = None  # why `check` must exit 1
    secret: str | None = None  # an address put in a shown field: `check` must not repeat it
    plan: bool = False  # also run `plan --json`
    label: str = ""  # what was generated, in words
    mutation: str = ""  # how a media file was changed, in words
    withheld: tuple[str, ...] = ()  # names written on anonymous or masked messages: never shown
    mutated: bool = False  # bytes or lines changed at random: what is withheld is read from the result
    media: bool = False  # the property needs `check` with media (a photo or track changed)
    kind: str = ""

    def text(self, limit: int = 1500, line_limit: int = 0) -> str:
        shown = self.manifest[:limit].decode("utf-8", errors="backslashreplace")
        if line_limit:
            shown = "\n".join(line if len(line) <= line_limit else line[:line_limit] + f"... ({len(line)} chars)"
                              for line in shown.split("\n"))
        more = f"\n... ({len(self.manifest)} bytes in all)" if len(self.manifest) > limit else ""
        return shown + more

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # how Hypothesis prints a falsifying example
        p.text(f"Case<{self.kind or '?'}: {self.label}; {self.mutation or 'no media change'}; "
               f"{len(self.manifest)} bytes>")


def known(text: str, **kw: Any) -> Case:
    """An explicit example (a hole found before, kept as a regression)."""
    kw.setdefault("private", GOOD_PRIVATE)
    return Case(text.encode("utf-8"), label="explicit example", **kw)


def schema_manifest(d: Draw) -> Case:
    chaos = d.choice([0, 3, 10, 30, 70])

    def m(good: Callable[[], Any]) -> Any:
        return maybe(d, chaos, good)

    data: dict[Any, Any] = {}
    if d.boolean():
        data["title"] = m(lambda: odd_text(d))
    if d.boolean():
        video: dict[str, Any] = {}
        for key, options in (
            ("size", ["320x180", "720p", "vertical", "64x64", "7680x7680", "321x180", "0x0", "99999999999999999999x2",
                      "320×180", " 320 x 180 "]),
            ("fps", [1, 10, 30, 120, 0, 121, 10**12]),
            ("output", ["out/x.mp4", "x.mov", "../x.mp4", "/tmp/x.mp4", "out/", "ü/视频.mp4", "out/x\x00.mp4",
                        "out/" + "x" * 300 + ".mp4", "collage.yaml"]),
            ("fit", ["blur", "contain", "cover", "stretch"]),
            ("renditions", [["vertical"], ["square", "vertical"], "vertical", ["320x180"], ["nope"], [], ["1x1"]]),
            ("poster", [0, 1, -1, 99, "x"]),
        ):
            if d.boolean():
                video[key] = m(lambda options=options: d.choice(options))  # type: ignore[misc]
        data["video"] = m(lambda: video)
    if d.boolean():
        timing: dict[str, Any] = {}
        for key, good in (("title", lambda: duration(d)), ("slide", lambda: duration(d) if d.boolean() else "auto"),
                          ("transition", lambda: transition(d)), ("fit", lambda: d.choice(["none", "music"])),
                          ("min", lambda: duration(d)), ("max", lambda: duration(d)), ("beats", d.boolean)):
            if d.boolean():
                timing[key] = m(good)
        data["timing"] = m(lambda: timing)
    if d.boolean():
        def track() -> Any:
            if d.boolean():
                return d.choice(MUSIC_PATHS)
            return fixed(d, {"file": lambda: d.choice(MUSIC_PATHS)}, {
                "volume": lambda: d.choice(["-3dB", "+6", "loud"]) if d.boolean() else d.choice(ODD_NUMBERS),
                "start": lambda: duration(d), "end": lambda: duration(d)})

        tracks = m(lambda: some(d, track, 2))
        if d.boolean():
            data["music"] = tracks
        else:
            data["music"] = m(lambda: fixed(d, {"tracks": lambda: tracks}, {
                "loudness": lambda: d.choice(ODD_NUMBERS), "crossfade": lambda: duration(d),
                "fade_in": lambda: duration(d), "fade_out": lambda: duration(d)}))
    if d.boolean():
        data["style"] = m(lambda: fixed(d, {}, {
            "theme": lambda: d.choice(["calm", "light", "dark", "../x.yaml", "photos/a.jpg", "collage.yaml",
                                       "x\x00.yaml", "t" * 300 + ".yaml", "/etc/passwd", "music"]),
            "caption": lambda: d.choice(CAPTIONS) if d.boolean() else odd_text(d),
            "caption_colour": lambda: d.choice(["#ffffff", "#fff", "red", "#12345678", "#zzzzzz"]),
            "caption_size": lambda: d.choice(ODD_NUMBERS),
            "background": lambda: d.choice(["#000000", [1, 2, 3], [256, 0, 0], [1.5, 2, 3]]),
            "background_image": lambda: d.choice(PHOTO_PATHS),
            "fill_darken": lambda: d.choice(ODD_NUMBERS),
            "max_upscale": lambda: d.choice(ODD_NUMBERS),
            "captions": lambda: d.choice(["auto", "below", "over", "under"]),
            "title_weight": lambda: d.choice(["bold", "regular", "heavy"]),
            "translations": lambda: d.choice(["show", "sidecars", "yes"]),
        }))
    private: list[str] = []
    messages: list[Any] = []
    ids: list[str] = []
    for i in range(d.integer(0, 4)):
        message: dict[Any, Any] = {}
        ident = m(lambda i=i: d.choice(["a", "b", "c", f"m{i}", "0012", "a b", "界", ""]))  # type: ignore[misc]
        if d.integer(0, 9) < 8:
            message["id"] = ident
            if isinstance(ident, str):
                ids.append(ident)
        if d.integer(0, 9) < 9:
            message["photo"] = m(lambda: d.choice(PHOTO_PATHS))
        for key in (*TEXT_FIELDS, "translation"):
            if d.boolean():
                message[key] = m(lambda: odd_text(d))
        if d.boolean():
            message["tags"] = m(lambda: some(d, lambda: d.choice(["teachers", "lawyers", "界", ""]), 3))
        message["approved"] = m(lambda: True if d.boolean() else Raw(d.choice(["true", "false", "yes", "on", "1"])))
        if d.boolean():
            address = private_address(len(private))
            private += [address, address.partition("@")[0]]
            message["email"] = m(lambda address=address: address) if d.boolean() else d.choice(  # type: ignore[misc]
                [address, [address], {"to": address}, Raw(address), f"<{address}>"])
        extras: tuple[tuple[str, Callable[[], Any]], ...] = (
            ("fit", lambda: d.choice(["blur", "contain", "cover", "fill"])),
            ("focus", lambda: d.choice([[0.5, 0.3], [0, 1], [1.5, 0], [0.5], [], "centre"])),
            ("motion", lambda: d.choice(["none", "kenburns", "zoom"])),
            ("consent", lambda: d.choice(["named", "anonymous", "masked", "public"])),
            ("hide", lambda: d.choice([["location"], ["name", "message"], "location", ["nope"], []])),
            ("mask", lambda: d.choice([[[0.1, 0.1, 0.2, 0.2]], [[0, 0, 1, 1]], [[0.5, 0.5, 0.6, 0.1]], [[1, 2]], []])))
        for key, good in extras:
            if d.integer(0, 9) < 2:
                message[key] = m(good)
        if d.integer(0, 19) == 0:
            message[odd_text(d, 2)] = odd_value(d)  # an unknown key
        messages.append(m(lambda message=message: message))  # type: ignore[misc]
    if len(messages) > 0 or d.boolean():
        data["messages"] = m(lambda: messages)
    if d.boolean():
        def id_or_any() -> Any:
            return d.choice(ids or ["a"]) if d.boolean() else odd_text(d, 2)

        def item() -> Any:
            k = d.integer(0, 3)
            if k == 0:
                made = fixed(d, {"title": lambda: odd_text(d)}, {
                    "subtitle": lambda: odd_text(d), "body": lambda: odd_text(d), "duration": lambda: duration(d),
                    "transition": lambda: transition(d)})
            elif k == 1:
                def select() -> Any:
                    j = d.integer(0, 2)
                    return "all" if j == 0 else some(d, id_or_any, 3) if j == 1 else d.choice(["teachers", "nobody"])

                made = fixed(d, {"grid": lambda: d.choice(["2x2", "auto", "1x1", "6x6", "7x7", "0x3", "2x"])}, {
                    "messages": select, "duration": lambda: duration(d), "transition": lambda: transition(d),
                    "motion": lambda: d.choice(["none", "kenburns"])})
            elif k == 2:
                made = fixed(d, {"photo": id_or_any}, {
                    "duration": lambda: duration(d), "transition": lambda: transition(d),
                    "motion": lambda: d.choice(["none", "kenburns"])})
            else:
                made = {"title": "x", "grid": "2x2"}
            return maybe(d, chaos, lambda: made)

        data["sequence"] = m(lambda: some(d, item, 4))
    if d.integer(0, 9) == 0:
        data["privacy"] = m(lambda: {"default": d.choice(["anonymous", "named", "masked", "x"])})
    if d.integer(0, 9) == 0:
        data[odd_text(d, 2) if d.boolean() else d.big()] = odd_value(d)  # an unknown top-level key
    text = to_yaml(data, flow=d.choice([False, None, True]))
    return Case(text.encode("utf-8"), private=tuple(private), plan=d.boolean(),
                label=f"schema manifest, chaos {chaos}%", kind="schema")


# -- the trust boundary: one breach in an otherwise valid manifest ----------------------------------------

LOCAL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-"
LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"


def _ends_alnum(text: str) -> str:
    text = text or "a"
    return ("a" if not text[0].isalnum() else "") + text + ("a" if not text[-1].isalnum() else "")


def shown_email(d: Draw) -> tuple[str, str]:
    """(the text for a shown field, the address in it): plainly an email address, as people write them."""
    local = _ends_alnum(d.word(LOCAL_CHARS, 1, 12)) if d.boolean() else d.choice(["李明", "josé", "ayşe"])
    domain = ".".join(_ends_alnum(d.word(LABEL_CHARS, 1, 10)) for _ in range(d.integer(1, 3))) if d.boolean() \
        else "例子.中国"
    address = f"{local}@{domain}.{d.choice(['org', 'com', 'net', 'co.uk', 'info', '中国'])}"
    if d.boolean():
        address = address.upper()
    before = d.choice(["", "Write to ", "mailto:", "<", "(", "邮箱：", "📧 ", "ئېلخەت: "])
    after = d.choice(["", ">", ")", ".", " — thank you", "！", " 谢谢"])
    return before + address + after, address


APPROVED_BREACHES = ["yes", "Yes", "YES", "on", "On", "ON", "1", "1.0", "'true'", '"true"', "'yes'", "y", "[true]",
                     "{true: true}", "!!bool yes", "!!bool on", "!!str true", "True", "TRUE"]
NOT_APPROVED = ["false", "no", "off", "0", "null", "~", "''"]
SHOWN_FIELDS = ("title", "name", "profession", "location", "message", "card title", "card subtitle", "card body",
                "caption template", "translation")


def trust_case(d: Draw) -> Case:
    breach = d.choice(["approved", "approved", "unapproved", "email", "email", "email", "none"])
    with_sequence = d.boolean()
    message: dict[str, Any] = {"id": "a", "photo": "photos/a.jpg", "name": "Alice Chen", "profession": "Teacher",
                               "location": "Taipei, Taiwan", "message": "We stand with you. 我们支持你们",
                               "approved": True, "email": GOOD_PRIVATE[0]}
    card: dict[str, Any] = {"title": "Messages to Human Rights Lawyers in China", "subtitle": "致中国人权律师的话"}
    data: dict[str, Any] = {"title": "Messages", "video": {"size": "320x180", "fps": 10, "output": "out/t.mp4"},
                            "timing": {"title": "1s", "slide": "1s", "transition": "0.2s"}}
    must_fail: str | None = None
    secret: str | None = None
    label = "trust boundary: valid manifest"
    if breach in ("approved", "unapproved"):
        token = d.choice(APPROVED_BREACHES if breach == "approved" else NOT_APPROVED)
        message["approved"] = Raw(token)
        must_fail = f"`approved: {token}`" if breach == "approved" else f"no approved message (`approved: {token}`)"
        label = f"trust boundary: approved: {token}"
    elif breach == "email":
        where = d.choice(SHOWN_FIELDS)
        text, secret = shown_email(d)
        if where == "title":
            data["title"] = text
        elif where in (*TEXT_FIELDS, "translation"):
            message[where] = text
        elif where == "caption template":
            data["style"] = {"caption": "{name} · " + text}
        else:
            with_sequence = True
            card[where.split()[1]] = text
        must_fail = f"an email address in {where}"
        label = f"trust boundary: email in {where}: {text!r}"
    if with_sequence:
        data["sequence"] = [card, {"grid": "2x2", "messages": "all"}, {"title": "Thank you", "subtitle": "谢谢"}]
    data["messages"] = [message]
    return Case(to_yaml(data).encode("utf-8"), private=GOOD_PRIVATE, must_fail=must_fail, secret=secret, label=label,
                kind="trust")


# -- withheld names and private addresses ------------------------------------------------------------------

# Where a withheld name may not be written (each an error: a title, a card, a template, an id, a file name,
# a tag, another contributor's caption, her own other fields, a key, the output's name).
NAME_PLACES = ["title", "card title", "card subtitle", "card body", "caption template", "other id", "own id",
               "own photo", "other photo", "tag", "other profession", "other message", "other translation",
               "own profession", "own message", "own location", "key", "output", "grid ids", "photo item"]


def _name_words(text: str) -> set[str]:
    """A text's words as `leaks` reads names: folded, case folded; of three letters or more, or not ASCII."""
    from collage.privacy import fold

    return {w for w in re.findall(r"[^\W_]+", fold(text).casefold()) if len(w) >= 3 or not w.isascii()}


def holds_name(text: str, name: str) -> tuple[bool, bool]:
    """Whether `text` holds the whole of `name` (folded, or every word of it in any order), and a word
    of it: what collage refuses where a withheld name is written."""
    from collage.privacy import name_key

    key, words, name_words = name_key(text), _name_words(text), _name_words(name)
    whole = name_key(name) in key or (len(name_words) >= 2 and name_words <= words)
    return whole, bool(words & name_words)


def _has_surname(name: str) -> bool:
    """Whether the name as written has the surname as a word of its own (`ZeldaQuorvath` has not)."""
    from collage.privacy import fold

    return WITHHELD_WORD in re.findall(r"[^\W_]+", fold(name).casefold())


def privacy_case(d: Draw) -> Case:
    """Two to four messages, one or more of them not to be named, their addresses in any form in
    `email:`; the withheld name written where it must be refused, or captions that join into an
    address, or nothing wrong at all."""
    photos = ["photos/a.jpg", "photos/b.png", "photos/c.webp"]
    how = d.choice(["anonymous", "masked", "hide", "default"])
    name = d.choice(WITHHELD_FORMS) if d.integer(0, 4) else d.choice([WITHHELD_CJK, f"{WITHHELD_CJK} Zhong"])
    messages: list[dict[str, Any]] = []
    private: list[str] = []
    for i in range(d.integer(2, 4)):
        message: dict[str, Any] = {"id": f"m{i}", "photo": photos[i % 3], "name": d.choice(
            ["Alice Chen", "陳大文", "Bo", "José Núñez", "Amina Yusuf"]) + f" {i}", "profession": "Teacher",
            "location": "Taipei", "approved": True}
        if d.boolean():
            message["message"] = d.choice(["We stand with you", "正義不是罪", "709"])
        if d.percent(70):
            form = d.choice(CANARY_FORMS)
            message["email"] = form
            private.append(form)
        messages.append(message)
    private += [CANARY_EMAIL, CANARY_LOCAL]
    quiet = messages[0]  # the contributor not to be named
    quiet["name"] = name
    if how in ("anonymous", "masked"):
        quiet["consent"] = how
        if how == "masked":
            quiet["mask"] = [[0.1, 0.1, 0.3, 0.3]]  # no face in a gradient: a box makes the promise keepable
    elif how == "hide":
        quiet["hide"] = d.choice([["name"], ["name", "location"], ["location", "name", "message"]])
    data: dict[str, Any] = {"title": "Messages", "video": {"size": "320x180", "fps": 10, "output": "out/t.mp4"},
                            "timing": {"title": "1s", "slide": "1s", "transition": "0.2s"}}
    if how == "default":
        data["privacy"] = {"default": d.choice(["anonymous", "masked"])}
        for other in messages[1:]:
            other["consent"] = "named"
    sequence: list[dict[str, Any]] = [{"title": "Messages", "subtitle": "致中国人权律师的话"},
                                      {"grid": d.choice(["2x2", "auto"]), "messages": "all"}]
    if d.boolean():
        sequence.append({"photo": "m1"})
    must_fail: str | None = None
    label = f"privacy: {how}"
    for _ in range(d.choice([0, 1, 1, 1, 2])):
        place = d.choice(NAME_PLACES)
        written = d.choice(WITHHELD_FORMS) if name in WITHHELD_FORMS else d.choice([name, f"感谢{name}的支持"])
        if d.percent(20) and _has_surname(name) and place not in ("other profession", "other message",
                                                                  "other translation"):
            # The surname alone (not in another contributor's caption: there a word of a name may be
            # theirs, a warning, and shown).
            written = d.choice(["Quorvath", "QUORVATH", "Quórvath"])
        if place in ("other profession", "other message", "other translation") and not holds_name(written, name)[0]:
            written = name  # a word of it there may be that contributor's own: a warning, and shown
        sentence = d.choice(["{}", "With thanks to {}", "{} and friends", "For {}!"]).format(written)
        slug = re.sub(r"\W+", "-", written).strip("-") or "x"
        other = d.choice(messages[1:])
        if place == "title":
            data["title"] = sentence
        elif place.startswith("card "):
            sequence[0][place.split()[1]] = sentence
        elif place == "caption template":
            data["style"] = {"caption": "{name} · " + sentence.replace("{", "(").replace("}", ")")}
        elif place in ("other id", "own id"):
            (other if place == "other id" else quiet)["id"] = slug
        elif place in ("own photo", "other photo"):
            (quiet if place == "own photo" else other)["photo"] = f"photos/{slug}.jpg"
        elif place == "tag":
            d.choice(messages)["tags"] = [slug]
        elif place.startswith("other "):
            other[place.split()[1]] = sentence
        elif place.startswith("own "):
            quiet[place.split()[1]] = sentence
        elif place == "key":
            other[slug] = "x"
        elif place == "output":
            data["video"]["output"] = f"out/{slug}.mp4"
        elif place == "grid ids":
            sequence.append({"grid": "2x2", "messages": [slug, "m1"]})
        else:
            sequence.append({"photo": slug})
        slugged = place in ("other id", "own id", "own photo", "other photo", "tag", "key", "output", "grid ids",
                            "photo item")
        hidden = place.startswith("own ") and place.split()[1] in quiet.get("hide", ())  # dropped unread
        if any(holds_name(slug if slugged else sentence, name)) and not hidden:
            must_fail = f"the withheld name in {place}"
        label += f"; name in {place}: {written!r}"
    if d.percent(15):  # captions that join into an address on screen
        named = messages[1]
        named["name"], named["location"] = d.choice([("lin.wei", "example.org"), ("alice", "example.com"),
                                                     ("alice chen", "example.org")])
        data["style"] = {"caption": d.choice(["{name}@{location}", "{name} @ {location}", "{name}＠{location}",
                                              "{name} [at] {location}", "{name} at {location}"])}
        must_fail = "a caption template that joins name and location into an address"
        label += f"; captions as {data['style']['caption']!r}"
    approval = d.percent(10)
    if approval:
        token = d.choice(APPROVED_BREACHES)
        for message in messages:
            message["approved"] = Raw(token)
        must_fail = f"`approved: {token}`"
        label += f"; approved: {token}"
    data["sequence"] = sequence
    data["messages"] = messages
    return Case(to_yaml(data, flow=d.choice([False, False, None])).encode("utf-8"), private=tuple(private),
                must_fail=must_fail, label=label, withheld=(name,), kind="privacy")


# -- YAML structure: aliases, nesting, size ---------------------------------------------------------------

TARGETS = ["title", "messages", "sequence", "video", "music", "style", "x", "tags", "name"]
TAGS = ["", "!!timestamp", "!!int", "!!float", "!!bool", "!!binary", "!!null", "!!str", "!!map", "!!seq", "!!set",
        "!!omap", "!!pairs", "!!merge", "!!value", "!!python/tuple", "!!python/object/apply:os.system", "!custom",
        "!<tag:yaml.org,2002:int>", "!<!>"]
TAGGED_VALUES = ["nope", "abc", "1", "", "[1]", "{a: 1}", "'%%%'", "2001-13-45", "1" * 5000, "1_" * 3000 + "1",
                 "0x" + "f" * 5000, "1" * 5000 + ":30", "-" + "9" * 4400, "1" * 5000 + ".5", "=", "<<"]
TAG_PLACES = {
    "x": "x: VALUE\n" + GOOD_MANIFEST,
    "key": "VALUE: 1\n" + GOOD_MANIFEST,
    "title": GOOD_MANIFEST.replace("title: Messages to Human Rights Lawyers in China", "title: VALUE"),
    "video.fps": GOOD_MANIFEST.replace("fps: 10", "fps: VALUE"),
    "timing.slide": GOOD_MANIFEST.replace("slide: 1s", "slide: VALUE"),
    "messages[0].approved": GOOD_MANIFEST.replace("approved: true", "approved: VALUE"),
    "messages[0].name": GOOD_MANIFEST.replace("name: Alice Chen", "name: VALUE"),
    "messages[0].tags": GOOD_MANIFEST.replace("tags: [teachers]", "tags: [VALUE]"),
    "messages[0].email": GOOD_MANIFEST.replace("email: alice.private@secret.example", "email: VALUE"),
}


def _place(value: str, target: str) -> str:
    """A manifest whose `target` holds `value` (flow YAML on one line), beside a valid message."""
    if target in ("tags", "name"):
        return (f"messages:\n  - id: a\n    photo: photos/a.jpg\n    approved: true\n"
                f"    email: {GOOD_PRIVATE[0]}\n    {target}: {value}\n")
    if target == "messages":
        return f"title: T\nmessages: {value}\n"
    rest = [line for line in GOOD_MANIFEST.splitlines(keepends=True) if not line.startswith(f"{target}:")]
    return f"{target}: {value}\n" + "".join(rest)


def yaml_structure(d: Draw) -> Case:
    kind = d.choice(["laughs", "laughs", "laughs map", "merge", "self", "deep flow", "deep block", "deep seq",
                     "long scalar", "many lines", "many messages", "anchor games", "tags", "tags"])
    target = d.choice(TARGETS)
    if kind in ("laughs", "laughs map"):
        depth, width = d.integer(1, 12), d.integer(2, 12)
        lines = ["x0: &a0 " + d.choice(['"lol"', "[lol, lol]", "{id: a, photo: photos/a.jpg}"])]
        for level in range(1, depth + 1):
            if kind == "laughs":
                body = "[" + ", ".join([f"*a{level - 1}"] * width) + "]"
            else:
                body = "{" + ", ".join(f"k{j}: *a{level - 1}" for j in range(width)) + "}"
            lines.append(f"x{level}: &a{level} {body}")
        text = "\n".join(lines) + "\n" + _place(f"*a{depth}", target)
        label = f"billion laughs ({'map' if kind == 'laughs map' else 'list'}), depth {depth}, width {width}: " \
                f"{float(width) ** depth:.3g} leaves, at {target}"
    elif kind == "merge":
        depth, width = d.integer(0, 10), d.integer(1, 8)
        lines = ["base: &m0 {photo: photos/a.jpg, approved: true}"]
        for level in range(1, depth + 1):
            lines.append(f"m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * width)}], k{level}: v}}")
        text = "\n".join(lines) + f"\nmessages:\n  - <<: *m{depth}\n    id: a\n"
        label = f"merge keys, depth {depth}, width {width}"
    elif kind == "self":
        value = d.choice(["&s [*s]", "&s {k: *s}", "&s [x, [y, *s]]", "&s {<<: *s}", "&s {id: *s}", "&s [{photo: *s}]",
                          "&s {? *s : 1}", "&s [*s, *s, *s]"])
        text, label = _place(value, target), f"self-reference {value} at {target}"
    elif kind == "deep flow":
        n = d.integer(1, 3000) if d.boolean() else d.choice([990, 1000, 10_000, 100_000])
        opener, closer = d.choice([("[", "]"), ("{a: ", "}"), ("[{a: ", "}]")])
        text, label = _place(opener * n + "x" + closer * n, target), f"flow nesting {opener.strip()} x {n} at {target}"
    elif kind == "deep block":
        n = d.integer(1, 1500) if d.boolean() else d.choice([999, 1000, 2000])
        text = "".join(" " * i + "a:\n" for i in range(n)) + " " * n + "x\n"
        label = f"block mapping nesting x {n}"
    elif kind == "deep seq":
        n = d.integer(1, 5000) if d.boolean() else d.choice([1000, 20_000, 200_000])
        text, label = f"{target}:\n  " + "- " * n + "x\n", f"compact sequence nesting x {n} at {target}"
    elif kind == "long scalar":
        n = d.choice([10**3, 10**5, 10**6, 10**7, 3 * 10**7] if d.percent(25) else [10**3, 10**4, 10**5])
        char = d.choice(["A", "界", " ", "\\x41"])
        quote = d.choice(["", '"'])
        text = f"{target}: {quote}{char * n}{quote}\n"
        label = f"a {n}-character scalar {quote}{char}...{quote} at {target}"
    elif kind == "many lines":
        n = d.choice([10**3, 10**5, 10**6] if d.percent(25) else [10**3, 10**4])
        line = d.choice(["# a comment\n", "\n", "---\n", "x: 1\n", "- 1\n"])
        text, label = GOOD_MANIFEST + line * n, f"{n} lines of {line!r} after a valid manifest"
    elif kind == "many messages":
        n = d.choice([10, 10, 300, 300, 300, 2000] if d.percent(20) else [10, 300])  # 2,000: seconds; 20,000: minutes
        valid = d.boolean()
        entry = ("  - {{id: m{i}, photo: photos/a.jpg, approved: true}}\n" if valid
                 else "  - {{photo: photos/missing{i}.jpg, approved: true}}\n")
        text = "title: T\nvideo: {size: 320x180, fps: 10}\nmessages:\n" + "".join(entry.format(i=i) for i in range(n))
        label = f"{n} {'valid' if valid else 'missing-photo'} messages"
    elif kind == "tags":
        tag, value, where = d.choice(TAGS), d.choice(TAGGED_VALUES), d.choice(list(TAG_PLACES))
        text = TAG_PLACES[where].replace("VALUE", f"{tag} {value}".strip())
        label = f"`{tag} {value[:40]}` at {where}"
    else:
        value = d.choice(["*nope", "[&a 1, &a 2, *a]", "{&k title: 1, *k : 2}", "!!str *a", "&a !!binary aGk=",
                          "{? [a, b] : c}", "{? {a: 1} : c}", "[*a]", "&a", "&a &b x", "! x", "!<!> x"])
        text, label = _place(value, target), f"anchor games {value} at {target}"
    return Case(text.encode("utf-8"), private=GOOD_PRIVATE, plan=d.boolean(), label=label, kind="yaml")


# -- random text and bytes --------------------------------------------------------------------------------

YAML_TOKENS = [":", ": ", " ", "  ", "\n", "\n  ", "\t", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!",
               "%YAML 1.1\n", "%YAML 2.0\n", "%TAG ! tag:x,2000:\n", "---\n", "...\n", "title", "messages",
               "photo", "approved", "email", "sequence", "grid", "'", '"', "\\", "#", "|", ">", "?", "<<", "=",
               "photos/a.jpg", "true", "yes", "x@y.org", "\x00", "\ufeff", "\u2028", "\x85", "\r", "é", "界"]
BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xef\xbb\xbf" * 2]
Mutation = tuple[str, float, int]


def mutate(data: bytes, ops: list[Mutation]) -> tuple[bytes, str]:
    """Apply byte-level changes; each op is (kind, position as a fraction, a number)."""
    said: list[str] = []
    for kind, where, n in ops:
        pos = min(len(data), int(where * len(data)))
        if kind == "truncate":
            data = data[:pos]
            said.append(f"truncated to {pos} bytes")
        elif kind == "flip" and data:
            pos = min(pos, len(data) - 1)
            data = data[:pos] + bytes([data[pos] ^ (n % 255 + 1)]) + data[pos + 1:]
            said.append(f"byte {pos} xor {n % 255 + 1}")
        elif kind == "insert":
            junk = bytes((n * 31 + i * 17) % 256 for i in range(n % 64 + 1))
            data = data[:pos] + junk + data[pos:]
            said.append(f"{len(junk)} junk bytes inserted at {pos}")
        elif kind == "delete":
            data = data[:pos] + data[pos + n % 256 + 1:]
            said.append(f"{n % 256 + 1} bytes deleted at {pos}")
        elif kind == "zero":
            data = data[:pos] + b"\x00" * (n % 512 + 1) + data[pos + n % 512 + 1:]
            said.append(f"{n % 512 + 1} bytes zeroed at {pos}")
    return data, ", ".join(said) or "unchanged"


def mutations(d: Draw, most: int = 4) -> list[Mutation]:
    return [(d.choice(["truncate", "flip", "flip", "insert", "delete", "zero"]), d.uniform(0, 1), d.integer(0, 10_000))
            for _ in range(d.integer(1, most))]


def random_document(d: Draw) -> Case:
    kind = d.choice(["bytes", "tokens", "tokens", "mutated", "encoded", "tabs", "documents"])
    if kind == "bytes":
        data, label = d.binary(600), "random bytes"
    elif kind == "tokens":
        text = "".join(d.choice(YAML_TOKENS) if d.boolean() else d.text(3) for _ in range(d.integer(0, 60)))
        data, label = text.encode("utf-8", errors="surrogatepass"), "YAML token soup"
    elif kind == "mutated":
        data, how = mutate(GOOD_MANIFEST.encode("utf-8"), mutations(d))
        label = f"valid manifest, {how}"
    elif kind == "encoded":
        encoding = d.choice(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "gb18030",
                             "shift_jis"])
        data = d.choice([b"", *BOMS]) + GOOD_MANIFEST.replace("Teacher", "Lehrerin · 老师 · é").encode(
            encoding, errors="replace")
        label = f"valid manifest in {encoding}, with a prefix"
    elif kind == "tabs":
        data = re.sub(r"(?m)^( +)", lambda mt: d.choice(["\t", "\t  ", "  \t"]) * (len(mt.group(1)) // 2),
                      GOOD_MANIFEST).encode("utf-8")
        label = "valid manifest indented with tabs"
    else:
        sep = d.choice(["---\n", "...\n---\n", "...\n", "--- |\n", "%YAML 1.2\n---\n"])
        data, label = (GOOD_MANIFEST + sep + GOOD_MANIFEST).encode("utf-8"), f"two documents joined by {sep!r}"
    return Case(data, private=GOOD_PRIVATE, plan=d.boolean(), label=label, mutated=True, kind="random")


# -- the example's manifest, mutated ------------------------------------------------------------------------

EXAMPLE_PRIVATE = ("alice.chen@example.org", "david@example.org", "pending@example.org")
_SCALAR_LINE = re.compile(r"^(\s*(?:- )?)([\w-]+):[ \t]+(\S.*?)\s*$")


def _encoded(text: str) -> bytes:
    """The text's bytes: mutated bytes as they were (decoded with surrogateescape), and a lone surrogate
    a generated value holds as the three bytes no UTF-8 decoder reads."""
    try:
        return text.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="surrogatepass")


def example_case(d: Draw) -> Case:
    """The example's manifest with one to three changes: its bytes, its lines, one value, a contributor's
    consent (her name then written somewhere it must be refused), approval, or the addresses."""
    text = example_text()
    private = list(EXAMPLE_PRIVATE)
    said: list[str] = []
    mutated = False
    must_fail: str | None = None
    for _ in range(d.integer(1, 3)):
        op = d.choice(["bytes", "lines", "value", "value", "consent", "consent", "approval", "emails"])
        lines = text.splitlines(keepends=True)
        if op == "bytes":
            data, how = mutate(_encoded(text), mutations(d, 3))
            text = data.decode("utf-8", errors="surrogateescape")
            said.append(how)
            mutated = True
        elif op == "lines":
            at = d.integer(0, len(lines) - 1)
            how = d.choice(["delete", "duplicate", "swap", "indent", "dedent", "tab"])
            if how == "delete":
                del lines[at]
            elif how == "duplicate":
                lines.insert(at, lines[at])
            elif how == "swap" and at + 1 < len(lines):
                lines[at], lines[at + 1] = lines[at + 1], lines[at]
            elif how == "indent":
                lines[at] = "  " + lines[at]
            elif how == "dedent":
                lines[at] = lines[at][2:] if lines[at].startswith("  ") else lines[at]
            else:
                lines[at] = lines[at].replace("  ", "\t", 1)
            text = "".join(lines)
            said.append(f"line {at + 1}: {how}")
            mutated = True
        elif op == "value":
            candidates = [k for k, line in enumerate(lines) if _SCALAR_LINE.match(line.rstrip("\n"))]
            if not candidates:  # an earlier change left no `key: value` line
                continue
            at = d.choice(candidates)
            found = _SCALAR_LINE.match(lines[at].rstrip("\n"))
            assert found is not None
            k = d.integer(0, 5)
            value = (d.choice(RAW_TOKENS) if k == 0 else json.dumps(odd_text(d), ensure_ascii=False) if k == 1
                     else json.dumps(d.choice(FRAGMENTS)) if k == 2 else str(d.choice(ODD_NUMBERS)) if k == 3
                     else d.choice(["*x", "&x v", "[]", "{}", "~", "[*x]"]) if k == 4 else str(d.big()))
            lines[at] = f"{found.group(1)}{found.group(2)}: {value}\n"
            text = "".join(lines)
            said.append(f"line {at + 1}: {found.group(2)}: {value[:60]}")
            mutated = True
        elif op == "consent":
            starts = [k for k, line in enumerate(lines) if line.startswith("  - id: ")]
            if not starts:
                continue
            at = d.choice(starts)
            ident = lines[at].split(":", 1)[1].split("#")[0].strip()
            end = next((k for k in starts if k > at), len(lines))
            how = d.choice(["consent: anonymous", "consent: masked", "hide: [name]", "privacy"])
            body = [line for line in lines[at + 1:end] if not line.lstrip().startswith(("consent:", "hide:"))]
            if how == "privacy":
                body = [line.replace("consent: masked", "consent: anonymous") for line in body]
                lines = ["privacy: {default: anonymous}\n", *lines[:at + 1], *body, *lines[end:]]
            else:
                lines = [*lines[:at + 1], f"    {how}\n", *body, *lines[end:]]
            text = "".join(lines)
            said.append(f"message {ident}: {how}")
            names = [line.split(":", 1)[1].split("#")[0].strip() for line in body if line.lstrip().startswith("name:")]
            if names and d.boolean():  # the name now withheld, written where it must be refused
                name = names[0]
                where = d.choice(["title", "body", "id", "tag", "other"])
                if where == "title":
                    text = re.sub(r"(?m)^title: .*$", lambda _m, name=name: f"title: Thanks to {name}", text, count=1)
                elif where == "body":
                    text = text.replace("body: China Human Rights Lawyers Day", f"body: With {name}, Lawyers Day")
                elif where == "id":
                    slug = re.sub(r"\W+", "-", name).strip("-")
                    text = text.replace(f"- id: {ident}\n", f"- id: {slug or ident}\n", 1)
                elif where == "tag":
                    text = text.replace("tags: [lawyers]", f"tags: [lawyers, {json.dumps(name)}]", 1)
                else:
                    text = text.replace("message: Rule of law for all", f"message: Rule of law for {name}", 1)
                said.append(f"her name {name!r} in {where}")
        elif op == "approval":
            token = d.choice([*APPROVED_BREACHES, "*yes", "&yes true"])
            count = text.count("approved: true")
            nth = d.integer(1, max(1, count))
            pieces = text.split("approved: true")
            if len(pieces) > nth:
                text = "approved: true".join(pieces[:nth]) + f"approved: {token}" + "approved: true".join(pieces[nth:])
            text = text.replace("approved: false", d.choice(["approved: false", "approved: *yes", "approved: yes",
                                                             "<<: {approved: true}"]))
            said.append(f"approval {nth} as {token}")
        else:
            forms = [d.choice(CANARY_FORMS) for _ in range(3)]
            for old, new in zip(EXAMPLE_PRIVATE, forms, strict=True):
                text = text.replace(f"email: {old}", f"email: {json.dumps(new, ensure_ascii=False)}")
            private += [*forms, CANARY_EMAIL]
            said.append("addresses in other forms")
    data = _encoded(text)
    return Case(data, private=tuple(private), must_fail=must_fail, plan=d.boolean(),
                label="the example, " + "; ".join(said), mutated=mutated, kind="example")


# -- mutated media ----------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


@functools.cache
def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of `width` x `height` black pixels: tiny on disk, huge once decoded."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def declare_size(data: bytes, fmt: str, width: int, height: int) -> bytes:
    """The same file with other dimensions in its header (and a PNG's checksum fixed to match)."""
    if fmt == "PNG":
        header = struct.pack(">II", width, height) + data[24:29]
        return data[:8] + _png_chunk(b"IHDR", header) + data[33:]
    if fmt == "JPEG":
        at = data.find(b"\xff\xc0")
        if at < 0:
            return data
        return data[:at + 5] + struct.pack(">HH", min(height, 65535), min(width, 65535)) + data[at + 9:]
    at = data.find(b"\x9d\x01\x2a")  # the VP8 start code; 14-bit width and height follow
    if at < 0:
        return data
    return data[:at + 3] + struct.pack("<HH", min(width, 16383), min(height, 16383)) + data[at + 7:]


def undecodable(data: bytes) -> str | None:
    """Why the photo's pixels cannot be had (truncated, corrupt, a decompression bomb), or None. Pillow
    itself, strictly, as the SPEC puts it: `check` finds every photo render would fail on."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                im.load()
                im.convert("RGB")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


SIZES = [(65535, 65535), (20000, 20000), (10000, 10000), (9000, 9000), (1, 1), (0, 0), (1, 10**6), (2**31 - 1, 1)]


def photo_case(d: Draw) -> Case:
    fmt = d.choice(["JPEG", "PNG", "WEBP"])
    suffix = d.choice([{"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[fmt], ".jpg", ".png", ".heic"])
    how = d.choice(["bytes", "bytes", "bytes", "declared size", "bomb", "empty"])
    if how == "bytes":
        data, said = mutate(photo_bytes(fmt), mutations(d))
    elif how == "declared size":
        w, h = d.choice(SIZES)
        data, said = declare_size(photo_bytes(fmt), fmt, w, h), f"header says {w}x{h}"
        if d.boolean():
            data, more = mutate(data, mutations(d))
            said += ", " + more
    elif how == "bomb":
        # (9000x9000 is decoded whole, by the oracle and by check: seconds; the others are refused unread)
        w, h = d.choice([(20000, 20000), (10000, 10000), (60000, 2000)] + [(9000, 9000)] * d.percent(10))
        data, said, fmt = png_bomb(w, h), f"a real {w}x{h} 1-bit PNG ({len(png_bomb(w, h))} bytes)", "PNG"
    else:
        data, said = b"", "an empty file"
    rel = f"photos/x{suffix}"
    message: dict[str, Any] = {"id": "x", "photo": rel, "name": "Ann", "approved": True, "email": GOOD_PRIVATE[0]}
    if d.boolean():
        message["fit"] = d.choice(["cover", "contain", "blur"])
    if d.integer(0, 3) == 0:
        message["motion"] = "kenburns"
    if d.integer(0, 5) == 0:
        message["mask"] = [[0.2, 0.2, 0.3, 0.3]]
    data_: dict[str, Any] = {"title": "T", "video": {"size": "320x180", "fps": 10},
                             "timing": {"title": "1s", "slide": "1s", "transition": "0.2s"}, "messages": [message]}
    if d.boolean():
        data_["sequence"] = [{"grid": d.choice(["auto", "2x2", "1x1"]), "messages": "all"}, {"photo": "x"}]
    why = undecodable(data)  # decides the answer `check` must give
    return Case(to_yaml(data_).encode("utf-8"), files={rel: data}, private=GOOD_PRIVATE,
                must_fail=None if why is None else f"a photo render cannot decode ({why.partition(':')[0]})",
                plan=d.boolean(), label=f"{fmt} photo as {rel}", media=True, kind="photos",
                mutation=f"{rel}: {fmt} {len(photo_bytes(fmt))} bytes, {said}"
                         + ("" if why is None else f"; Pillow says {why[:200]}"))


def wav_header_change(data: bytes, part: str, value: int) -> bytes:
    offsets = {"riff size": (4, "<I"), "channels": (22, "<H"), "rate": (24, "<I"), "byte rate": (28, "<I"),
               "block align": (32, "<H"), "bits": (34, "<H"), "data size": (40, "<I"), "format": (20, "<H")}
    at, form = offsets[part]
    return data[:at] + struct.pack(form, value % (1 << (8 * struct.calcsize(form)))) + data[at + struct.calcsize(form):]


def music_case(d: Draw) -> Case:
    how = d.choice(["bytes", "bytes", "header", "empty"])
    if how == "bytes":
        data, said = mutate(wav_bytes(), mutations(d))
    elif how == "header":
        part = d.choice(["riff size", "channels", "rate", "byte rate", "block align", "bits", "data size", "format"])
        value = d.choice([0, 1, 3, 255, 65535, 2**31, 2**32 - 1])
        data, said = wav_header_change(wav_bytes(), part, value), f"{part} set to {value}"
    else:
        data, said = b"", "an empty file"
    rel = f"music/y{d.choice(['.wav', '.wav', '.mp3', '.flac', '.m4a'])}"
    track: dict[str, Any] = {"file": rel}
    if d.boolean():
        track["start"] = d.choice(["0.1s", "10s", 0])
    if d.boolean():
        track["end"] = d.choice(["0.3s", "1h"])
    timing: dict[str, Any] = {"title": "1s", "slide": "1s", "transition": "0.2s"}
    if d.boolean():
        timing["fit"] = "music"
    if d.boolean():
        timing["beats"] = True
    data_ = {"title": "T", "video": {"size": "320x180", "fps": 10}, "timing": timing, "music": [track],
             "messages": [{"id": "a", "photo": "photos/a.jpg", "approved": True, "email": GOOD_PRIVATE[0]}]}
    return Case(to_yaml(data_).encode("utf-8"), files={rel: data}, private=GOOD_PRIVATE, plan=d.boolean(),
                label=f"music track {rel}", mutation=f"{rel}: WAV {len(wav_bytes())} bytes, {said}", media=True,
                kind="music")


MANIFEST_KINDS: dict[str, tuple[Callable[[Draw], Case], int]] = {  # generator, weight in a campaign
    "schema": (schema_manifest, 28), "trust": (trust_case, 12), "privacy": (privacy_case, 16),
    "example": (example_case, 20), "yaml": (yaml_structure, 6), "random": (random_document, 12),
    "photos": (photo_case, 4), "music": (music_case, 2),
}


def manifest_case(d: Draw) -> Case:
    """Any manifest example, its kind drawn by the campaign's weights."""
    kinds = [k for k, (_, weight) in MANIFEST_KINDS.items() for _ in range(weight)]
    return MANIFEST_KINDS[d.choice(kinds)][0](d)


# -- a sheet example --------------------------------------------------------------------------------------


@dataclass
class SheetCase:
    """One generated import: the sheet's bytes and name, the photos in the folder, perhaps a manifest to
    merge into, the options, and what the generator knows."""

    data: bytes
    name: str  # the sheet's file name (its suffix chooses the reader)
    photos: dict[str, bytes] = field(default_factory=dict)  # folder-relative
    manifest: bytes | None = None  # an existing collage.yaml
    mapping: dict[str, str] = field(default_factory=dict)
    update: tuple[str, ...] = ()
    keep_emails: bool = False
    private: tuple[str, ...] = ()  # the sheet's addresses (and forms): never printed; not written without --keep-emails
    manifest_private: tuple[str, ...] = ()  # addresses in the existing manifest: never printed
    withheld: tuple[str, ...] = ()  # names on rows not to be named: never printed
    approving: frozenset[str] = frozenset()  # photo file names whose rows the sheet approves
    label: str = ""
    kind: str = ""

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(f"SheetCase<{self.kind}: {self.label}; {self.name}, {len(self.data)} bytes>")


SHEET_PHOTOS = ["alice.jpg", "bilal.png", "wei.webp", "Dup.jpg", "sub/dup.jpg", "sub/carol.JPG", "zoë.jpg"]
HEADERS = {  # titles as form tools and people write them, by what they hold
    "timestamp": ["Timestamp", "Submitted at", "Start time"],
    "id": ["ID", "Message ID", "id"],
    "photo": ["Photo", "Upload your photo", "File", "Attachment", "Picture", "photo file", "Your photo"],
    "name": ["Name", "Your name", "Full Name", "Contributor", "Name / Surname"],
    "profession": ["Occupation", "Profession", "Job title", "Role", "Your profession"],
    "city": ["City", "Town"],
    "country": ["Country"],
    "location": ["Location", "Where are you?", "Place"],
    "message": ["What does your sign say?", "Message", "Sign text", "Your message"],
    "translation": ["English translation", "Translation", "Chinese translation"],
    "email": ["Email Address", "Email", "E-mail", "Your email", "e-mail address"],
    "approved": ["Status", "Approved", "Approval status"],
    "consent": ["Consent", "consent"],
    "tags": ["Tags", "Tag"],
    "extra": ["I agree to the terms", "How did you hear about us?", "Comments", "Name of your city",
              "Phone number"],
}
NAMES = ["Alice Chen", "Bilal Khan", "张伟", "José Núñez", "فاطمة السيد", "Søren Ødegård", "Bo", "Amina Yusuf"]
YES_WORDS = ["approved", "Approved", "yes", "Y", "TRUE", "x", "✓", "1", "OK", "accepted"]
NO_WORDS = ["pending", "rejected", "no", "", "FALSE", "0", "to do", "in review", "not approved", "Declined"]
ODD_APPROVALS = ["maybe", "approved?", "appr0ved", "\u200bapproved", "ｙｅｓ", "yes!", "=TRUE()", "✗"]
CELL_VALUES = ["We stand with you", "正義不是罪", "709 — we remember", "line one\nline two", "line\r\nbreak",
               '"quoted"', "a,b;c\td|e", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1",
               "  spaced  ", "\ufeffbom", "\u202eevil", "🕯️", "ئۇيغۇرچە", "'", "#N/A", "NULL", "None", "nan",
               "0012", "1e308", "2026-07-09", "45482", "true"]
SHEET_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "gb18030",
                   "shift_jis", "utf-7"]
CELL_LIMIT = 10_000  # sheet.MAX_CELL, as the generator aims at its edge


def _header(d: Draw, what: str, hostile: bool) -> str:
    title = d.choice(HEADERS[what])
    if not hostile:
        return title
    how = d.integer(0, 11)
    if how == 0:
        return title.upper()
    if how == 1:
        return f"  {title}  "
    if how == 2:
        return title + d.choice([":", "?", " *", " (required)", "\u00a0"])
    if how == 3:
        return "\ufeff" + title
    if how == 4:
        return title.replace(" ", "\u200b", 1) if " " in title else "\u200b" + title
    if how == 5:
        return unicodedata.normalize("NFKC", title).translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    if how == 6:
        return title + "\n(optional)"
    if how == 7:
        return "=" + title
    if how == 8:
        return title * 2000
    if how == 9:
        return odd_text(d, 3)
    if how == 10:
        return ""
    return d.choice([t for ts in HEADERS.values() for t in ts])  # a title of another column (duplicates)


def _cell(d: Draw) -> str:
    k = d.integer(0, 9)
    if k < 5:
        return d.choice(CELL_VALUES)
    if k < 8:
        return odd_text(d, 4).replace("\x00", "")
    if k == 8:
        return d.choice(["x" * CELL_LIMIT, "界" * CELL_LIMIT, "y" * (CELL_LIMIT + 1), "\n" * 3000, '"' * 5000])
    return d.text(30)


def _photo_cell(d: Draw, photo: str) -> str:
    base = photo.rsplit("/", 1)[-1]
    return d.choice([base, base, f"photos/{photo}", base.upper(), f"https://drive.example.com/open?id=9/{base}",
                     f"https://forms.example/u/{base.replace('.', '%2E', 1)}", f"C:\\Users\\me\\Pictures\\{base}",
                     f"./photos/{photo}", f" {base} ", f"photos\\{photo.replace('/', chr(92))}"])


@dataclass
class _Table:
    rows: list[list[str]]
    private: list[str]
    withheld: list[str]
    approving: set[str]
    label: str
    keep: frozenset[int] = frozenset()  # columns whose text the property depends on (approval, consent, photo)


def _submissions(d: Draw, photos: list[str], hostile: bool, default_private: bool = False) -> _Table:
    """A header and rows of submissions as a form exports them; the canaries only where they belong."""
    wanted = ["photo", "name"]
    for what in ("timestamp", "profession", "location", "message", "translation", "email", "approved", "consent",
                 "tags", "id", "extra"):
        if d.percent(60 if what in ("email", "approved", "consent", "message") else 30):
            wanted.append(what)
    if d.percent(20) and "location" in wanted:
        wanted[wanted.index("location")] = "city"
        wanted.append("country")
    if d.boolean():
        wanted = d.shuffled(wanted)
    # The consent and email titles stay plain where the property depends on them being read as such.
    header = [_header(d, w, hostile and w not in ("consent", "email", "name") and d.percent(30)) for w in wanted]
    rows: list[list[str]] = [header]
    private: list[str] = []
    withheld: list[str] = []
    approving: set[str] = set()
    n = d.choice([0, 1, 2, 3, 4, 6, 8, 12]) if d.integer(0, 49) else d.choice([60, 300])
    for r in range(n):
        photo = d.choice(photos) if photos and d.percent(85) else d.choice(["nobody.jpg", "", "photos/gone.png"])
        consent = d.choice(["named", "anonymous", "masked", "", "Anonymous", " masked "]) if "consent" in wanted else ""
        quiet = consent.strip().lower() in ("anonymous", "masked") or (not consent.strip() and default_private)
        row: list[str] = []
        for what in wanted:
            if what == "photo":
                cell = _photo_cell(d, photo) if photo in photos else photo
            elif what == "name":
                cell = d.choice(WITHHELD_FORMS) if quiet and d.percent(70) else d.choice(NAMES)
                if quiet and cell in WITHHELD_FORMS:
                    withheld.append(cell)
            elif what == "email":
                cell = d.choice(CANARY_FORMS) if d.percent(80) else ""
                if cell:
                    private.append(cell)
            elif what == "approved":
                k = d.integer(0, 9)
                cell = d.choice(YES_WORDS) if k < 4 else d.choice(NO_WORDS) if k < 9 else d.choice(ODD_APPROVALS)
                if cell.strip().casefold() in {w.casefold() for w in YES_WORDS} and photo in photos:
                    approving.add(photo.rsplit("/", 1)[-1])
            elif what == "consent":
                cell = consent
            elif what == "timestamp":
                cell = f"2026/06/{r % 28 + 1:02d} 10:{r % 60:02d}"
            elif what == "id":
                cell = d.choice([str(r + 1), f"msg-{r}", "", "0012", WITHHELD_NAME if quiet else "alice"])
            elif what == "tags":
                cell = d.choice(["lawyers", "teachers, lawyers", "a;b", ""])
            elif what in ("message", "profession", "location", "city") and quiet and d.percent(10):
                cell = f"From {d.choice(WITHHELD_FORMS)}"  # her name in her own other fields
            else:
                cell = _cell(d) if hostile or d.percent(20) else d.choice(CELL_VALUES[:3])
            row.append(cell)
        if hostile and d.percent(10):
            row = row[:d.integer(0, len(row))] if d.boolean() else [*row, *some(d, lambda: _cell(d), 3)]
        rows.append(row)
    if hostile and d.percent(5):  # many columns: the limit's edge
        width = d.choice([63, 64, 65, 200])
        rows = [r + [f"c{k}" if i == 0 else "v" for k in range(width - len(r))] for i, r in enumerate(rows)]
    private = [*private, CANARY_EMAIL, CANARY_LOCAL] if private else private
    keep = frozenset(k for k, what in enumerate(wanted) if what in ("approved", "consent", "photo", "name", "email"))
    return _Table(rows, private, withheld, approving, f"{n} rows, columns {', '.join(wanted)}", keep)


def _csv_bytes(d: Draw, rows: list[list[str]], hostile: bool) -> tuple[bytes, str]:
    delimiter = d.choice([",", ",", ";", "\t", "|"])
    quoting = d.choice([csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])
    terminator = d.choice(["\r\n", "\n", "\r"])
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=terminator).writerows(rows)
    text = out.getvalue()
    encoding = d.choice(SHEET_ENCODINGS) if hostile and d.percent(40) else d.choice(["utf-8", "utf-8-sig", "utf-16"])
    data = text.encode(encoding, errors="replace")
    said = f"delimiter {delimiter!r}, quoting {quoting}, lines end {terminator!r}, {encoding}"
    if hostile and d.percent(15):
        data = d.choice([b"", *BOMS]) + data
        said += ", a BOM more"
    return data, said


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _ref(column: int, row: int) -> str:
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def xlsx_parts(rows: list[list[Any]], *, shared: bool = True, prefix: str = "", date1904: bool = False,
               formats: dict[int, str] | None = None) -> dict[str, str]:
    """A workbook's parts, written here (as spreadsheet apps write them): text as shared or inline
    strings, numbers, booleans, and dates (a number in a date style: `(number, style)` cells)."""
    p = f"{prefix}:" if prefix else ""
    ns = f' xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    strings: list[str] = []
    index: dict[str, int] = {}
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            ref = _ref(c, r)
            if isinstance(value, bool):
                cells.append(f'<{p}c r="{ref}" t="b"><{p}v>{int(value)}</{p}v></{p}c>')
            elif isinstance(value, tuple):
                cells.append(f'<{p}c r="{ref}" s="{value[1]}"><{p}v>{value[0]}</{p}v></{p}c>')
            elif isinstance(value, int | float):
                cells.append(f'<{p}c r="{ref}"><{p}v>{value}</{p}v></{p}c>')
            elif value == "":
                continue
            elif shared:
                k = index.setdefault(value, len(strings))
                if k == len(strings):
                    strings.append(value)
                cells.append(f'<{p}c r="{ref}" t="s"><{p}v>{k}</{p}v></{p}c>')
            else:
                cells.append(f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t xml:space="preserve">{_xml_text(value)}'
                             f"</{p}t></{p}is></{p}c>")
        sheet_rows.append(f'<{p}row r="{r}">{"".join(cells)}</{p}row>')
    formats = formats or {164: "yyyy-mm-dd", 165: "[h]:mm:ss"}
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas'
        '.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
        'formats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}workbook{ns}{rel_ns}>'
        f'<{p}workbookPr{" date1904=" + chr(34) + "1" + chr(34) if date1904 else ""}/><{p}sheets><{p}sheet '
        f'name="Form responses 1" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}styleSheet{ns}><{p}numFmts '
        f'count="{len(formats)}">' + "".join(f'<{p}numFmt numFmtId="{k}" formatCode="{_xml_text(v)}"/>'
                                            for k, v in formats.items())
        + f'</{p}numFmts><{p}cellXfs count="4"><{p}xf numFmtId="0"/><{p}xf numFmtId="14"/><{p}xf numFmtId="164"/>'
          f'<{p}xf numFmtId="165"/></{p}cellXfs></{p}styleSheet>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet{ns}>'
        f'<{p}sheetData>{"".join(sheet_rows)}</{p}sheetData></{p}worksheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}sst{ns} count="'
        f'{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f'<{p}si><{p}t xml:space="preserve">{_xml_text(s)}</{p}t></{p}si>' for s in strings) + f"</{p}sst>",
    }
    return parts


def zip_parts(parts: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, body in parts.items():  # (half a UTF-16 pair from a generated cell: bytes no app writes)
            z.writestr(name, body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body)
    return out.getvalue()


@functools.cache
def openpyxl_workbook() -> bytes:
    """A valid workbook as openpyxl writes it (the zip mutations start from it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Timestamp", "Your name", "Upload your photo", "Email Address", "Status", "Consent"])
    sheet.append(["2026/06/01", "Alice Chen", "alice.jpg", CANARY_EMAIL, "approved", "named"])
    sheet.append(["2026/06/02", WITHHELD_NAME, "bilal.png", CANARY_EMAIL, "pending", "anonymous"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XML_CHANGES = ["doctype", "entity bomb", "refs", "row numbers", "types", "shared index", "numbers", "dates", "prefix",
               "truncate", "nesting", "many cells", "phonetic", "invalid chars", "relationships", "encoding",
               "date1904", "formats", "empty parts", "missing part", "huge text"]


def _xml_change(d: Draw, parts: dict[str, str]) -> str:
    try:
        return _xml_changed(d, parts)
    except KeyError as exc:  # a part an earlier change removed
        return f"(none: {exc.args[0]} is gone)"


def _xml_changed(d: Draw, parts: dict[str, str]) -> str:
    how = d.choice(XML_CHANGES)
    sheet = "xl/worksheets/sheet1.xml"
    if how == "doctype":
        name = d.choice(list(parts))
        parts[name] = parts[name].replace("?>\n", '?>\n<!DOCTYPE x [<!ENTITY e "lol">]>', 1)
    elif how == "entity bomb":
        bomb = '<!DOCTYPE x [<!ENTITY a "lollollol">' + "".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>"
        parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace("?>\n", "?>\n" + bomb, 1).replace(
            "<t xml:space=\"preserve\">", "<t>&i;", 1)
    elif how == "refs":
        odd = d.choice(["XFD1048577", "A0", "", "AAAA1", "a1", "A99999999", "ZZZ1", "XFE1", "1A", "A-1", "Ａ1"])
        parts[sheet] = re.sub(r'r="[A-Z]+(\d+)"', lambda m: f'r="{odd}"' if d.percent(30) else m.group(0), parts[sheet])
    elif how == "row numbers":
        odd = d.choice(["0", "1", "-3", "1048577", "x", "", "99999999999", "2"])
        parts[sheet] = re.sub(r'<((?:\w+:)?)row r="\d+"', lambda m: f'<{m.group(1)}row r="{odd}"' if d.percent(40)
                              else m.group(0), parts[sheet])
    elif how == "types":
        kind = d.choice(["s", "b", "e", "d", "str", "n", "inlineStr", "x", ""])
        parts[sheet] = re.sub(r'(<(?:\w+:)?c r="[^"]*")', lambda m: f'{m.group(1)} t="{kind}"' if d.percent(30)
                              else m.group(1), re.sub(r' t="[^"]*"', "", parts[sheet]) if d.boolean() else parts[sheet])
    elif how == "shared index":
        odd = d.choice(["-1", "99999", "1e3", " 0", "x", "", "4294967296", "0" * 20])
        parts[sheet] = re.sub(r'(t="s"><(?:\w+:)?v>)\d+', lambda m: m.group(1) + odd if d.percent(40) else m.group(0),
                              parts[sheet])
    elif how == "numbers":
        odd = d.choice(["1e308", "1e309", "NaN", "inf", "-0", "99999999999999999999", "1.5", " 7 ", "", "0x10",
                        "1" * 41, "-1e-400", "2958466", "-1"])
        parts[sheet] = parts[sheet].replace("</sheetData>", f'<row r="900"><c r="A900"><v>{odd}</v></c>'
                                            f'<c r="B900" s="{d.integer(0, 5)}"><v>{odd}</v></c></row></sheetData>')
    elif how == "dates":
        value = d.choice(["45482", "0", "-1", "2958466", "1e10", "60", "0.5", "1e308", "NaN"])
        parts[sheet] = parts[sheet].replace("</sheetData>", f'<row r="901"><c r="A901" s="{d.choice([1, 2, 3, 9])}">'
                                            f"<v>{value}</v></c></row></sheetData>")
    elif how == "prefix":
        parts[sheet] = re.sub(r"<(/?)(\w+)", r"<\1q:\2", parts[sheet]).replace(
            "<q:worksheet", '<q:worksheet xmlns:q="x"')
    elif how == "truncate":
        name = d.choice(list(parts))
        parts[name] = parts[name][:d.integer(0, len(parts[name]))]
    elif how == "nesting":
        depth = d.choice([100, 10_000, 200_000])
        parts[sheet] = parts[sheet].replace("<sheetData>", "<sheetData>" + "<x>" * depth + "</x>" * depth)
    elif how == "many cells":
        n = d.choice([16_384, 16_385, 100_000])
        cells = "".join(f"<c><v>{k}</v></c>" for k in range(n))
        parts[sheet] = parts[sheet].replace("</sheetData>", f'<row r="902">{cells}</row></sheetData>')
    elif how == "phonetic":
        parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
            "</si>", "<rPh sb=\"0\" eb=\"1\"><t>ふりがな</t></rPh></si>", 2).replace("<rPh", "<rPh><rPh", 1)
    elif how == "invalid chars":
        name = d.choice(list(parts))
        parts[name] = parts[name].replace("xml:space", "xml:sp\x01ace", 1) + d.choice(["\x00", "\ufffe", "&#0;", ""])
        parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace("<t", "<t>&#x1;</t><t", 1)
    elif how == "relationships":
        target = d.choice(["../../etc/passwd", "/xl/worksheets/sheet1.xml", "WORKSHEETS/SHEET1.XML", "", "sheet9.xml",
                           "worksheets/sheet1.xml\" TargetMode=\"External", "../xl/workbook.xml", "http://x/y"])
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            "worksheets/sheet1.xml", _xml_text(target) if '"' not in target else target, 1)
        if d.boolean():
            parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace('r:id="rId1"', d.choice(
                ['r:id="rId9"', 'r:id=""', 'id="rId1"', 'r:id="rId2"', 'r:id="rId3"']))
    elif how == "encoding":
        name = d.choice(list(parts))
        parts[name] = parts[name].replace('encoding="UTF-8"', d.choice(['encoding="UTF-16"', 'encoding="latin-1"',
                                                                         'encoding="x-nope"', 'encoding="ascii"']))
    elif how == "date1904":
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            "workbookPr", f'workbookPr date1904="{d.choice(["1", "true", "x", "TRUE", " 1"])}"', 1)
    elif how == "formats":
        code = d.choice(["yyyy-mm-dd", "[h]:mm", "[mm]:ss", "0.00", "@", "d/m/y h:mm", "[Red]yyyy", "\"d\"0", "x" * 300,
                         "[$-F800]dddd", "mm:ss.0", ""])
        styles = re.sub(r'formatCode="[^"]*"', f'formatCode="{_xml_text(code)}"', parts["xl/styles.xml"])
        ident = d.choice([14, 22, 46, 47, 164, 999, -1])
        parts["xl/styles.xml"] = styles.replace('numFmtId="14"', f'numFmtId="{ident}"')
    elif how == "empty parts":
        name = d.choice(list(parts))
        parts[name] = ""
    elif how == "missing part":
        del parts[d.choice(list(parts))]
    else:
        size = d.choice([CELL_LIMIT, CELL_LIMIT + 1, 30 * CELL_LIMIT])
        parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
            "</sst>", f"<si><t>{'w' * size}</t></si></sst>")
        last = parts["xl/sharedStrings.xml"].count("<si>") - 1
        parts[sheet] = parts[sheet].replace("</sheetData>", f'<row r="903"><c r="A903" t="s"><v>{last}</v></c></row>'
                                            "</sheetData>")
    return how


def _zip_change(d: Draw, data: bytes) -> tuple[bytes, str]:
    how = d.choice(["bytes", "bytes", "bytes", "compression", "encrypted flag", "duplicate", "directory count",
                    "many parts", "bomb", "names", "not a zip", "zip64", "trailing junk"])
    if how == "bytes":
        return mutate(data, mutations(d))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts: dict[str, bytes] = {info.filename: z.read(info) for info in z.infolist()}
    if how == "compression":
        method = d.choice([zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
        return zip_parts(dict(parts), method), f"parts compressed with method {method}"
    if how == "encrypted flag":
        out = bytearray(data)
        for m in re.finditer(rb"PK\x03\x04|PK\x01\x02", data):
            at = m.start() + (6 if out[m.start() + 2] == 3 else 8)
            out[at] |= 1
        return bytes(out), "every part flagged as encrypted"
    if how == "duplicate":
        body = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as z:
                for name, part in parts.items():
                    z.writestr(name, part)
                z.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is>"
                           b"<t>Photo</t></is></c></row></sheetData></worksheet>")
        return body.getvalue(), "the worksheet twice in the zip"
    if how == "directory count":
        at = data.rfind(b"PK\x05\x06")
        value = d.choice([0, 1, 1001, 65535])
        return data[:at + 8] + struct.pack("<HH", value, value) + data[at + 12:], f"end record says {value} parts"
    if how == "many parts":
        n = d.choice([999, 1001])
        extra = {f"xl/media/p{k}.bin": b"" for k in range(n - len(parts))}
        return zip_parts({**parts, **extra}, zipfile.ZIP_STORED), f"{n} parts"
    if how == "bomb":
        size = d.choice([(64 << 20) + 1, 40 << 20])
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
            b"<sheetData>", b"<sheetData>" + b" " * size)
        return zip_parts(parts), f"the worksheet padded to {size} bytes unpacked"
    if how == "names":
        odd = d.choice(["../xl/workbook.xml", "/xl/workbook.xml", "XL/WORKBOOK.XML", "xl\\workbook.xml",
                        "xl/workbook.xml\x00", "xl/wörkbook.xml"])
        parts[odd] = parts.pop("xl/workbook.xml")
        return zip_parts(parts), f"the workbook part named {odd!r}"
    if how == "not a zip":
        return d.choice([b"", b"PK", b"PK\x05\x06" + b"\x00" * 18, b"a,b\nc,d\n", data[: len(data) // 2]]), "not a zip"
    if how == "zip64":
        at = data.rfind(b"PK\x05\x06")
        fake = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, 2**40, 2**40, 2**40, 0)
        locator = b"PK\x06\x07" + struct.pack("<IQI", 0, at, 1)
        return data[:at] + fake + locator + data[at:], "a zip64 record claiming 2**40 parts"
    return data + b"\x00" * d.integer(1, 70_000), "junk after the zip"


def _folder_photos(d: Draw, withheld_file: bool) -> dict[str, bytes]:
    chosen = [p for p in SHEET_PHOTOS if d.percent(75)] or ["alice.jpg"]
    out = {f"photos/{p}": photo_bytes(_FORMATS.get(Path(p).suffix.lower(), "JPEG"), (32, 24)) for p in chosen}
    if withheld_file:
        out["photos/zelda-quorvath.jpg"] = photo_bytes("JPEG", (32, 24))
    if d.percent(10):
        out["music/t.wav"] = wav_bytes(0.1)
    return out


def _existing_manifest(d: Draw, photos: list[str]) -> tuple[bytes, tuple[str, ...], bool]:
    """A manifest to merge into: messages for some of the photos, as people lay them out (comments,
    flow lists, anchors, CRLF, a BOM), perhaps `privacy.default: anonymous`. Returns its bytes, the
    addresses it holds, and whether messages are anonymous by default."""
    anonymous = d.percent(20)
    lines = ["# submissions so far", "title: Messages", "video: {size: 320x180, fps: 10}"]
    if anonymous:
        lines.append("privacy: {default: anonymous}")
    chosen = [p for p in photos if d.boolean()]
    private: list[str] = []
    if d.percent(15):
        items = ", ".join(f"{{id: m{k}, photo: {json.dumps(p)}, approved: false}}" for k, p in enumerate(chosen))
        lines.append(f"messages: [{items}]")
    else:
        lines.append("defaults: &d {profession: Teacher}" if d.percent(15) else "messages:")
        if lines[-1].startswith("defaults"):
            lines.append("messages:")
        indent = d.choice(["  ", "", "    "])
        for k, p in enumerate(chosen):
            lines.append(f"{indent}- id: m{k}  # row {k + 2}")
            lines.append(f"{indent}  photo: {json.dumps(p)}")
            name = d.choice([*NAMES, WITHHELD_NAME]) if d.percent(80) else None
            if name is not None:
                lines.append(f"{indent}  name: {json.dumps(name, ensure_ascii=False)}")
            if name == WITHHELD_NAME or d.percent(15):
                lines.append(f"{indent}  consent: {d.choice(['anonymous', 'masked'])}")
                if "masked" in lines[-1]:
                    lines.append(f"{indent}  mask: [[0.1, 0.1, 0.2, 0.2]]")
            if d.percent(30):
                lines.append(f"{indent}  <<: *d" if "defaults" in "".join(lines) else f"{indent}  profession: Judge")
            if d.percent(30):
                lines.append(f"{indent}  hide: [location]")
                lines.append(f"{indent}  location: Somewhere")
            lines.append(f"{indent}  approved: {d.choice(['true', 'false'])}")
            if d.percent(40):
                lines.append(f"{indent}  email: {GOOD_PRIVATE[0]}")
                private.append(GOOD_PRIVATE[0])
    text = "\n".join(lines) + "\n"
    if d.percent(15):
        text = text.replace("\n", "\r\n")
    if d.percent(10):
        text = "\ufeff" + text
    return text.encode("utf-8"), tuple(private), anonymous


SHEET_KINDS = ["csv", "csv", "csv", "text", "text", "xlsx", "xlsx", "xml", "xml", "zip", "merge", "merge"]


def sheet_case(d: Draw) -> SheetCase:
    kind = d.choice(SHEET_KINDS)
    # (Not beside a zip changed at random: its rows, her row among them, may be gone, and with them her wish.)
    photos = _folder_photos(d, withheld_file=d.percent(5) and kind != "zip")
    names = [p.removeprefix("photos/") for p in photos if not p.startswith("music/")]
    manifest, manifest_private, default_private = (None, (), False)
    if kind == "merge":
        manifest, manifest_private, default_private = _existing_manifest(d, [f"photos/{n}" for n in names])
    hostile = kind in ("text", "xml") or d.percent(30)
    table = _submissions(d, names, hostile, default_private)
    said = table.label
    suffix = ".csv"
    if kind in ("csv", "merge"):
        data, how = _csv_bytes(d, table.rows, hostile=False)
        suffix = d.choice([".csv", ".csv", ".tsv", ".CSV", ".txt"]) if "\t" in how else ".csv"
        said += f"; {how}"
    elif kind == "text":
        data, how = _csv_bytes(d, table.rows, hostile=True)
        extra = d.integer(0, 8)
        if extra in (3, 4) and not d.percent(25):  # the limits' edges: megabytes each, so rarer
            extra = 6
        if extra == 0:
            data, more = mutate(data, mutations(d))
            how += f"; {more}"
        elif extra == 1:
            data = data.replace(b'"', b"", 1) if d.boolean() else data + b'"unterminated'
            how += "; a quote lost"
        elif extra == 2:
            data = d.binary(2000)
            how = "random bytes"
        elif extra == 3:
            data = b"Photo,Name\n" + b"x" * d.choice([1_280_000, 1_280_200, 200_000]) + b"\n"
            how = "a line past any row's length"
        elif extra == 4:
            data = b"Photo,Name\n" + b"alice.jpg,a\n" * d.choice([20_000, 20_002]) + b"\n"
            how = "rows past the limit's edge"
        elif extra == 5:
            data = b"Photo,Name\n" + b"\n" * d.choice([999, 1001, 5000]) + b"alice.jpg,Alice\n"
            how = "a far row after blank lines"
        suffix = d.choice([".csv", ".tsv", ".tab", ".txt", ".CSV", ""])
        said += f"; {how}"
        if extra <= 5:  # rows run into each other or are replaced: her consent may no longer be read as hers
            table.withheld = []
    elif kind in ("xlsx", "xml"):
        rows: list[list[Any]] = [list(r) for r in table.rows]
        if d.boolean() and len(rows) > 1:  # typed cells: numbers, booleans, dates in date styles
            for row in rows[1:]:
                k = d.integer(0, max(0, len(row) - 1))
                if row and d.percent(30) and k not in table.keep:
                    row[k] = d.choice([1, 0, 45482, 1.5, True, False, (45482.5, 2), (1.25, 3), (45482, 1), 10**17])
        parts = xlsx_parts(rows, shared=d.percent(70), prefix=d.choice(["", "", "x"]), date1904=d.percent(10))
        how = "a workbook"
        if kind == "xml":
            how = ", ".join(_xml_change(d, parts) for _ in range(d.integer(1, 2)))
        data = zip_parts(dict(parts))
        suffix = d.choice([".xlsx", ".xlsx", ".XLSX", ".xlsm"])
        said += f"; {how}"
    else:
        if d.boolean():  # openpyxl's workbook, of its own rows (see `openpyxl_workbook`)
            table = _Table([], [CANARY_EMAIL, CANARY_LOCAL], [WITHHELD_NAME], {"alice.jpg"}, "openpyxl's 2 rows")
            data, how = _zip_change(d, openpyxl_workbook())
            said = table.label
        else:
            data, how = _zip_change(d, zip_parts(dict(xlsx_parts(table.rows))))
        suffix = ".xlsx"
        said += f"; zip: {how}"
    mapping: dict[str, str] = {}
    if d.percent(15):
        mapping = d.choice([{"Name of your city": "location"}, {"Comments": "message"}, {"Phone number": "nope"},
                            {"Missing column": "name"}, {"I agree to the terms": "consent"}, {"ID": "id"},
                            {"How did you hear about us?": "tags"}])
    update: tuple[str, ...] = ()
    if manifest is not None and d.percent(40):
        update = tuple(dict.fromkeys(d.choice(["name", "profession", "location", "message", "translation", "tags",
                                               "consent", "approved", "email", "photo"]) for _ in range(2)))
    return SheetCase(data, f"responses{suffix}", photos, manifest, mapping, update, keep_emails=d.percent(10),
                     private=tuple(table.private), manifest_private=manifest_private, withheld=tuple(table.withheld),
                     approving=frozenset(table.approving), label=said, kind=kind)


# -- the properties ---------------------------------------------------------------------------------------

SLOW = 2.0  # seconds an example may take before it is recorded
GROWTH = 64 << 20  # bytes the process's peak RSS may grow by in one example before it is recorded


@dataclass
class Finding:
    """A breach of a property: what, where in collage, and the input that shows it."""

    category: str  # one line, stable across examples of the same fault (the campaign groups by it)
    detail: str = ""
    where: str = ""  # collage's innermost frame: file:line in function
    kind: str = ""
    label: str = ""
    input: str = ""  # the manifest or sheet, shown (cut)
    seconds: float = 0.0

    def line(self) -> str:
        return f"{self.category}{' at ' + self.where if self.where else ''}: {self.detail[:300]}"


def _frame(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/collage/" in f.filename.replace(os.sep, "/")]
    if not frames:
        return ""
    f = frames[-1]
    rel = f.filename.replace(os.sep, "/").split("/src/", 1)[-1]
    return f"{rel}:{f.lineno} in {f.name}"


def _alnum(text: str) -> str:
    from collage.privacy import fold

    return "".join(ch for ch in fold(text).casefold() if ch.isalnum())


def _secret_keys(private: Sequence[str]) -> list[str]:
    """What to look for of each private text, as a reader reads it (folded, letters and digits only) and
    reversed (a right-to-left override shows it the right way round)."""
    out: list[str] = []
    for text in private:
        key = _alnum(text)
        if len(key) >= 6:
            out += [key, key[::-1]]
    return list(dict.fromkeys(out))


def _name_keys(names: Sequence[str]) -> list[str]:
    from collage.privacy import name_key

    return list(dict.fromkeys(k for k in (name_key(n) for n in names) if len(k) >= 3))


class Texts:
    """Every text an example's outputs hold, by where it came from, searched for what must not be there."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def add(self, where: str, text: str) -> None:
        if text:
            self.parts.append((where, text))

    def leaks(self, private: Sequence[str], withheld: Sequence[str]) -> list[Finding]:
        """A finding for each kind of output that holds a private address (as written, or its local part),
        a withheld name (folded; or every word of it; or the surname alone where the name has it as a word)."""
        secrets, names = _secret_keys(private), _name_keys(withheld)
        every_word = [ws for ws in (_name_words(n) for n in withheld) if len(ws) >= 2]
        surname = any(_has_surname(n) for n in withheld)
        found: dict[str, Finding] = {}
        judged: dict[str, tuple[str, ...]] = {}  # text -> what it holds
        for where, text in self.parts:
            if text not in judged:
                folded = _folded(text)
                key = "".join(filter(str.isalnum, folded))
                words = {w for w in re.findall(r"[^\W_]+", folded) if len(w) >= 3 or not w.isascii()}
                held = [f"private address|{secret}" for secret in secrets if secret in key]
                held += [f"withheld name|{name}" for name in names if name in key]
                held += ["withheld name (every word of it)|"] if any(ws <= words for ws in every_word) else []
                held += [f"withheld name (surname)|{WITHHELD_WORD}"] if surname and WITHHELD_WORD in words else []
                judged[text] = tuple(held)
            for what in judged[text]:
                category, _, needle = what.partition("|")
                found.setdefault(f"{category} in {where}", Finding(f"{category} in {where}", _around(text, needle)))
        return list(found.values())


def _folded(text: str) -> str:
    from collage.privacy import fold

    return fold(text).casefold()


def _around(text: str, key: str) -> str:
    folded = _folded(text)
    at = folded.find(key[:4])
    at = max(0, at - 80) if at >= 0 else 0
    return text[at:at + 240].replace("\n", "⏎")


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string inside a dataclass, mapping or sequence (paths too)."""
    if depth > 12:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, Path):
        yield str(value)
    elif isinstance(value, Problem):  # read as it is printed (`str`, redacted), by `Texts.add` of each
        return
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name), depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k, depth + 1)
            yield from _strings(v, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from _strings(v, depth + 1)


def _shown_texts(project: Any) -> Iterator[tuple[str, str]]:
    """The Project's texts that reach the screen, by field."""
    yield "project.title", project.title
    yield "project.caption_template", project.caption_template
    for m in project.messages:
        for name in ("id", "name", "profession", "location", "text", "translation", "photo"):
            value = getattr(m, name)
            if value:
                yield f"message.{name}", value
        for tag in m.tags:
            yield "message.tags", tag
    for item in project.sequence:
        for name in ("title", "subtitle", "body"):
            value = getattr(item, name, None)
            if value:
                yield f"sequence.{name}", value


def literally_approved(text: str) -> set[int] | None:
    """The lines of the message items that write `approved: true` on themselves, literally: a plain
    `true` (not quoted, not `!!str`, not another word), written in the item (not merged in through `<<`)
    and not an alias of a value written before it. None when PyYAML cannot compose the text. An oracle
    of its own: it reads the node tree, not collage's data."""
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
    except Exception:
        return None
    if not isinstance(root, yaml.MappingNode):
        return set()

    def messages(node: yaml.MappingNode) -> yaml.Node | None:
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "messages" and key.tag != "tag:yaml.org,2002:merge":
                return value
        for key, value in node.value:  # merged in at the top (`<<: *base`)
            if key.tag == "tag:yaml.org,2002:merge":
                for source in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                    if isinstance(source, yaml.MappingNode) and (found := messages(source)) is not None:
                        return found
        return None

    seq = messages(root)
    lines: set[int] = set()
    if not isinstance(seq, yaml.SequenceNode):
        return lines
    for item in seq.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        for key, value in item.value:
            if (isinstance(key, yaml.ScalarNode) and key.value == "approved" and key.tag == "tag:yaml.org,2002:str"
                    and isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:bool"
                    and value.style in (None, "") and value.value == "true"
                    and value.start_mark.index > key.start_mark.index):
                lines.add(item.start_mark.line + 1)
    return lines


def withheld_names(text: str) -> list[str] | None:
    """The names the manifest withholds (its anonymous and masked contributors', those in `hide`), read
    from the YAML as written, but for names another, named contributor shares (a warning, and shown on
    that contributor's caption). None when PyYAML cannot read it."""
    try:
        data = yaml.load(text, Loader=yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
    except Exception:  # PyYAML's constructors raise what they meet (KeyError for `!!bool maybe`, ...)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        return []
    from collage.privacy import name_key

    privacy = data.get("privacy")
    default = privacy.get("default", "named") if isinstance(privacy, dict) else "named"
    quiet, named = [], []
    for item in data["messages"]:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        hide = item.get("hide")
        if item.get("consent", default) in ("anonymous", "masked") or (isinstance(hide, list) and "name" in hide):
            quiet.append(item["name"])
        else:
            named.append(item["name"])
    shared = [(name_key(n), _name_words(n)) for n in named]
    return [n for n in quiet if not any(name_key(n) in key or (len(_name_words(n)) >= 2 and _name_words(n) <= words)
                                        for key, words in shared)]


@contextlib.contextmanager
def _watch(findings: list[Finding], step: str) -> Iterator[None]:
    """Anything but InputError out of `step` is a finding."""
    from collage.errors import InputError

    try:
        yield
    except InputError:
        raise
    except Exception as exc:
        findings.append(Finding(f"{step}: {type(exc).__name__}", f"{type(exc).__name__}: {str(exc)[:400]}",
                                where=_frame(exc)))


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


class Harness:
    """Runs examples in this process, in folders it keeps (one for manifests, one for imports) and
    rewrites only where an example differs from the last."""

    def __init__(self, root: Path, media_every: int = 10, slow: float | None = SLOW) -> None:
        """`slow`: seconds past which an example is recorded, with its growth of peak RSS (None: neither)."""
        self.slow = slow
        self.root = root
        self.folder = root / "folder"
        self.imports = root / "import" / "folder"
        self.media_every = media_every
        self.count = 0
        self._state: dict[Path, dict[str, bytes]] = {}

    def _sync(self, folder: Path, files: dict[str, bytes], keep: Sequence[str] = ()) -> None:
        """`folder` holds exactly `files` (and `keep`): what changed is written, anything else removed."""
        state = self._state.setdefault(folder, {})
        for rel, data in files.items():
            if state.get(rel) != data:
                target = folder / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                target.unlink(missing_ok=True)  # a new inode: what collage remembers by file state is not this
                target.write_bytes(data)
                state[rel] = data
        wanted = set(files) | set(keep)
        for path in sorted(folder.rglob("*"), reverse=True):
            rel = path.relative_to(folder).as_posix()
            if rel in wanted or "collage-cache" in path.parts:  # the cache collage keeps, kept as a user's is
                continue
            if path.is_dir() and not path.is_symlink():
                if not any(w.startswith(rel + "/") for w in wanted) and not (path / "collage-cache").is_dir():
                    shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
                state.pop(rel, None)

    def warm(self) -> None:
        """Load what a first example would load (fonts, face networks, ffmpeg, the YAML round trip), so
        that no example is timed with it."""
        media = [{**m, "fit": "cover", "motion": "kenburns"} for m in yaml.safe_load(GOOD_MANIFEST)["messages"]]
        warm = {"title": "Warm", "video": {"size": "320x180", "fps": 10, "renditions": ["vertical"]},
                "timing": {"title": "1s", "slide": "auto", "transition": "0.2s", "fit": "music"},
                "music": ["music/t.wav"], "style": {"translations": "show"},
                "messages": [*media, {"id": "q", "photo": "photos/b.png", "name": "Q", "consent": "masked",
                                      "approved": True, "translation": "你们并不孤单"}]}
        self.manifest(Case(to_yaml(warm).encode("utf-8"), media=True))
        self.manifest(Case(example_text().encode("utf-8"), media=True))
        rows = [["Name", "Photo", "Email", "Status"], ["Alice", "alice.jpg", CANARY_EMAIL, "approved"]]
        out = io.StringIO(newline="")
        csv.writer(out).writerows(rows)
        self.sheet(SheetCase(out.getvalue().encode("utf-8"), "warm.csv", {"photos/alice.jpg": photo_bytes("JPEG")}))
        self.sheet(SheetCase(zip_parts(dict(xlsx_parts(rows))), "warm.xlsx", {"photos/alice.jpg": photo_bytes("JPEG")}))
        self.count = 0

    # -- manifests --

    def manifest(self, case: Case, media: bool | None = None) -> list[Finding]:
        """Run one manifest example through the gate; every breach of a property, as findings."""
        from collage import check
        from collage.errors import InputError
        from collage.privacy import looks_like_email

        self.count += 1
        self._sync(self.folder, {**folder_media(), **case.files}, keep=("collage.yaml",))
        (self.folder / "collage.yaml").write_bytes(case.manifest)
        if media is None:
            media = case.media or (self.media_every > 0 and self.count % self.media_every == 0)
        findings: list[Finding] = []
        texts = Texts()
        started, peak = (time.perf_counter(), time.process_time()), _peak()
        # `check.run` is `manifest.load`, then `pipeline.timeline` of what loaded (and of each rendition),
        # then the checks: run once (twice with media), its project and plans are looked at here.
        reports = []
        for with_media in (False, True) if media else (False,):
            try:
                with _watch(findings, f"check (media={with_media})"):
                    reports.append(check.run(self.folder, media=with_media))
            except InputError as exc:
                findings.append(Finding(f"check (media={with_media}) raised InputError", str(exc)[:300]))
        project = reports[0].project if reports else None
        plans = [("plan JSON", reports[0].timeline)] if reports and reports[0].timeline is not None else []
        plans += [(f"plan JSON ({name})", shaped) for name, shaped in (reports[0].renditions if reports else ())]
        for where, timeline in plans:
            with _watch(findings, "plan JSON"):
                plan = timeline.to_dict()
                shown = json.dumps(plan, ensure_ascii=False, indent=2)
                shown.encode("utf-8")
                texts.add(where, shown)
                with contextlib.suppress(ValueError):
                    json.dumps(plan, allow_nan=False)
                    plan = None  # strict JSON: fine
                if plan is not None:
                    findings.append(Finding("plan JSON holds NaN or Infinity", shown[:300]))
                for text in _strings(timeline.to_dict()):
                    if looks_like_email(text):
                        findings.append(Finding("an address is shown in the plan", text[:200]))
                        break
        for report in reports:
            for p in report.problems:
                texts.add("a problem of check", str(p))
            if (project is None) != (report.project is None) or (report.project is None and report.ok):
                findings.append(Finding("check with and without media disagree, or passes with no project",
                                        f"project: {report.project is not None}, ok={report.ok}"))
        if project is not None:
            for where, text in _shown_texts(project):
                texts.add(where, text)
                if where != "message.photo" and looks_like_email(text):
                    findings.append(Finding(f"an address is shown in {where}", text[:200]))
            for text in _strings(project):
                texts.add("the Project", text)
            for p in project.warnings:
                texts.add("a warning of load", str(p))
            approved = literally_approved(case.manifest.decode("utf-8", errors="replace"))
            if approved is not None:
                wrong = [m.id for m in project.messages if m.line not in approved]
                if wrong:
                    lines = [project.message(w).line for w in wrong[:5]]
                    findings.append(Finding("approved without `approved: true` written on the message",
                                            f"messages {wrong[:5]} (lines {lines})"))
        if case.must_fail and reports and all(r.ok for r in reports) and (media or not case.media):
            findings.append(Finding(f"accepted: {case.must_fail.split(' (')[0]}", case.must_fail))
        withheld = list(case.withheld) if not case.mutated else []
        found = withheld_names(case.manifest.decode("utf-8", errors="replace"))
        withheld += found or []
        findings += texts.leaks([*case.private, *((case.secret,) if case.secret else ())], withheld)
        self._measure(findings, started, peak)
        return self._label(findings, case.kind, case.label, case.text(4000, 300))

    def _measure(self, findings: list[Finding], started: tuple[float, float], peak: int) -> None:
        """Slow: over `slow` seconds of this process's CPU (on a shared machine, waiting for a core is not
        the example's), or five times that of wall time (what a child process or a wait costs)."""
        seconds, cpu = time.perf_counter() - started[0], time.process_time() - started[1]
        if self.slow is not None and (cpu > self.slow or seconds > 5 * self.slow):
            findings.append(Finding(f"slow: over {self.slow:g} s", f"{cpu:.1f} s of CPU, {seconds:.1f} s"))
        grown = _peak() - peak
        if self.slow is not None and grown > GROWTH:
            findings.append(Finding(f"memory: peak RSS grew over {GROWTH >> 20} MB", f"{grown >> 20} MB"))
        for f in findings:
            f.seconds = round(seconds, 3)

    @staticmethod
    def _label(findings: list[Finding], kind: str, label: str, shown: str) -> list[Finding]:
        for f in findings:
            f.kind, f.label, f.input = kind, label[:500], shown
        return findings

    # -- sheets --

    def sheet(self, case: SheetCase) -> list[Finding]:
        """Read the sheet, import it, print the import's report; every breach of a property, as findings."""
        from collage.authoring import sheet
        from collage.authoring.importing import import_sheet
        from collage.cli import _import_report
        from collage.errors import InputError
        from collage.manifest import load

        self.count += 1
        files = dict(case.photos)
        if case.manifest is not None:
            files["collage.yaml"] = case.manifest
        self._sync(self.imports, files)
        self._state[self.imports].pop("collage.yaml", None)  # import may replace it: written every time
        if case.manifest is not None:
            (self.imports / "collage.yaml").write_bytes(case.manifest)
        path = self.imports.parent / case.name
        if path.is_dir():
            shutil.rmtree(path)
        path.write_bytes(case.data)
        findings: list[Finding] = []
        texts = Texts()
        started, peak = (time.perf_counter(), time.process_time()), _peak()
        try:
            with _watch(findings, "sheet.read"):
                sheet.read(path, case.mapping)
        except InputError as exc:
            for p in exc.problems:
                texts.add("a problem of sheet.read", str(p))
        done = None
        try:
            with _watch(findings, "import"):
                done = import_sheet(self.imports, path, mapping=case.mapping, update=case.update,
                                    keep_emails=case.keep_emails)
        except InputError as exc:
            for p in exc.problems:
                texts.add("a problem of import", str(p))
        if done is not None:
            printed = io.StringIO()
            with _watch(findings, "import report"), contextlib.redirect_stdout(printed):
                _import_report(done)
            texts.add("the import's report", printed.getvalue())
            target = self.imports / "collage.yaml"
            written = target.read_bytes().decode("utf-8", errors="replace") if target.exists() else ""
            if done.written and not case.keep_emails:
                leaked = Texts()
                leaked.add("the manifest import wrote", written)
                for f in leaked.leaks(case.private, ()):
                    f.category += " (without --keep-emails)"
                    findings.append(f)
            if done.written:
                findings += self._imported(case, done, written)
                try:
                    with _watch(findings, "load after import"):
                        load(self.imports)
                except InputError as exc:
                    wrong = [p for p in exc.errors if "nothing to show" not in p.message
                             and "asked not to be named" not in p.message]
                    if wrong:
                        findings.append(Finding("import wrote a manifest that load refuses", str(wrong[0])[:300]))
        findings += texts.leaks([*case.private, *case.manifest_private], case.withheld)
        self._measure(findings, started, peak)
        head = case.data[:3000].decode("utf-8", errors="backslashreplace")
        return self._label(findings, case.kind, case.label, f"{case.name} ({len(case.data)} bytes): {head}")

    @staticmethod
    def _imported(case: SheetCase, done: Any, written: str) -> list[Finding]:
        """New messages come in approved only where the sheet approves their row."""
        try:
            data = yaml.load(written, Loader=yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
        except yaml.YAMLError as exc:
            return [Finding("import wrote a manifest PyYAML cannot read", str(exc)[:300])]
        messages = data.get("messages") if isinstance(data, dict) else None
        out = []
        for m in messages if isinstance(messages, list) else []:
            if isinstance(m, dict) and m.get("id") in done.added and m.get("approved") is True:
                photo = str(m.get("photo", "")).rsplit("/", 1)[-1]
                if photo not in case.approving:
                    out.append(Finding("import approved a row the sheet does not approve", f"{m.get('id')}: {photo}"))
        return out


# -- runs -------------------------------------------------------------------------------------------------


def run(harness: Harness, what: str, seed: int | str, start: int, stop: int,
        report: Callable[[int], None] | None = None) -> Iterator[tuple[int, str, list[Finding]]]:
    """Examples `start` to `stop` of `what` ("manifests" or "sheets") in a campaign with `seed`: each
    one's index, kind and findings. `report(index)` is told before each example (a watchdog's clock)."""
    for index in range(start, stop):
        if report is not None:
            report(index)
        d = seeded(seed, what, index)
        try:
            case: Case | SheetCase = manifest_case(d) if what == "manifests" else sheet_case(d)
        except Exception as exc:  # the harness's own fault: recorded, and the campaign goes on
            yield index, "?", [Finding(f"harness: the generator raised {type(exc).__name__}", str(exc)[:300],
                                       where=traceback.format_exc(limit=-1).strip().splitlines()[0][:200])]
            continue
        if isinstance(case, Case):
            yield index, case.kind, harness.manifest(case)
        else:
            yield index, case.kind, harness.sheet(case)


def regenerate(what: str, seed: int | str, index: int) -> Case | SheetCase:
    d = seeded(seed, what, index)
    return manifest_case(d) if what == "manifests" else sheet_case(d)
