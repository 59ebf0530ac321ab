"""The steps before pixels, written once for `check`, `plan`, `render` and the library: the folder's
media measured (`media.facts`), then the pure planner run on them.

    Project ─media.facts.probe─▶ MediaFacts ─plan.build─▶ Timeline

The described version (`Project.describing`) also needs how long each thing it says lasts: its clips are
made (or found in the cache) first (`media.narration`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from collage import plan
from collage.media import facts as media_facts
from collage.model.project import Project
from collage.model.timeline import Timeline


def timeline(project: Project, size: tuple[int, int] | None = None, fps: int | None = None,
             memo: Path | None = None) -> Timeline:
    """The plan of `project` at `size` and `fps` (defaults: the manifest's), with the media facts it needs
    (what is found in the photos remembered in the cache folder `memo`, when there is one)."""
    facts = media_facts.probe(project, memo)
    if project.narrated:
        from collage.media import narration

        facts = replace(facts, speech=narration.durations(narration.clips(project, memo)))
    planned = plan.build(project, facts, size, fps)
    if project.timing.beats and facts.music is not None:
        # Beats are found in the bed as it will play under the video: over the planned length, which
        # only the plan knows (looped, if the music is shorter). Cuts then move onto them.
        planned = plan.build(project, media_facts.with_beats(project, facts, planned.duration), size, fps)
    return planned
