"""Manifest validation: every kind of error names the line, the field path and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from collage.errors import InputError
from collage.manifest import load, parse_size
from collage.manifest.durations import parse_duration
from collage.model.project import Transition

from .support.media import RED, solid, write_folder

pytestmark = pytest.mark.pure

PHOTO = {"a": RED}  # photos/a.jpg, the photo most manifests here name


@pytest.mark.parametrize(("text", "seconds"), [
    (5, 5.0), (1.5, 1.5), ("5s", 5.0), ("1.5s", 1.5), ("1m30s", 90.0), ("500ms", 0.5), ("2", 2.0),
    ("1h", 3600.0), (" 2 s ", 2.0),
])
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["5x", "s", "", "-1s", True, "1m-30s", [1]])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.mark.parametrize(("text", "size"), [
    ("1920x1080", (1920, 1080)), ("vertical", (1080, 1920)), ("square", (1080, 1080)), ("4K", (3840, 2160)),
    ("720p", (1280, 720)),
])
def test_sizes(text: str, size: tuple[int, int]) -> None:
    assert parse_size(text) == size


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages name the manifest relative to the working directory


def _errors(folder: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load(folder)
    return [str(p) for p in info.value.errors]


def test_minimal_manifest_defaults(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "messages:\n  - photo: photos/a.jpg\n    approved: true\n", PHOTO)
    project = load(folder)
    assert project.size == (1920, 1080) and project.fps == 30
    assert project.timing.title == 5 and project.timing.slide == 6
    assert project.timing.transition == Transition("crossfade", 1.0)
    assert [m.id for m in project.messages] == ["a"]  # id defaults to the photo's stem
    assert [i.kind for i in project.sequence] == ["title", "grid", "title"]  # the default sequence
    assert project.output == (folder / "out" / f"{folder.name}.mp4").absolute()


def test_missing_photo_names_line_and_field(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "messages:\n  - photo: photos/a.jpg\n    approved: true\n"
                                    "  - photo: photos/bob.jpg\n    approved: true\n", PHOTO)
    errors = _errors(folder)
    assert errors == [
        "collage.yaml:4: messages[1].photo: no such file 'photos/bob.jpg' (check the name and the folder)"
    ]
    # A newcomer's report: the sequence naming that message added "no message with id 'bob'" beside it.
    (folder / "collage.yaml").write_text("sequence:\n  - photo: bob\n  - grid: 2x2\n    messages: [a, bob]\n"
                                         + (folder / "collage.yaml").read_text())
    assert _errors(folder) == [
        "collage.yaml:8: messages[1].photo: no such file 'photos/bob.jpg' (check the name and the folder)"
    ]


def test_unknown_keys_get_did_you_mean(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "titel: x\nvideo:\n  fsp: 25\nmessages:\n  - phto: photos/a.jpg\n", PHOTO)
    errors = _errors(folder)
    assert "collage.yaml:1: titel: unknown key 'titel' (did you mean 'title'?)" in errors
    assert "collage.yaml:3: video.fsp: unknown key 'fsp' (did you mean 'fps'?)" in errors
    assert "collage.yaml:5: messages[0].phto: unknown key 'phto' (did you mean 'photo'?)" in errors
    assert any(e.startswith("collage.yaml:5: messages[0].photo: required but missing") for e in errors)


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, (
        "video:\n  size: 1921x1080\n  fps: 0\n"
        "timing:\n  slide: 5x\n"
        "messages:\n"
        "  - id: a\n    photo: photos/a.jpg\n    approved: yes please\n"
        "  - id: a\n    photo: photos/a.jpg\n"
        "  - photo: ../escape.jpg\n"
        "  - id: d\n    photo: photos/a.jpg\n    email: [x, y]\n"
    ), PHOTO)
    errors = _errors(folder)
    text = "\n".join(errors)
    assert "collage.yaml:2: video.size: 1921x1080 has an odd side" in text
    assert "collage.yaml:3: video.fps: 0 fps is out of range" in text
    assert "collage.yaml:5: timing.slide: '5x' is not a duration" in text
    assert "collage.yaml:9: messages[0].approved: approved is 'yes please'; only the literal `true` approves" in text
    assert "collage.yaml:10: messages[1].id: duplicate id 'a' (first at line 7)" in text
    assert "collage.yaml:12: messages[2].photo: '../escape.jpg' leads outside the folder" in text
    assert "collage.yaml:15: messages[3].email: input should be a valid string" in text


def test_symlink_leading_out_is_refused(tmp_path: Path) -> None:
    outside = solid(tmp_path / "elsewhere" / "x.jpg", RED)
    folder = tmp_path / "f"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "x.jpg").symlink_to(outside)
    (folder / "collage.yaml").write_text("messages:\n  - photo: photos/x.jpg\n    approved: true\n")
    assert _errors(folder) == [
        "f/collage.yaml:2: messages[0].photo: 'photos/x.jpg' leads outside the folder "
        "(keep media inside the folder (no `..`, no links pointing out))"
    ]


def test_sequence_references(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, (
        "sequence:\n"
        "  - photo: alcie\n"
        "  - grid: 7x1\n"
        "  - grid: 2x2\n    messages: [a, nobody]\n"
        "  - title: x\n    photo: a\n"
        "  - titel: oops\n"
        "messages:\n  - id: alice\n    photo: photos/a.jpg\n    approved: true\n"
    ), PHOTO)
    errors = _errors(folder)
    assert "collage.yaml:2: sequence[0].photo: no message with id 'alcie' (did you mean 'alice'?)" in errors
    assert any(e.startswith("collage.yaml:3: sequence[1].grid: '7x1' is not a grid") for e in errors)
    assert any(e.startswith("collage.yaml:5: sequence[2].messages[0]: no message with id 'a'") for e in errors)
    assert any("sequence[3]: an item is one of title, grid or photo, not title and photo" in e for e in errors)
    assert ("collage.yaml:8: sequence[4].titel: unknown item 'titel'; an item is a title, grid or photo "
            "(did you mean 'title'?)") in errors


def test_a_sequence_item_in_error_leaves_no_warnings_about_its_messages(tmp_path: Path) -> None:
    """A newcomer's report: `grid: 2by2` was followed by a warning for each message it would have shown."""
    folder = write_folder(tmp_path, "sequence:\n  - grid: 2by2\n    messages: all\nmessages:\n"
                          "  - photo: photos/a.jpg\n    approved: true\n", PHOTO)
    with pytest.raises(InputError) as info:
        load(folder)
    assert [str(p) for p in info.value.problems] == [
        "collage.yaml:2: sequence[0].grid: '2by2' is not a grid; write COLSxROWS (1 to 6 each, e.g. 2x2) or auto"]
    (folder / "collage.yaml").write_text("sequence:\n  - title: T\nmessages:\n  - photo: photos/a.jpg\n"
                                         "    approved: true\n")
    assert any("'a' is not in the sequence" in p.message for p in load(folder).warnings)


