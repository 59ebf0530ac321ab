"""The render on local threads against the same render on a Dask LocalCluster on this machine, and what
the task graph allows with more workers.

    .venv/bin/python benchmarks/bench_cluster.py [--photos 100] [--runs 3]

Both renders start from an empty cache (each round its own), 1080p30, the benchmark folder of
bench_render.py. Rounds alternate local and cluster so both see the same machine. The cluster is a
`LocalCluster` of 2 worker processes with 1 thread each, on 127.0.0.1, started once (its start-up is
not counted: a cluster outlives one render).

From the tasks' own durations (recorded by the render in `last-run.json`: every slide drawn, segment
encoded and the bed, with what each needed) it computes the graph's critical path and simulates a
greedy list schedule on 4, 16 and 64 workers, adding the parts that stay on the coordinator (planning
and checks before, the join after) as measured. A simulation: it assumes a task takes as long on any
worker as it took here, and that the shared filesystem keeps up.
"""

from __future__ import annotations

import argparse
import heapq
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_render import PY, make_folder, measure


def critical_path(tasks: list[dict[str, Any]]) -> float:
    finish: dict[str, float] = {}
    for t in tasks:  # completion order: a task's needs finished before it
        finish[t["task"]] = max((finish.get(n, 0.0) for n in t["needs"]), default=0.0) + t["seconds"]
    return max(finish.values(), default=0.0)


def makespan(tasks: list[dict[str, Any]], workers: int) -> float:
    """Greedy list scheduling in the render's order: each task on the first free worker once its needs
    are done."""
    free = [0.0] * workers
    heapq.heapify(free)
    done: dict[str, float] = {}
    for t in tasks:
        ready = max((done.get(n, 0.0) for n in t["needs"]), default=0.0)
        start = max(heapq.heappop(free), ready)
        done[t["task"]] = start + t["seconds"]
        heapq.heappush(free, done[t["task"]])
    return max(done.values(), default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import dask
    from distributed import LocalCluster

    folder = make_folder(args.photos)
    collage = str(Path(PY).with_name("collage"))
    with tempfile.TemporaryDirectory(prefix="collage-bench-") as tmp:
        work = Path(tmp)
        with dask.config.set({"temporary-directory": str(work / "dask")}):
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0")
        rows: dict[str, list[dict[str, float]]] = {"local": [], "cluster": []}
        record: dict[str, Any] = {}
        try:
            for run in range(args.runs):
                for name, extra in (("local", []), ("cluster", ["--cluster", cluster.scheduler_address])):
                    cache = work / f"cache-{name}-{run}"
                    rows[name].append(measure([collage, "render", "-q", str(folder), "-o", str(work / f"{name}.mp4"),
                                               "--cache-dir", str(cache), *extra]))
                    if name == "local":
                        record = json.loads((cache / "last-run.json").read_text())
                        record["wall"] = rows[name][-1]["wall"]
                print(f"round {run + 1}: " + ", ".join(f"{k} {v[-1]['wall']:.1f}s" for k, v in rows.items()),
                      file=sys.stderr)
            same = (work / "local.mp4").read_bytes() == (work / "cluster.mp4").read_bytes()
        finally:
            cluster.close(timeout=60)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[name])

    print(f"\n{args.photos} photos, 1080p30, empty cache each round; medians of {args.runs} round(s); "
          f"the two outputs {'are' if same else 'are NOT'} byte-identical\n")
    print(f"| {'render':<8} | {'wall s':>7} | {'CPU s':>7} | {'peak MiB':>8} |")
    print(f"|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 10}|")
    for name in rows:
        print(f"| {name:<8} | {med(name, 'wall'):>7.1f} | {med(name, 'cpu'):>7.1f} | {med(name, 'rss_mib'):>8.0f} |")
    overhead = med("cluster", "wall") / med("local", "wall") - 1
    print(f"\nengine overhead (cluster wall / local wall - 1): {overhead * 100:+.1f} % (target <= +10 %)")

    tasks = record["tasks"]
    work_s = sum(t["seconds"] for t in tasks)
    coordinator = record["wall"] - record["encode_seconds"]  # planning, checks, start-up, joins
    path = critical_path(tasks)
    print(f"\ntasks: {len(tasks)}, {work_s:.1f} s of task time; critical path {path:.2f} s; "
          f"on the coordinator (before and after the tasks) {coordinator:.1f} s\n")
    print(f"| {'workers':>7} | {'tasks s':>8} | {'render s':>8} | {'speed-up':>8} |")
    print(f"|{'-' * 9}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    base = coordinator + makespan(tasks, 1)
    for n in (1, 2, 4, 16, 64):
        span = makespan(tasks, n)
        print(f"| {n:>7} | {span:>8.1f} | {coordinator + span:>8.1f} | {base / (coordinator + span):>7.1f}x |")
    print(f"| {'∞':>7} | {path:>8.1f} | {coordinator + path:>8.1f} | {base / (coordinator + path):>7.1f}x |")
    print(f"\ncommand: .venv/bin/python benchmarks/bench_cluster.py {' '.join(sys.argv[1:])}".rstrip())


if __name__ == "__main__":
    main()
