"""Where collage writes: nothing the organiser owns is ever replaced, removed or written into, by any
command or flag (the rule in `collage.outputs.targets`), and collage replaces only what it wrote.

Each case runs the real command line on a small folder and then compares every file and folder the
organiser owns, byte for byte, with what was there before: a refusal that leaves damage behind fails.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml

from .support.media import collage_cli, msg, small_manifest, solid

pytestmark = pytest.mark.e2e

Snapshot = dict[str, tuple[str, str]]


def snapshot(root: Path, skip: tuple[str, ...] = ("out", "collage-cache")) -> Snapshot:
    """Every path under `root` (but what collage may write there: out/, its cache beside a video written
    at the top) with its kind and content digest."""
    found: Snapshot = {".": ("dir", "")}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in skip:
            continue
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            found[rel] = ("dir", "")
        else:
            found[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder as an organiser keeps it: photos (one awaiting approval, one at the top level), music,
    notes of their own, and the manifest."""
    folder = tmp_path / "project"
    solid(folder / "photos" / "a.jpg", (200, 40, 40), quality=95)
    solid(folder / "photos" / "b.png", (40, 200, 40))
    solid(folder / "photos" / "pending.jpg", (255, 0, 255), quality=95)
    solid(folder / "top.jpg", (40, 40, 200), quality=95)
    (folder / "music").mkdir()
    (folder / "music" / "unused.wav").write_bytes(b"RIFF....WAVE")
    (folder / "notes.txt").write_text("the organiser's own notes\n", encoding="utf-8")
    messages = [msg("a", name="Ann"), {**msg("b", name="Bo"), "photo": "photos/b.png"},
                msg("pending", approved=False), {**msg("top", name="Tu"), "photo": "top.jpg"}]
    manifest = small_manifest(messages)
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return folder


def refused(project: Path, *args: str | Path, flag: str | None = None) -> str:
    """Run collage; it must exit 1 naming what it refused, with the folder exactly as it was."""
    before = snapshot(project)
    run = collage_cli(*args)
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert snapshot(project) == before, "the organiser's folder changed"
    if flag is not None:
        assert flag in run.stderr, run.stderr
    return run.stderr


# -o and --cache-dir of `render` (the full render, a preview, a proof and a rendition), aimed at the
# folder, the manifest, a photo, the photo and music folders, and a photo's name by way of a sidecar.
RENDER = [
    ("-o", "{f}/photos/x.mp4"),
    ("-o", "{f}/music/x.mp4"),
    ("-o", "{f}/photos/deeper/x.mp4"),
    ("-o", "{f}/top.mp4"),  # its poster would be top.jpg, a photo
    ("-o", "{f}/photos/a.mp4"),  # its poster would be a.jpg
    ("-o", "{f}/photos/pending.mp4"),  # a photo not approved is still the organiser's
    ("-o", "{f}/collage.yaml/x.mp4"),  # under a file
    ("-o", "{f}/notes.txt/x.mp4"),
    ("--cache-dir", "{f}"),
    ("--cache-dir", "{f}/photos"),
    ("--cache-dir", "{f}/photos/cache"),
    ("--cache-dir", "{f}/music/cache"),
    ("--cache-dir", "{f}/collage.yaml"),
    ("--cache-dir", "{f}/.."),
]


@pytest.mark.parametrize("variant", [[], ["--preview"], ["--slides", "1-1"]], ids=["full", "preview", "slides"])
@pytest.mark.parametrize(("flag", "where"), RENDER, ids=[f"{f} {w}" for f, w in RENDER])
def test_render_never_writes_over_or_among_the_organisers_files(project: Path, flag: str, where: str,
                                                                variant: list[str]) -> None:
    refused(project, "render", project, flag, where.format(f=project), *variant, "-q", flag=flag)


def test_a_renditions_outputs_are_judged_too(project: Path) -> None:
    manifest = yaml.safe_load((project / "collage.yaml").read_text(encoding="utf-8"))
    manifest["video"]["renditions"] = ["180x320"]
    manifest["video"]["output"] = "photos.mp4"  # the rendition's poster: photos.180x320.jpg; fine
    (project / "collage.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    refused(project, "render", project, "--rendition", "180x320", "-o", project / "music" / "v.mp4", flag="-o")


@pytest.mark.parametrize("output", ["photos/v.mp4", "music/v.mp4", "top.mp4", "collage.yaml/v.mp4"])
def test_video_output_in_the_manifest_is_refused_by_check_and_render_alike(project: Path, output: str) -> None:
    text = (project / "collage.yaml").read_text(encoding="utf-8").replace("out/test.mp4", output)
    (project / "collage.yaml").write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), start=1) if output in ln)
    commands = [["check", project], ["render", project, "-q"], ["render", project, "--preview", "-q"],
                ["still", project, "--slide", "1"], ["storyboard", project]]
    if output == "top.mp4":  # only the full render's poster (top.jpg) would be a photo
        commands = commands[:2]
    for command in commands:
        err = refused(project, *command, flag="video.output")
        if command[0] != "storyboard":  # (the storyboard goes beside the video, in a folder of its own)
            assert f"collage.yaml:{line}" in err, err


