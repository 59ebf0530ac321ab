"""Cache keys: a digest of everything that shapes an encoded segment or the encoded bed, and nothing else.

A slide's key covers what is drawn (kind, texts, every cell's box, caption, fit and focus, and the bytes
of its photos), the frame size, the theme and pixel format; not where the slide sits in the video. A
segment's key covers its slides' keys, its kind, length and transition style, and the encoder settings.
Both include the tool's fingerprint: collage's version and source code, the bundled fonts and the
ffmpeg build, so an upgrade never serves frames drawn by older code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collage.draw import text
from collage.ffmpeg import ffmpeg_exe
from collage.model.project import Music, Project
from collage.model.theme import Theme
from collage.model.timeline import Segment, Slide, Timeline
from collage.resources import fonts_dir, package_dir, sources_digest
from collage.version import __version__
from collage.video.encode import EncodeSpec, gop_frames

Digests = Callable[[Path], str]  # a file's content digest

_PLACEMENT = ("index", "start", "frames", "transition", "line", "style")  # where, not what


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


def tool(digests: Digests) -> str:
    fonts = {p.name: digests(p) for p in sorted(fonts_dir().iterdir()) if p.suffix.lower() in (".otf", ".ttf", ".ttc")}
    return _digest({"version": __version__, "sources": sources_digest(package_dir()), "fonts": fonts,
                    "ffmpeg": Path(ffmpeg_exe()).name})


def _encoder(spec: EncodeSpec) -> dict[str, Any]:
    fields = dataclasses.asdict(spec)
    for placement in ("frames", "title", "chapters"):  # per video, not per segment
        fields.pop(placement)
    return fields


def slide(s: Slide, folder: Path, theme: Theme, spec: EncodeSpec, digests: Digests, tool_key: str,
          design: tuple[int, int] | None = None) -> str:
    """`design`: the size the slide is laid out for, when it is drawn at another (a preview)."""
    content = dataclasses.asdict(s)
    for placement in _PLACEMENT:
        content.pop(placement)
    photos = {c.photo: digests(folder / c.photo) for c in s.cells}
    if theme.background_image:
        photos["(background)"] = digests(Path(theme.background_image))
    # The manifest's fonts by their bytes, those that have a glyph for some text of the slide (they are
    # tried first, so they may set it): a changed font draws its slides again, and only those.
    look = dataclasses.asdict(theme)
    look.pop("music_cue")  # words of the caption files, never drawn: a new wording re-encodes nothing
    look["fonts"] = [digests(Path(f)) for f in text.fonts_used(_texts(content), theme.fonts)]
    return _digest({"slide": content, "photos": photos, "theme": look,
                    "size": [spec.width, spec.height], "design": list(design or (spec.width, spec.height)),
                    "pixel_format": spec.pixel_format, "tool": tool_key})


def _texts(value: Any) -> list[str]:
    """Every string in a slide's fields (its title, captions, translations; ids and paths too, which
    can only make a font count as used when it is not)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def segment(seg: Segment, a: str | None, b: str | None, spec: EncodeSpec, tool_key: str,
            moments: tuple[tuple[int, int], ...] = ()) -> str:
    """`moments`: for a moving segment, its offset into each slide and that slide's length."""
    return _digest({"kind": seg.kind, "frames": seg.frames, "style": seg.style if seg.kind == "blend" else None,
                    "a": a, "b": b if seg.kind == "blend" else None, "encoder": _encoder(spec), "tool": tool_key,
                    "moving": [list(m) for m in moments] if seg.moving else None})


def bed(music: Music, folder: Path, spec: EncodeSpec, digests: Digests, tool_key: str,
        window: tuple[float, float] | None = None, said: tuple[Said, ...] = ()) -> str:
    """`said`: the described version's words, where each is said (the bed is then the whole mix)."""
    settings = dataclasses.asdict(music)
    for track in settings["tracks"]:
        track.pop("line")  # where in the manifest, not what plays
    tracks = [digests(folder / t.file) for t in music.tracks]
    return _digest({"music": settings, "tracks": tracks, "frames": spec.frames, "fps": spec.fps,
                    "audio": [spec.audio_bitrate, spec.sample_rate, spec.audio_coder], "tool": tool_key,
                    **({"window": list(window)} if window else {}),
                    **({"said": [[s.start, s.entry] for s in said]} if said else {})})


