"""What the cache holds that nothing uses any more: found after every render (the note about stale
files) and deleted by `collage cache prune` (a withdrawn or newly masked contributor's pictures leave the
disk).

A segment is in use while the full render or the preview of the manifest as it is now, for the main
video or any rendition, needs it: every one of those is planned and keyed (`every_variant`)."""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from collage import manifest, pipeline
from collage.errors import InputError
from collage.model.project import Project
from collage.outputs import targets
from collage.resources import fonts_dir
from collage.video import keys
from collage.video.cache import Cache, SegmentCache
from collage.video.settings import resolve_settings


@dataclass(frozen=True)
class Pruned:
    cache: Path
    files: int  # segments, runs and beds deleted
    bytes: int
    everything: bool = False  # the manifest has errors: nothing could be shown to be in use


def in_use(project: Project, cache: Cache, tool: str, preview: bool) -> set[str] | None:
    """The keys a full render (or, with `preview`, a preview) of the manifest as it is now uses; None
    when it has errors (a masked photo with nothing found to cover, say): then nothing is in use."""
    settings = resolve_settings(project, preview=preview, cache_dir=cache.root)
    timeline = pipeline.timeline(project, project.size, settings.fps, cache.root)
    if any(p.severity == "error" for p in timeline.warnings):
        return None
    return keys.of_render(project, timeline, settings.spec(timeline, project.title), cache.digests, tool,
                          cache.durable, memo=cache.root).all


def every_variant(project: Project, cache: Cache, tool: str, remember: bool = True) -> list[set[str] | None]:
    """`in_use` of the full render and the preview of the main video, of every rendition and of every
    described version. With
    `remember`, worked out once for the same manifest, cache and tool (each shape of a run asks for
    the note about stale files); `cache prune` always works it out afresh."""
    st = project.manifest.stat()
    key = (str(project.manifest), st.st_mtime_ns, st.st_size, str(cache.root), tool)
    if key not in _VARIANTS or not remember:
        # (A rendition's own `renditions` are empty: the main video's project is loaded again.)
        main = project if project.rendition is None else manifest.load(project.folder, project.manifest)
        _VARIANTS.clear()
        shapes = [main.shaped(r) for r in (None, *(x.name for x in main.renditions))]
        if main.described is not None:  # the described versions too (NAME.described.mp4, and a rendition's)
            shapes += [main.shaped(r).describing() for r in (None, *main.described.renditions)]
        _VARIANTS[key] = [in_use(shape, cache, tool, preview) for shape in shapes for preview in (False, True)]
    return _VARIANTS[key]


_VARIANTS: dict[tuple[str, int, int, str, str], list[set[str] | None]] = {}


def prune_cache(folder: Path | str, *, manifest_path: Path | str | None = None,
                cache_dir: Path | str | None = None) -> Pruned:
    """`collage cache prune`: delete every cached file that neither the full render nor the preview of
    the manifest as it is now uses, for the main video or any rendition, with the scratch of runs that
    died and what the cache remembers of other files. Only a folder collage tagged as its cache is
    touched (the write rule, `outputs.targets`)."""
    project = manifest.load(folder, manifest_path)
    settings = resolve_settings(project, cache_dir=cache_dir)
    root = settings.cache_dir
    assert root is not None
    chosen = [dataclasses.replace(t, hint="give the cache folder itself") for t in targets.video_targets(
        project, settings.output, manifest.display_path(project.manifest), sidecars=False, cache=root,
        cache_given=cache_dir is not None) if t.kind == "cache"]
    refused = targets.problems(targets.owned(project), chosen)
    if refused:
        raise InputError(refused)
    if not (root / "entries").is_dir():
        return Pruned(root, 0, 0)
    cache = SegmentCache(root)
    tool = keys.tool(cache.digests)
    # The grid cuts remembered are digests of captions, some perhaps of names since withdrawn: forgotten,
    # then remembered again by planning every variant of the manifest as it is now (just below).
    with contextlib.suppress(FileNotFoundError):
        (root / pipeline.CUTS).unlink()
    used = every_variant(project, cache, tool, remember=False)
    # A manifest with errors proves nothing in use: everything goes (an unmasked slide must not survive
    # because its masked version cannot be planned yet).
    keep = set() if any(u is None for u in used) else set().union(*(u for u in used if u is not None))
    cache.digests.save()
    sources = [project.folder / m.photo for m in project.messages]
    sources += [project.folder / t.file for t in project.music.tracks]
    sources += list(fonts_dir().iterdir())  # the tool's fingerprint digests them
    sources += [Path(f) for f in project.theme.fonts]  # and the slides' keys the manifest's fonts
    if project.theme.background_image:
        sources.append(Path(project.theme.background_image))
    files, freed = cache.remove_unused(keep, sources)
    return Pruned(root, files, freed, not keep)
