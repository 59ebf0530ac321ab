"""Whole-process speed and memory of `collage render`, against references run in the same session.

    .venv/bin/python benchmarks/bench_render.py [--photos 100] [--runs 3] [--skip-moviepy] [--skip-memory]

Generates (once, cached under benchmarks/.cache) a folder of N 12-megapixel JPEG photo messages with a
music track, then measures each command as a separate process tree (wall; CPU = user + sys of the tree,
every process reaped; peak RSS = the largest sum of RSS over the tree, sampled every 100 ms):

  full       `collage render` at 1080p30, empty cache, default --jobs (the product)
  reference  the bare encoder: one ffmpeg process encoding the very same frames and bed with the same
             settings (collage's single-pass command, fed by its composer); only ffmpeg's CPU is counted
  edit       `collage render` again after one caption is edited (same cache)
  preview    `collage render --preview --no-cache`
  moviepy    an idiomatic moviepy 2.x script of the same slideshow (once; it takes ~20 minutes)
  memory     `collage render` of 100 and of 1000 photos with the same short timing, peak RSS of the tree
  --help     `collage --help`

and prints a table of medians and the ratios the project tracks. Machines here are shared and noisy:
compare ratios taken in one run, not absolute seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import IO, Any

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / ".cache"
EXAMPLE = ROOT / "examples" / "lawyers-day"
PY = sys.executable


BASE = 100  # distinct pictures; photos beyond these are byte-distinct copies (a JPEG comment differs)


def make_folder(count: int) -> Path:
    """N phone-sized photos (4000x3000 or 3000x4000, ~12 MP) made from the example's photos plus grain."""
    folder = CACHE / f"photos-{count}"
    base = CACHE / f"photos-{BASE}" if count > BASE else None
    if base is not None:
        make_folder(BASE)
    manifest = folder / "collage.yaml"
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    (folder / "music").mkdir(exist_ok=True)
    sources = sorted(p for p in (EXAMPLE / "photos").iterdir() if p.suffix in (".jpg", ".png", ".webp"))
    rng = np.random.default_rng(100)
    lines = ["title: Benchmark", "video: {size: 1080p, fps: 30, output: out/bench.mp4}",
             "music:", "  - file: music/theme.m4a", "sequence:",
             "  - title: Messages to Human Rights Lawyers in China", "    subtitle: 致中国人权律师的话",
             "  - grid: 2x2", "    messages: all", "  - title: Thank you", "    subtitle: 谢谢", "messages:"]
    for i in range(count):
        lines += [f"  - id: p{i:04d}", f"    photo: photos/p{i:04d}.jpg", f"    name: Contributor {i}",
                  "    profession: Lawyer", "    location: Somewhere", "    approved: true"]
        if (folder / "photos" / f"p{i:04d}.jpg").exists():
            continue
        if base is not None:
            data = (base / "photos" / f"p{i % BASE:04d}.jpg").read_bytes()
            comment = f"copy {i}".encode()
            (folder / "photos" / f"p{i:04d}.jpg").write_bytes(
                data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:])
            continue
        src = Image.open(sources[i % len(sources)]).convert("RGB")
        size = (4000, 3000) if src.width >= src.height else (3000, 4000)
        big = np.asarray(src.resize(size, Image.Resampling.BICUBIC), dtype=np.int16)
        grain = rng.integers(-6, 7, size=(size[1], size[0], 1), dtype=np.int16)
        Image.fromarray(np.clip(big + grain, 0, 255).astype(np.uint8)).save(folder / "photos" / f"p{i:04d}.jpg",
                                                                            quality=90)
    (folder / "music" / "theme.m4a").write_bytes((EXAMPLE / "music" / "quiet-resolve.m4a").read_bytes())
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The same video with cuts instead of crossfades: separates the encoder's cost of blended frames.
    (folder / "collage-cuts.yaml").write_text("timing: {transition: 0}\n" + "\n".join(lines) + "\n",
                                              encoding="utf-8")
    # One caption edited (the editor's typo fix): only the segments showing it should be encoded again.
    edited = [ln.replace("Contributor 50", "Contributor Fifty") for ln in lines]
    (folder / "collage-edited.yaml").write_text("\n".join(edited) + "\n", encoding="utf-8")
    # Short timing, 3x3 grids: memory against photo count without a half-hour video.
    short = [ln.replace("grid: 2x2", "grid: 3x3") for ln in lines]
    (folder / "collage-memory.yaml").write_text("timing: {title: 2s, slide: 2s, transition: 0.5s}\n"
                                                + "\n".join(short) + "\n", encoding="utf-8")
    return folder


