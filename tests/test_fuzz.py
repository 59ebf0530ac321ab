"""Fuzzing the validation gate: whatever the folder holds, `collage` answers with 0 or 1, never a crash.

The generators (and the in-process harness, its properties and its runs) live in `tests/support/fuzzing.py`;
`benchmarks/fuzz_campaign.py` runs that harness over hundreds of thousands of examples. Here, two ways:

In a subprocess, the command as a user runs it: every example is a whole folder (a `collage.yaml` and
media) written to a temporary directory. `collage check FOLDER` (and, for some examples, `collage plan
FOLDER --json`) runs on it as a subprocess, capped at 2 GiB of address space and a time limit, so
tracebacks, exit codes, memory and time are all observable.

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

In this process, with the campaign's harness and every property of `tests/support/fuzzing.py` (only
InputError comes out of load, timeline, check, the sheet reader and import; no private address or
withheld name in any problem, the Project, the plan's JSON or import's report; approval only as the
literal `true` written on the message; what a generator knows must fail, fails):

- `test_manifests_in_process`, `test_sheets_in_process`: the campaign's first examples of a fixed seed
  (`COLLAGE_FUZZ_IN_PROCESS`, 300 of each by default), derandomized; about 20 s each on two busy cores.
- `test_manifest_regressions`, `test_sheet_regressions`: what the campaign found, as `@example`s, and a
  few Hypothesis examples of the same generators (shrinkable: `COLLAGE_FUZZ_EXAMPLES` for more).

Runs (the tests carry the `fuzz` marker: `-m fuzz` selects them, `-m "not fuzz"` skips them):

- default: a short derandomized run, part of the suite: 3 to 7 generated examples per subprocess strategy,
  the explicit `@example`s (holes found by earlier campaigns, kept as regressions), 40 scalars in process
  and the in-process harness's 300 + 300; no shrinking. About 90 s on two busy cores when nothing fails;
  each timeout adds its limit.
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

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st

from .support import fuzzing
from .support.fuzzing import (
    CANARY_EMAIL,
    GOOD_MANIFEST,
    GOOD_PRIVATE,
    RAW_TOKENS,
    TAG_PLACES,
    TAGGED_VALUES,
    TAGS,
    WITHHELD_NAME,
    Case,
    Raw,
    SheetCase,
    base_media,
    known,
    strategy,
    to_yaml,
)

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



# -- the tests --------------------------------------------------------------------------------------------


_known = known

@given(strategy(fuzzing.schema_manifest))
@fuzz_settings(short=7)
@example(_known('messages:\n  - photo: "photos/a.jpg\\0x"\n    approved: true\n'))
@example(_known(GOOD_MANIFEST.replace("photos/a.jpg", "photos/" + "a" * 300 + ".jpg")))
@example(_known('title: "T\\uD800"\n' + GOOD_MANIFEST.partition("\n")[2], plan=True))
def test_schema_manifests(case: Case) -> None:
    exercise("schema", case)


@given(strategy(fuzzing.trust_case))
@fuzz_settings(short=6)
@example(_known(GOOD_MANIFEST.replace("approved: true", "approved: yes"), must_fail="`approved: yes`"))
@example(_known(GOOD_MANIFEST.replace("We stand with you.", "write to me: bob@example.org"),
                must_fail="an email address in message", secret="bob@example.org"))
def test_trust_boundary(case: Case) -> None:
    exercise("trust", case)


@given(strategy(fuzzing.yaml_structure))
@fuzz_settings(short=6)
@example(_known("a: &a [*a]\n"))
@example(_known("".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else 'lol'}]\n" for i in range(10))
                + "title: *a9\n"))
@example(_known("title: " + "[" * 5000 + "]" * 5000 + "\n"))
@example(_known("title: " + "A" * 100_000 + "\n" + GOOD_MANIFEST.partition("\n")[2]))
@example(_known("style: !!timestamp nope\n" + GOOD_MANIFEST))
def test_yaml_structure(case: Case) -> None:
    exercise("yaml", case)


@given(strategy(fuzzing.random_document))
@fuzz_settings(short=6)
def test_random_documents(case: Case) -> None:
    exercise("random", case)


@given(strategy(fuzzing.photo_case))
@fuzz_settings(short=4)
def test_mutated_photos(case: Case) -> None:
    exercise("photos", case)


@given(strategy(fuzzing.music_case))
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


# -- in process: the campaign's harness (tests/support/fuzzing.py) ----------------------------------------

IN_PROCESS = int(os.environ.get("COLLAGE_FUZZ_IN_PROCESS", "300") or 300)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> fuzzing.Harness:
    """Its folders kept for the module; time and memory are the campaign's to record (no test times itself)."""
    return fuzzing.Harness(tmp_path_factory.mktemp("in-process"), media_every=25, slow=None)


def _report(found: list[tuple[int, fuzzing.Finding]], what: str) -> str:
    return "\n\n".join(f"{what}:{index} ({f.kind}: {f.label[:200]})\n  {f.line()}\n  input: {f.input[:800]}"
                       for index, f in found[:10])


def test_manifests_in_process(harness: fuzzing.Harness) -> None:
    found = [(i, f) for i, _, fs in fuzzing.run(harness, "manifests", "suite", 0, IN_PROCESS) for f in fs]
    assert not found, _report(found, "manifests")  # replay one: benchmarks/fuzz_campaign.py --seed suite --replay


