"""Names, addresses and approval that cannot be smuggled past the manifest: an email however it is
disguised, a withheld name however it is written, a control character, an approval that was not written
on the message itself. Each is refused at its line, in every text the manifest can show or write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

from collage.errors import InputError
from collage.manifest import load
from collage.privacy import HIDDEN_LINE, looks_like_email, redact

from .support.media import collage_cli

pytestmark = pytest.mark.pure

DISGUISED = [
    "alice.chen@\nexample.org",  # a line break after the @ (a YAML block)
    "alice.chen@exam\nple.org",  # and inside the domain
    "alice\u034f@example.org",  # combining grapheme joiner
    "alice@exam\ufe0fple.org",  # a variation selector
    "\u202egro.elpmaxe@ecila\u202c",  # a right-to-left override shows it the right way round
    "alice @ example . org",
    "alice [at] example [dot] org",
    "alice(at)example(dot)org",
    "alice at example dot org",
    "alice AT example DOT org",
    "alice at example.org",
    "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｏｒｇ",
    "alice@example\u3002org",
    "a\u200bl\u200bi\u200bc\u200be@example.org",
    "write to alice.chen @ gmail . com",
    "alice\ufe6bexample.org",
]
SENTENCES = [
    "We stand with you at every step. Dot your i's", "Meet at Taipei. Thanks", "Follow @709lawyers. Be brave",
    "Look at Taipei. We are with you", "We are at school. No more fear.", "Written by students at Oslo. No",
    "A.B. Chen at U.N. HQ", "Stay strong! We are at the gate.", "正義不是罪 — Justice is not a crime", "@709lawyers",
]


@pytest.mark.parametrize("text", DISGUISED)
def test_a_disguised_address_is_read_as_an_address(text: str) -> None:
    assert looks_like_email(text)
    assert not looks_like_email(redact(text)) and "alice" not in redact(text).casefold()


@pytest.mark.parametrize("text", SENTENCES)
def test_sentences_are_not_addresses(text: str) -> None:
    assert not looks_like_email(text)
    assert redact(text) == text


def test_a_line_with_an_address_spread_over_words_is_hidden_whole() -> None:
    assert redact("error: alice @ example . org is wrong") == HIDDEN_LINE


def _folder(tmp_path: Path, manifest: dict[str, Any]) -> Path:
    folder = tmp_path / "f"
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    for name in ("a", "b", "alice_example"):
        Image.new("RGB", (80, 60), (90, 90, 90)).save(folder / "photos" / f"{name}.jpg")
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    return folder


def _manifest(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Messages",
        "sequence": [{"title": "Messages", "subtitle": "致中国人权律师的话", "body": "July 9"},
                     {"grid": "auto", "messages": "all"}],
        "messages": [
            {"id": "a", "photo": "photos/a.jpg", "name": "Alice Example", "location": "Taipei",
             "consent": "anonymous", "approved": True},
            {"id": "b", "photo": "photos/b.jpg", "name": "Bo Named", "profession": "Lawyer", "approved": True},
        ],
    }
    for dotted, value in changes.items():
        where: Any = base
        *parts, last = dotted.split(".")
        for part in parts:
            where = where[int(part)] if part.isdigit() else where[part]
        where[int(last) if last.isdigit() else last] = value
    return base


def _errors(tmp_path: Path, manifest: dict[str, Any]) -> list[str]:
    try:
        load(_folder(tmp_path, manifest))
    except InputError as exc:
        return [str(p) for p in exc.problems if p.severity == "error"]
    return []


SHOWN = ["title", "sequence.0.title", "sequence.0.subtitle", "sequence.0.body", "messages.1.name",
         "messages.1.profession", "messages.0.location", "messages.1.message", "messages.1.translation",
         "style.caption"]


@pytest.mark.parametrize("field", SHOWN)
@pytest.mark.parametrize("text", DISGUISED[:6] + DISGUISED[8:11])
def test_every_shown_text_refuses_a_disguised_address(tmp_path: Path, field: str, text: str) -> None:
    manifest = _manifest()
    if field == "style.caption":
        manifest["style"] = {"caption": "{name} · " + text}
    else:
        manifest = _manifest(**{field: text})
    errors = _errors(tmp_path, manifest)
    assert any("looks like an email address" in e for e in errors), errors
    assert all("alice" not in e.casefold() for e in errors)  # never repeated


@pytest.mark.parametrize("text", SENTENCES)
def test_sentences_pass(tmp_path: Path, text: str) -> None:
    assert _errors(tmp_path, _manifest(**{"messages.1.message": text})) == []


WITHHELD = {
    "title card": ("sequence.0.body", "With thanks to Alice Example"),
    "fullwidth": ("sequence.0.title", "Ｔｈａｎｋｓ Ａｌｉｃｅ Ｅｘａｍｐｌｅ"),
    "run together": ("messages.1.message", "For AliceExample and all"),
    "accents": ("title", "Alícé Exámple's friends"),
    "hyphenated id": ("messages.0.id", "alice-example"),
    "zero-width": ("sequence.0.subtitle", "Alice\u200bExample"),
    "a word of it": ("sequence.0.body", "Thank you, Alice!"),
    "own location": ("messages.0.location", "Example Street, Taipei"),
    "template": ("style", {"caption": "{name} · Alice"}),
    "file name": ("messages.0.photo", "photos/alice_example.jpg"),
    "tag": ("messages.1.tags", ["alice-example"]),
}


@pytest.mark.parametrize("case", WITHHELD)
def test_a_withheld_name_is_refused_wherever_it_is_written(tmp_path: Path, case: str) -> None:
    field, value = WITHHELD[case]
    errors = _errors(tmp_path, _manifest(**{field: value}))
    assert any("asked not to be named" in e for e in errors), errors
    assert all("alice" not in e.casefold().replace("alice_example.jpg", "") for e in errors)


def test_the_same_name_in_another_contributors_own_caption_is_only_a_warning(tmp_path: Path) -> None:
    project = load(_folder(tmp_path, _manifest(**{"messages.1.name": "Alice Example-Wong"})))  # no error
    assert any("asked not to be named" in p.message for p in project.warnings)


@pytest.mark.parametrize("how", ["privacy default", "hide name", "masked", "not approved"])
def test_every_way_of_withholding_a_name_is_honoured(tmp_path: Path, how: str) -> None:
    manifest = _manifest(**{"sequence.0.body": "Thanks, Alice Example"})
    first = manifest["messages"][0]
    del first["consent"]
    if how == "privacy default":
        manifest["privacy"] = {"default": "anonymous"}
    elif how == "hide name":
        first["hide"] = ["name"]
    elif how == "masked":
        first["consent"] = "masked"
    else:
        first.update(consent="anonymous", approved=False)
    assert any("asked not to be named" in e for e in _errors(tmp_path, manifest))


def test_a_chinese_name_is_found_inside_a_sentence(tmp_path: Path) -> None:
    manifest = _manifest(**{"messages.0.name": "王芳", "sequence.0.body": "感谢王芳的支持"})
    assert any("asked not to be named" in e for e in _errors(tmp_path, manifest))


def test_a_named_contributors_name_is_free_to_appear(tmp_path: Path) -> None:
    assert _errors(tmp_path, _manifest(**{"sequence.0.body": "Thank you, Bo Named"})) == []


@pytest.mark.parametrize("text", ['"Messages\\0"', '"Alice\\e[31m"', '"x\\x85y"', '"a\\x7fb"', '"\\x08"'])
def test_control_characters_are_refused_at_their_line(tmp_path: Path, text: str) -> None:
    folder = _folder(tmp_path, _manifest())
    lines = (folder / "collage.yaml").read_text(encoding="utf-8").splitlines()
    lines = [f"title: {text}" if ln.startswith("title:") else ln for ln in lines]
    (folder / "collage.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(folder)
    assert any("control character" in str(p) and p.line == 1 for p in info.value.errors), info.value.problems


@pytest.mark.e2e
def test_a_nul_in_the_title_is_exit_1_for_every_command(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _manifest())
    text = (folder / "collage.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Messages\n", 'title: "Mess\\0ages"\n', 1)
    (folder / "collage.yaml").write_text(text, encoding="utf-8")
    for command in (["check"], ["render", "--preview", "-q"], ["plan", "--json"], ["still", "--slide", "0"],
                    ["storyboard"]):
        run = collage_cli(command[0], folder, *command[1:])
        assert run.returncode == 1, (command, run.stderr)
        assert "control character (U+0000)" in run.stderr and "Traceback" not in run.stderr


APPROVALS = {
    "a tagged string": ("    approved: !!str true\n", "only the literal `true` approves"),
    "a local tag": ("    approved: !yes true\n", "only the literal `true` approves"),
    "an alias": ("    approved: *ok\n", "approval is written on each message itself"),
}


@pytest.mark.parametrize("case", APPROVALS)
def test_approval_is_the_literal_true_written_on_the_message(tmp_path: Path, case: str) -> None:
    line, expected = APPROVALS[case]
    folder = _folder(tmp_path, {})
    (folder / "collage.yaml").write_text(
        "title: &ok true\nmessages:\n  - id: b\n    photo: photos/b.jpg\n    name: B\n    approved: true\n"
        f"  - id: a\n    photo: photos/a.jpg\n    name: A\n{line}", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(folder)
    assert any(expected in p.message and p.line == 10 for p in info.value.errors), info.value.problems


def test_approval_merged_in_through_a_merge_key_does_not_approve(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {})
    (folder / "collage.yaml").write_text(
        "messages:\n  - &first {id: b, photo: photos/b.jpg, name: B, approved: true}\n"
        "  - <<: *first\n    id: a\n    photo: photos/a.jpg\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(folder)
    assert any("merged in through `<<`" in p.message for p in info.value.errors)
    # Written on the message itself, after the merge: approved.
    (folder / "collage.yaml").write_text(
        "messages:\n  - &first {id: b, photo: photos/b.jpg, name: B, approved: true}\n"
        "  - <<: *first\n    id: a\n    photo: photos/a.jpg\n    approved: true\n", encoding="utf-8")
    assert [m.id for m in load(folder).messages] == ["b", "a"]


@pytest.mark.e2e
def test_no_leak_reaches_plan_output(tmp_path: Path) -> None:
    """The anonymous contributor's name stays out of `plan --json` and `check`'s printout."""
    folder = _folder(tmp_path, _manifest())
    for command in (["plan", "--json"], ["check"]):
        run = collage_cli(command[0], folder, *command[1:])
        assert run.returncode == 0, run.stderr
        assert "Alice" not in run.stdout + run.stderr and "Example" not in run.stdout + run.stderr
    json.loads(collage_cli("plan", folder, "--json").stdout)


LONG_TEXTS = {  # each takes the searches' worst path: found by the fuzzing campaign (1.4 s per 100,000 letters)
    "one long word": "A" * 400_000,
    "a long word then a word 'at'": "A" * 400_000 + " at home",
    "words with 'at'": "at Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa " * 5000,
    "dotted": "a." * 200_000,
    "Chinese": "界" * 400_000,
    "accents and invisible marks": "e\u0301\u200b" * 130_000,
    # A run of white space was tried from each of its characters (a title of a million spaces never
    # finished: found by the fuzzing campaign).
    "spaces": " " * 400_000,
    "spaces around line breaks": (" " * 4000 + "\n") * 100,
    "a word, spaces, a word": "a" + " " * 400_000 + "b",
}


class _Counted:
    """A compiled pattern whose searches are counted, by method."""

    def __init__(self, pattern: Any, calls: dict[str, int]) -> None:
        self.pattern, self.calls = pattern, calls

    def __getattr__(self, name: str) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return getattr(self.pattern, name)(*args, **kwargs)

        return counted


@pytest.mark.parametrize("name", LONG_TEXTS)
def test_a_long_text_is_read_once_a_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the fuzzing campaign: the disguised-address search was tried from every letter of a word
    and gave the word back 64 times (1.4 s a 100,000 letters; a 2 MB manifest took 35 s to refuse). Now
    a run of the local part's characters is tried once, from its start (a bound on the work, not a time)."""
    from collage import privacy

    text = LONG_TEXTS[name]
    calls: dict[str, int] = {}
    monkeypatch.setattr(privacy, "_DISGUISED", _Counted(privacy._DISGUISED, calls))
    monkeypatch.setattr(privacy, "_DISGUISED_RUN", _Counted(privacy._DISGUISED_RUN, calls))
    assert not looks_like_email(text)
    assert looks_like_email(text + " alice@example.org") and looks_like_email(text + " alice [at] example [dot] org")
    assert "finditer" not in calls and sum(calls.values()) <= 12, calls