def measure(cmd: list[str], cwd: Path | None = None, capture: bool = False,
            env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run cmd to completion; wall, CPU of the whole tree, and peak summed RSS of the tree. With
    `capture`, the JSON the command prints is returned under "reported"."""
    # What the command prints goes to files, not pipes: a pipe nobody reads until the end fills (64 KiB of
    # progress lines) and stops the command.
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        return _measured(cmd, cwd, capture, env, out_file, err_file)


def _measured(cmd: list[str], cwd: Path | None, capture: bool, env: dict[str, str] | None, out_file: IO[bytes],
              err_file: IO[bytes]) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out_file if capture else subprocess.DEVNULL, stderr=err_file,
                            env=env)
    peak = 0
    ffmpeg_cpu: dict[int, float] = {}  # last seen CPU seconds of each ffmpeg in the tree
    while proc.poll() is None:
        rss, pids = _tree(proc.pid)
        peak = max(peak, rss)
        for p in pids:
            cpu = _ffmpeg_cpu(p)
            if cpu is not None:
                ffmpeg_cpu[p] = cpu
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.1)  # a sample every 0.1 s, and the wall time to the exit, not to the next sample
    wall = time.monotonic() - started
    err_file.seek(0)
    err = err_file.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out: dict[str, Any] = {"wall": wall, "cpu": cpu, "rss_mib": peak / 2**20, "ffmpeg_cpu": sum(ffmpeg_cpu.values())}
    if capture:
        out_file.seek(0)
        out["reported"] = json.loads(out_file.read().decode().strip().splitlines()[-1])
    return out


def _tree(pid: int) -> tuple[int, list[int]]:
    """Summed RSS of pid and its descendants, and their pids, found through /proc/PID/task/*/children
    (cheap: the sampler must not steal the measured processes' CPU on a two-core machine)."""
    total, stack, seen = 0, [pid], []
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
            seen.append(p)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total, seen


def _ffmpeg_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return None
    if "ffmpeg" not in stat[stat.index("("):stat.rindex(")")]:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PAGE = os.sysconf("SC_PAGE_SIZE")


def reference_encode(folder: Path, manifest: Path, out: Path) -> None:
    """(run in its own process) Encode exactly the frames and bed `collage render` makes, in one ffmpeg
    process with collage's settings; print that ffmpeg's CPU seconds (its own rusage, nothing else)."""
    from collage import load
    from collage.audio.bed import build_bed
    from collage.draw.compose import Composer
    from collage.pipeline import timeline as plan_timeline
    from collage.video.encode import EncodeSpec, FFmpegEncoder

    project = load(folder, manifest)
    timeline = plan_timeline(project)
    spec = EncodeSpec(timeline.width, timeline.height, timeline.fps, timeline.frames, project.title,
                      chapters=timeline.chapters())
    bed = build_bed(folder, project.music, timeline.duration, out.with_suffix(".wav"))
    composer = Composer(folder, timeline, pixel_format=spec.pixel_format)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with FFmpegEncoder().session(out, spec, bed) as sink:
        for frame in composer.frames():
            sink.write(frame)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"ffmpeg_cpu": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
                      "seconds": timeline.duration}))


MOVIEPY_SCRIPT = textwrap.dedent('''
    """The same slideshow as idiomatic moviepy 2.x, the way its documentation teaches it."""
    import sys
    import yaml
    from moviepy import (AudioFileClip, ColorClip, CompositeVideoClip, ImageClip, TextClip,
                         concatenate_videoclips, afx, vfx)

    folder, out = sys.argv[1], sys.argv[2]
    font = sys.argv[3]
    m = yaml.safe_load(open(f"{folder}/collage.yaml"))
    W, H, FPS = 1920, 1080, 30
    bg = (16, 21, 30)

    def title(text, sub):
        t = TextClip(font=font, text=text, font_size=80, color="white", size=(1600, None), method="caption")
        s = TextClip(font=font, text=sub, font_size=56, color="#d6be86")
        return CompositeVideoClip([ColorClip((W, H), bg), t.with_position(("center", 380)),
                                   s.with_position(("center", 560))], size=(W, H)).with_duration(5)

    msgs = [x for x in m["messages"] if x.get("approved")]
    slides = [title("Messages to Human Rights Lawyers in China", "Messages")]
    cw, ch = 854, 420
    for p in range(0, len(msgs), 4):
        layers = [ColorClip((W, H), bg)]
        for k, msg in enumerate(msgs[p:p + 4]):
            x, y = 96 + (k % 2) * (cw + 19), 54 + (k // 2) * (ch + 80)
            img = ImageClip(f"{folder}/{msg['photo']}").resized(height=ch)
            if img.w > cw:
                img = img.resized(width=cw)
            layers.append(img.with_position((x + (cw - img.w) // 2, y)))
            cap = TextClip(font=font, text=f"{msg['name']} · {msg['profession']} · {msg['location']}",
                           font_size=36, color="white")
            layers.append(cap.with_position((x + (cw - cap.w) // 2, y + ch + 10)))
        slides.append(CompositeVideoClip(layers, size=(W, H)).with_duration(6))
    slides.append(title("Thank you", "Thanks"))
    slides = [slides[0]] + [s.with_effects([vfx.CrossFadeIn(1)]) for s in slides[1:]]
    video = concatenate_videoclips(slides, method="compose", padding=-1)
    music = AudioFileClip(f"{folder}/{m['music'][0]['file']}")
    music = music.with_effects([afx.AudioLoop(duration=video.duration), afx.AudioFadeOut(3)])
    video = video.with_audio(music)
    video.write_videofile(out, fps=FPS, codec="libx264", preset="medium", audio_codec="aac",
                          ffmpeg_params=["-crf", "19"], logger=None)
''')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="rounds of full/reference/edit/preview (medians)")
    parser.add_argument("--skip-moviepy", action="store_true", help="the moviepy reference takes ~20 minutes")
    parser.add_argument("--skip-memory", action="store_true", help="skip the 100 vs 1000 photo memory runs")
    parser.add_argument("--jobs", type=int, help="collage --jobs (default: collage's default, the cores)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--preview-only", action="store_true",
                        help="only the cold `--preview` row (rounds alternate with --baseline-src, if given)")
    parser.add_argument("--baseline-src", type=Path,
                        help="with --preview-only: another checkout's src/ (e.g. a worktree of main) run the same way")
    parser.add_argument("--reference-encode", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_encode:
        reference_encode(*args.reference_encode)
        return
    if args.preview_only:
        preview_only(args)
        return

    folder = make_folder(args.photos)
    collage = str(Path(PY).with_name("collage"))
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    results: dict[str, list[dict[str, float]]] = {k: [] for k in ("full", "reference", "edit", "preview", "moviepy")}
    memory: dict[int, dict[str, float]] = {}
    video_seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="collage-bench-") as tmp:
        work = Path(tmp)
        script = work / "moviepy_slideshow.py"
        script.write_text(MOVIEPY_SCRIPT)
        font = str(ROOT / "src" / "collage" / "data" / "fonts" / "NotoSans-Regular.ttf")
        for run in range(args.runs):
            cache = work / f"cache-{run}"
            render = [collage, "render", "-q", str(folder), "-o", str(work / "c.mp4"), "--cache-dir", str(cache), *jobs]
            results["full"].append(measure([*render, "-m", str(folder / "collage.yaml")]))
            results["edit"].append(measure([*render, "-m", str(folder / "collage-edited.yaml")]))
            shutil.rmtree(cache)
            ref = measure([PY, __file__, "--reference-encode", str(folder), str(folder / "collage.yaml"),
                           str(work / "r.mp4")], capture=True)
            ref["cpu"] = ref.pop("reported")["ffmpeg_cpu"]
            results["reference"].append(ref)
            video_seconds = _duration(work / "r.mp4")
            results["preview"].append(measure([collage, "render", "-q", str(folder), "--preview", "--no-cache",
                                               "-o", str(work / "p.mp4"), *jobs]))
            print(f"round {run + 1}: " + ", ".join(f"{k} {v[-1]['wall']:.1f}s" for k, v in results.items() if v),
                  file=sys.stderr)
        if not args.skip_moviepy:
            # cwd: moviepy writes its temporary audio file into the working directory.
            results["moviepy"].append(measure([PY, str(script), str(folder), str(work / "m.mp4"), font], cwd=work))
        if not args.skip_memory:
            for count in (100, 1000):
                many = make_folder(count)
                memory[count] = measure([collage, "render", "-q", str(many), "-m", str(many / "collage-memory.yaml"),
                                         "-o", str(work / f"mem{count}.mp4"), "--no-cache", *jobs])
                print(f"memory {count}: {memory[count]['rss_mib']:.0f} MiB", file=sys.stderr)
        help_walls = [measure([collage, "--help"])["wall"] for _ in range(7)]

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    print(f"\n{args.photos} photos (12 MP JPEG), 1080p30, {video_seconds:.1f} s of video, 1 s crossfades; "
          f"medians of {args.runs} round(s)\n")
    print(f"| {'process tree':<12} | {'wall s':>8} | {'CPU s':>8} | {'peak RSS MiB':>12} |")
    print(f"|{'-' * 14}|{'-' * 10}|{'-' * 10}|{'-' * 14}|")
    for name in results:
        if results[name]:
            print(f"| {name:<12} | {med(name, 'wall'):>8.1f} | {med(name, 'cpu'):>8.1f} | "
                  f"{med(name, 'rss_mib'):>12.0f} |")
    for count, r in memory.items():
        print(f"| {f'memory {count}':<12} | {r['wall']:>8.1f} | {r['cpu']:>8.1f} | {r['rss_mib']:>12.0f} |")
    figures: dict[str, float] = {
        "cpu_full_vs_reference": med("full", "cpu") / med("reference", "cpu"),
        "edit_vs_full_wall": med("edit", "wall") / med("full", "wall"),
        "edit_vs_full_cpu": med("edit", "cpu") / med("full", "cpu"),
        "preview_x_realtime": video_seconds / med("preview", "wall"),
        "help_wall_s": statistics.median(help_walls),
    }
    rows = [("full render CPU / bare ffmpeg, same frames", f"{figures['cpu_full_vs_reference']:.3f}", "<= 0.9"),
            ("re-render after one caption edit / full (wall)", f"{figures['edit_vs_full_wall']:.3f}", "<= 0.10"),
            ("  the same in CPU", f"{figures['edit_vs_full_cpu']:.3f}", ""),
            ("--preview speed (x realtime)", f"{figures['preview_x_realtime']:.1f}", ">= 20"),
            ("collage --help wall (s, sampled every 0.1 s)", f"{figures['help_wall_s']:.3f}", "<= 0.15")]
    if results["moviepy"]:
        figures["moviepy_vs_full_wall"] = med("moviepy", "wall") / med("full", "wall")
        rows.insert(1, ("moviepy script wall / collage wall", f"{figures['moviepy_vs_full_wall']:.2f}", ">= 8"))
    if memory:
        figures["rss_1000_mib"] = memory[1000]["rss_mib"]
        figures["rss_1000_vs_100"] = memory[1000]["rss_mib"] / memory[100]["rss_mib"]
        rows.append(("peak RSS, 1000 photos (MiB)", f"{figures['rss_1000_mib']:.0f}", "<= 1024"))
        rows.append(("peak RSS, 1000 / 100 photos", f"{figures['rss_1000_vs_100']:.3f}", "<= 1.1"))
    print(f"\n| {'measure':<48} | {'value':>8} | {'target':>8} |\n|{'-' * 50}|{'-' * 10}|{'-' * 10}|")
    for name, value, target in rows:
        print(f"| {name:<48} | {value:>8} | {target:>8} |")
    print(f"\ncommand: .venv/bin/python benchmarks/bench_render.py {' '.join(sys.argv[1:])}".rstrip())
    if args.json:
        args.json.write_text(json.dumps({"results": results, "memory": memory, "figures": figures}, indent=2))


def preview_only(args: argparse.Namespace) -> None:
    """Cold previews (`--no-cache`) of the benchmark folder, this checkout against `--baseline-src`
    in alternating rounds, so both see the same machine."""
    folder = make_folder(args.photos)
    commands = {"preview": [str(Path(PY).with_name("collage"))]}
    if args.baseline_src:
        boot = f"import sys; sys.path.insert(0, {str(args.baseline_src)!r}); from collage.cli import main; main()"
        commands["baseline"] = [PY, "-c", boot]
    rows: dict[str, list[dict[str, float]]] = {k: [] for k in commands}
    seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="collage-bench-") as tmp:
        for run in range(args.runs):
            for name, cmd in commands.items():
                out = Path(tmp) / f"{name}.mp4"
                rows[name].append(measure([*cmd, "render", "-q", str(folder), "--preview", "--no-cache",
                                           "-o", str(out)]))
                seconds = _duration(out)
            print(f"round {run + 1}: " + ", ".join(f"{k} {v[-1]['wall']:.1f}s" for k, v in rows.items()),
                  file=sys.stderr)
    print(f"\n{args.photos} photos, {seconds:.1f} s of video; cold --preview, medians of {args.runs} round(s)\n")
    print(f"| {'tree':<10} | {'wall s':>7} | {'CPU s':>7} | {'peak MiB':>8} | {'x realtime':>10} |")
    print(f"|{'-' * 12}|{'-' * 9}|{'-' * 9}|{'-' * 10}|{'-' * 12}|")
    for name, rs in rows.items():
        wall = statistics.median(r["wall"] for r in rs)
        print(f"| {name:<10} | {wall:>7.1f} | {statistics.median(r['cpu'] for r in rs):>7.1f} | "
              f"{statistics.median(r['rss_mib'] for r in rs):>8.0f} | {seconds / wall:>10.1f} |")
    print(f"\ncommand: .venv/bin/python benchmarks/bench_render.py {' '.join(sys.argv[1:])}")


def _duration(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1e6


if __name__ == "__main__":
    main()
