"""`collage still`: one frame of one slide, drawn by the code that draws the video (proofing).

    manifest.load -> pipeline.timeline -> draw.compose.Composer.frame_at -> PNG

The frame is the video's frame at that moment, before encoding: a transition in progress, a Ken Burns
move, a masked face, all as the render draws them. The PNG carries no metadata but its pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from collage import manifest, pipeline
from collage.draw.compose import Composer
from collage.errors import InputError, Problem
from collage.outputs import files, names, targets


@dataclass(frozen=True)
class Still:
    output: Path
    slide: int
    frame: int  # its number in the video
    seconds: float  # its time in the video


def still(folder: Path | str, slide: int, at: float | None = None, *, manifest_path: Path | str | None = None,
          output: Path | str | None = None, rendition: str | None = None) -> Still:
    """Write slide `slide` (its number in `collage plan`) at `at` seconds after it starts (default: its
    middle) as a PNG: `output`, or NAME.slide-N.png beside the video's output (NAME.<rendition>.slide-N.png
    for one of `video.renditions`)."""
    project = manifest.load(folder, manifest_path, rendition)
    timeline = pipeline.timeline(project, memo=targets.memo_folder(project))
    errors = [p for p in timeline.warnings if p.severity == "error"]
    if errors:
        raise InputError(errors)
    shown = manifest.display_path(project.manifest)
    if not 0 <= slide < len(timeline.slides):
        raise InputError([Problem(shown, f"there is no slide {slide}: the video has slides 0 to "
                                  f"{len(timeline.slides) - 1}", hint="`collage plan FOLDER` lists them")])
    s = timeline.slides[slide]
    seconds = s.frames / timeline.fps
    if at is not None and not 0 <= at < seconds:
        raise InputError([Problem(shown, f"slide {slide} is on screen for {seconds:.2f} s; --at {at:g} is outside "
                                  "it", hint=f"give 0 to {seconds:.2f} seconds after the slide starts")])
    frame = s.start + (s.frames // 2 if at is None else min(s.frames - 1, round(at * timeline.fps)))
    target = Path(output).absolute() if output is not None else names.still(project.output, slide)
    if target.suffix.lower() != ".png":
        raise InputError([Problem(str(target), "a still is written as PNG", hint="give a path ending in .png")])
    flag = "-o" if output is not None else "video.output"
    chosen = targets.Target(target, flag, file=None if output is not None else shown,
                            line=None if output is not None else project.output_line)
    refused = targets.problems(targets.owned(project), [chosen])
    if refused:
        raise InputError(refused)
    from PIL import Image, PngImagePlugin

    composer = Composer(project.folder, timeline, project.theme, manifest_name=project.manifest.name)
    picture = Image.fromarray(composer.frame_at(frame))
    note = PngImagePlugin.PngInfo()
    note.add_text("Software", targets.MARK)  # collage's mark: a later still may replace the file
    # Fast compression: a proof is looked at once (level 6 took 0.4 s of a 1.5 s still, for 20 % fewer bytes).
    files.save(target, lambda path: picture.save(path, format="PNG", pnginfo=note, compress_level=1))
    return Still(target, slide, frame, frame / timeline.fps)
