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