@pytest.mark.parametrize("text", ["alice" + " " * 200_000 + "@ example . org",
                                  "alice @" + "\t" * 200_000 + "example.org",
                                  "alice at" + " " * 200_000 + "example dot org"])
def test_an_address_spread_over_a_long_run_of_spaces_is_found(text: str) -> None:
    """(Its last label was looked for from each character of the match: a run of spaces in the match made
    that quadratic.)"""
    assert looks_like_email(text)


def test_lines_are_run_together_as_before() -> None:
    """The reading with lines run together drops each run of white space that holds a line break, as the
    regular expression did (without its quadratic backtracking over a run that holds none)."""
    import random
    import re

    from collage import privacy

    rng = random.Random(9)
    for _ in range(20_000):
        text = "".join(rng.choice(["a", "@", " ", "\t", "\n", "\r", "\x85", "\u2028", "\xa0", ".", "b"])
                       for _ in range(rng.randint(0, 20)))
        assert privacy._run_together(text) == re.sub(r"\s*[\r\n]+\s*", "", text), repr(text)


def test_a_text_an_alias_repeats_is_judged_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 400,000-character text that 40 aliases repeat is read once, not once an alias."""
    from collage.manifest import leaks

    seen: list[int] = []
    original = leaks.looks_like_email
    monkeypatch.setattr(leaks, "looks_like_email", lambda text: seen.append(len(text)) or original(text))
    folder = _folder(tmp_path, {})
    (folder / "collage.yaml").write_text(
        f"x: &long \"at {'A' * 400_000}\"\ny: [{', '.join(['*long'] * 40)}]\n", encoding="utf-8")
    with pytest.raises(InputError):
        load(folder)
    assert seen.count(400_003) == 1


def test_the_disguised_search_finds_what_it_always_found() -> None:
    """The search tried once a run finds the matches `finditer` found from every letter (each judged by its end)."""
    import random

    from collage import privacy

    pieces = ["a", "b", "A", ".", "+", "-", " ", "  ", "@", "[at]", " at ", " dot ", "(dot)", "org", "uk", "x" * 70,
              "\n", "_", "é", "<", ">"]
    rng = random.Random(5)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        before = [m.group(0) for m in privacy._DISGUISED.finditer(text)]
        after = list(privacy._disguised(text))
        assert len(before) == len(after) and all(a.endswith(b) for a, b in zip(after, before, strict=True)), text


QUOTING = {  # problems that quote what the manifest wrote: found by the fuzzing campaign quoting her name
    "a photo item's id": {"sequence": [{"title": "Messages"}, {"photo": "alice-example"}, {"grid": "auto"}]},
    "a grid's ids": {"sequence": [{"title": "Messages"}, {"grid": "2x2", "messages": ["b", "Alice Example"]}]},
    "a missing photo": {"messages.1.photo": "photos/alice example.jpg"},
    "a photo misspelt": {"messages.1.photo": "photos/alice_exampel.jpg"},
    "a photo outside": {"messages.1.photo": "../Alice-Example.jpg"},
    "an unknown key": {"messages.1.Alice Example": "x"},
    "a duplicate id": {"messages.1.id": "alice-example", "messages.0.id": "alice-example"},
    "an id not placed": {"messages.1.id": "AliceExample", "sequence": [{"title": "Messages"}, {"photo": "a"}]},
    "a tag": {"sequence": [{"title": "Messages"}, {"grid": "auto", "messages": "Alice-Example"}]},
}


@pytest.mark.parametrize("case", QUOTING)
def test_no_problem_repeats_a_withheld_name(tmp_path: Path, case: str) -> None:
    manifest = _manifest()
    for dotted, value in QUOTING[case].items():
        if dotted == "sequence":
            manifest["sequence"] = value
        else:
            _, index, key = dotted.split(".")
            manifest["messages"][int(index)][key] = value
    with pytest.raises(InputError) as info:
        load(_folder(tmp_path, manifest))
    shown = [f"{p} {p.field}" for p in info.value.problems]
    assert not any(word in p.casefold() for p in shown for word in ("alice", "example")), shown


JOINED = [  # a caption template that joins a message's fields into an address: found by the fuzzing campaign
    ("{name}@{location}", {"name": "lin.wei", "location": "example.org"}),
    ("{name}＠{location}", {"name": "lin.wei", "location": "example.org"}),
    ("{name} [at] {location}", {"name": "lin.wei", "location": "example.org"}),
    ("{name}{profession}", {"name": "lin.wei@", "profession": "example.org"}),
    ("{profession}.{location}", {"profession": "write to lin@example", "location": "org"}),
]


@pytest.mark.parametrize(("template", "fields"), JOINED)
def test_a_caption_that_reads_as_an_address_is_refused(tmp_path: Path, template: str, fields: dict[str, str]) -> None:
    manifest = _manifest(style={"caption": template})
    manifest["messages"][1].update(fields)
    errors = _errors(tmp_path, manifest)
    assert any("style.caption" in e and "message 'b'" in e and "email address" in e for e in errors), errors
    assert all("lin" not in e.casefold() for e in errors)


@pytest.mark.parametrize("text", ["Thanks, Example Alice", "From EXAMPLE, Alice!", "alice (example)"])
def test_a_withheld_name_written_surname_first_is_refused(tmp_path: Path, text: str) -> None:
    """Found by the fuzzing campaign: every word of her name, in another order, in another contributor's
    caption was only a warning (as one word of it is), and the video showed her name."""
    errors = _errors(tmp_path, _manifest(**{"messages.1.message": text}))
    assert any("asked not to be named" in e for e in errors), errors


@pytest.mark.parametrize("written", ["AliceExample", "aliceExample", "ALICE_EXAMPLE", "Example, Alice"])
def test_a_name_written_run_together_is_refused_apart_and_surname_first(tmp_path: Path, written: str) -> None:
    """Found by the fuzzing campaign: a name written run together (`ZeldaQuorvath`) had one word only, so
    `Quorvath, Zelda` on a title card was accepted and shown; and a name written apart was not found run
    together in another order (`ZeldaQuorvath and friends` for `Quorvath, Zelda`)."""
    for text in ("With thanks to Example, Alice", "Alice Example", "ExampleAlice and friends"):
        errors = _errors(tmp_path / text, _manifest(**{"messages.0.name": written, "sequence.0.body": text}))
        assert any("asked not to be named" in e for e in errors), (written, text, errors)


@pytest.mark.parametrize("hide", [5, "name", {"name": 1}, True])
def test_a_hide_that_is_not_a_list_is_a_problem_beside_a_withheld_name(tmp_path: Path, hide: Any) -> None:
    """Found by the fuzzing campaign: an anonymous message with `hide: 5` raised TypeError."""
    manifest = _manifest()
    manifest["messages"][0]["hide"] = hide
    with pytest.raises(InputError):
        load(_folder(tmp_path, manifest))
