"""The cost of renditions: the main video alone against the main video + vertical + square in one run.

    .venv/bin/python benchmarks/bench_renditions.py [--runs 2]

On the 100-photo folder of `bench_render.py` (12 MP phone photos, 1080p30, `grid: auto` with the
reading-time timing `slide: auto`, so each shape's slides last as long as their text takes to read, and
the shapes' videos last about as long as each other), rounds alternate: `collage render --no-cache` of
the manifest without renditions, then of the same manifest with `renditions: [vertical, square]`.
Whole-process wall time, CPU of the tree and peak RSS of the tree; medians and the ratio (target:
the three cost at most 2.6x the main alone). Then the sidecars' cost: `sidecars.write` for each shape of
the prepared jobs, in-process, against the main render's wall time (target: at most 2 %).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_render import PY, make_folder, measure


def manifests(folder: Path) -> tuple[Path, Path]:
    lines = (folder / "collage.yaml").read_text(encoding="utf-8").splitlines()
    lines = [ln.replace("grid: 2x2", "grid: auto") for ln in lines]
    alone = folder / "collage-shapes-main.yaml"
    alone.write_text("timing: {slide: auto}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    every = folder / "collage-shapes-all.yaml"
    every.write_text("timing: {slide: auto}\n" + "\n".join(
        ln.replace("output: out/bench.mp4}", "output: out/bench.mp4, renditions: [vertical, square]}")
        for ln in lines) + "\n", encoding="utf-8")
    assert "renditions" in every.read_text(encoding="utf-8")
    return alone, every


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    folder = make_folder(100)
    alone, every = manifests(folder)
    collage = str(Path(PY).with_name("collage"))
    results: dict[str, list[dict[str, float]]] = {"main": [], "three": []}
    with tempfile.TemporaryDirectory(prefix="collage-bench-") as tmp:
        for run in range(args.runs):
            for label, manifest in (("main", alone), ("three", every)):
                out = Path(tmp) / f"{label}.mp4"
                r = measure([collage, "render", str(folder), "-m", str(manifest), "-o", str(out), "--no-cache", "-q"])
                results[label].append(r)
                print(f"run {run + 1} {label:<5} wall {r['wall']:6.1f} s  cpu {r['cpu']:6.1f} s  "
                      f"peak {r['rss_mib']:5.0f} MiB", flush=True)

    def med(label: str, key: str) -> float:
        return statistics.median(r[key] for r in results[label])

    print(f"\nmain alone      : wall {med('main', 'wall'):.1f} s, cpu {med('main', 'cpu'):.1f} s, "
          f"peak {med('main', 'rss_mib'):.0f} MiB")
    print(f"main+vert+square: wall {med('three', 'wall'):.1f} s, cpu {med('three', 'cpu'):.1f} s, "
          f"peak {med('three', 'rss_mib'):.0f} MiB")
    print(f"ratio (wall)    : {med('three', 'wall') / med('main', 'wall'):.2f}x (target <= 2.6x)")
    print(f"ratio (cpu)     : {med('three', 'cpu') / med('main', 'cpu'):.2f}x")

    from collage.outputs import sidecars
    from collage.render import prepare

    with tempfile.TemporaryDirectory(prefix="collage-bench-") as tmp:
        jobs = prepare(folder, manifest_path=every, output=Path(tmp) / "v.mp4", cache=False)
        for job in jobs:
            started = time.monotonic()
            sidecars.write(job.project, job.timeline, job.settings.output, job.settings.size)
            took = time.monotonic() - started
            shape = job.project.rendition or "main"
            print(f"sidecars {shape:<8}: {took:.2f} s for {job.timeline.duration:.0f} s of video, "
                  f"{len(job.timeline.slides)} slides ({100 * took / med('main', 'wall'):.2f} % of the main render)")


if __name__ == "__main__":
    main()
