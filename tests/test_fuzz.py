"""Fuzzing the validation gate: whatever the folder holds, `collage` answers with 0 or 1, never a crash.

Every example is a whole folder (a `collage.yaml` and media) written to a temporary directory. `collage
check FOLDER` (and, for some examples, `collage plan FOLDER --json`) runs on it as a subprocess, capped at
2 GiB of address space and a time limit, so tracebacks, exit codes, memory and time are all observable.

The property, for every example and command:

- it finishes within the time limit (a timeout is a failure);
- its exit code is 0 or 1 (2 would be a usage error; 70 "a bug"; a signal, e.g. the memory cap);
- exit 1 comes with a message that says "error";
- no Python traceback anywhere in its output;
- no address written in an `email:` field appears in its output.

Where a strategy knows the answer, it also asks more of `check`: a message approved by anything but the
literal `true` (`yes`, `on`, `1`, `"true"`), or none approved; an email address in a field that can be shown
(caption fields, `message`, title cards, the caption template); a photo that render cannot decode
(truncated, corrupt, a decompression bomb) all make it exit 1, without repeating the address; a `check`
that passes means `plan --json` passes too and prints JSON.

Strategies (one test each):

- `test_schema_manifests`: manifests built from the schema, with wrong types, odd unicode (RTL, CJK, emoji,
  zero-width, NUL, lone surrogates, very long text), huge/negative/NaN/inf numbers, YAML 1.1 scalars (`yes`,
  `0x1F`, `1:30`, dates), explicit tags (`!!binary`, `!!python/tuple`, `=`), odd paths (NUL, a name over
  255 bytes, `..`, absolute, directories).
- `test_trust_boundary`: a valid manifest with one breach of the trust boundary, or none (then exit 0).
- `test_yaml_structure`: anchors and aliases (billion laughs of random depth and width, self-references,
  merge keys), deep nesting, huge files, many messages.
- `test_random_documents`: random bytes and YAML-ish token soup, BOMs and other encodings, tabs, byte
  mutations of a valid manifest.
- `test_mutated_photos`: a small JPEG/PNG/WebP made here, then truncated, flipped, padded with junk, or
  with huge dimensions declared in its header; real decompression bombs. Whether render could use it is
  decided here by Pillow, strictly (open with bomb warnings as errors, decode every pixel).
- `test_mutated_music`: a short WAV made here, truncated, flipped, or with broken header fields.
- `test_scalars_in_process`: every YAML tag (`!!int`, `!!timestamp`, `!!python/tuple`, ...) and odd scalar
  at typed and untyped places, through `collage.load` in this process (fast, so many more examples):
  nothing but `InputError` may come out.

Runs (the tests carry the `fuzz` marker: `-m fuzz` selects them, `-m "not fuzz"` skips them):

- default: a short derandomized run, part of the suite: 3 to 7 generated examples per subprocess strategy,
  the explicit `@example`s (holes found by earlier campaigns, kept as regressions) and 40 in-process
  examples; no shrinking. About 45 s on two busy cores when nothing fails; each timeout adds its limit.
- ``COLLAGE_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py``: the long run, that many examples per strategy,
  random seeds, with shrinking (a failure is reduced to a minimal example before it is reported).
- ``COLLAGE_FUZZ_TIMEOUT=20``: seconds one command may take (default 20).
- ``COLLAGE_FUZZ_LOG=fuzz.jsonl``: survey mode. Every failing example is appended to the file as one JSON
  line (strategy, failure categories, the manifest text, the file mutation, exit codes, first output lines)
  and the tests do not fail, so a long run goes through all its examples and collects every kind of
  failure instead of stopping to shrink the first.

Nothing is written into the repository (Hypothesis's example database is off).
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import warnings
import wave
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st
from PIL import Image

pytestmark = [pytest.mark.e2e, pytest.mark.fuzz]

# -- run settings -----------------------------------------------------------------------------------------

LONG_EXAMPLES = int(os.environ.get("COLLAGE_FUZZ_EXAMPLES", "0") or 0)
TIMEOUT = float(os.environ.get("COLLAGE_FUZZ_TIMEOUT", "20") or 20)
LOG = os.environ.get("COLLAGE_FUZZ_LOG") or None
MEMORY_CAP = 2 << 30  # bytes of address space for each `collage` process (and the ffmpeg it starts)


def fuzz_settings(short: int) -> settings:
    """`short` examples in the default run; COLLAGE_FUZZ_EXAMPLES in a long one."""
    long = LONG_EXAMPLES > 0
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    if long and LOG is None:
        phases.append(Phase.shrink)
    return settings(
        max_examples=LONG_EXAMPLES if long else short,
        deadline=None,
        derandomize=not long,
        database=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


# -- running collage --------------------------------------------------------------------------------------


@dataclass
class Case:
    """One generated folder: the manifest's bytes, media files and what the strategy knows about them."""

    manifest: bytes
    files: dict[str, bytes] = field(default_factory=dict)  # written over the base media (folder-relative)
    private: tuple[str, ...] = ()  # addresses written in `email:` fields: never in any output
    must_fail: str | None = None  # why `check` must exit 1
    secret: str | None = None  # an address put in a shown field: `check` must not repeat it
    plan: bool = False  # also run `plan --json`
    label: str = ""  # what was generated, in words
    mutation: str = ""  # how a media file was changed, in words

    def text(self, limit: int = 1500, line_limit: int = 0) -> str:
        shown = self.manifest[:limit].decode("utf-8", errors="backslashreplace")
        if line_limit:
            shown = "\n".join(line if len(line) <= line_limit else line[:line_limit] + f"... ({len(line)} chars)"
                              for line in shown.split("\n"))
        more = f"\n... ({len(self.manifest)} bytes in all)" if len(self.manifest) > limit else ""
        return shown + more

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # how Hypothesis prints a falsifying example
        p.text(f"Case<{self.label}; {self.mutation or 'no media change'}; {len(self.manifest)} bytes>")


