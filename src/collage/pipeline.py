"""The steps before pixels, written once for `check`, `plan`, `render` and the library: the folder's
media measured (`media.facts`), then the pure planner run on them.

    Project ─media.facts.probe─▶ MediaFacts ─plan.build─▶ Timeline

The described version (`Project.describing`) also needs how long each thing it says lasts: its clips are
made (or found in the cache) first (`media.narration`).

How a `grid: auto` cuts its photos into slides is a search that costs most of a one-slide `still`; the
cuts found are remembered in the cache folder (`grid-cuts.json`: digests of what each depends on, and
counts; no caption), handed to the next plan as a fact, and forgotten when the planner's code changes.
"""

from __future__ import annotations

import contextlib
import json
import unicodedata
from dataclasses import replace
from pathlib import Path

from collage import plan
from collage.errors import InputError
from collage.media import facts as media_facts
from collage.model.project import Project
from collage.model.timeline import Timeline
from collage.outputs import files
from collage.outputs.targets import is_cache
from collage.resources import package_dir, sources_digest
from collage.store import make_private_folder
from collage.version import __version__

CUTS = "grid-cuts.json"
CUTS_KEPT = 256  # the most recently used cuts kept (a folder's grids, in every shape, many times over)


def timeline(project: Project, size: tuple[int, int] | None = None, fps: int | None = None,
             memo: Path | None = None) -> Timeline:
    """The plan of `project` at `size` and `fps` (defaults: the manifest's), with the media facts it needs
    (what is found in the photos remembered in the cache folder `memo`, when there is one)."""
    known = _remembered_cuts(memo)
    facts = replace(media_facts.probe(project, memo), cuts=known)
    if project.narrated:
        from collage.media import narration

        facts = replace(facts, speech=narration.durations(narration.clips(project, memo)))
    planned = plan.build(project, facts, size, fps)
    if project.timing.beats and facts.music is not None:
        # Beats are found in the bed as it will play under the video: over the planned length, which
        # only the plan knows (looped, if the music is shorter). Cuts then move onto them.
        planned = plan.build(project, media_facts.with_beats(project, facts, planned.duration), size, fps)
    _remember_cuts(memo, known, planned.cuts)
    return planned


def _planner_version() -> str:
    """The code a cut depends on (the planner and its model): cuts found by other code are forgotten."""
    plan_code, model_code = (sources_digest(package_dir() / part) for part in ("plan", "model"))
    return f"{__version__} {unicodedata.unidata_version} {plan_code} {model_code}"


def _remembered_cuts(memo: Path | None) -> dict[str, tuple[int, ...]]:
    """The cuts remembered in `memo` by this version of the planner (anything else there: none; the
    planner also checks that a cut adds up)."""
    if memo is None:
        return {}
    try:
        data = json.loads((memo / CUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # (RecursionError: a file nested too deep to read)
        return {}
    current = isinstance(data, dict) and data.get("version") == _planner_version()
    if not (current and isinstance(data.get("cuts"), dict)):
        return {}
    return {k: tuple(v) for k, v in data["cuts"].items()
            if isinstance(v, list) and all(type(n) is int for n in v)}


def _remember_cuts(memo: Path | None, known: dict[str, tuple[int, ...]], used: dict[str, tuple[int, ...]]) -> None:
    """`used` added to what `memo` remembers (the most recent last, the oldest beyond CUTS_KEPT dropped); a
    cache folder that cannot be written only costs time."""
    if memo is None or all(known.get(k) == v for k, v in used.items()):
        return
    merged = {k: v for k, v in known.items() if k not in used} | used
    kept = dict(list(merged.items())[-CUTS_KEPT:])
    with contextlib.suppress(OSError, InputError):
        if is_cache(memo):
            make_private_folder(memo)
            files.write_text(memo / CUTS, json.dumps({"version": _planner_version(),
                                                      "cuts": {k: list(v) for k, v in kept.items()}}), private=True)
