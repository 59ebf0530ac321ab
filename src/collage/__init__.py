"""collage: render a video collage of photo messages from a folder and its `collage.yaml`.

The library API (what the CLI calls):

    from collage import load, build_plan, check_folder, render_folder
    project = load("lawyers-day")            # validated manifest; InputError lists every problem
    timeline = build_plan(project)           # pure timeline data
    report = check_folder("lawyers-day")     # problems, without rendering
    result = render_folder("lawyers-day")    # writes the MP4 (and its renditions and sidecars)
    still_frame("lawyers-day", 3)            # slide 3 at its middle, as a PNG
    prune_cache("lawyers-day")               # cached files the manifest no longer uses, deleted

Importing this package is cheap: each name is imported from its module the first time it is used
(PEP 562), so `collage --help` loads no imaging library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from collage.version import __version__

if TYPE_CHECKING:
    from collage.check import run as check_folder
    from collage.manifest import load
    from collage.outputs.still import still as still_frame
    from collage.pipeline import timeline as build_plan
    from collage.render import render as render_folder
    from collage.video.prune import prune_cache

__all__ = ["__version__", "build_plan", "check_folder", "load", "prune_cache", "render_folder", "still_frame"]

_LAZY = {
    "load": ("collage.manifest", "load"),
    "build_plan": ("collage.pipeline", "timeline"),
    "check_folder": ("collage.check", "run"),
    "render_folder": ("collage.render", "render"),
    "still_frame": ("collage.outputs.still", "still"),
    "prune_cache": ("collage.video.prune", "prune_cache"),
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'collage' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    return getattr(importlib.import_module(module), attribute)