@dataclass
class Run:
    command: str
    code: int | None  # None: killed at the time limit
    output: str
    seconds: float
    stdout: str = ""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_collage(args: list[str], cwd: Path) -> Run:
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "collage", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, preexec_fn=_limit_memory, start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: ffmpeg children go too
        out, err = proc.communicate()
        code = None
    stdout = out.decode("utf-8", errors="replace")
    output = stdout + err.decode("utf-8", errors="replace")
    return Run(args[0], code, output, time.monotonic() - started, stdout)


_TRACEBACK = "Traceback (most recent call last)"
_EXCEPTION_LINE = re.compile(r"^[\s│|]*([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit|Warning))\b", re.MULTILINE)


_INTERNAL = re.compile(r"\((\w+ at [\w./-]+:\d+)\)")


def _exception_name(output: str) -> str:
    names = _EXCEPTION_LINE.findall(output[output.rfind(_TRACEBACK):])
    return names[-1].rsplit(".", 1)[-1] if names else "unknown"


def failures(case: Case, runs: list[Run]) -> list[tuple[str, str]]:
    """(category, detail) for every way the runs break the property."""
    found: list[tuple[str, str]] = []
    for run in runs:
        head = _head(run.output)
        if run.code is None:
            found.append((f"{run.command}: timeout", f"no answer in {TIMEOUT:g} s\n{head}"))
            continue
        if _TRACEBACK in run.output:
            found.append((f"{run.command}: traceback {_exception_name(run.output)}", f"exit {run.code}\n{head}"))
        elif run.code not in (0, 1):
            where = _INTERNAL.search(run.output)  # exit 70 names the exception and where it was raised
            found.append((f"{run.command}: exit {run.code}" + (f" {where.group(1)}" if where else ""), head))
        if run.code == 1 and "error" not in run.output.lower():
            found.append((f"{run.command}: exit 1 without an error message", head))
        lowered = run.output.lower()
        for address in case.private:
            if address.lower() in lowered:
                found.append((f"{run.command}: private email in output", head))
                break
    check = runs[0]
    if case.must_fail and check.code == 0:
        found.append((f"check: accepted {case.must_fail}", _head(check.output)))
    if case.secret and case.secret.lower() in check.output.lower():
        found.append(("check: repeats the email found in a shown field", _head(check.output)))
    if len(runs) > 1 and check.code == 0:
        plan = runs[1]
        if plan.code == 0:
            try:
                json.loads(plan.stdout)
            except ValueError:
                found.append(("plan: --json output is not JSON", _head(plan.output)))
        elif plan.code is not None and _TRACEBACK not in plan.output:
            found.append((f"plan: exit {plan.code} where check passed", _head(plan.output)))
    return found


def _head(output: str, lines: int = 6) -> str:
    return "\n".join(line[:300] for line in output.strip().splitlines()[:lines])


_FAILURE_TYPES: dict[str, type[AssertionError]] = {}


def _failure_type(category: str) -> type[AssertionError]:
    """One exception class per kind of failure: Hypothesis keeps (and shrinks) each kind separately."""
    name = "Fuzz_" + re.sub(r"\W+", "_", category).strip("_")
    if name not in _FAILURE_TYPES:
        _FAILURE_TYPES[name] = type(name, (AssertionError,), {})
    return _FAILURE_TYPES[name]


