"""How often a cover crop keeps the face(s) and the sign whole: collage's subject-aware crop against a
centre crop, on photos whose face and sign boxes are known.

    .venv/bin/python benchmarks/bench_crops.py [--sheet /tmp/crops.png]

The photos (all in this repository; nothing downloaded):
  - the example's eight approved photos: real public-domain/CC0 photos with handwritten signs held up
    in front of them; each sign's box follows from where `examples/lawyers-day/sources/make_example.py`
    composited it (no faces in these);
  - a real face (tests/data/astronaut.jpg, a NASA photo) with a handwritten-style sign beside or below
    her, at 12 placements on landscape and portrait canvases; head (hair to chin) annotated by eye.
Each photo is cropped to six box shapes (16:9, 9:16, 1:1, 4:3, 3:4, 2:1). A crop "keeps" a photo when
every known box lies inside it. When no crop of a shape can keep everything collage detected, it shows
the photo whole over a blurred fill instead (both then stay whole by construction): counted apart.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "examples" / "lawyers-day" / "photos"
SHAPES = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:3": (4, 3), "3:4": (3, 4), "2:1": (2, 1)}
Box = tuple[float, float, float, float]

# make_example.py: (file, sheet width as a fraction of the photo width, sheet centre); sheets are 0.68 as
# tall as wide, turned by a few degrees (hence the small margin added below).
EXAMPLE_SIGNS = [("alice.jpg", 0.46, (0.5, 0.56)), ("david.jpg", 0.44, (0.52, 0.5)), ("jose.webp", 0.42, (0.62, 0.6)),
                 ("wang-fang.jpg", 0.7, (0.5, 0.55)), ("abdulla.png", 0.72, (0.5, 0.6)),
                 ("soren.jpg", 0.48, (0.42, 0.5)), ("amina.jpg", 0.72, (0.5, 0.5)), ("fatima.heic", 0.74, (0.5, 0.7))]


def example_cases() -> list[tuple[str, Path, tuple[int, int], list[Box]]]:
    from collage.media import photos

    out = []
    for name, rel_w, (cx, cy) in EXAMPLE_SIGNS:
        path = EXAMPLE / name
        info = photos.probe(path)
        w, h = info.width, info.height
        sw, sh = rel_w * w, rel_w * w * 0.68
        margin = 0.04 * sw  # the turn of a few degrees
        box = ((cx * w - sw / 2 - margin) / w, (cy * h - sh / 2 - margin) / h,
               (cx * w + sw / 2 + margin) / w, (cy * h + sh / 2 + margin) / h)
        out.append((name, path, (w, h), [box]))
    return out


def face_cases(folder: Path) -> list[tuple[str, Path, tuple[int, int], list[Box]]]:
    from tests.test_crops import held_sign_photo

    out = []
    placements = {
        "landscape": ((1600, 1200), [((100, 0), (1000, 500, 1450, 800)), ((800, 100), (150, 450, 650, 800)),
                                    ((400, 300), (900, 750, 1350, 1050)), ((50, 350), (850, 150, 1350, 500)),
                                    ((600, 0), (550, 800, 1050, 1100)), ((900, 300), (80, 80, 600, 420))]),
        "portrait": ((1200, 1600), [((200, 0), (300, 850, 900, 1250)), ((100, 600), (600, 150, 1100, 500)),
                                   ((400, 100), (100, 900, 600, 1250)), ((0, 200), (650, 1050, 1150, 1450)),
                                   ((300, 750), (250, 100, 950, 500)), ((450, 50), (80, 1150, 700, 1500))]),
    }
    for kind, (size, places) in placements.items():
        for i, (person_at, sign_box) in enumerate(places):
            path = folder / f"{kind}-{i}.jpg"
            head, sign = held_sign_photo(path, size, person_at, 1.5, sign_box)
            out.append((path.name, path, size, [head, sign]))
    return out


def inside(inner: Box, outer: Box, slack: float = 0.002) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack and inner[2] <= outer[2] + slack
            and inner[3] <= outer[3] + slack)


def main() -> None:
    from collage.media import subjects
    from collage.plan import layout

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sheet", type=Path, help="write a contact sheet of the collage crops here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = example_cases() + face_cases(Path(tmp))
        rows = []
        thumbs = []
        for name, path, size, truth in cases:
            found = subjects.detect(path)
            for shape, (bw, bh) in SHAPES.items():
                crop = layout.cover_crop(size, (bw * 120, bh * 120), found.boxes)
                centre = layout.cover_crop(size, (bw * 120, bh * 120))
                assert centre is not None
                rows.append((name, shape, crop is None, crop is not None and all(inside(t, crop) for t in truth),
                             all(inside(t, centre) for t in truth), len(found.faces), found.sign is not None))
                if args.sheet and shape in ("16:9", "9:16"):
                    thumbs.append(_thumb(path, crop, truth, shape))
        if args.sheet and thumbs:
            _sheet(thumbs).save(args.sheet)
    n = len(rows)
    cropped = [r for r in rows if not r[2]]
    fallback = n - len(cropped)
    kept = sum(r[3] for r in cropped)
    centre_kept = sum(r[4] for r in rows)
    photos_n = len(cases)
    print(f"{photos_n} photos x {len(SHAPES)} box shapes = {n} crops "
          f"({sum(1 for c in cases if len(c[3]) == 2)} with a face and a sign, the rest a sign only)\n")
    print("| method | both kept whole | of |")
    print("|---|---|---|")
    print(f"| centre crop | {centre_kept} ({100 * centre_kept / n:.0f} %) | {n} |")
    share = 100 * kept / max(1, len(cropped))
    print(f"| collage: subject-aware crop | {kept} ({share:.0f} %) | {len(cropped)} cropped |")
    print(f"| collage: no crop can hold them, shown whole | {fallback} ({100 * fallback / n:.0f} %) | {n} |")
    print(f"| collage overall (crop or whole) | {kept + fallback} ({100 * (kept + fallback) / n:.0f} %) | {n} |")
    faces_found = sum(1 for r in rows if r[1] == "16:9" and r[5] > 0 and r[0].startswith(("landscape", "portrait")))
    signs_found = sum(1 for r in rows if r[1] == "16:9" and r[6])
    print(f"\ndetected: a face in {faces_found} of {sum(1 for c in cases if len(c[3]) == 2)} face photos, "
          f"a sign in {signs_found} of {photos_n} photos")
    misses = [(r[0], r[1]) for r in cropped if not r[3]]
    if misses:
        print("crops that cut a subject:", ", ".join(f"{a} {b}" for a, b in misses))
    print("\ncommand: .venv/bin/python benchmarks/bench_crops.py")


def _thumb(path: Path, crop: Box | None, truth: list[Box], shape: str) -> Image.Image:
    from collage.media import photos

    im = photos.load(path, (480, 480), (0, 0, 0)).convert("RGB")
    im = im.resize((360, round(360 * im.height / im.width)))
    d = ImageDraw.Draw(im)
    w, h = im.size
    for t in truth:
        d.rectangle([t[0] * w, t[1] * h, t[2] * w, t[3] * h], outline=(0, 255, 0), width=3)
    if crop:
        d.rectangle([crop[0] * w, crop[1] * h, crop[2] * w - 1, crop[3] * h - 1], outline=(255, 0, 255), width=4)
    d.text((6, 6), shape + (" whole" if crop is None else ""), fill=(255, 255, 0))
    return im


def _sheet(thumbs: list[Image.Image]) -> Image.Image:
    cols = 8
    rows = -(-len(thumbs) // cols)
    sheet = Image.new("RGB", (cols * 370, rows * 490), (40, 40, 40))
    for i, t in enumerate(thumbs):
        sheet.paste(t, ((i % cols) * 370, (i // cols) * 490))
    return sheet


if __name__ == "__main__":
    main()