STILL = ["{f}/photos/a.jpg.png", "{f}/photos/b.png", "{f}/photos/new.png", "{f}/music/x.png",
         "{f}/collage.yaml/x.png", "{f}/notes.txt/x.png", "{f}", "{f}/photos"]


@pytest.mark.parametrize("where", STILL)
def test_still_never_writes_over_or_among_the_organisers_files(project: Path, where: str) -> None:
    refused(project, "still", project, "--slide", "1", "-o", where.format(f=project))


STORYBOARD = ["{f}", "{f}/photos", "{f}/music", "{f}/collage.yaml", "{f}/photos/new", "{f}/..", "{f}/../..",
              "{f}/collage.yaml/board", "{f}/top.jpg"]


@pytest.mark.parametrize("where", STORYBOARD)
def test_storyboard_never_replaces_or_empties_the_organisers_folders(project: Path, where: str) -> None:
    refused(project, "storyboard", project, "-o", where.format(f=project), flag="-o")


def test_storyboard_replaces_only_a_folder_it_wrote(project: Path, tmp_path: Path) -> None:
    mine = tmp_path / "board"
    for _ in range(2):  # written, then replaced: the marker says it is collage's
        run = collage_cli("storyboard", project, "-o", mine)
        assert run.returncode == 0, run.stderr
    assert (mine / "storyboard.html").is_file() and (mine / ".collage-storyboard").is_file()
    theirs = tmp_path / "holiday"
    (theirs / "sub").mkdir(parents=True)
    (theirs / "sub" / "beach.jpg").write_bytes(b"a photo of theirs")
    err = refused(project, "storyboard", project, "-o", theirs)
    assert (theirs / "sub" / "beach.jpg").read_bytes() == b"a photo of theirs"
    assert "not a storyboard collage wrote" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert collage_cli("storyboard", project, "-o", empty).returncode == 0
    assert (empty / "storyboard.html").is_file()


def test_files_collage_did_not_write_are_not_replaced(project: Path, tmp_path: Path) -> None:
    """An explicit -o onto someone's own file is refused; collage's own earlier output is replaced."""
    theirs = tmp_path / "mum.png"
    solid(theirs, (1, 2, 3))
    before = theirs.read_bytes()
    refused(project, "still", project, "--slide", "1", "-o", theirs, flag="-o")
    assert theirs.read_bytes() == before
    ours = tmp_path / "proof.png"
    for _ in range(2):
        run = collage_cli("still", project, "--slide", "1", "-o", ours)
        assert run.returncode == 0, run.stderr
    # A video's sidecars beside someone's file of the same name: the poster would replace their JPEG.
    (tmp_path / "clip.jpg").write_bytes(before)
    refused(project, "render", project, "--preview", "-o", tmp_path / "clip.mp4", "-q", flag="-o")
    assert (tmp_path / "clip.jpg").read_bytes() == before and not (tmp_path / "clip.mp4").exists()


def test_a_symlink_in_the_output_folder_does_not_lead_onto_a_photo(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / "test.jpg").symlink_to(project / "photos" / "a.jpg")  # where the poster goes
    refused(project, "render", project, "--no-cache", "-q")
    refused(project, "check", project)


def test_cache_prune_deletes_nothing_of_the_organisers(project: Path) -> None:
    for where in (project, project / "photos", project / "music", project / ".."):
        refused(project, "cache", "prune", project, "--cache-dir", where, flag="--cache-dir")


def test_import_and_init_write_the_manifest_only_where_a_manifest_belongs(project: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Name,Photo\nAnn,a.jpg\n", encoding="utf-8")
    refused(project, "import", project, sheet, "-m", project / "photos" / "new.yaml", flag="--manifest")
    refused(project, "import", project, sheet, "-m", project / "photos", flag="--manifest")
    refused(project, "import", project, sheet, "-m", project / "top.jpg")  # not a manifest: refused as input
    refused(project, "import", project / "notes.txt", sheet)
    refused(project, "import", project, sheet, "-m", project / "notes.txt" / "collage.yaml")
    bare = tmp_path / "bare"
    solid(bare / "p.jpg", (9, 9, 9))
    (bare / "collage.yaml").symlink_to(bare / "p.jpg")  # a manifest name that is a photo
    before = snapshot(bare)
    assert collage_cli("init", bare).returncode == 1
    assert snapshot(bare) == before
    refused(project, "init", project / "notes.txt")


def test_check_passes_only_what_render_will_write(project: Path) -> None:
    """A cache folder beside the video that is not collage's: check says so, as render would."""
    (project / "out" / "collage-cache").mkdir(parents=True)
    (project / "out" / "collage-cache" / "keep.txt").write_text("someone's file\n", encoding="utf-8")
    refused(project, "check", project, flag="video.output")
    refused(project, "render", project, "-q")
    assert (project / "out" / "collage-cache" / "keep.txt").is_file()
    assert collage_cli("render", project, "--no-cache", "--preview", "-q").returncode == 0