def run_case(case: Case) -> list[Run]:
    """Write the folder in a temporary directory and run `check` (and `plan --json`) on it."""
    tmp = Path(tempfile.mkdtemp(prefix="collage-fuzz-"))
    try:
        folder = tmp / "folder"
        for rel, data in {**base_media(), **case.files}.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (folder / "collage.yaml").write_bytes(case.manifest)
        runs = [run_collage(["check", "folder"], tmp)]
        if case.plan:
            runs.append(run_collage(["plan", "folder", "--json"], tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return runs


def exercise(strategy: str, case: Case) -> None:
    """Run the case and fail (or, in survey mode, log) on any breach of the property."""
    runs = run_case(case)
    note(f"{case.label}\n{case.mutation}\n--- collage.yaml ---\n{case.text(line_limit=200)}\n---")
    for run in runs:
        note(f"{run.command}: exit {run.code} in {run.seconds:.1f} s\n{_head(run.output, 12)}")
    found = failures(case, runs)
    if not found:
        return
    if LOG is not None:
        record = {
            "strategy": strategy, "categories": [c for c, _ in found], "label": case.label,
            "mutation": case.mutation, "manifest": case.text(1 << 20), "manifest_bytes": len(case.manifest),
            "runs": [{"command": r.command, "exit": r.code, "seconds": round(r.seconds, 2),
                      "output": _head(r.output, 8)} for r in runs],
        }
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    category, detail = found[0]
    others = "".join(f"\n(also: {c})" for c, _ in found[1:])
    raise _failure_type(category)(f"{category}\n{detail}{others}")


# -- base media, made in code -----------------------------------------------------------------------------


def _gradient(size: tuple[int, int]) -> Image.Image:
    w, h = size
    im = Image.new("RGB", size)
    im.putdata([((x * 255) // w, (y * 255) // h, ((x + y) * 7) % 256) for y in range(h) for x in range(w)])
    return im


@functools.cache
def photo_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    _gradient((96, 72)).save(buffer, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return buffer.getvalue()


@functools.cache
def wav_bytes() -> bytes:
    rate, seconds = 22050, 0.4
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


def odd_text(max_size: int = 8) -> st.SearchStrategy[str]:
    """Short text of any script and category; now and then (1 in 25) a very long one."""
    short = st.one_of(
        st.text(max_size=20),
        st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=max_size).map("".join),
    )
    return st.integers(0, 24).flatmap(lambda n: st.sampled_from(BIG_TEXT) if n == 0 else short)


SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from(ODD_NUMBERS), st.floats(), odd_text(),
    st.sampled_from(RAW_TOKENS).map(Raw),
)
SCHEMA_KEYS = ["title", "video", "timing", "music", "style", "sequence", "messages", "id", "photo", "name",
               "approved", "email", "grid", "file", "size", "fps", "output", "<<"]
ODD_VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(SCHEMA_KEYS), odd_text(3), st.integers()), inner, max_size=3),
    ),
    max_leaves=6,
)


@st.composite
def maybe(draw: st.DrawFn, good: st.SearchStrategy[Any], chaos: int) -> Any:
    """A plausible value, or (chaos % of the time) anything at all."""
    if draw(st.integers(0, 99)) < chaos:
        return draw(ODD_VALUES)
    return draw(good)


DURATIONS: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(["1s", "0.5s", "500ms", "2", "1m", "1m30s", "0s", "1h", "99999h", "1e308s"]),
    st.sampled_from([1, 0.5, 2.5, 0, 10**6]),
    st.floats(min_value=0, max_value=100, allow_nan=False),
)
TRANSITIONS: st.SearchStrategy[Any] = st.one_of(
    DURATIONS, st.sampled_from(["cut", "fade", "crossfade 0.3s", "slide 0.2s", "fade 99h"]),
    st.fixed_dictionaries({"style": st.sampled_from(["fade", "cut", "slide", "wipe"])},
                          optional={"duration": DURATIONS}),
)
PHOTO_PATHS = ["photos/a.jpg", "photos/b.png", "photos/c.webp", "photos/missing.jpg", "../outside.jpg",
               "/etc/passwd", "photos", "collage.yaml", "music/t.wav", "photos/A.JPG", "photos/./a.jpg",
               "photos//b.png", "", " ", "photos/a.jpg\x00x", "photos/" + "a" * 300 + ".jpg", "a/" * 2100 + "x.jpg",
               "photos/\udc80.jpg", "photos/bob@example.org.jpg", "photos/*.jpg", "~/a.jpg", "photos/a.jpg/"]
MUSIC_PATHS = ["music/t.wav", "music/missing.mp3", "../x.mp3", "photos/a.jpg", "music", "/dev/zero", "",
               "music/t.wav\x00", "music/" + "t" * 300 + ".wav"]
TEXT_FIELDS = ("name", "profession", "location", "message")


def private_address(n: int) -> str:
    return f"p{n}.contributor@private-mail.example"