def run(segment_keys: list[str]) -> str:
    """A run of consecutive segments, joined: the same when its segments are."""
    return _digest({"run": segment_keys})


@dataclasses.dataclass(frozen=True)
class Keys:
    """The keys of everything one render needs: each segment, each run of segments, and the bed."""

    segments: list[Segment]
    segment: list[str]  # each segment's key
    runs: list[list[int]]  # segments joined and kept together (one run a slide)
    run: list[str]
    bed: str
    said: tuple[Said, ...] = ()  # the described version's words (their clips are cache entries too)

    @property
    def all(self) -> set[str]:
        return {*self.segment, *self.run, self.bed, *(s.entry for s in self.said)}


def of_render(project: Project, timeline: Timeline, spec: EncodeSpec, digests: Digests, tool_key: str,
              durable: bool, window: tuple[float, float] | None = None, memo: Path | None = None) -> Keys:
    """The cache key of every segment, run of segments and the bed a render of `timeline` needs. Runs
    are kept only by a `durable` cache (one that keeps nothing keeps no runs either). The described
    version's words are found (or made) in the cache folder `memo`."""
    # Holds in pieces of one GOP: the keyframes fall where one long encode would put them, and a
    # long hold no longer keeps one core busy after the others are done (an edit re-encodes a
    # slide's pieces in parallel).
    segs = timeline.segments(max_hold=gop_frames(timeline.fps))
    slide_keys = [slide(s, project.folder, project.theme, spec, digests, tool_key, (timeline.width, timeline.height))
                  for s in timeline.slides]
    seg_keys = [segment(g, None if g.a is None else slide_keys[g.a], None if g.b is None else slide_keys[g.b], spec,
                        tool_key, _moments(timeline, g)) for g in segs]
    # Runs: each slide's segments (the transition into it, its hold pieces) joined once and kept, so
    # that the final join opens one file a slide, not one a segment (ffmpeg's concat demuxer decodes a
    # frame of every file it opens: ~20 ms at 1080p), and an edit looks up and joins only the runs it
    # touches.
    runs = _runs(segs) if durable else [[i] for i in range(len(segs))]
    words = said(project, timeline, memo)
    return Keys(segs, seg_keys, runs, [run([seg_keys[i] for i in r]) for r in runs],
                bed(project.music, project.folder, spec, digests, tool_key, window, words), words)


@dataclasses.dataclass(frozen=True)
class Said:
    """One thing the described version says: where (frame), and its clip (a cache entry)."""

    start: int
    entry: str
    clip: Path


def said(project: Project, timeline: Timeline, memo: Path | None) -> tuple[Said, ...]:
    """The described version's words, each with its clip (`media.narration`); none for other videos."""
    if not project.narrated or not timeline.narration:
        return ()
    from collage.media import narration

    clips = narration.clips(project, memo, {p.key for p in timeline.narration})
    return tuple(Said(p.start, clips[p.key].entry, clips[p.key].path) for p in timeline.narration if p.key in clips)


def _runs(segs: list[Segment]) -> list[list[int]]:
    """Consecutive segments grouped by the slide they bring on: a transition into a slide starts a run,
    its hold pieces follow (the fade to black at the end stays with the last slide)."""
    runs: list[list[int]] = []
    for i, g in enumerate(segs):
        if not runs or (g.kind == "blend" and g.b is not None):
            runs.append([i])
        else:
            runs[-1].append(i)
    return runs


def _moments(timeline: Timeline, seg: Segment) -> tuple[tuple[int, int], ...]:
    """For a moving segment, where it sits in each of its slides (offset, slide length): its frames
    depend on it. Nothing for still segments, whose frames are the same wherever they fall."""
    if not seg.moving:
        return ()
    return tuple((seg.start - timeline.slides[i].start, timeline.slides[i].frames)
                 for i in (seg.a, seg.b) if i is not None)
