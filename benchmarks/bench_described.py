"""The cost of the described version: the main video alone against the main video and its described
version (`video.described: true`) in one run, which shares the picture's segments through the cache.

    .venv/bin/python benchmarks/bench_described.py [--photos 0|100] [--runs 3]

`--photos 0` (the default) is the example (copied out of the checkout, without its renditions); `--photos
100` the 100-photo folder of `bench_render.py` (12 MP phone photos, 1080p30, 2x2 grids, `timing.max: 40s`
so that a grid's four people fit their slide). Rounds alternate, each with an empty cache of its own:
`collage render` of the manifest without `described`, then of the same manifest with `described: true`.
Whole-process wall time, CPU of the tree and peak RSS of the tree; medians, and the ratios to the main
video alone. The described video is longer than the main one (each slide lasts as long as its words):
its length is printed too.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_render import EXAMPLE, PY, make_folder, measure


def manifests(folder: Path, example: bool) -> tuple[Path, Path]:
    text = (folder / "collage.yaml").read_text(encoding="utf-8")
    if example:
        lines = [ln for ln in text.splitlines() if not ln.strip().startswith("renditions:")]
        alone = "\n".join(lines) + "\n"
        described = alone.replace("  output: out/messages.mp4", "  output: out/messages.mp4\n  described: true")
    else:
        alone = "timing: {max: 40s}\n" + text
        described = alone.replace("output: out/bench.mp4}", "output: out/bench.mp4, described: true}")
    assert "described: true" in described
    paths = folder / "collage-main.yaml", folder / "collage-described.yaml"
    for path, body in zip(paths, (alone, described), strict=True):
        path.write_text(body, encoding="utf-8")
    return paths


def length(collage: str, folder: Path, manifest: Path, *extra: str) -> float:
    out = subprocess.run([collage, "plan", str(folder), "-m", str(manifest), "--json", *extra], capture_output=True,
                         text=True, check=True).stdout
    return float(json.loads(out)["duration"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=0, help="0: the example; 100: bench_render's folder")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    collage = str(Path(PY).with_name("collage"))
    with tempfile.TemporaryDirectory(prefix="collage-bench-") as tmp:
        if args.photos:
            folder = make_folder(args.photos)
        else:
            folder = Path(tmp) / "example"
            shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("out"))
        alone, described = manifests(folder, not args.photos)
        seconds = (length(collage, folder, alone), length(collage, folder, described, "--described"))
        results: dict[str, list[dict[str, float]]] = {"main": [], "both": []}
        for run in range(args.runs):
            for label, manifest in (("main", alone), ("both", described)):
                out = Path(tmp) / f"{label}-{run}" / "v.mp4"
                r = measure([collage, "render", str(folder), "-m", str(manifest), "-o", str(out), "-q"])
                results[label].append(r)
                print(f"run {run + 1} {label:<4} wall {r['wall']:6.1f} s  cpu {r['cpu']:6.1f} s  "
                      f"peak {r['rss_mib']:5.0f} MiB", flush=True)
                shutil.rmtree(out.parent)

    def med(label: str, key: str) -> float:
        return statistics.median(r[key] for r in results[label])

    main_wall, main_cpu = med("main", "wall"), med("main", "cpu")
    both_wall, both_cpu = med("both", "wall"), med("both", "cpu")
    print(f"\nvideos: main {seconds[0]:.1f} s, described {seconds[1]:.1f} s ({seconds[1] / seconds[0]:.2f}x as long)")
    print(f"main alone         : wall {main_wall:.1f} s, cpu {main_cpu:.1f} s, peak {med('main', 'rss_mib'):.0f} MiB")
    print(f"main + described   : wall {both_wall:.1f} s, cpu {both_cpu:.1f} s, peak {med('both', 'rss_mib'):.0f} MiB")
    print(f"the described adds : wall {both_wall - main_wall:.1f} s ({(both_wall - main_wall) / main_wall:.0%} of the "
          f"main render), cpu {both_cpu - main_cpu:.1f} s ({(both_cpu - main_cpu) / main_cpu:.0%})")


if __name__ == "__main__":
    main()