@st.composite
def schema_manifests(draw: st.DrawFn) -> Case:
    chaos = draw(st.sampled_from([0, 3, 10, 30, 70]))

    def m(good: st.SearchStrategy[Any]) -> Any:
        return draw(maybe(good, chaos))

    data: dict[Any, Any] = {}
    if draw(st.booleans()):
        data["title"] = m(odd_text())
    if draw(st.booleans()):
        video: dict[str, Any] = {}
        for key, good in (
            ("size", st.sampled_from(["320x180", "720p", "vertical", "64x64", "7680x7680", "321x180", "0x0",
                                      "99999999999999999999x2", "320×180", " 320 x 180 "])),
            ("fps", st.sampled_from([1, 10, 30, 120, 0, 121, 10**12])),
            ("output", st.sampled_from(["out/x.mp4", "x.mov", "../x.mp4", "/tmp/x.mp4", "out/", "ü/视频.mp4",
                                        "out/x\x00.mp4", "out/" + "x" * 300 + ".mp4", "collage.yaml"])),
            ("fit", st.sampled_from(["blur", "contain", "cover", "stretch"])),
        ):
            if draw(st.booleans()):
                video[key] = m(good)
        data["video"] = m(st.just(video))
    if draw(st.booleans()):
        timing: dict[str, Any] = {}
        for key, good in (("title", DURATIONS), ("slide", st.one_of(DURATIONS, st.just("auto"))),
                          ("transition", TRANSITIONS), ("fit", st.sampled_from(["none", "music"])),
                          ("min", DURATIONS), ("max", DURATIONS), ("beats", st.booleans())):
            if draw(st.booleans()):
                timing[key] = m(good)
        data["timing"] = m(st.just(timing))
    if draw(st.booleans()):
        track = st.fixed_dictionaries(
            {"file": st.sampled_from(MUSIC_PATHS)},
            optional={"volume": st.one_of(st.sampled_from(["-3dB", "+6", "loud"]), st.sampled_from(ODD_NUMBERS)),
                      "start": DURATIONS, "end": DURATIONS})
        tracks = m(st.lists(st.one_of(track, st.sampled_from(MUSIC_PATHS)), max_size=2))
        if draw(st.booleans()):
            data["music"] = tracks
        else:
            data["music"] = m(st.fixed_dictionaries(
                {"tracks": st.just(tracks)},
                optional={"loudness": st.sampled_from(ODD_NUMBERS), "crossfade": DURATIONS,
                          "fade_in": DURATIONS, "fade_out": DURATIONS}))
    if draw(st.booleans()):
        data["style"] = m(st.fixed_dictionaries({}, optional={
            "theme": st.sampled_from(["calm", "light", "dark", "../x.yaml", "photos/a.jpg", "collage.yaml",
                                      "x\x00.yaml", "t" * 300 + ".yaml", "/etc/passwd", "music"]),
            "caption": st.one_of(st.sampled_from(["{name} · {location}", "{message}", "{nope}", "plain", "{name} {",
                                                  "{name} }", "{{name}}", "{name!r}", "{name:>999999999}"]),
                                 odd_text()),
            "caption_colour": st.sampled_from(["#ffffff", "#fff", "red", "#12345678", "#zzzzzz"]),
            "caption_size": st.sampled_from(ODD_NUMBERS),
            "background": st.sampled_from(["#000000", [1, 2, 3], [256, 0, 0], [1.5, 2, 3]]),
            "background_image": st.sampled_from(PHOTO_PATHS),
            "fill_darken": st.sampled_from(ODD_NUMBERS),
            "max_upscale": st.sampled_from(ODD_NUMBERS),
            "captions": st.sampled_from(["auto", "below", "over", "under"]),
            "title_weight": st.sampled_from(["bold", "regular", "heavy"]),
        }))
    private: list[str] = []
    messages: list[Any] = []
    ids: list[str] = []
    for i in range(draw(st.integers(0, 4))):
        message: dict[Any, Any] = {}
        ident = m(st.sampled_from(["a", "b", "c", f"m{i}", "0012", "a b", "界", ""]))
        if draw(st.integers(0, 9)) < 8:
            message["id"] = ident
            if isinstance(ident, str):
                ids.append(ident)
        if draw(st.integers(0, 9)) < 9:
            message["photo"] = m(st.sampled_from(PHOTO_PATHS))
        for key in TEXT_FIELDS:
            if draw(st.booleans()):
                message[key] = m(odd_text())
        if draw(st.booleans()):
            message["tags"] = m(st.lists(st.sampled_from(["teachers", "lawyers", "界", ""]), max_size=3))
        message["approved"] = m(st.one_of(st.just(True), st.sampled_from(["true", "false", "yes", "on", "1"]).map(Raw)))
        if draw(st.booleans()):
            address = private_address(len(private))
            private.append(address)
            message["email"] = m(st.just(address)) if draw(st.booleans()) else draw(
                st.sampled_from([address, [address], {"to": address}, Raw(address), f"<{address}>"]))
        extras: tuple[tuple[str, st.SearchStrategy[Any]], ...] = (
            ("fit", st.sampled_from(["blur", "contain", "cover", "fill"])),
            ("focus", st.sampled_from([[0.5, 0.3], [0, 1], [1.5, 0], [0.5], [], "centre"])),
            ("motion", st.sampled_from(["none", "kenburns", "zoom"])))
        for key, good in extras:
            if draw(st.integers(0, 9)) < 2:
                message[key] = m(good)
        if draw(st.integers(0, 19)) == 0:
            message[draw(odd_text(2))] = draw(ODD_VALUES)  # an unknown key
        messages.append(m(st.just(message)))
    if len(messages) > 0 or draw(st.booleans()):
        data["messages"] = m(st.just(messages))
    if draw(st.booleans()):
        id_or_any = st.one_of(st.sampled_from(ids or ["a"]), odd_text(2))
        item = st.one_of(
            st.fixed_dictionaries({"title": odd_text()}, optional={
                "subtitle": odd_text(), "body": odd_text(), "duration": DURATIONS, "transition": TRANSITIONS}),
            st.fixed_dictionaries({"grid": st.sampled_from(["2x2", "auto", "1x1", "6x6", "7x7", "0x3", "2x"])},
                                  optional={"messages": st.one_of(st.just("all"), st.lists(id_or_any, max_size=3),
                                                                  st.sampled_from(["teachers", "nobody"])),
                                            "duration": DURATIONS, "transition": TRANSITIONS,
                                            "motion": st.sampled_from(["none", "kenburns"])}),
            st.fixed_dictionaries({"photo": id_or_any}, optional={
                "duration": DURATIONS, "transition": TRANSITIONS, "motion": st.sampled_from(["none", "kenburns"])}),
            st.fixed_dictionaries({"title": st.just("x"), "grid": st.just("2x2")}),
        )
        data["sequence"] = m(st.lists(item.flatmap(lambda d: maybe(st.just(d), chaos)), max_size=4))
    if draw(st.integers(0, 9)) == 0:
        data[draw(st.one_of(odd_text(2), st.integers()))] = draw(ODD_VALUES)  # an unknown top-level key
    text = to_yaml(data, flow=draw(st.sampled_from([False, None, True])))
    return Case(text.encode("utf-8"), private=tuple(private), plan=draw(st.booleans()),
                label=f"schema manifest, chaos {chaos}%")


