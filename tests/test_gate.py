"""The gate that protects the people in the photos, tried from the outside on hostile input: each hole
found in the field has its test here (SPEC.md, "The trust boundary")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from collage.cli import app

from .support.media import GREEN, MAGENTA, RED, msg, small_manifest, solid, write_folder

pytestmark = pytest.mark.e2e

runner = CliRunner()
SECRET = "alice.private@example.org"
RED_PHOTO = {"red": RED}  # photos/red.jpg


def _collage(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed command as a user runs it (a new process: exit code, stderr, no shared state)."""
    return subprocess.run([sys.executable, "-m", "collage", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, check=False)


# -- emails ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["message", "name", "title", "caption", "tag", "subtitle"])
def test_an_email_in_any_shown_field_is_refused_and_never_echoed(make_folder: Callable[..., Path],
                                                                  where: str) -> None:
    m = msg("red", name="Alice")
    manifest = small_manifest([m])
    if where in ("message", "name"):
        m[where] = f"Write to me: {SECRET}"
    elif where == "tag":
        m["tags"] = [SECRET]
    elif where == "title":
        manifest["title"] = SECRET
    elif where == "caption":
        manifest["style"] = {"caption": "{name} " + SECRET}
    else:
        manifest["sequence"] = [{"title": "Hello", "subtitle": SECRET}, {"grid": "auto", "messages": "all"}]
    folder = make_folder(manifest, {"red": RED})
    for command in (["check"], ["render", "--no-cache", "-q"], ["plan", "--json"]):
        result = _collage(*command, str(folder))
        assert result.returncode == 1, (command, result.stderr)
        assert "looks like an email address" in result.stderr
        assert "alice.private" not in result.stdout + result.stderr
    assert not (folder / "out").exists() or not any((folder / "out").glob("*.mp4"))


def test_an_email_in_a_photo_file_name_is_refused(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([{"photo": f"photos/{SECRET}.jpg", "approved": True}]), {})
    solid(folder / "photos" / f"{SECRET}.jpg", RED)
    result = _collage("check", str(folder))
    assert result.returncode == 1
    assert "alice.private" not in result.stdout + result.stderr


def test_problems_never_print_an_address() -> None:
    from collage.errors import Problem

    text = str(Problem("collage.yaml", f"no such file 'photos/{SECRET}.jpg'", line=3, hint=f"ask {SECRET}"))
    assert "alice.private" not in text and "[email hidden]" in text


# -- approval -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["yes", "on", "y", "1", '"true"', "True", "'yes'"])
def test_only_the_literal_true_approves(tmp_path: Path, written: str) -> None:
    folder = write_folder(tmp_path, f"messages:\n  - photo: photos/red.jpg\n    approved: {written}\n", RED_PHOTO)
    result = _collage("check", str(folder))
    assert result.returncode == 1
    assert "collage.yaml:3: messages[0].approved: approved is" in result.stderr
    assert "only the literal `true` approves (write `approved: true`" in result.stderr


def test_true_approves_and_false_does_not(tmp_path: Path) -> None:
    from collage import load

    folder = write_folder(tmp_path, "messages:\n  - photo: photos/red.jpg\n    approved: true\n"
                                    "  - photo: photos/green.jpg\n    approved: false\n", {"red": RED, "green": RED})
    project = load(folder)
    assert [m.id for m in project.messages] == ["red"] and project.unapproved == {"green"}


# -- nothing to show --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("messages", "said"), [
    ("messages: []\n", "no messages: there is nothing to show"),
    ("", "no messages: there is nothing to show"),
    ("messages:\n  - photo: photos/red.jpg\n", "no message is approved: there is nothing to show"),
])
def test_nothing_to_show_is_an_error(tmp_path: Path, messages: str, said: str) -> None:
    folder = write_folder(tmp_path, "title: Hello\n" + messages, RED_PHOTO)
    for command in ("check", "render"):
        result = _collage(command, str(folder))
        assert result.returncode == 1 and said in result.stderr, result.stderr
    assert not (folder / "out").exists()


