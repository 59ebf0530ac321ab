"""The planner is pure and the CLI starts fast: neither imports an imaging library; plan reads headers only."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # each test runs a new interpreter (what it imports) or lint-imports


def _imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(','.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.strip().split(","))


def test_the_plan_and_model_packages_import_no_pixels_or_io_libraries() -> None:
    """Every module of `collage.plan` and `collage.model`, whatever is added to them later."""
    every = ("import pkgutil, collage.plan, collage.model; "
             "[__import__(m.name) for p in (collage.plan, collage.model) "
             "for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.')]")
    mods = _imported_after(every)
    assert {"collage.plan.build", "collage.plan.layout", "collage.model.timeline", "collage.model.project"} <= mods
    for heavy in ("PIL", "numpy", "moviepy", "subprocess", "imageio_ffmpeg", "cv2", "yaml", "pydantic"):
        assert heavy not in mods, heavy


def test_the_import_layers_hold() -> None:
    """The one-way flow of pyproject.toml's import-linter contracts (CI runs `lint-imports` too)."""
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], cwd=root, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0 and "0 broken" in result.stdout, result.stdout[-3000:]


def test_cli_import_is_light() -> None:
    mods = _imported_after("import collage.cli")
    for heavy in ("PIL", "numpy", "moviepy", "av"):
        assert heavy not in mods, heavy


def _plan_imports(folder: Path) -> tuple[str, set[str]]:
    code = (
        "import sys\n"
        "from collage.cli import app\n"
        f"try:\n    app(['plan', {str(folder)!r}])\nexcept SystemExit as exc:\n    assert exc.code in (0, None)\n"
        "print('imported:' + ','.join(m for m in ('numpy', 'PIL', 'moviepy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return out, set(filter(None, out.strip().splitlines()[-1].removeprefix("imported:").split(",")))


def test_plan_command_reads_photo_headers_and_nothing_more(tmp_path: Path) -> None:
    """Every grid sets its photos by their shapes (`auto` chooses the arrangement, COLSxROWS shapes its
    cells), so plan reads their headers (Pillow), never their pixels (numpy) or anything of the video's."""
    import shutil

    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"not a photo: plan still plans, check refuses it")
    (tmp_path / "collage.yaml").write_text(
        "sequence: [{grid: 2x2}]\nmessages: [{photo: photos/a.jpg, name: A, approved: true}]\n")
    out, imported = _plan_imports(tmp_path)
    assert re.search(r"^total 6\.00 s \(", out, re.MULTILINE) and imported == {"PIL"}

    example = Path(__file__).resolve().parents[1] / "examples" / "lawyers-day"
    copy = tmp_path / "example"
    shutil.copytree(example, copy)
    manifest = copy / "collage.yaml"  # without the masked contributor, whose faces must be found
    manifest.write_text(manifest.read_text().replace("consent: masked", "consent: anonymous"))
    out, imported = _plan_imports(copy)
    assert re.search(r"^total \d+\.\d\d s \(", out, re.MULTILINE)  # the whole plan printed
    assert imported == {"PIL"}
    _, imported = _plan_imports(example)
    assert "numpy" in imported  # the faces to cover are looked for (OpenCV)