# -- the trust boundary: one breach in an otherwise valid manifest ----------------------------------------

LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-", min_size=1,
                max_size=12).filter(lambda s: s[0].isalnum() and s[-1].isalnum())
LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10).filter(
    lambda s: s[0].isalnum() and s[-1].isalnum())


@st.composite
def shown_emails(draw: st.DrawFn) -> tuple[str, str]:
    """(the text for a shown field, the address in it): plainly an email address, as people write them."""
    local = draw(st.one_of(LOCAL, st.sampled_from(["李明", "josé", "ayşe"])))
    domain = draw(st.one_of(st.lists(LABEL, min_size=1, max_size=3).map(".".join), st.just("例子.中国")))
    tld = draw(st.sampled_from(["org", "com", "net", "co.uk", "info", "中国"]))
    address = f"{local}@{domain}.{tld}"
    if draw(st.booleans()):
        address = address.upper()
    before = draw(st.sampled_from(["", "Write to ", "mailto:", "<", "(", "邮箱：", "📧 ", "ئېلخەت: "]))
    after = draw(st.sampled_from(["", ">", ")", ".", " — thank you", "！", " 谢谢"]))
    return before + address + after, address


APPROVED_BREACHES = ["yes", "Yes", "YES", "on", "On", "ON", "1", "1.0", "'true'", '"true"', "'yes'", "y", "[true]",
                     "{true: true}", "!!bool yes", "!!bool on"]
NOT_APPROVED = ["false", "no", "off", "0", "null", "~", "''"]
SHOWN_FIELDS = ("title", "name", "profession", "location", "message", "card title", "card subtitle", "card body",
                "caption template")


@st.composite
def trust_cases(draw: st.DrawFn) -> Case:
    breach = draw(st.sampled_from(["approved", "approved", "unapproved", "email", "email", "email", "none"]))
    with_sequence = draw(st.booleans())
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
        token = draw(st.sampled_from(APPROVED_BREACHES if breach == "approved" else NOT_APPROVED))
        message["approved"] = Raw(token)
        must_fail = f"`approved: {token}`" if breach == "approved" else f"no approved message (`approved: {token}`)"
        label = f"trust boundary: approved: {token}"
    elif breach == "email":
        where = draw(st.sampled_from(SHOWN_FIELDS))
        text, secret = draw(shown_emails())
        if where == "title":
            data["title"] = text
        elif where in TEXT_FIELDS:
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
    return Case(to_yaml(data).encode("utf-8"), private=GOOD_PRIVATE, must_fail=must_fail, secret=secret, label=label)


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


