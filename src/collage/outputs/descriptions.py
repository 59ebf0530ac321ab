"""The described version's sidecars: what it says, as text, beside NAME.described.mp4.

    NAME.described.vtt              what is said, when (WebVTT; for a `<track kind="descriptions">`, and
                                    the described version's captions: its only words are these)
    NAME.described.srt              the same cues
    NAME.described.transcript.html  what is said over each slide, in order, with the time it starts
    NAME.described.jpg              the poster, as the main video's

Each thing said (`Timeline.narration`: a title card, a person) is one or more cues timed to when it is
said: broken into lines and cues as captions are (`outputs.sidecars.broken`: two lines a cue, 42
characters a line, 16 for Chinese), its time shared between its cues in proportion to their length. The
words are `speech.script`'s, the very ones the voice was given: no withheld name, no email.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

from collage.model.project import Project
from collage.model.timeline import Timeline
from collage.outputs import sidecars
from collage.outputs.sidecars import Cue, broken
from collage.outputs.targets import MARK
from collage.speech import script


def words(project: Project) -> dict[str, str]:
    """What is said, by key (`title-N`, message id)."""
    return {line.key: line.text for line in script.lines(project)}


def cues(project: Project, timeline: Timeline) -> list[Cue]:
    said = words(project)
    out: list[Cue] = []
    for n, piece in enumerate(timeline.narration):
        text = " ".join(said.get(piece.key, "").split())
        if not text or piece.frames <= 0:
            continue
        parts = broken(((text, ""),))
        weights = [max(1, sum(len(line) for line in cue)) for cue in parts]
        at = piece.start
        for k, (lines, share) in enumerate(zip(parts, _apportion(weights, piece.frames), strict=True), start=1):
            if share <= 0:
                continue
            out.append(Cue(at, at + share, tuple(lines), slide=piece.slide, ident=f"said-{n + 1}.{k}"))  # said-N.K
            at += share
    return out


def _apportion(weights: list[int], frames: int) -> list[int]:
    total = sum(weights)
    exact = [w * frames / total for w in weights]
    out = [math.floor(x) for x in exact]
    for k in sorted(range(len(exact)), key=lambda k: out[k] - exact[k])[:frames - sum(out)]:
        out[k] += 1
    return out


def vtt(project: Project, timeline: Timeline) -> str:
    return sidecars.vtt_text(cues(project, timeline), timeline.fps,
                             'what the described version says (for <track kind="descriptions">)')


def srt_text(project: Project, timeline: Timeline) -> str:
    return sidecars.srt_of(cues(project, timeline), timeline.fps)


def transcript(project: Project, timeline: Timeline) -> str:
    """What is said over each slide, in order, each slide with the time it starts."""
    e = html.escape
    said = words(project)
    body = []
    for slide in timeline.slides:
        lines = [said[p.key] for p in timeline.narration if p.slide == slide.index and said.get(p.key)]
        if not lines:
            continue
        whole = slide.start // timeline.fps
        when = f'<time datetime="PT{whole}S">{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}</time>'
        body.append(f"<p>{when}</p><ul>" + "".join(f'<li dir="auto">{e(line)}</li>' for line in lines) + "</ul>")
    return f"""<!doctype html>
<html><head><meta charset="utf-8">
<meta name="generator" content="{MARK}">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(project.title)}: described version</title>
<style>body {{ font: 16px/1.5 system-ui, "Noto Sans", "Noto Sans CJK SC", sans-serif; max-width: 46em;
margin: 2em auto; padding: 0 1em; }} time {{ color: #777; font: 13px ui-monospace, monospace; }}</style>
</head>
<body>
<h1 dir="auto">{e(project.title)}</h1>
<p>What the described version says over each slide, with the time the slide starts.</p>
{"".join(body)}
</body></html>
"""


def write(project: Project, timeline: Timeline, video: Path, size: tuple[int, int]) -> list[Path]:
    """The described version's sidecars beside `video`, each written aside and moved into place."""
    texts = (vtt(project, timeline), srt_text(project, timeline), transcript(project, timeline))
    return sidecars.write_beside(project, timeline, video, size, texts)
