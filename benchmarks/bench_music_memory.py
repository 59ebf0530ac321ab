"""Whole-tree peak memory of `collage render` under long music and over a long video (issue 9).

    .venv/bin/python benchmarks/bench_music_memory.py [--cases a,b,b-beats] [--src DIR] [--timeout 900]
                                                      [--cap-mib 8192] [--json FILE]

Uses bench_render's 100-photo folder (12 MP JPEGs, generated once under benchmarks/.cache) and adds to it
two synthetic music tracks (AAC, made once with the bundled ffmpeg: a tone over a kick every 0.5 s) and
three manifests. Each case is one real `collage render` process at 1080p30 with --no-cache:

  a        100 photos (2x2 grids, 6 s slides: 134 s of video) under a 25-minute track
  b        a 30-minute video (the same photos, `timing: {slide: 72s}`: equal holds encode once) under a
           10-minute track, which loops three times
  b-beats  b with `timing.beats: true` (the beats are found in the whole 30-minute bed)

The whole process tree (collage and every ffmpeg it starts) is sampled every 0.2 s: PSS summed over the
tree (shared pages counted once), RSS summed over the tree, and collage's own RSS; the table shows each
one's peak. `--src DIR` runs the collage found in DIR (put first on PYTHONPATH) instead of the installed
one, to record "before" figures of an earlier commit:

    git archive HEAD | tar -x -C /tmp/before && .venv/bin/python benchmarks/bench_music_memory.py --src /tmp/before/src

A run that exceeds `--timeout` seconds or `--cap-mib` of tree PSS is killed (every process of its tree, by
id) and shown as such. The runs are sequential; a case takes 2-4 minutes on two cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_render import _tree, make_folder  # the 100-photo folder and the tree walk

PY = sys.executable
TARGET_MIB = 1024
INTERVAL = 0.2
# A music-like test signal: a soft chord over a kick drum every half second (beats to find).
SIGNAL = ("0.08*sin(2*PI*220*t)+0.06*sin(2*PI*277.2*t)+0.05*sin(2*PI*329.6*t)"
          "+0.5*sin(2*PI*55*t)*exp(-25*mod(t,0.5))")
CASES = {
    "a": ("100 photos, 25-min track", "timing: {title: 5s, slide: 6s, transition: 1s}", "bench-25min.m4a"),
    "b": ("30-min video, 10-min track", "timing: {title: 5s, slide: 72s, transition: 1s}", "bench-10min.m4a"),
    "b-beats": ("30-min video, 10-min track, beats", "timing: {title: 5s, slide: 72s, transition: 1s, beats: true}",
                "bench-10min.m4a"),
}


def track(folder: Path, name: str, seconds: int) -> Path:
    """An AAC track of `seconds` made from SIGNAL (once)."""
    from collage.ffmpeg import ffmpeg_exe

    path = folder / "music" / name
    if not path.exists():
        partial = path.with_name(f".{name}.partial.m4a")
        subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"aevalsrc='{SIGNAL}':s=44100:c=stereo:d={seconds}", "-c:a", "aac", "-b:a", "128k",
                        str(partial)], check=True)
        partial.replace(path)
    return path


def manifests(folder: Path) -> dict[str, Path]:
    """One manifest a case, beside bench_render's: its photos and sequence with this case's timing and track."""
    base = (folder / "collage.yaml").read_text(encoding="utf-8")
    assert "  - file: music/theme.m4a\n" in base
    out = {}
    for name, (_, timing, music) in CASES.items():
        path = folder / f"collage-music-{name}.yaml"
        text = timing + "\n" + base.replace("music/theme.m4a", f"music/{music}")
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        out[name] = path
    return out


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def run(cmd: list[str], env: dict[str, str], timeout: float, cap: int) -> dict[str, Any]:
    """Run `cmd` in its own process group; wall time and peaks of tree PSS, tree RSS and the root's RSS."""
    peak_pss = peak_rss = peak_own = 0
    stopped = ""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a full pipe would stall the render
        started = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
        while proc.poll() is None:
            rss, pids = _tree(proc.pid)
            pss = sum(_pss(p) for p in pids)
            peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
            peak_own = max(peak_own, _rss(proc.pid))
            if time.monotonic() - started > timeout:
                stopped = f"killed after {timeout:.0f} s"
            elif pss > cap:
                stopped = f"killed at {pss / 2**20:.0f} MiB"
            if stopped:  # every process of the tree by its id (collage starts ffmpeg in sessions of their own)
                for p in pids:
                    with contextlib.suppress(OSError):
                        os.kill(p, signal.SIGKILL)
                proc.wait()
                break
            time.sleep(INTERVAL)
        wall = time.monotonic() - started
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    if proc.returncode != 0 and not stopped:
        stopped = f"failed ({proc.returncode}): {err.strip()[-300:]}"
    return {"wall": wall, "pss_mib": peak_pss / 2**20, "rss_mib": peak_rss / 2**20, "own_mib": peak_own / 2**20,
            "stopped": stopped}


def _duration(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="a,b,b-beats", help="comma-separated: " + ", ".join(CASES))
    parser.add_argument("--src", type=Path, help="run the collage package found in this src folder")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a run is killed")
    parser.add_argument("--cap-mib", type=float, default=8192.0, help="tree PSS at which a run is killed")
    parser.add_argument("--jobs", type=int, help="collage --jobs (default: collage's default, the cores)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    cases = [c for c in args.cases.split(",") if c]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")

    folder = make_folder(100)
    track(folder, "bench-25min.m4a", 25 * 60)
    track(folder, "bench-10min.m4a", 10 * 60)
    paths = manifests(folder)
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = os.pathsep.join([str(args.src.resolve()), *filter(None, [env.get("PYTHONPATH")])])
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="collage-bench-music-") as tmp:
        for name in cases:
            out = Path(tmp) / f"{name}.mp4"
            cmd = [PY, "-m", "collage", "render", "-q", str(folder), "-m", str(paths[name]), "-o", str(out),
                   "--no-cache", *jobs]
            r = run(cmd, env, args.timeout, int(args.cap_mib * 2**20))
            r["video_s"] = _duration(out) if out.exists() else 0.0
            results[name] = r
            print(f"{name}: {r['wall']:.1f} s, tree PSS {r['pss_mib']:.0f} MiB {r['stopped']}", file=sys.stderr)

    src = f" (collage from {args.src})" if args.src else ""
    print(f"\n100 photos (12 MP JPEG), 1080p30, --no-cache; peaks sampled every {INTERVAL} s{src}\n")
    head = (f"| {'case':<36} | {'video s':>7} | {'wall s':>7} | {'tree PSS MiB':>12} | {'tree RSS MiB':>12} "
            f"| {'collage RSS MiB':>15} | {'target':>8} |")
    print(head)
    print("|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|")
    for name, r in results.items():
        verdict = "ok" if r["pss_mib"] <= TARGET_MIB and not r["stopped"] else "OVER"
        print(f"| {CASES[name][0]:<36} | {r['video_s']:>7.0f} | {r['wall']:>7.1f} | {r['pss_mib']:>12.0f} "
              f"| {r['rss_mib']:>12.0f} | {r['own_mib']:>15.0f} | {'<= ' + str(TARGET_MIB):>8} | {verdict}"
              + (f" ({r['stopped']})" if r["stopped"] else ""))
    print(f"\ncommand: .venv/bin/python benchmarks/bench_music_memory.py {' '.join(sys.argv[1:])}".rstrip())
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
