"""Draw the described version's sound, to look at it: its waveform as written, and the ducking.

    .venv/bin/python benchmarks/plot_described.py FOLDER [-o described.png] [--video OUT.described.mp4]

The folder's manifest must ask for `video.described`, and the described version must have been rendered
(`collage render FOLDER --described`). Three panels:

  1. the described MP4's sound as decoded (PyAV), with each stretch where words are said shaded and the
     slides' starts marked;
  2. short-term level (RMS over 400 ms, dBFS) of the parts before the whole is levelled, made by collage's
     own code: the music as the main video plays it, the same music ducked under the words, the words;
  3. the same, close up on the first person's slide: the music going down before the first word and
     coming back after the last (the raised-cosine ramps).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from collage import manifest, pipeline
    from collage.audio import described, mix
    from collage.audio.loudness import SAMPLE_RATE
    from collage.outputs import targets
    from collage.video import keys

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("-o", "--output", type=Path, default=Path("described.png"))
    parser.add_argument("--video", type=Path, help="the described MP4 (default: the manifest's)")
    args = parser.parse_args()

    project = manifest.load(args.folder).describing()
    memo = targets.memo_folder(project)
    planned = pipeline.timeline(project, memo=memo)
    fps, seconds = planned.fps, planned.duration
    said = [described.Said(s.start / fps, s.clip) for s in keys.said(project, planned, memo)]
    gains = described.levels(said, project.music.loudness)

    def whole(blocks: object) -> np.ndarray:
        return np.concatenate(list(blocks)).mean(axis=1)  # type: ignore[call-overload]

    plain = whole(mix.mix_blocks(project.folder, project.music, seconds))
    ducked = whole(described.blocks(project.folder, project.music, seconds, said, [0.0] * len(said)))
    words = whole(described.blocks(project.folder, dataclasses.replace(project.music, tracks=()), seconds, said,
                                   gains))

    video = args.video or project.output
    import av

    with av.open(str(video)) as container:
        sound = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1).mean(axis=0)

    def level(x: np.ndarray, window: float = 0.4, hop: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
        n, step = int(window * SAMPLE_RATE), int(hop * SAMPLE_RATE)
        starts = np.arange(0, max(1, len(x) - n), step)
        rms = np.array([np.sqrt(np.mean(np.square(x[s:s + n]))) for s in starts])
        return (starts + n / 2) / SAMPLE_RATE, 20 * np.log10(np.maximum(rms, 1e-6))

    spans = [(p.start / fps, (p.start + p.frames) / fps) for p in planned.narration]
    fig, axes = plt.subplots(3, 1, figsize=(14, 10), constrained_layout=True)
    t = np.arange(len(sound)) / SAMPLE_RATE
    ax = axes[0]
    ax.plot(t, sound, lw=0.3, color="#333")
    for a, b in spans:
        ax.axvspan(a, b, color="#f2c14e", alpha=0.35, lw=0)
    for s in planned.slides:
        ax.axvline(s.start / fps, color="#3a6ea5", lw=0.8, ls=":")
    ax.set(title=f"{video.name}: the sound as decoded (shaded: words are said; dotted: a slide starts)",
           xlabel="seconds", ylabel="amplitude", xlim=(0, seconds))
    first_person = next((p for p in planned.narration if not p.key.startswith("title-")), planned.narration[0])
    slide = planned.slides[first_person.slide]
    zoom = (slide.start / fps - 1, slide.end / fps + 1)
    for ax, xlim, title in ((axes[1], (0, seconds), "before levelling: the music, ducked under the words"),
                            (axes[2], zoom, f"slide {slide.index} close up ({first_person.key})")):
        for x, label, colour in ((plain, "music as in the main video", "#9bb7d4"),
                                 (ducked, f"music under the words (ducked {described.DUCK_DB:g} dB)", "#1f4e79"),
                                 (words, "words (levelled to the target)", "#c0392b")):
            ax.plot(*level(x), label=label, color=colour, lw=1.2)
        for a, b in spans:
            ax.axvspan(a, b, color="#f2c14e", alpha=0.25, lw=0)
        ax.set(title=title, xlabel="seconds", ylabel="dBFS (RMS, 400 ms)", xlim=xlim, ylim=(-70, 0))
        ax.legend(loc="lower right", fontsize=8)
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
