"""The name of everything collage writes, worked out here and nowhere else.

    out/NAME.mp4                        the video (`video.output`, default out/FOLDER.mp4; or -o)
    out/NAME.<rendition>.mp4            each shape of `video.renditions`, beside it
    out/NAME[.<rendition>].described.mp4   `video.described`: the version that says what each slide shows
    out/NAME.preview.mp4                `render --preview`
    out/NAME.slides-3-5[.preview].mp4   `render --slides 3-5` (a proof)
    out/NAME.vtt .srt .transcript.html .jpg   the sidecars, beside each of those videos
    out/NAME.slide-N.png                `collage still` (NAME.<rendition>.slide-N.png for a rendition)
    out/storyboard[.<rendition>]/       `collage storyboard` (marked as collage's by STORYBOARD_MARK)
    out/collage-cache/                  the render cache (marked by CACHE_TAG), unless --cache-dir
    FOLDER/collage.yaml                 the manifest: written by `init`, edited by `import`
    FOLDER/collage.schema.json          its JSON Schema, written by `init` beside it when absent
"""

from __future__ import annotations

from pathlib import Path

SIDECAR_SUFFIXES = (".vtt", ".srt", ".transcript.html", ".jpg")
CACHE_FOLDER = "collage-cache"
CACHE_TAG = "CACHEDIR.TAG"  # the Cache Directory Tagging standard: backup tools skip such a folder
STORYBOARD_MARK = ".collage-storyboard"  # a storyboard folder holds it: collage replaces only such a folder


def rendition(video: Path, name: str) -> Path:
    """NAME.<rendition>.mp4 beside the main video."""
    return video.with_name(f"{video.stem}.{name}.mp4")


def described(video: Path) -> Path:
    """NAME.described.mp4 beside NAME.mp4 (its sidecars: NAME.described.vtt, the spoken script, and the rest)."""
    return video.with_name(f"{video.stem}.described.mp4")


def preview(video: Path) -> Path:
    return video.with_name(f"{video.stem}.preview.mp4")


def slides(video: Path, first: int, last: int, preview: bool) -> Path:
    """NAME.slides-3-5.mp4 (NAME.slides-3.mp4 for one slide), `.preview` before `.mp4` for a preview."""
    part = f"slides-{first}" + (f"-{last}" if last != first else "")
    return video.with_name(f"{video.stem}.{part}{'.preview' if preview else ''}.mp4")


def sidecars(video: Path) -> list[Path]:
    """NAME.vtt, NAME.srt, NAME.transcript.html and NAME.jpg beside `video`."""
    base = video.with_suffix("")
    return [base.with_name(base.name + suffix) for suffix in SIDECAR_SUFFIXES]


def still(video: Path, slide: int) -> Path:
    return video.with_name(f"{video.stem}.slide-{slide}.png")


def storyboard(video: Path, rendition: str | None) -> Path:
    return video.parent / ("storyboard" + (f".{rendition}" if rendition else ""))


def cache(video: Path) -> Path:
    return video.parent / CACHE_FOLDER


