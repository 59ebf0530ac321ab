"""The planner is pure and the CLI starts fast: neither imports an imaging library."""

from __future__ import annotations

import subprocess
import sys


def _imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(','.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.strip().split(","))


def test_plan_module_imports_no_pixels_or_io_libraries() -> None:
    mods = _imported_after("import collage.plan")
    for heavy in ("PIL", "numpy", "moviepy", "subprocess", "imageio_ffmpeg"):
        assert heavy not in mods, heavy


def test_cli_import_is_light() -> None:
    mods = _imported_after("import collage.cli")
    for heavy in ("PIL", "numpy", "moviepy", "av"):
        assert heavy not in mods, heavy


def test_plan_command_imports_no_imaging_libraries() -> None:
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "lawyers-day"
    code = (
        "import sys\n"
        "from collage.cli import app\n"
        f"try:\n    app(['plan', {str(example)!r}])\nexcept SystemExit as exc:\n    assert exc.code in (0, None)\n"
        "print('imported:' + ','.join(m for m in ('numpy', 'PIL', 'moviepy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "total 29.00 s" in out  # it did plan
    assert out.strip().splitlines()[-1] == "imported:"