def test_a_sequence_that_shows_no_message_is_an_error(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "sequence:\n  - title: Hello\nmessages:\n  - photo: photos/red.jpg\n"
                                    "    approved: true\n", RED_PHOTO)
    result = _collage("check", str(folder))
    assert result.returncode == 1
    assert "the sequence shows no approved message: there is nothing to show" in result.stderr


# -- hostile YAML -------------------------------------------------------------------------------------------


def _laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghijklmnop"[:levels]:
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


@pytest.mark.parametrize(("text", "line", "said"), [
    (_laughs(), 6, "expands to more than"),  # 9**6 values by line 6
    ("messages: &m\n  - photo: photos/red.jpg\n    again: *m\n", 3, "refers to a value that contains it"),
    ("title: &t {a: *t}\n", 1, "refers to a value that contains it"),
    ("messages: " + "[" * 3000 + "]" * 3000 + "\n", 1, "nested more than 64 levels deep"),
    ("title: *nowhere\n", 1, "names no anchor before it"),
    ("title: a\x00b\n", 1, "does not allow the character U+0000"),
])
def test_hostile_yaml_is_refused_at_a_limit_with_its_line(tmp_path: Path, text: str, line: int, said: str) -> None:
    folder = write_folder(tmp_path, text, RED_PHOTO)
    # The message names the limit that stopped the reading (a bound on the work: 9**6 values, 64 levels);
    # the timeout only catches a hang.
    result = _collage("check", str(folder), timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"collage.yaml:{line}:" in result.stderr and said in result.stderr, result.stderr


def test_a_huge_manifest_is_refused_before_it_is_read(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "", RED_PHOTO)
    with (folder / "collage.yaml").open("w") as f:
        f.write("title: x\n# " + "x" * (9 << 20) + "\n")
    result = _collage("check", str(folder))
    assert result.returncode == 1 and "collage reads manifests up to 8 MB" in result.stderr


def test_anchors_and_merge_keys_work_for_normal_use(tmp_path: Path) -> None:
    from collage import load

    folder = write_folder(tmp_path, (
        "video: &v {size: 320x180, fps: 10}\n"
        "messages:\n"
        "  - &first {photo: photos/red.jpg, profession: Lawyer, location: Taipei, approved: true}\n"
        "  - <<: *first\n    photo: photos/green.jpg\n    location: Tainan\n    approved: true\n"
    ), {"red": RED, "green": RED})  # (approval itself is written on each message: test_smuggling)
    project = load(folder)
    red, green = project.messages
    assert (red.profession, red.location) == ("Lawyer", "Taipei")
    assert (green.id, green.profession, green.location) == ("green", "Lawyer", "Tainan")
    assert project.size == (320, 180)


@pytest.mark.parametrize(("field", "value", "said"), [
    ("timing", {"slide": "9999h"}, "timing.slide: '9999h' is longer than 1 hour"),
    ("timing", {"title": 1e308}, "is longer than 1 hour"),
    ("timing", {"title": float("inf")}, "is not a duration"),
])
def test_absurd_numbers_are_refused(make_folder: Callable[..., Path], field: str, value: object, said: str) -> None:
    manifest = small_manifest([msg("red")])
    manifest[field] = value
    folder = make_folder(manifest, {"red": RED})
    result = _collage("check", str(folder))
    assert result.returncode == 1 and said in result.stderr, result.stderr


def test_an_unknown_sequence_item_is_named(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, "sequence:\n  - slideshow: all\nmessages:\n  - photo: photos/red.jpg\n"
                                    "    approved: true\n", RED_PHOTO)
    result = _collage("check", str(folder))
    assert result.returncode == 1
    assert "collage.yaml:2: sequence[0].slideshow: unknown item 'slideshow'; an item is a title, grid or photo" \
        in result.stderr


# -- damaged media -------------------------------------------------------------------------------------------


def test_a_truncated_photo_fails_check_by_name_and_a_second_check_decodes_nothing(
        make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red"), msg("green")]), {"red": RED, "green": GREEN})
    big = folder / "photos" / "green.jpg"
    solid(big, GREEN, size=(1600, 1200), quality=95)
    data = big.read_bytes()
    big.write_bytes(data[: len(data) // 2])  # the header is whole; the picture is cut off
    result = _collage("check", str(folder))
    assert result.returncode == 1
    assert "photo 'photos/green.jpg' of message 'green': the image data is damaged or cut short" in result.stderr
    assert _collage("render", str(folder), "-q").returncode == 1
    assert not list((folder / "out").glob("*.mp4"))
    # The whole photo is remembered by its file state: a second check reads nothing again.
    big.write_bytes(data)
    assert _collage("check", str(folder)).returncode == 0
    record = json.loads((folder / "out" / "collage-cache" / "verified.json").read_text())
    assert len(record) == 2  # by a digest of each path: the cache's records hold no file names
    assert not any("red" in k or "green" in k for k in record)
    from collage import check

    calls: list[Path] = []
    import collage.media.photos as photos

    real = photos.verify
    try:
        photos.verify = lambda path: calls.append(path) or real(path)  # type: ignore[func-returns-value]
        assert check.run(folder).ok
    finally:
        photos.verify = real
    assert calls == []


def test_a_render_without_a_cache_stops_at_a_damaged_photo_and_writes_nothing(
        make_folder: Callable[..., Path]) -> None:
    """Without a cache the render does not decode every photo twice: drawing finds the damage."""
    folder = make_folder(small_manifest([msg("red"), msg("green")]), {"red": RED, "green": GREEN})
    big = folder / "photos" / "green.jpg"
    solid(big, GREEN, size=(1600, 1200), quality=95)
    big.write_bytes(big.read_bytes()[:20000])
    result = _collage("render", str(folder), "-q", "--no-cache")
    assert result.returncode == 1, result.stderr
    assert "photo 'photos/green.jpg' of message 'green': the image data is damaged or cut short" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(folder.rglob("*.mp4")) and not list(folder.rglob("*.partial"))


def test_the_cache_folder_is_private(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")]), {"red": RED})
    assert _collage("check", str(folder)).returncode == 0
    assert (folder / "out" / "collage-cache").stat().st_mode & 0o077 == 0


# -- exit codes --------------------------------------------------------------------------------------------


def test_an_internal_error_is_exit_70_in_one_line(make_folder: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from collage import cli, plan

    folder = make_folder(small_manifest([msg("red", name="Alice Chen")]), {"red": RED})

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("Alice Chen " + SECRET)  # a message that holds private data

    monkeypatch.setattr(plan, "build", broken)
    for command in (["check"], ["plan"], ["render", "-q", "--no-cache"]):
        monkeypatch.setattr(sys, "argv", ["collage", *command, str(folder)])
        with pytest.raises(SystemExit) as info:
            cli.main()
        err = capsys.readouterr().err
        assert info.value.code == 70, err
        assert err.count("\n") == 1
        assert "internal error (KeyError at " in err and "this is a bug" in err and "--debug" in err
        assert "Traceback" not in err and "Alice" not in err and "alice" not in err
    monkeypatch.setattr(sys, "argv", ["collage", "--debug", "check", str(folder)])
    with pytest.raises(KeyError):
        cli.main()


def test_check_reports_a_render_error_cleanly(make_folder: Callable[..., Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from collage import check
    from collage.errors import RenderError

    folder = make_folder(small_manifest([msg("red")]), {"red": RED})

    def missing(*args: object, **kwargs: object) -> None:
        raise RenderError("bundled font missing", "reinstall collage")

    monkeypatch.setattr(check, "media_problems", missing)
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 3 and "error: bundled font missing (reinstall collage)" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unwritable_cache_folder_is_an_input_error(make_folder: Callable[..., Path], tmp_path: Path) -> None:
    folder = make_folder(small_manifest([msg("red")]), {"red": RED})
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = _collage("render", str(folder), "-q", "--cache-dir", str(blocker / "cache"))
    assert result.returncode == 1, result.stderr
    assert "--cache-dir: it cannot be written there" in result.stderr and "is a file, not a folder" in result.stderr
    assert "or render with --no-cache" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_and_short_help() -> None:
    from collage import __version__

    assert _collage("--version").stdout.strip() == f"collage {__version__}"
    short = _collage("-h")
    assert short.returncode == 0 and "render" in short.stdout and "--debug" in short.stdout


# -- state inside one process ------------------------------------------------------------------------------


def test_a_replaced_photo_is_never_drawn_from_an_earlier_decode(make_folder: Callable[..., Path]) -> None:
    """A long-lived process (a library user) that renders, then renders again after a photo changed,
    draws the new photo: in-process caches are keyed by the file's state."""
    from collage import build_plan, load
    from collage.draw.compose import Artist, _SlideFrames

    manifest = small_manifest([msg("red", motion="kenburns")])
    manifest["sequence"] = [{"photo": "red", "motion": "kenburns"}]
    folder = make_folder(manifest, {"red": RED})
    project = load(folder)
    slide = build_plan(project).slides[0]
    artist = Artist(folder, project.size, project.theme)
    first = _SlideFrames(artist, slide).at(slide.start + 1).reshape(project.size[1], project.size[0], 3)
    time.sleep(0.01)
    solid(folder / "photos" / "red.jpg", MAGENTA, quality=95)
    os.utime(folder / "photos" / "red.jpg")
    second = _SlideFrames(artist, slide).at(slide.start + 1).reshape(project.size[1], project.size[0], 3)
    h, w = project.size[1], project.size[0]
    centre = (slice(h // 3, h // 2), slice(w // 3, 2 * w // 3))
    assert first[centre].mean(axis=(0, 1))[2] < 100 < second[centre].mean(axis=(0, 1))[2]


def test_an_interrupted_render_kills_only_its_own_ffmpeg(tmp_path: Path) -> None:
    from collage.ffmpeg import FFmpegProcesses, ffmpeg_exe, own_processes

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                                 "anullsrc", "-t", "30", "-f", "null", "-"], stdin=subprocess.DEVNULL)

    other, mine = start(), start()
    try:
        with own_processes() as procs:
            assert isinstance(procs, FFmpegProcesses)
            procs.add(mine)
            procs.kill()
        assert mine.wait(timeout=10) != 0
        assert other.poll() is None  # another render's encoder runs on
    finally:
        for proc in (other, mine):
            proc.kill()
            proc.wait()


# -- the schema ---------------------------------------------------------------------------------------------


def test_the_committed_schema_is_the_generated_one_and_accepts_the_example() -> None:
    import jsonschema

    root = Path(__file__).resolve().parents[1]
    printed = _collage("schema").stdout
    assert printed == (root / "schema" / "collage.schema.json").read_text(encoding="utf-8"), \
        "run `collage schema > schema/collage.schema.json`"
    schema = json.loads(printed)
    jsonschema.Draft7Validator.check_schema(schema)
    example = yaml.safe_load((root / "examples" / "lawyers-day" / "collage.yaml").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(example)
    wrong = {**example, "vidoe": {}}
    assert any("vidoe" in e.message for e in jsonschema.Draft7Validator(schema).iter_errors(wrong))


def test_init_writes_the_schema_modeline_and_the_schema(tmp_path: Path) -> None:
    solid(tmp_path / "photos" / "a.jpg", RED)
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    first = (tmp_path / "collage.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=collage.schema.json"
    assert json.loads((tmp_path / "collage.schema.json").read_text())["title"] == "collage.yaml"