def test_yaml_syntax_error_reports_position_without_quoting_the_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "messages:\n  - photo: photos/a.jpg\n    email: secret@example.org: [\n",
                          PHOTO)
    errors = _errors(folder)
    assert len(errors) == 1 and errors[0].startswith("collage.yaml:3: YAML syntax error")
    assert "secret" not in errors[0]


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    """A newcomer's report: the error named the file's last line, far from the missing quote."""
    folder = write_folder(tmp_path, 'title: T\nmessages:\n  - photo: photos/a.jpg\n    name: "Alice Chen\n'
                          "    approved: true\n  - photo: photos/b.jpg\n    name: B\n", PHOTO)
    errors = _errors(folder)
    assert len(errors) == 1 and errors[0].startswith("collage.yaml:4: YAML syntax error: a quoted text opens here")
    folder = write_folder(tmp_path / "flow", "title: T\nsequence: [ {title: x}\nmessages: []\n", PHOTO)
    assert _errors(folder)[0].startswith("flow/collage.yaml:3: ")
    assert "(in the [...] or {...} opened at line 2)" in _errors(folder)[0]


@pytest.mark.parametrize("shape", ["lines", "a flow list", "messages"])
def test_a_large_manifest_is_parsed_by_libyaml(tmp_path: Path, shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the fuzzing campaign: 1,000,000 lines of `x: 1` took minutes to refuse, a manifest of
    5,000 messages 20 s to read (PyYAML's pure-Python parser, twice). libyaml parses them; the pure
    parser reads again only a small document libyaml refuses (a bound on the work, not a time)."""
    import yaml

    from collage.manifest import yamlpos

    if yamlpos._FAST is None:
        pytest.skip("PyYAML without libyaml")
    pure: list[int] = []

    class Counted(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            pure.append(len(stream))
            super().__init__(stream)

    monkeypatch.setattr(yamlpos.yaml, "SafeLoader", Counted)
    text = {"lines": "title: T\n" + "x: 1\n" * 1_000_000,
            "a flow list": "title: [" + "1, " * 600_000 + "1]\n",
            "messages": "messages:\n" + "".join(f"  - {{id: m{i}, photo: photos/a.jpg, approved: true}}\n"
                                                for i in range(5000))}[shape]
    (tmp_path / "collage.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError):
        load(tmp_path)
    assert pure == []
    (tmp_path / "collage.yaml").write_text("title: [1,\nmessages: []\n", encoding="utf-8")  # small, refused
    with pytest.raises(InputError) as info:
        load(tmp_path)
    assert pure and "YAML syntax error" in str(info.value)


def test_text_fields_stay_text(tmp_path: Path) -> None:
    # YAML 1.1 would read NO as false and 0012 as 12; names and places are text.
    folder = write_folder(tmp_path, "messages:\n  - id: 0012\n    photo: photos/a.jpg\n    location: NO\n"
                                    "    name: yes\n    approved: true\n", PHOTO)
    m = load(folder).messages[0]
    assert (m.id, m.location, m.name) == ("0012", "NO", "yes")


def test_email_is_dropped_and_unapproved_are_not_kept(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "messages:\n  - photo: photos/a.jpg\n    approved: true\n    email: a@example.org\n"
                                    "  - photo: photos/b.jpg\n    email: b@example.org\n", {"a": RED, "b": RED})
    project = load(folder)
    assert [m.id for m in project.messages] == ["a"]
    assert project.unapproved == {"b"}
    assert "example.org" not in repr(project)


def test_unapproved_reference_is_a_warning_and_left_out(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "sequence:\n  - photo: b\n  - photo: a\nmessages:\n"
                                    "  - photo: photos/a.jpg\n    approved: true\n  - photo: photos/b.jpg\n",
                          {"a": RED, "b": RED})
    project = load(folder)
    assert [getattr(i, "message", None) for i in project.sequence] == ["a"]
    assert [str(w) for w in project.warnings] == [
        "collage.yaml:2: warning: sequence[0].photo: message 'b' is not approved and is left out "
        "(set `approved: true` on it to show it)"
    ]


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load(tmp_path)
    assert "no manifest here" in str(info.value) and "collage init" in str(info.value)


def test_output_must_stay_inside_and_be_mp4(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "video:\n  output: ../out.mov\nmessages: []\n", PHOTO)
    errors = _errors(folder)
    assert any(e.startswith("collage.yaml:2: video.output: '../out.mov' leads outside the folder") for e in errors)
    assert any("must end in .mp4" in e for e in errors)


def test_music_and_timing_options(tmp_path: Path) -> None:
    (tmp_path / "music").mkdir()
    (tmp_path / "music" / "a.mp3").write_bytes(b"")
    folder = write_folder(tmp_path, (
        "timing: {slide: auto, fit: music, min: 3s, max: 9s, beats: true}\n"
        "music:\n  loudness: -20\n  crossfade: 3s\n  fade_out: 5s\n"
        "  tracks:\n    - file: music/a.mp3\n      volume: -3dB\n      start: 10s\n      end: 1m\n"
        "messages:\n  - photo: photos/a.jpg\n    approved: true\n"), PHOTO)
    project = load(folder)
    assert (project.timing.slide, project.timing.fit, project.timing.min, project.timing.max, project.timing.beats) \
        == ("auto", "music", 3.0, 9.0, True)
    m = project.music
    assert (m.loudness, m.crossfade, m.fade_out) == (-20, 3.0, 5.0)
    assert (m.tracks[0].volume, m.tracks[0].start, m.tracks[0].end) == (-3.0, 10.0, 60.0)


@pytest.mark.parametrize("volume", ["1" + "0" * 400, ".nan", ".inf", "-.inf", "1.0e+308", "61", "-61dB"])
def test_a_volume_is_a_finite_gain(tmp_path: Path, volume: str) -> None:
    """Found by the fuzzing campaign: a volume of 10**400 raised OverflowError (a crash, not a problem);
    NaN and infinity passed to the render's `volume=nandB`."""
    (tmp_path / "music").mkdir()
    (tmp_path / "music" / "a.mp3").write_bytes(b"")
    folder = write_folder(tmp_path, f"music:\n  - file: music/a.mp3\n    volume: {volume}\nmessages: []\n", PHOTO)
    errors = _errors(folder)
    assert any(e.startswith("collage.yaml:3: music[0].volume:") and "from -60 to 60 dB" in e for e in errors), errors


@pytest.mark.parametrize("text", ['timing: {slide: "x\\uD800"}', 'music: [{file: m.mp3, volume: "\\uDC80dB"}]',
                                  'sequence: [{grid: "2x\\uD800"}]', 'video: {size: "1x\\uD800"}'])
def test_an_invalid_character_in_a_value_a_validator_quotes_is_a_problem(tmp_path: Path, text: str) -> None:
    """Found by the fuzzing campaign: a validator's message quoting a value with half of a UTF-16 pair
    made pydantic raise UnicodeEncodeError (a crash, not a problem)."""
    folder = write_folder(tmp_path, text + "\nmessages: [{photo: photos/a.jpg, approved: true}]\n", PHOTO)
    errors = _errors(folder)
    assert any("UTF-16" in e for e in errors), errors


def test_music_and_timing_errors(tmp_path: Path) -> None:
    (tmp_path / "music").mkdir()
    (tmp_path / "music" / "a.mp3").write_bytes(b"")
    folder = write_folder(tmp_path, (
        "timing: {fit: music, min: 9s, max: 3s}\n"
        "music:\n  loudness: 0\n  tracks:\n    - file: music/a.mp3\n      volume: loud\n"
        "    - file: music/a.mp3\n      start: 5s\n      end: 2s\n"
        "messages: []\n"), PHOTO)
    errors = "\n".join(_errors(folder))
    assert "collage.yaml:1: timing.min: min 9s is longer than max 3s" in errors
    assert "collage.yaml:3: music.loudness: 0.0 LUFS is out of range" in errors
    assert "collage.yaml:6: music.tracks[0].volume: 'loud' is not a gain" in errors
    assert "collage.yaml:9: music.tracks[1].end: end 2s is not after start 5s" in errors
    folder2 = tmp_path / "nomusic"
    folder2.mkdir()
    (folder2 / "collage.yaml").write_text("timing: {beats: true}\nmessages: []\n")
    assert any(e.endswith("collage.yaml:1: timing.beats: needs music to follow (add tracks under `music:`)")
               for e in _errors(folder2))


def test_fit_and_focus(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "video: {fit: cover}\nmessages:\n  - photo: photos/a.jpg\n    approved: true\n"
                                    "    fit: contain\n    focus: [0.2, 0.8]\n  - id: b\n    photo: photos/a.jpg\n"
                                    "    approved: true\n    focus: [2, 0.5]\n  - id: c\n    photo: photos/a.jpg\n"
                                    "    fit: zoom\n", PHOTO)
    errors = _errors(folder)
    assert "collage.yaml:10: messages[1].focus: focus is [x, y] with each from 0 to 1 (e.g. [0.5, 0.3] keeps " \
           "the upper middle in view)" in errors
    assert any(e.startswith("collage.yaml:13: messages[2].fit: input should be 'blur', 'contain' or 'cover'")
               for e in errors)
    (tmp_path / "collage.yaml").write_text("video: {fit: cover}\nmessages:\n  - photo: photos/a.jpg\n"
                                           "    approved: true\n    fit: contain\n    focus: [0.2, 0.8]\n")
    project = load(folder)
    assert project.fit == "cover" and (project.messages[0].fit, project.messages[0].focus) == ("contain", (0.2, 0.8))


def test_renditions_are_named_shapes_beside_the_main_video(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "video: {size: 1080p, output: out/v.mp4, renditions: [vertical, Square, 1280x720]}"
                                    "\nmessages:\n  - photo: photos/a.jpg\n    approved: true\n", PHOTO)
    project = load(folder)
    assert [(r.name, r.size) for r in project.renditions] == [
        ("vertical", (1080, 1920)), ("square", (1080, 1080)), ("1280x720", (1280, 720))]
    tall = project.shaped("vertical")
    assert tall.size == (1080, 1920) and tall.rendition == "vertical" and tall.renditions == ()
    assert tall.output == project.output.with_name("v.vertical.mp4")
    assert load(folder, rendition="1280x720").output.name == "v.1280x720.mp4"
    assert project.shaped(None) is project
    with pytest.raises(InputError) as info:
        load(folder, rendition="wide")
    assert str(info.value.problems[0]).startswith("--rendition wide: not one of the shapes")
    assert "vertical, square, 1280x720" in str(info.value.problems[0])
    assert load(folder, rendition="Vertical").rendition == "vertical"  # any case
    assert load(folder, rendition="1080x1920").rendition == "vertical"  # or its size


@pytest.mark.parametrize(("renditions", "expected"), [
    ("[1080p]", "video.renditions[0]: 1080p (1920x1080) is the same shape as the main video"),
    ("[vertical, 1080x1920]", "video.renditions[1]: 1080x1920 (1080x1920) is the same shape as vertical"),
    ("[wide]", "video.renditions[0]: 'wide' is not a size"),
    ("[801x600]", "has an odd side"),
    ("[[1, 2]]", "video.renditions[0]"),
    ("vertical", "video.renditions"),
])
def test_bad_renditions_name_the_entry(tmp_path: Path, renditions: str, expected: str) -> None:
    folder = write_folder(tmp_path, f"video: {{renditions: {renditions}}}\nmessages:\n  - photo: photos/a.jpg\n"
                          "    approved: true\n", PHOTO)
    errors = _errors(folder)
    assert any(expected in e for e in errors), errors
    assert all(":1:" in e or ":1 " in e or "collage.yaml:1" in e for e in errors), errors


@pytest.mark.parametrize(("value", "shown"), [("show", True), ("sidecars", False), (None, False)])
def test_style_translations(tmp_path: Path, value: str | None, shown: bool) -> None:
    style = f"style: {{translations: {value}}}\n" if value else ""
    folder = write_folder(tmp_path, style + "messages:\n  - photo: photos/a.jpg\n    approved: true\n", PHOTO)
    assert load(folder).show_translations is shown


def test_style_translations_must_be_show_or_sidecars(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "style:\n  translations: yes please\nmessages:\n  - photo: photos/a.jpg\n"
                          "    approved: true\n", PHOTO)
    assert any("collage.yaml:2" in e and "style.translations: expected show or sidecars" in e
               for e in _errors(folder)), _errors(folder)


def test_a_message_with_an_error_is_not_also_missing_where_it_is_placed(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "sequence:\n  - photo: a\nmessages:\n  - id: a\n    photo: photos/a.jpg\n"
                          "    profesion: Teacher\n    approved: true\n", PHOTO)
    errors = _errors(folder)
    assert len(errors) == 1 and "unknown key 'profesion' (did you mean 'profession'?)" in errors[0], errors


def test_an_empty_manifest_points_to_init_only_where_init_would_help(tmp_path: Path) -> None:
    """A newcomer's report: an empty collage.yaml said to run `collage init`, which refuses to replace it."""
    folder = write_folder(tmp_path, "# nothing yet\n", PHOTO)
    [error] = _errors(folder)
    assert "delete this file, then `collage init FOLDER`" in error
    (folder / "collage.yaml").write_text("title: T\n")
    [error] = _errors(folder)
    assert "no messages" in error and "init" not in error


@pytest.mark.parametrize("written", ["", "title: \"\"\n", "title: '   '\n"])
def test_a_blank_title_shows_the_folders_name_and_is_checked_as_it(tmp_path: Path, written: str) -> None:
    """Found by review: `title: ""` showed the folder's name on the title card without the checks a
    missing title gets (an address as the folder's name, a withheld name in it)."""
    body = "messages:\n  - photo: photos/a.jpg\n    approved: true\n"
    folder = write_folder(tmp_path / "lin.wei@example.org", written + body, PHOTO)
    assert any("the folder's name looks like an email address" in e for e in _errors(folder))
    folder = write_folder(tmp_path / "zelda-quorvath", written + "messages:\n  - photo: photos/a.jpg\n"
                          "    name: Zelda Quorvath\n    consent: anonymous\n    approved: true\n", PHOTO)
    assert _errors(folder)
    folder = write_folder(tmp_path / "spring-call", written + body, PHOTO)
    assert load(folder).title == "spring call"


def test_yaml_errors_add_only_where_a_bracket_opened(tmp_path: Path) -> None:
    """Found by review: a bad escape in a closed quote was called "never closed", and the context of a
    duplicate anchor quoted the anchor's name (which the organiser wrote)."""
    folder = write_folder(tmp_path / "escape", 'title: "abc\n  def \\q ghi"\nmessages: []\n', PHOTO)
    [error] = _errors(folder)
    assert "never closed" not in error
    folder = write_folder(tmp_path / "anchor", "title: &zelda T\nsubtitle: &zelda U\nmessages: []\n", PHOTO)
    assert all("zelda" not in e for e in _errors(folder))