def test_sheets_in_process(harness: fuzzing.Harness) -> None:
    found = [(i, f) for i, _, fs in fuzzing.run(harness, "sheets", "suite", 0, IN_PROCESS) for f in fs]
    assert not found, _report(found, "sheets")


def _anonymous(extra: str = "", other: dict[str, Any] | None = None, must_fail: str | None = None,
               **message: Any) -> Case:
    """A valid manifest whose first contributor is not to be named (her name the canary), with `extra`
    after it, `message` over hers and `other` over the second contributor's message."""
    quiet = {"id": "m0", "photo": "photos/a.jpg", "name": WITHHELD_NAME, "consent": "anonymous", "approved": True,
             "email": CANARY_EMAIL, **message}
    named = {"id": "m1", "photo": "photos/b.png", "name": "Bo Named", "profession": "Lawyer", "approved": True,
             **(other or {})}
    data = {"title": "T", "video": {"size": "320x180", "fps": 10}, "timing": {"title": "1s", "slide": "1s"},
            "messages": [quiet, named]}
    return Case(to_yaml(data).encode("utf-8") + extra.encode("utf-8"), private=(CANARY_EMAIL, "canary.person"),
                withheld=(WITHHELD_NAME,), must_fail=must_fail, label="explicit example")


def _xlsx(rows: list[list[Any]], change: dict[str, tuple[str, str]]) -> bytes:
    parts = fuzzing.xlsx_parts(rows)
    for part, (old, new) in change.items():
        parts[part] = parts[part].replace(old, new)
    return fuzzing.zip_parts(dict(parts))


_PHOTOS = {"photos/alice.jpg": fuzzing.photo_bytes("JPEG", (32, 24)),
           "photos/zelda-quorvath.jpg": fuzzing.photo_bytes("JPEG", (32, 24))}


@given(case=strategy(fuzzing.manifest_case))
@settings(fuzz_settings(short=10), max_examples=LONG_EXAMPLES or 10)
# What the campaign found (benchmarks/fuzz_campaign.py), each failing before its fix:
# a problem quoting an id, a file name or a key that holds the withheld name
@example(case=_anonymous("sequence: [{title: T}, {photo: zelda-quorvath}, {grid: auto}]\n"))
@example(case=_anonymous("", photo="photos/Quorvath Zelda.jpg"))
@example(case=_anonymous("", **{"Zelda Quorvath": "x"}))
# every word of her name, in another order, in another contributor's caption (only a warning, then shown)
@example(case=_anonymous(other={"profession": "For Quorvath, Zelda"}, must_fail="her name in another caption"))
# a caption template that joins two fields into an address
@example(case=known("title: T\nstyle: {caption: '{name}@{location}'}\nmessages:\n  - {id: a, photo: photos/a.jpg, "
                    "name: lin.wei, location: example.org, approved: true}\n", must_fail="a caption as an address"))
# crashes: a volume of 10**400 (OverflowError), a validator quoting half a UTF-16 pair (UnicodeEncodeError),
# `hide:` not a list beside a withheld name (TypeError)
@example(case=known(GOOD_MANIFEST + "music: [{file: music/t.wav, volume: 1" + "0" * 400 + "}]\n"))
@example(case=known(GOOD_MANIFEST.replace("slide: 1s", 'slide: "x\\uD800"')))
@example(case=_anonymous("", hide=5))
# quadratic regular expressions over a run of white space (a title of a million spaces never finished)
@example(case=known('title: "' + " " * 1_000_000 + '"\n' + GOOD_MANIFEST.partition("\n")[2]))
@example(case=known(GOOD_MANIFEST.replace("We stand with you.", '"a' + " " * 100_000 + '@ b . c"')))
def test_manifest_regressions(harness: fuzzing.Harness, case: Case) -> None:
    found = harness.manifest(case, media=False)
    assert not found, "\n".join(f.line() for f in found)


@given(case=strategy(fuzzing.sheet_case))
@settings(fuzz_settings(short=10), max_examples=LONG_EXAMPLES or 10)
# a workbook part declaring an encoding expat does not know (LookupError) or cannot read (ValueError)
@example(case=SheetCase(_xlsx([["Name", "Photo"], ["A", "alice.jpg"]], {
    "xl/worksheets/sheet1.xml": ('encoding="UTF-8"', 'encoding="x-nope"')}), "r.xlsx", _PHOTOS))
@example(case=SheetCase(_xlsx([["Name", "Photo"], ["A", "alice.jpg"]], {
    "xl/sharedStrings.xml": ('encoding="UTF-8"', 'encoding="UTF-16"')}), "r.xlsx", _PHOTOS))
# a photo named after a row not to be named (her own file name mistyped) listed among those no row names
@example(case=SheetCase(b"Name,Photo,Consent,Email\r\nZelda Quorvath,zelda_quorvat.jpg,anonymous,"
                        + CANARY_EMAIL.encode() + b"\r\nAlice,alice.jpg,named,\r\n", "r.csv", _PHOTOS,
                        private=(CANARY_EMAIL, "canary.person"), withheld=(WITHHELD_NAME,)))
def test_sheet_regressions(harness: fuzzing.Harness, case: SheetCase) -> None:
    found = harness.sheet(case)
    assert not found, "\n".join(f.line() for f in found)

