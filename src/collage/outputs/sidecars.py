"""What a publisher needs beside the MP4: the text alternative of a video that is music and signs.

    cues(project, timeline)   one cue per slide while it is on screen (pure: no I/O)
    write(...)                NAME.vtt (webvtt-py), NAME.srt (srt), NAME.transcript.html, NAME.jpg

A cue says what the slide shows: a title card's text; for photos and grids, each person as captioned
and what their sign says (`message`) with its `translation`. Cues are timed to the frame (a cue spans
its slide's frames, transitions included, so neighbouring cues overlap while one slide fades into the
next). Text stays as written; a part in a right-to-left script is isolated (FSI ... PDI) so that it
reads correctly inside a line, and a line that starts right to left starts with a RLM.

Only what the video shows is here: approved messages, captions as drawn (an anonymous contributor's
name was dropped by the manifest loader, and so was every field a contributor withheld). The poster is
drawn by the video's own code (faces of masked contributors covered) and carries no metadata.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from collage.draw.compose import Artist
from collage.model.project import Project
from collage.model.timeline import Slide, Timeline
from collage.outputs import files, names
from collage.outputs.targets import MARK

FSI, PDI, RLM = "\u2068", "\u2069", "\u200f"


@dataclass(frozen=True)
class Cue:
    start: int  # first frame
    end: int  # one past the last frame
    lines: tuple[str, ...]
    title: bool = False  # a title card: opens a section of the transcript


def cues(project: Project, timeline: Timeline) -> list[Cue]:
    """One cue per slide, in order, with what it shows as text."""
    by_id = {m.id: m for m in project.messages}
    out = []
    for s in timeline.slides:
        if s.kind == "title":
            texts = [s.title, s.subtitle, *(s.body or "").splitlines()]
            lines = tuple(_line([_flat(t)]) for t in texts if t and t.strip())
        else:
            lines = tuple(filter(None, (_person(c.caption, by_id[c.message].text, by_id[c.message].translation)
                                        for c in s.cells)))
        out.append(Cue(s.start, s.end, lines, s.kind == "title"))
    return out


def _person(caption: str | None, sign: str | None, translation: str | None) -> str:
    """`caption: “sign” (translation)`, each part present or not."""
    said = [f"“{_flat(sign)}”"] if sign else []
    said += [f"({_flat(translation)})"] if translation else []
    return _line([_flat(caption), *said] if caption else said, ": " if caption and said else " ")


def _flat(text: str) -> str:
    """One line of cue text: whitespace (line breaks too: a blank line would end the cue) made single
    spaces, and the cue timing arrow, which may not appear in a cue's text, made an arrow."""
    return " ".join(text.split()).replace("-->", "→")


def _line(parts: list[str], first_sep: str = " ") -> str:
    """Parts joined (the first by `first_sep`), each right-to-left part isolated when there are several;
    RLM first when the line starts right to left."""
    shown = [f"{FSI}{p}{PDI}" if _rtl(p) and len(parts) > 1 else p for p in parts]
    text = shown[0] + (first_sep + " ".join(shown[1:]) if len(shown) > 1 else "") if shown else ""
    return (RLM + text) if parts and _first_strong_rtl(parts[0]) else text


def _rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def _first_strong_rtl(text: str) -> bool:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _vtt_escape(text: str) -> str:
    """Cue text is markup in WebVTT (`<v>`, `<c>`, `<i>`, timestamps, entities): text stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _srt_plain(text: str) -> str:
    """SRT has no escapes, yet players read `<i>`-style tags and `{\\an8}`-style overrides: a word
    joiner after each opening bracket keeps them text (shown as written, never interpreted)."""
    return text.replace("<", "<\u2060").replace("{", "{\u2060")


def poster_slide(project: Project, timeline: Timeline) -> Slide:
    """`video.poster`, or the first grid, or the first photo, or the first slide."""
    if project.poster is not None and project.poster < len(timeline.slides):
        return timeline.slides[project.poster]
    for kind in ("grid", "photo"):
        for s in timeline.slides:
            if s.kind == kind:
                return s
    return timeline.slides[0]


def vtt(project: Project, timeline: Timeline) -> str:
    from webvtt import Caption, WebVTT

    doc = WebVTT()
    for k, cue in enumerate(cues(project, timeline), start=1):
        if cue.lines:
            doc.captions.append(Caption(_stamp(cue.start, timeline.fps, "."), _stamp(cue.end, timeline.fps, "."),
                                        [_vtt_escape(line) for line in cue.lines], identifier=f"slide-{k - 1}"))
    # A note (no player shows it) marks the file as collage's: a later render may replace it.
    header, _, rest = str(doc.content).partition("\n\n")
    return f"{header}\n\nNOTE {MARK}\n\n{rest}"


def srt_text(project: Project, timeline: Timeline) -> str:
    import datetime

    import srt

    fps = timeline.fps
    subs = [srt.Subtitle(k, datetime.timedelta(milliseconds=round(c.start * 1000 / fps)),
                         datetime.timedelta(milliseconds=round(c.end * 1000 / fps)),
                         "\n".join(_srt_plain(line) for line in c.lines))
            for k, c in enumerate(cues(project, timeline), start=1) if c.lines]
    return str(srt.compose(subs))


def transcript(project: Project, timeline: Timeline) -> str:
    """Every slide's text in order, a heading for each title card: the text alternative."""
    e = html.escape
    body = []
    for cue in cues(project, timeline):
        when = f'<span class="t">{_stamp(cue.start, timeline.fps, ".")[:8]}</span> '
        if cue.title and cue.lines:
            body.append(f'<h2 dir="auto">{when}{e(cue.lines[0].lstrip(RLM))}</h2>')
            body += [f'<p dir="auto">{e(line.lstrip(RLM))}</p>' for line in cue.lines[1:]]
        elif cue.lines:
            body.append('<ul>' + "".join(f'<li dir="auto">{e(line.lstrip(RLM))}</li>' for line in cue.lines)
                        + "</ul>")
    return f"""<!doctype html>
<html><head><meta charset="utf-8">
<meta name="generator" content="{MARK}">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(project.title)}: transcript</title>
<style>body {{ font: 16px/1.5 system-ui, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
       "Noto Sans Arabic", sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; }}
.t {{ color: #777; font: 13px ui-monospace, monospace; }} li {{ margin: .3em 0; }}</style></head>
<body>
<h1 dir="auto">{e(project.title)}</h1>
<p>The text of the video: every title card, and every person shown with what their sign says.</p>
{"".join(body)}
</body></html>
"""


def _stamp(frame: int, fps: int, comma: str) -> str:
    ms = round(frame * 1000 / fps)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{comma}{ms:03d}"


def write(project: Project, timeline: Timeline, video: Path, size: tuple[int, int]) -> list[Path]:
    """The sidecars beside `video` (NAME.vtt, NAME.srt, NAME.transcript.html, NAME.jpg), each written
    aside and moved into place."""
    vtt_path, srt_path, transcript_path, poster = names.sidecars(video)
    for target, text in ((vtt_path, vtt(project, timeline)), (srt_path, srt_text(project, timeline)),
                         (transcript_path, transcript(project, timeline))):
        files.write_text(target, text)
    slide = poster_slide(project, timeline)
    artist = Artist(project.folder, size, project.theme, project.manifest.name, (timeline.width, timeline.height))
    picture = artist.draw(slide, slide.progress(slide.start + slide.frames // 2))
    # No EXIF (none is given); a comment marks it as collage's.
    files.save(poster, lambda path: picture.save(path, format="JPEG", quality=90, comment=MARK.encode()))
    return [vtt_path, srt_path, transcript_path, poster]
