"""Whole-process speed and memory of `collage render`, against references run in the same session.

    .venv/bin/python benchmarks/bench_render.py [--photos 100] [--runs 1] [--skip-moviepy]

Generates (once, cached under benchmarks/.cache) a folder of N 12-megapixel JPEG photo messages with a
music track, then measures, each as a separate process tree (wall, CPU = user + sys of the process and its
children, peak RSS = the largest sum of RSS over the tree, sampled every 100 ms):

  collage   `collage render` at 1080p30 (the product)
  ffmpeg    (a) the bare encoder: ffmpeg encoding the same number of frames of one static slide frame
            (raw, in the pixel format collage feeds it, looped by the demuxer) with exactly collage's
            ffmpeg command and music bed
  moviepy   (b) an idiomatic moviepy 2.x script of the same slideshow: ImageClips in CompositeVideoClip
            grids over a background, TextClip captions, crossfades, the music looped; write_videofile

and prints medians and the ratios: CPU(collage) / CPU(ffmpeg) and wall(moviepy) / wall(collage).
Machines here are shared and noisy: compare ratios taken in one run, not absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / ".cache"
EXAMPLE = ROOT / "examples" / "lawyers-day"
PY = sys.executable


def make_folder(count: int) -> Path:
    """N phone-sized photos (4000x3000 or 3000x4000, ~12 MP) made from the example's photos plus grain."""
    folder = CACHE / f"photos-{count}"
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
    return folder


def measure(cmd: list[str], cwd: Path | None = None) -> dict[str, float]:
    """Run cmd to completion; wall, CPU of the whole tree, and peak summed RSS of the tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    ffmpeg_cpu: dict[int, float] = {}  # last seen CPU seconds of each ffmpeg in the tree
    while proc.poll() is None:
        rss, pids = _tree(proc.pid)
        peak = max(peak, rss)
        for p in pids:
            cpu = _ffmpeg_cpu(p)
            if cpu is not None:
                ffmpeg_cpu[p] = cpu
        time.sleep(0.1)
    wall = time.monotonic() - started
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss_mib": peak / 2**20, "ffmpeg_cpu": sum(ffmpeg_cpu.values())}


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


def ffmpeg_reference(folder: Path, work: Path, manifest: Path) -> list[str]:
    """collage's own ffmpeg command, fed one static slide frame looped instead of the frame pipe."""
    sys.path.insert(0, str(ROOT / "src"))
    from collage import build_plan, load
    from collage.audio import build_bed
    from collage.compose import Composer
    from collage.encode import EncodeSpec, ffmpeg_command

    project = load(folder, manifest)
    timeline = build_plan(project)
    grid = next(s for s in timeline.slides if s.kind == "grid")
    spec = EncodeSpec(timeline.width, timeline.height, timeline.fps, timeline.frames, project.title)
    frame = Composer(folder, timeline, pixel_format=spec.pixel_format).packed(grid.index)
    raw = work / "frame.raw"
    raw.write_bytes(frame.tobytes())
    bed = build_bed(folder, project.music, timeline.duration, work / "bed.wav")
    cmd = ffmpeg_command(spec, bed, work / "reference.mp4")
    i = cmd.index("pipe:0")
    cmd[i] = str(raw)
    cmd[i - 1:i - 1] = []  # keep "-i"
    j = cmd.index("-f")
    cmd[j:j] = ["-stream_loop", "-1"]
    cmd[cmd.index("-map"):cmd.index("-map")] = ["-frames:v", str(timeline.frames)]
    return cmd


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
    parser.add_argument("--runs", type=int, default=1, help="runs of each command (medians are reported)")
    parser.add_argument("--skip-moviepy", action="store_true", help="the moviepy reference takes ~10x longer")
    parser.add_argument("--cuts", action="store_true", help="cuts instead of 1 s crossfades (both sides)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    folder = make_folder(args.photos)
    collage = str(Path(PY).with_name("collage"))
    results: dict[str, list[dict[str, float]]] = {"collage": [], "ffmpeg": [], "moviepy": []}
    with tempfile.TemporaryDirectory(prefix="collage-bench-") as tmp:
        work = Path(tmp)
        manifest = folder / ("collage-cuts.yaml" if args.cuts else "collage.yaml")
        ref_cmd = ffmpeg_reference(folder, work, manifest)
        script = work / "moviepy_slideshow.py"
        script.write_text(MOVIEPY_SCRIPT)
        font = str(ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf")
        for run in range(args.runs):
            results["collage"].append(measure([collage, "render", "-q", str(folder), "-m", str(manifest),
                                               "-o", str(work / "c.mp4")]))
            results["ffmpeg"].append(measure(ref_cmd))
            if not args.skip_moviepy:
                # cwd: moviepy writes its temporary audio file into the working directory.
                results["moviepy"].append(measure([PY, str(script), str(folder), str(work / "m.mp4"), font],
                                                  cwd=work))
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]['wall']:.1f}s" for k, v in results.items() if v),
                  file=sys.stderr)
        help_walls = [measure([collage, "--help"])["wall"] for _ in range(5)]

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    what = "cuts" if args.cuts else "1 s crossfades"
    print(f"\n{args.photos} photos (12 MP JPEG), 1080p30, {what}, medians of {args.runs} run(s)\n")
    print(f"| {'process tree':<10} | {'wall s':>8} | {'CPU s':>8} | {'peak RSS MiB':>12} |")
    print(f"|{'-' * 12}|{'-' * 10}|{'-' * 10}|{'-' * 14}|")
    for name in results:
        if results[name]:
            print(f"| {name:<10} | {med(name, 'wall'):>8.1f} | {med(name, 'cpu'):>8.1f} | "
                  f"{med(name, 'rss_mib'):>12.0f} |")
    figures = {"cpu_ratio_vs_ffmpeg": med("collage", "cpu") / med("ffmpeg", "cpu"),
               "help_wall_s": statistics.median(help_walls)}
    own = med("collage", "cpu") - med("collage", "ffmpeg_cpu")
    figures["collage_python_cpu_s"] = own
    print(f"\nCPU collage / ffmpeg alone:   {figures['cpu_ratio_vs_ffmpeg']:.3f}   (target <= 1.10)")
    print(f"  of which collage's own process (all but its ffmpeg): {own:.1f} s; its ffmpeg: "
          f"{med('collage', 'ffmpeg_cpu'):.1f} s (sampled)")
    if results["moviepy"]:
        figures["moviepy_wall_ratio"] = med("moviepy", "wall") / med("collage", "wall")
        print(f"wall moviepy / collage:       {figures['moviepy_wall_ratio']:.2f}    (target >= 6)")
    print(f"`collage --help` wall:        {figures['help_wall_s']:.3f} s")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "figures": figures}, indent=2))


if __name__ == "__main__":
    main()
