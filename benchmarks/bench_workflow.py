"""The editor's workflow on the 100-photo benchmark folder: `import`, `storyboard`, `still`, and
`cache prune`, each as a whole process (wall, CPU of the tree, peak RSS of the tree), median of N runs.

    .venv/bin/python benchmarks/bench_workflow.py [--photos 100] [--runs 3]

The folder (N 12-megapixel JPEGs, made once by bench_render.py under benchmarks/.cache) is copied by
hard links into a scratch folder without a manifest; a Google-Forms-like sheet of N rows (timestamp,
name, profession, city and country, photo, message, email, status) is written beside it. Then:

  import (new)      creates collage.yaml from the sheet
  import (again)    the same sheet again: nothing changes
  storyboard        the review page and contact sheet (photos decoded and checked: first run; a cache after)
  still             one grid slide at its middle (slide 5)
  still (masked)    the first grid slide, which shows a masked contributor: cold (no cache: every masked
                    photo's faces found and checked, as the plan covers them all) and warm (after `check`,
                    which remembers faces and signs by file state: the still then costs drawing the slide)
  prune             `cache prune` of an empty cache (computes every key of the render and its preview)

Every ninth photo (those made from the example's masked contributor's photo, p0003, p0012, ...) is
`consent: masked` in the sheet: 11 of 100.

With `--baseline-src OTHER/src` (another checkout's `src`), the warm masked still is then run by this
checkout and by the other one in alternating rounds, each on its own copy of the folder and cache (warmed
once first), and the medians and their ratio are printed: the machine is shared, so a figure is compared
with a reference measured in the same minutes.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_render import make_folder, measure

COLLAGE = [sys.executable, "-m", "collage"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src: its warm still, alternated")
    args = parser.parse_args()
    source = make_folder(args.photos)
    with tempfile.TemporaryDirectory(prefix="bench-workflow-") as tmp:
        folder = Path(tmp) / "folder"
        (folder / "photos").mkdir(parents=True)
        for photo in sorted((source / "photos").iterdir()):
            os.link(photo, folder / "photos" / photo.name)
        shutil.copytree(source / "music", folder / "music")
        sheet = Path(tmp) / "responses.csv"
        with sheet.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(["Timestamp", "Your name", "Occupation", "City", "Country", "Upload your photo",
                        "What does your sign say?", "Email Address", "Status", "Consent"])
            for k, photo in enumerate(sorted((folder / "photos").iterdir())):
                w.writerow([f"2026/06/{1 + k % 28:02d} 10:{k % 60:02d}", f"Contributor {k}", "Lawyer",
                            f"City {k}", "Taiwan", photo.name, f"We stand with you\n#{k}", f"c{k}@example.org",
                            "Approved", "masked" if k % 9 == 3 else "named"])
        results: dict[str, list[dict[str, float]]] = {}

        def run(name: str, *cmd: str | Path, reset: bool = False) -> None:
            for _ in range(args.runs):
                if reset:
                    (folder / "collage.yaml").unlink(missing_ok=True)
                    shutil.rmtree(folder / "out", ignore_errors=True)
                results.setdefault(name, []).append(measure([*COLLAGE, *map(str, cmd)]))

        run("import (new)", "import", folder, sheet, reset=True)
        run("import (again)", "import", folder, sheet)
        shutil.rmtree(folder / "out", ignore_errors=True)
        results["storyboard (first)"] = [measure([*COLLAGE, "storyboard", str(folder)])]
        run("storyboard", "storyboard", folder)
        run("still", "still", folder, "--slide", "5", "-o", Path(tmp) / "still.png")
        masked_still: list[str | Path] = ["still", folder, "--slide", "1", "-o", Path(tmp) / "masked.png"]
        for _ in range(args.runs):
            shutil.rmtree(folder / "out", ignore_errors=True)
            results.setdefault("still (masked, cold)", []).append(measure([*COLLAGE, *map(str, masked_still)]))
        shutil.rmtree(folder / "out", ignore_errors=True)
        results["check (first)"] = [measure([*COLLAGE, "check", str(folder)])]
        run("still (masked, warm)", *masked_still)
        run("prune", "cache", "prune", folder)
        if args.baseline_src:
            results.update(against_baseline(folder, Path(tmp), args.baseline_src, args.runs))
    print(f"\n{args.photos} photos, median of {args.runs} (storyboard and check first: one run)\n")
    print(f"| {'step':<20} | {'wall s':>7} | {'CPU s':>7} | {'peak RSS MiB':>12} |")
    print(f"| {'-' * 20} | {'-' * 6}: | {'-' * 6}: | {'-' * 11}: |")
    for name, runs in results.items():
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        rss = statistics.median(r["rss_mib"] for r in runs)
        print(f"| {name:<20} | {wall:7.2f} | {cpu:7.2f} | {rss:12.0f} |")


def against_baseline(folder: Path, tmp: Path, baseline: Path, runs: int) -> dict[str, list[dict[str, float]]]:
    """The warm masked still of this checkout and of `baseline`, alternating, each on its own copy of the
    folder (photos hard-linked) and cache: a cache written by other code is not this code's to read."""
    other = tmp / "baseline"
    (other / "photos").mkdir(parents=True)
    for photo in (folder / "photos").iterdir():
        os.link(photo, other / "photos" / photo.name)
    shutil.copy(folder / "collage.yaml", other / "collage.yaml")
    shutil.copytree(folder / "music", other / "music")
    env = {**os.environ, "PYTHONPATH": str(baseline.resolve())}
    still = ["still", "--slide", "1", "-o", str(tmp / "baseline.png")]
    measure([*COLLAGE, "check", str(other)], env=env)  # warmed as `still (masked, warm)` was
    out: dict[str, list[dict[str, float]]] = {}
    for _ in range(runs):
        out.setdefault("still (this, again)", []).append(measure([*COLLAGE, still[0], str(folder), *still[1:]]))
        out.setdefault("still (baseline)", []).append(measure([*COLLAGE, still[0], str(other), *still[1:]], env=env))
    this = statistics.median(r["wall"] for r in out["still (this, again)"])
    base = statistics.median(r["wall"] for r in out["still (baseline)"])
    print(f"warm masked still: this {this:.2f} s, baseline {base:.2f} s, ratio {this / base:.2f}")
    return out


if __name__ == "__main__":
    main()
