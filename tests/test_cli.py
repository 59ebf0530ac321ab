"""The command line: exit codes 0 / 1 / 2, messages that name the line and field, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collage.cli import app

from .support.media import GREEN, RED, msg, small_manifest, solid

pytestmark = pytest.mark.e2e

runner = CliRunner()


def test_help_and_usage_errors() -> None:
    assert runner.invoke(app, ["--help"]).exit_code == 0
    assert runner.invoke(app, []).exit_code == 2
    assert runner.invoke(app, ["render"]).exit_code == 2  # missing FOLDER
    assert runner.invoke(app, ["render", ".", "--no-such-flag"]).exit_code == 2
    assert runner.invoke(app, ["bogus"]).exit_code == 2


def test_help_loads_no_imaging_video_or_cluster_library() -> None:
    """`collage --help` stays quick by what it loads, counted here instead of timed (its time is measured
    by benchmarks/bench_render.py, `--help`): none of the heavy libraries is imported for it."""
    code = ("import runpy, sys\nsys.argv = ['collage', '--help']\n"
            "try:\n    runpy.run_module('collage', run_name='__main__')\n"
            "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
            "print('imported:' + ','.join(sorted(m for m in sys.modules if '.' not in m)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "Usage" in out and "render" in out
    imported = set(out.strip().splitlines()[-1].removeprefix("imported:").split(","))
    heavy = {"PIL", "numpy", "cv2", "moviepy", "av", "imageio_ffmpeg", "pillow_heif", "dask", "distributed",
             "openpyxl", "fontTools"}
    assert not imported & heavy, sorted(imported & heavy)


def test_check_on_a_broken_folder_names_line_and_field(make_folder: Callable[..., Path]) -> None:
    folder = make_folder("messages:\n  - photo: photos/red.jpg\n    approved: true\n"
                         "  - photo: photos/bob.jpg\n    aproved: true\n", {"red": RED})
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "collage.yaml:4: messages[1].photo: no such file 'photos/bob.jpg'" in result.output
    assert "collage.yaml:5: messages[1].aproved: unknown key 'aproved' (did you mean 'approved'?)" in result.output
    assert "Traceback" not in result.output


def test_check_ok_and_warnings(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red"), msg("green", approved=False)],
                                        sequence=[{"photo": "green"}, {"photo": "red"}]),
                         {"red": RED, "green": GREEN})
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "warning: sequence[0].photo: message 'green' is not approved" in result.output
    assert "ok: 1 slide," in result.output


def test_check_reports_uncovered_characters_with_the_message(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red", name="Alice 𒀀")]), {"red": RED})
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "messages[0].name: no bundled font can draw '𒀀' (U+12000)" in result.output


def test_a_message_is_named_by_one_field_path_in_every_report(make_folder: Callable[..., Path]) -> None:
    """The loader names a message by its place in `messages:`; the checks after it do too, so an editor
    reads one path for one message (and a path never spells an id, which may hold a name)."""
    folder = make_folder(small_manifest([msg("red"), msg("green", name="Bo 𒀀", locaton="Oslo")]),
                         {"red": RED, "green": GREEN})
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "messages[1].locaton: unknown key 'locaton'" in result.output
    (folder / "collage.yaml").write_text((folder / "collage.yaml").read_text().replace("locaton", "location"))
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "messages[1].name: no bundled font can draw '𒀀' (U+12000)" in result.output
    assert "messages[green]" not in result.output


def test_check_reports_unreadable_music(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")], music=[{"file": "music/broken.mp3"}]), {"red": RED})
    (folder / "music").mkdir()
    (folder / "music" / "broken.mp3").write_bytes(b"\x00" * 1000)
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "music file 'music/broken.mp3' cannot be read as audio" in result.output


def test_plan_json(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red"), msg("green")]), {"red": RED, "green": GREEN})
    result = runner.invoke(app, ["plan", "--json", str(folder)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [s["kind"] for s in data["slides"]] == ["title", "grid", "title"]
    assert data["slides"][1]["messages"] == ["red", "green"]
    assert data["frames"] == round(data["duration"] * data["fps"])


def test_plan_table(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")]), {"red": RED})
    result = runner.invoke(app, ["plan", str(folder)])
    assert result.exit_code == 0
    assert "grid" in result.output and "red" in result.output and "total" in result.output


def test_init_writes_a_manifest_and_never_overwrites(tmp_path: Path) -> None:
    solid(tmp_path / "photos" / "IMG 0001.jpg", RED)
    solid(tmp_path / "photos" / "sub" / "IMG 0001.png", GREEN)
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    manifest = tmp_path / "collage.yaml"
    text = manifest.read_text()
    assert "approved: false" in text and '"IMG 0001-2"' in text
    check = runner.invoke(app, ["check", str(tmp_path)])
    # Valid as written, but nothing is approved yet: nothing to show, and check says what to do.
    assert check.exit_code == 1, check.output
    assert "no message is approved: there is nothing to show (set `approved: true`" in check.output
    assert "1 error," in check.output
    # Approved as written, with name, profession and location still empty: shown, with a warning.
    manifest.write_text(text.replace("approved: false", "approved: true"))
    approved = runner.invoke(app, ["check", str(tmp_path)])
    assert approved.exit_code == 0, approved.output
    assert "warning: messages[0]: message 'IMG 0001' has nothing to caption it" in approved.output
    manifest.write_text("edited by hand\n")
    again = runner.invoke(app, ["init", str(tmp_path)])
    assert again.exit_code == 1 and "already exists" in again.output
    assert manifest.read_text() == "edited by hand\n"


def test_render_invalid_exits_1_without_traceback(make_folder: Callable[..., Path]) -> None:
    folder = make_folder("video:\n  size: huge\nmessages: []\n")
    result = runner.invoke(app, ["render", str(folder)])
    assert result.exit_code == 1
    assert "collage.yaml:2: video.size: 'huge' is not a size" in result.output
    assert "nothing was written" in result.output


@pytest.mark.parametrize("output", ["movie.mov", "collage.yaml"])
def test_render_refuses_bad_output(make_folder: Callable[..., Path], output: str) -> None:
    folder = make_folder(small_manifest([msg("red")]), {"red": RED})
    result = runner.invoke(app, ["render", str(folder), "-o", str(folder / output)])
    assert result.exit_code == 1
    assert (folder / "collage.yaml").read_text().startswith("title")


def test_an_email_pasted_into_a_shown_field_is_refused(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red", name="Alice", location="alice.private@example.org")]),
                         {"red": RED})
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "messages[0].location: looks like an email address" in result.output
    assert "alice.private" not in result.output
    assert "alice.private" not in result.output


def test_check_warns_about_small_photos_and_cut_captions(make_folder: Callable[..., Path]) -> None:
    long_name = "Maximiliana Konstantinopoulou-Wolfeschlegelsteinhausen"
    folder = make_folder(small_manifest(
        [msg("tiny"), msg("wordy", name=long_name, profession="Distinguished professor of comparative law",
                          location="Ciudad Autónoma de Buenos Aires"), *(msg(f"f{i}", name="F") for i in range(5))],
        video={"size": "1280x720", "fps": 10, "output": "out/v.mp4"},
        sequence=[{"photo": "tiny"}, {"grid": "6x1", "messages": ["wordy", *(f"f{i}" for i in range(5))]}]),
        {"tiny": lambda p: solid(p, RED, (120, 90)), "wordy": RED, **{f"f{i}": RED for i in range(5)}})
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 0, result.output  # warnings only: still renderable
    assert "photo 'photos/tiny.jpg' of message 'tiny' is 120x90 px for a 1280x" in result.output
    assert "shown at most 2x (240x180 px), it fills only 5% of its box" in result.output  # not "enlarged"
    assert "the caption of message 'wordy' is too long for its box and is cut short" in result.output


def test_render_to_an_unwritable_place_is_an_input_error(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(small_manifest([msg("red")]), {"red": RED})
    result = runner.invoke(app, ["render", str(folder), "-o", "/proc/no-such-place/video.mp4"])
    assert result.exit_code == 1
    assert "-o: it cannot be written there" in result.output
    assert "1 error;" in result.output  # the folder is named once, not once for each file beside the video


def test_usage_lines_name_the_arguments_as_people_write_them() -> None:
    for command, usage in ((["render"], "render [OPTIONS] FOLDER\n"),
                           (["import"], "import [OPTIONS] FOLDER SHEET\n"),
                           (["cache", "prune"], "cache prune [OPTIONS] FOLDER\n")):
        result = runner.invoke(app, [*command, "--help"], prog_name="collage")
        assert result.exit_code == 0 and usage in result.output, result.output
        assert "{" not in result.output.splitlines()[0]
