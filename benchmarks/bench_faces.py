"""Are masked faces covered in what the viewer gets? Today's Haar cascades against the CNN with its check,
on a labelled set of real, licensed photos built in code (tests/support/faceset.py: tilts, sideways
photos, small faces, groups, a sign or a hand over the mouth, faces cut by the edge, dark, blurred,
heavily compressed, mirrored; and face-less photos, some with a sign held up).

    .venv/bin/python benchmarks/bench_faces.py [--subset] [--only before|after] [--sheets /tmp/faces]

Each photo is covered by the method, then drawn as every frame gets it (`photos.load` at the largest size
shown, `draw.compose.covered`). A labelled face counts as covered when at least 95 % of its visible core
(brow to chin, cheek to cheek; what a pasted sign or hand hides is not counted) is painted: the core is
labelled by eye, so a few pixels at its edge are jaw or background; a refused photo is not shown at all.
Per category: faces, covered, in refused photos, exposed (neither); heads (hair to chin, ear to ear, as
labelled) at least 90 % painted (how whole the cover is; not a target: hair is labelled roughly); photos
in which the second detector
(BlazeFace) still finds a face off the covers in the drawn picture; on face-less photos, the share of the
photo painted (target: at most 2 %) and whether the held-up sign was painted; seconds per photo (cover
only, after the first photo; 2 vCPUs).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

Box = tuple[float, float, float, float]


def before(path: Path) -> tuple[tuple[Box, ...], bool]:
    """The covers collage made before the CNN: OpenCV's frontal, alt2 and profile Haar cascades (as
    shipped in its wheel) on a copy up to 1280 px, eagerly (few confirmations), each head grown by a
    margin that stops at the sign."""
    import cv2

    from collage.media import photos, subjects

    image = photos.load(path, (subjects.MASK_SIDE, subjects.MASK_SIDE), (0, 0, 0))
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    k = subjects.MASK_SIDE / max(rgb.shape[:2])
    if k < 1:
        rgb = np.asarray(cv2.resize(rgb, (round(rgb.shape[1] * k), round(rgb.shape[0] * k)),
                                    interpolation=cv2.INTER_AREA), dtype=np.uint8)
    k = subjects.WORK_SIDE / max(rgb.shape[:2])
    small = rgb if k >= 1 else cv2.resize(rgb, (round(rgb.shape[1] * k), round(rgb.shape[0] * k)),
                                          interpolation=cv2.INTER_AREA)
    h, w = rgb.shape[:2]
    gray = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    side = max(16, round(min(h, w) * 0.04))
    base = Path(cv2.data.haarcascades)  # type: ignore[attr-defined]
    frontal, alt, profile = (cv2.CascadeClassifier(str(base / f"haarcascade_{n}.xml"))
                             for n in ("frontalface_default", "frontalface_alt2", "profileface"))
    heads = []
    for cascade, flip, neighbours in ((frontal, False, 3), (alt, False, 3), (profile, False, 4), (profile, True, 4)):
        img = cv2.flip(gray, 1) if flip else gray
        for x, y, fw, fh in cascade.detectMultiScale(img, scaleFactor=1.1, minNeighbors=neighbours,
                                                     minSize=(side, side)):
            x = w - x - fw if flip else x  # a detection covers eyes to mouth; the head is ~1.5x as tall
            heads.append((max(0.0, float(x - 0.15 * fw) / w), max(0.0, float(y - 0.3 * fh) / h),
                          min(1.0, float(x + 1.15 * fw) / w), min(1.0, float(y + 1.2 * fh) / h)))
    sign = subjects._sign(np.asarray(small, dtype=np.uint8))
    return subjects.cover_areas(subjects.Subjects(tuple(heads), sign)), False


def after(path: Path) -> tuple[tuple[Box, ...], bool]:
    from collage.media import subjects

    cover = subjects.cover(path)
    return cover.faces, cover.refused


def main() -> None:
    from tests.support import faceset

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subset", action="store_true", help="the tests' representative few, not the whole set")
    parser.add_argument("--only", choices=("before", "after"), help="run one method")
    parser.add_argument("--sheets", type=Path, help="write contact sheets of the drawn photos into this folder")
    args = parser.parse_args()
    methods = {"before": before, "after": after}
    if args.only:
        methods = {args.only: methods[args.only]}
    with tempfile.TemporaryDirectory() as tmp:
        samples = faceset.build(Path(tmp), subset=args.subset)
        from collage.media import faces

        faces.find(np.zeros((64, 64, 3), np.uint8))  # load the networks once, outside the timings
        faces.seen(np.zeros((64, 64, 3), np.uint8))
        for label, method in methods.items():
            outcomes = []
            for sample in samples:
                start = time.perf_counter()
                areas, refused = method(sample.path)
                seconds = time.perf_counter() - start
                outcomes.append(faceset.outcome(sample, areas, refused, seconds))
            _table(label, outcomes)
            if args.sheets:
                for part in range(0, len(outcomes), 36):
                    faceset.contact_sheet(outcomes[part:part + 36], args.sheets / f"{label}-{part // 36}.png",
                                          f"{label}: green core covered, red shown; blue: the sign")
    print(f"\ncommand: .venv/bin/python benchmarks/bench_faces.py{' --subset' if args.subset else ''}")


def _table(label: str, outcomes: list) -> None:  # type: ignore[type-arg]
    from tests.support import faceset

    print(f"\n## {label}\n")
    print("| category | photos | faces | covered | in refused photos | exposed | heads >= 90 % covered | photos still "
          "showing a face to the check | face-less: most painted | sign pixels painted | s/photo |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    categories = list(dict.fromkeys(o.sample.category for o in outcomes))
    for cat in [*categories, "all"]:
        rows = [o for o in outcomes if cat in ("all", o.sample.category)]
        faces = sum(len(o.shares) for o in rows)
        covered = sum(1 for o in rows for s in o.shares if s >= faceset.COVERED and not o.refused)
        refused = sum(len(o.shares) for o in rows if o.refused)
        exposed = sum(o.exposed for o in rows)
        seen = sum(1 for o in rows if o.seen > 0 and not o.refused)
        heads = sum(1 for o in rows for s in o.head_shares if s >= 0.9)
        bare = [o for o in rows if not o.sample.faces]
        most = f"{100 * max(o.painted for o in bare):.1f} %" if bare else ""
        sign = str(sum(o.sign_touched for o in bare)) if any(o.sample.sign for o in bare) else ""
        secs = np.mean([o.seconds for o in rows])
        print(f"| {cat} | {len(rows)} | {faces} | {covered} | {refused} | {exposed} | {heads} | {seen} | {most} "
              f"| {sign} | {secs:.2f} |")
    shown = [(o.sample.name, round(min(o.shares), 2)) for o in outcomes if o.exposed]
    if shown:
        print("\nexposed (photo, least-covered share of a core):", ", ".join(f"{n} {s}" for n, s in shown))
    false = [(o.sample.name, f"{100 * o.painted:.1f} %") for o in outcomes if not o.sample.faces and o.painted > 0]
    if false:
        print("painted on face-less photos:", ", ".join(f"{n} {s}" for n, s in false))
    bare_heads = [(o.sample.name, round(min(o.head_shares), 2)) for o in outcomes
                  if o.head_shares and min(o.head_shares) < 0.9 and not o.refused]
    if bare_heads:
        print("heads less than 90 % covered (least-covered share):", ", ".join(f"{n} {s}" for n, s in bare_heads))
    refused_names = [o.sample.name for o in outcomes if o.refused]
    if refused_names:
        print("refused:", ", ".join(refused_names))


if __name__ == "__main__":
    main()
