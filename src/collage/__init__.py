"""collage: render a video collage of photo messages from a folder and its `collage.yaml`.

The library API (what the CLI calls):

    from collage import load, build_plan, check_folder, render_folder
    project = load("lawyers-day")            # validated manifest; InputError lists every problem
    timeline = build_plan(project)           # pure timeline data
    report = check_folder("lawyers-day")     # problems, without rendering
    result = render_folder("lawyers-day")    # writes the MP4
    still_frame("lawyers-day", 3)            # slide 3 at its middle, as a PNG
    prune_cache("lawyers-day")               # cached files the manifest no longer uses, deleted

Importing this package is cheap: heavy modules load inside the functions that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from collage.version import __version__

__all__ = ["__version__", "build_plan", "check_folder", "load", "prune_cache", "render_folder", "still_frame"]

if TYPE_CHECKING:
    from collage.check import Report
    from collage.model.project import Project
    from collage.model.timeline import Timeline
    from collage.outputs.still import Still
    from collage.render import Pruned, Result


def load(folder: Any, manifest: Any = None) -> Project:
    from collage.manifest import load as _load

    return _load(folder, manifest)


def build_plan(project: Project, size: tuple[int, int] | None = None, fps: int | None = None) -> Timeline:
    """The timeline `render` would use: photo shapes and music read where the plan needs them."""
    from collage.pipeline import timeline

    return timeline(project, size, fps)


def check_folder(folder: Any, manifest: Any = None) -> Report:
    from collage.check import run

    return run(folder, manifest)


def render_folder(folder: Any, **kwargs: Any) -> Result:
    from collage.render import render as _render

    return _render(folder, **kwargs)


def still_frame(folder: Any, slide: int, at: float | None = None, **kwargs: Any) -> Still:
    from collage.outputs.still import still

    return still(folder, slide, at, **kwargs)


def prune_cache(folder: Any, **kwargs: Any) -> Pruned:
    from collage.render import prune_cache as _prune

    return _prune(folder, **kwargs)