@st.composite
def yaml_structures(draw: st.DrawFn) -> Case:
    kind = draw(st.sampled_from(["laughs", "laughs", "laughs map", "merge", "self", "deep flow", "deep block",
                                 "deep seq", "long scalar", "many lines", "many messages", "anchor games", "tags",
                                 "tags"]))
    target = draw(st.sampled_from(TARGETS))
    if kind in ("laughs", "laughs map"):
        depth, width = draw(st.integers(1, 12)), draw(st.integers(2, 12))
        lines = ["x0: &a0 " + draw(st.sampled_from(['"lol"', "[lol, lol]", "{id: a, photo: photos/a.jpg}"]))]
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
        depth, width = draw(st.integers(0, 10)), draw(st.integers(1, 8))
        lines = ["base: &m0 {photo: photos/a.jpg, approved: true}"]
        for level in range(1, depth + 1):
            lines.append(f"m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * width)}], k{level}: v}}")
        text = "\n".join(lines) + f"\nmessages:\n  - <<: *m{depth}\n    id: a\n"
        label = f"merge keys, depth {depth}, width {width}"
    elif kind == "self":
        value = draw(st.sampled_from(["&s [*s]", "&s {k: *s}", "&s [x, [y, *s]]", "&s {<<: *s}", "&s {id: *s}",
                                      "&s [{photo: *s}]", "&s {? *s : 1}", "&s [*s, *s, *s]"]))
        text, label = _place(value, target), f"self-reference {value} at {target}"
    elif kind == "deep flow":
        n = draw(st.one_of(st.integers(1, 3000), st.sampled_from([990, 1000, 10_000, 100_000])))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("[{a: ", "}]")]))
        text, label = _place(opener * n + "x" + closer * n, target), f"flow nesting {opener.strip()} x {n} at {target}"
    elif kind == "deep block":
        n = draw(st.one_of(st.integers(1, 1500), st.sampled_from([999, 1000, 2000])))
        text = "".join(" " * i + "a:\n" for i in range(n)) + " " * n + "x\n"
        label = f"block mapping nesting x {n}"
    elif kind == "deep seq":
        n = draw(st.one_of(st.integers(1, 5000), st.sampled_from([1000, 20_000, 200_000])))
        text, label = f"{target}:\n  " + "- " * n + "x\n", f"compact sequence nesting x {n} at {target}"
    elif kind == "long scalar":
        n = draw(st.sampled_from([10**3, 10**5, 10**6, 10**7, 3 * 10**7]))
        char = draw(st.sampled_from(["A", "界", " ", "\\x41"]))
        quote = draw(st.sampled_from(["", '"']))
        text = f"{target}: {quote}{char * n}{quote}\n"
        label = f"a {n}-character scalar {quote}{char}...{quote} at {target}"
    elif kind == "many lines":
        n = draw(st.sampled_from([10**3, 10**5, 10**6]))
        line = draw(st.sampled_from(["# a comment\n", "\n", "---\n", "x: 1\n", "- 1\n"]))
        text, label = GOOD_MANIFEST + line * n, f"{n} lines of {line!r} after a valid manifest"
    elif kind == "many messages":
        n = draw(st.sampled_from([10, 300, 2000, 20_000]))
        valid = draw(st.booleans())
        entry = ("  - {{id: m{i}, photo: photos/a.jpg, approved: true}}\n" if valid
                 else "  - {{photo: photos/missing{i}.jpg, approved: true}}\n")
        text = "title: T\nvideo: {size: 320x180, fps: 10}\nmessages:\n" + "".join(entry.format(i=i) for i in range(n))
        label = f"{n} {'valid' if valid else 'missing-photo'} messages"
    elif kind == "tags":
        tag = draw(st.sampled_from(TAGS))
        value = draw(st.sampled_from(TAGGED_VALUES))
        where = draw(st.sampled_from(list(TAG_PLACES)))
        text = TAG_PLACES[where].replace("VALUE", f"{tag} {value}".strip())
        label = f"`{tag} {value[:40]}` at {where}"
    else:
        value = draw(st.sampled_from(["*nope", "[&a 1, &a 2, *a]", "{&k title: 1, *k : 2}", "!!str *a",
                                      "&a !!binary aGk=", "{? [a, b] : c}", "{? {a: 1} : c}", "[*a]", "&a",
                                      "&a &b x", "! x", "!<!> x"]))
        text, label = _place(value, target), f"anchor games {value} at {target}"
    return Case(text.encode("utf-8"), private=GOOD_PRIVATE, plan=draw(st.booleans()), label=label)


# -- random text and bytes --------------------------------------------------------------------------------

YAML_TOKENS = [":", ": ", " ", "  ", "\n", "\n  ", "\t", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!",
               "%YAML 1.1\n", "%YAML 2.0\n", "%TAG ! tag:x,2000:\n", "---\n", "...\n", "title", "messages",
               "photo", "approved", "email", "sequence", "grid", "'", '"', "\\", "#", "|", ">", "?", "<<", "=",
               "photos/a.jpg", "true", "yes", "x@y.org", "\x00", "\ufeff", "\u2028", "\x85", "\r", "é", "界"]
BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xef\xbb\xbf" * 2]


def mutate(data: bytes, ops: list[tuple[str, float, int]]) -> tuple[bytes, str]:
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


MUTATIONS = st.lists(st.tuples(st.sampled_from(["truncate", "flip", "flip", "insert", "delete", "zero"]),
                               st.floats(0, 1), st.integers(0, 10_000)), min_size=1, max_size=4)


