"""collage: render a video collage of photo messages from a folder and its `collage.yaml`.

The library API (what the CLI calls):

    from collage import load, build_plan, check_folder, render_folder
    project = load("lawyers-day")            # validated manifest; InputError lists every problem
    timeline = build_plan(project)           # pure timeline data
    report = check_folder("lawyers-day")     # problems, without rendering
    result = render_folder("lawyers-day")    # writes the MP4

Importing this package is cheap: heavy modules load inside the functions that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "build_plan", "check_folder", "load", "render_folder"]

if TYPE_CHECKING:
    from .check import Report
    from .manifest import Project
    from .plan import Timeline
    from .render import Result


def load(folder: Any, manifest: Any = None) -> Project:
    from .manifest import load as _load

    return _load(folder, manifest)


def build_plan(project: Project, size: tuple[int, int] | None = None, fps: int | None = None) -> Timeline:
    """The timeline `render` would use: photo shapes and music read where the plan needs them."""
    from .check import timeline

    return timeline(project, size, fps)


def check_folder(folder: Any, manifest: Any = None) -> Report:
    from .check import run

    return run(folder, manifest)


def render_folder(folder: Any, **kwargs: Any) -> Result:
    from .render import render as _render

    return _render(folder, **kwargs)
