"""`music:`: a list of tracks, or a mapping with `tracks:` and the bed's settings."""

from __future__ import annotations

from typing import Any

from collage.manifest import yamlpos
from collage.manifest.models import MusicIn, TrackIn
from collage.manifest.report import AUDIO_SUFFIXES, Reporter, kind_of
from collage.model.project import Music, Track


def music(r: Reporter, data: Any) -> Music:
    """`music:` is a list of tracks, or a mapping with `tracks:` and the bed's settings."""
    options = MusicIn()
    base: yamlpos.Path_ = ("music",)
    if isinstance(data, dict):
        options = r.model(MusicIn, data, base) or MusicIn()
        if not -40 <= options.loudness <= -5:
            r.error(("music", "loudness"), f"{options.loudness} LUFS is out of range",
                    "use -40 to -5; -16 suits the web, -23 broadcast", key_line=True)
        data, base = options.tracks, ("music", "tracks")
    tracks: list[Track] = []
    if data is not None and not isinstance(data, list):
        r.error(base, f"expected a list of tracks, got {kind_of(data)}", "write `- file: music/x.mp3`")
        data = None
    for i, item in enumerate(data or []):
        if isinstance(item, str):
            item = {"file": item}
        track = r.model(TrackIn, item, (*base, i))
        if track is None:
            continue
        if track.end is not None and track.end <= track.start:
            r.error((*base, i, "end"), f"end {track.end:g}s is not after start {track.start:g}s",
                    key_line=True)
            continue
        rel = r.inside((*base, i, "file"), track.file, "audio", AUDIO_SUFFIXES)
        if rel:
            tracks.append(Track(rel, r.pos.line((*base, i)), track.volume, track.start, track.end))
    return Music(tuple(tracks), options.loudness, options.crossfade, options.fade_in, options.fade_out)