@st.composite
def random_documents(draw: st.DrawFn) -> Case:
    kind = draw(st.sampled_from(["bytes", "tokens", "tokens", "mutated", "encoded", "tabs", "documents"]))
    if kind == "bytes":
        data, label = draw(st.binary(max_size=600)), "random bytes"
    elif kind == "tokens":
        text = "".join(draw(st.lists(st.one_of(st.sampled_from(YAML_TOKENS), st.text(max_size=3)), max_size=60)))
        data, label = text.encode("utf-8"), "YAML token soup"
    elif kind == "mutated":
        data, how = mutate(GOOD_MANIFEST.encode("utf-8"), draw(MUTATIONS))
        label = f"valid manifest, {how}"
    elif kind == "encoded":
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                         "latin-1", "gb18030", "shift_jis"]))
        data = draw(st.sampled_from([b"", *BOMS])) + GOOD_MANIFEST.replace("Teacher", "Lehrerin · 老师 · é").encode(
            encoding, errors="replace")
        label = f"valid manifest in {encoding}, with a prefix"
    elif kind == "tabs":
        data = re.sub(r"(?m)^( +)", lambda mt: draw(st.sampled_from(["\t", "\t  ", "  \t"])) * (len(mt.group(1)) // 2),
                      GOOD_MANIFEST).encode("utf-8")
        label = "valid manifest indented with tabs"
    else:
        sep = draw(st.sampled_from(["---\n", "...\n---\n", "...\n", "--- |\n", "%YAML 1.2\n---\n"]))
        data, label = (GOOD_MANIFEST + sep + GOOD_MANIFEST).encode("utf-8"), f"two documents joined by {sep!r}"
    return Case(data, private=GOOD_PRIVATE, plan=draw(st.booleans()), label=label)


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


@st.composite
def photo_cases(draw: st.DrawFn) -> Case:
    fmt = draw(st.sampled_from(["JPEG", "PNG", "WEBP"]))
    suffix = draw(st.sampled_from([{"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[fmt], ".jpg", ".png", ".heic"]))
    how = draw(st.sampled_from(["bytes", "bytes", "bytes", "declared size", "bomb", "empty"]))
    if how == "bytes":
        data, said = mutate(photo_bytes(fmt), draw(MUTATIONS))
    elif how == "declared size":
        w, h = draw(st.sampled_from(SIZES))
        data, said = declare_size(photo_bytes(fmt), fmt, w, h), f"header says {w}x{h}"
        if draw(st.booleans()):
            data, more = mutate(data, draw(MUTATIONS))
            said += ", " + more
    elif how == "bomb":
        w, h = draw(st.sampled_from([(20000, 20000), (10000, 10000), (9000, 9000), (60000, 2000)]))
        data, said, fmt = png_bomb(w, h), f"a real {w}x{h} 1-bit PNG ({len(png_bomb(w, h))} bytes)", "PNG"
    else:
        data, said = b"", "an empty file"
    rel = f"photos/x{suffix}"
    message: dict[str, Any] = {"id": "x", "photo": rel, "name": "Ann", "approved": True, "email": GOOD_PRIVATE[0]}
    if draw(st.booleans()):
        message["fit"] = draw(st.sampled_from(["cover", "contain", "blur"]))
    if draw(st.integers(0, 3)) == 0:
        message["motion"] = "kenburns"
    data_: dict[str, Any] = {"title": "T", "video": {"size": "320x180", "fps": 10},
                             "timing": {"title": "1s", "slide": "1s", "transition": "0.2s"}, "messages": [message]}
    if draw(st.booleans()):
        data_["sequence"] = [{"grid": draw(st.sampled_from(["auto", "2x2", "1x1"])), "messages": "all"},
                             {"photo": "x"}]
    why = undecodable(data)  # decides the answer `check` must give
    return Case(to_yaml(data_).encode("utf-8"), files={rel: data}, private=GOOD_PRIVATE,
                must_fail=None if why is None else f"a photo render cannot decode ({why.partition(':')[0]})",
                plan=draw(st.booleans()), label=f"{fmt} photo as {rel}",
                mutation=f"{rel}: {fmt} {len(photo_bytes(fmt))} bytes, {said}"
                         + ("" if why is None else f"; Pillow says {why[:200]}"))


def wav_header_change(data: bytes, part: str, value: int) -> bytes:
    offsets = {"riff size": (4, "<I"), "channels": (22, "<H"), "rate": (24, "<I"), "byte rate": (28, "<I"),
               "block align": (32, "<H"), "bits": (34, "<H"), "data size": (40, "<I"), "format": (20, "<H")}
    at, form = offsets[part]
    return data[:at] + struct.pack(form, value % (1 << (8 * struct.calcsize(form)))) + data[at + struct.calcsize(form):]


@st.composite
def music_cases(draw: st.DrawFn) -> Case:
    how = draw(st.sampled_from(["bytes", "bytes", "header", "empty"]))
    if how == "bytes":
        data, said = mutate(wav_bytes(), draw(MUTATIONS))
    elif how == "header":
        part = draw(st.sampled_from(["riff size", "channels", "rate", "byte rate", "block align", "bits",
                                     "data size", "format"]))
        value = draw(st.sampled_from([0, 1, 3, 255, 65535, 2**31, 2**32 - 1]))
        data, said = wav_header_change(wav_bytes(), part, value), f"{part} set to {value}"
    else:
        data, said = b"", "an empty file"
    suffix = draw(st.sampled_from([".wav", ".wav", ".mp3", ".flac", ".m4a"]))
    rel = f"music/y{suffix}"
    track: dict[str, Any] = {"file": rel}
    if draw(st.booleans()):
        track["start"] = draw(st.sampled_from(["0.1s", "10s", 0]))
    if draw(st.booleans()):
        track["end"] = draw(st.sampled_from(["0.3s", "1h"]))
    timing: dict[str, Any] = {"title": "1s", "slide": "1s", "transition": "0.2s"}
    if draw(st.booleans()):
        timing["fit"] = "music"
    if draw(st.booleans()):
        timing["beats"] = True
    data_ = {"title": "T", "video": {"size": "320x180", "fps": 10}, "timing": timing, "music": [track],
             "messages": [{"id": "a", "photo": "photos/a.jpg", "approved": True, "email": GOOD_PRIVATE[0]}]}
    return Case(to_yaml(data_).encode("utf-8"), files={rel: data}, private=GOOD_PRIVATE, plan=draw(st.booleans()),
                label=f"music track {rel}", mutation=f"{rel}: WAV {len(wav_bytes())} bytes, {said}")


# -- the tests --------------------------------------------------------------------------------------------


def _known(text: str, **kw: Any) -> Case:
    return Case(text.encode("utf-8"), private=GOOD_PRIVATE, label="explicit example", **kw)


@given(schema_manifests())
@fuzz_settings(short=7)
@example(_known('messages:\n  - photo: "photos/a.jpg\\0x"\n    approved: true\n'))
@example(_known(GOOD_MANIFEST.replace("photos/a.jpg", "photos/" + "a" * 300 + ".jpg")))
@example(_known('title: "T\\uD800"\n' + GOOD_MANIFEST.partition("\n")[2], plan=True))
def test_schema_manifests(case: Case) -> None:
    exercise("schema", case)


@given(trust_cases())
@fuzz_settings(short=6)
@example(_known(GOOD_MANIFEST.replace("approved: true", "approved: yes"), must_fail="`approved: yes`"))
@example(_known(GOOD_MANIFEST.replace("We stand with you.", "write to me: bob@example.org"),
                must_fail="an email address in message", secret="bob@example.org"))
def test_trust_boundary(case: Case) -> None:
    exercise("trust", case)


@given(yaml_structures())
@fuzz_settings(short=6)
@example(_known("a: &a [*a]\n"))
@example(_known("".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else 'lol'}]\n" for i in range(10))
                + "title: *a9\n"))
@example(_known("title: " + "[" * 5000 + "]" * 5000 + "\n"))
@example(_known("title: " + "A" * 100_000 + "\n" + GOOD_MANIFEST.partition("\n")[2]))
@example(_known("style: !!timestamp nope\n" + GOOD_MANIFEST))
def test_yaml_structure(case: Case) -> None:
    exercise("yaml", case)


@given(random_documents())
@fuzz_settings(short=6)
def test_random_documents(case: Case) -> None:
    exercise("random", case)


@given(photo_cases())
@fuzz_settings(short=4)
def test_mutated_photos(case: Case) -> None:
    exercise("photos", case)


@given(music_cases())
@fuzz_settings(short=3)
def test_mutated_music(case: Case) -> None:
    exercise("music", case)


@pytest.fixture(scope="module")
def media_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "folder"
    for rel, data in base_media().items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


@given(st.sampled_from(list(TAG_PLACES)), st.sampled_from(TAGS),
       st.one_of(st.sampled_from(TAGGED_VALUES), st.sampled_from(RAW_TOKENS)))
@settings(fuzz_settings(short=40), max_examples=LONG_EXAMPLES or 40)
def test_scalars_in_process(media_folder: Path, where: str, tag: str, value: str) -> None:
    """Every tag and scalar at typed and untyped places, loaded in this process (fast, so many more):
    the library raises nothing but InputError, and no InputError names the private address."""
    import collage
    from collage.errors import InputError

    text = TAG_PLACES[where].replace("VALUE", f"{tag} {value}".strip())
    (media_folder / "collage.yaml").write_text(text, encoding="utf-8")
    note(f"--- collage.yaml ---\n{text}---")
    try:
        collage.load(media_folder)
    except InputError as exc:
        if GOOD_PRIVATE[0] not in str(exc) and all(GOOD_PRIVATE[0] not in str(p) for p in exc.problems):
            return
        category, detail = "load: private email in an InputError", str(exc)[:500]
    except Exception as exc:
        category, detail = f"load: {type(exc).__name__}", f"{type(exc).__name__}: {str(exc)[:300]}"
    else:
        return
    if LOG is not None:
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps({"strategy": "in-process", "categories": [category], "label": f"{tag} {value[:60]}"
                                  f" at {where}", "mutation": "", "manifest": text[:4000],
                                  "manifest_bytes": len(text), "runs": [{"output": detail}]}, ensure_ascii=False)
                      + "\n")
        return
    raise _failure_type(category)(f"{category}\n{detail}")


def test_the_harness_sees_what_it_should() -> None:
    """The property is only as good as the harness: a valid folder passes, a traceback and a leak are seen."""
    case = Case(GOOD_MANIFEST.encode("utf-8"), private=GOOD_PRIVATE, plan=True)
    ok = Run("check", 0, "ok: 3 slides", 0.1)
    assert failures(case, [ok, Run("plan", 0, "{}", 0.1, "{}")]) == []
    crash = Run("check", 1, "Traceback (most recent call last):\n  File x\nRecursionError: maximum recursion", 1)
    assert [c for c, _ in failures(case, [crash])] == ["check: traceback RecursionError"]
    leak = Run("check", 1, f"error: {GOOD_PRIVATE[0].upper()} is wrong", 1)
    assert [c for c, _ in failures(case, [leak])] == ["check: private email in output"]
    assert [c for c, _ in failures(case, [Run("check", None, "", 20)])] == ["check: timeout"]
    strict = Case(b"", must_fail="`approved: yes`", secret="bob@example.org")
    assert [c for c, _ in failures(strict, [Run("check", 0, "ok, bob@example.org", 1)])] == [
        "check: accepted `approved: yes`", "check: repeats the email found in a shown field"]
    # The YAML writer leaves raw scalars as written, and the base folder really is valid.
    assert to_yaml({"approved": Raw("yes"), "t": Raw("!!binary aGk=")}) == "approved: yes\nt: !!binary aGk=\n"
    runs = run_case(Case(GOOD_MANIFEST.encode("utf-8"), private=GOOD_PRIVATE, plan=True))
    assert [r.code for r in runs] == [0, 0], [r.output for r in runs]
    assert failures(case, runs) == []
