"""How much of the frame the photos fill, and how tall their signs stand, on every grid slide at every shape.

    .venv/bin/python benchmarks/bench_fill.py [FOLDER ...]   (default: the example and the 100-photo folder)

For each folder and shape (16:9, 9:16, 1:1): the photos' boxes (as `collage plan --json` gives them) as a
share of the frame on each grid slide (min, median), and each photo's sign height on screen as a share of
the frame height (the sign as detected; the whole photo where none is found), the smallest. Targets
(issue 12): fill >= 60 % on every grid slide, signs >= 10 %. Layout only: nothing is rendered.
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import replace
from pathlib import Path

from collage import manifest, pipeline
from collage.media import photos, subjects
from collage.plan import layout

ROOT = Path(__file__).resolve().parent.parent
SHAPES = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}


def measure(folder: Path) -> None:
    project = manifest.load(folder)
    signs: dict[str, float] = {}
    for m in project.messages:
        found = subjects.detect(folder / m.photo).sign
        signs[m.id] = 1.0 if found is None else found[3] - found[1]
    for label, size in SHAPES.items():
        shaped = replace(project, size=size, rendition=None if size == project.size else label)
        timeline = pipeline.timeline(shaped)
        fills, sign_shares, slides = [], [], 0
        for slide in timeline.slides:
            if slide.kind != "grid":
                continue
            slides += 1
            fills.append(sum(c.box.w * c.box.h for c in slide.cells) / (size[0] * size[1]))
            for c in slide.cells:
                info = photos.probe(folder / c.photo)
                aspect = info.width / info.height
                shown = layout.shown_height(c.box, aspect, cover=c.crop is not None)
                sign_shares.append(shown * signs[c.message] / size[1])
        print(f"{folder.name:<14} {label:<5} grid slides {slides:>3}  fill min {min(fills):5.1%} "
              f"median {statistics.median(fills):5.1%}  smallest sign {min(sign_shares):5.1%}")


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [ROOT / "examples" / "lawyers-day",
                                                   ROOT / "benchmarks" / ".cache" / "photos-100"]
    for folder in folders:
        if (folder / "collage.yaml").exists():
            measure(folder)
        else:
            print(f"{folder}: no collage.yaml (run benchmarks/bench_render.py once to make it)")


if __name__ == "__main__":
    main()
