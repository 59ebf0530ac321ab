#!/usr/bin/env python3
"""Bundle the script fonts into the package, subset, and write the coverage table of every bundled font.

    .venv/bin/python scripts/bundle_fonts.py NOTO_DIR     # subset the fonts below and write the table
    .venv/bin/python scripts/bundle_fonts.py --table      # only rewrite data/fonts/coverage.json

NOTO_DIR holds Debian's `fonts-noto-core` (20201225-1) files: /usr/share/fonts/truetype/noto after
`apt-get install fonts-noto-core`, or the same folder of `dpkg-deb -x fonts-noto-core_*.deb DIR`.

Each script font is subset (fontTools) to what collage draws with it, keeping every glyph its own code
points reach and all of its layout features (`--layout-features='*'`: conjuncts, reordering, marks):
- code points Noto Sans already covers are dropped (Latin letters, digits, punctuation): Noto Sans comes
  first in the fallback order and draws them, so the script face never would; kept are the space and
  no-break space (they stay in a script's run), every combining mark and format character (ZWJ, ZWNJ,
  variation selectors: shaping needs them inside the run) and the dotted circle (shapers insert it);
- hinting is dropped (TrueType instructions are most of these files; frames are drawn at 19 px and up,
  where FreeType's unhinted outlines read as well);
- glyph names are dropped (post format 3); the name table, with its copyright and licence, is kept.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "src" / "collage" / "data" / "fonts"
sys.path.insert(0, str(ROOT / "src"))

from collage.draw.coverage import TABLE, build_table  # noqa: E402

# Noto Sans <script>, regular and bold: the scripts of names collage draws beside Latin, Arabic, CJK and Tibetan.
SCRIPTS = ("Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam",
           "Sinhala", "Thai", "Lao", "Khmer", "Myanmar", "Ethiopic", "Hebrew", "Armenian", "Georgian")
WEIGHTS = ("Regular", "Bold")
KEEP = {0x20, 0xA0, 0x25CC}


def kept(cmap: dict[int, str], latin: set[int]) -> set[int]:
    return {cp for cp in cmap if cp not in latin or cp in KEEP
            or unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me", "Cf")}


def subset_font(source: Path, target: Path, latin: set[int]) -> None:
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.glyph_names = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    font = TTFont(str(source), recalcTimestamp=False)  # the same bytes on every run
    unicodes = kept(font.getBestCmap(), latin)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font.save(str(target))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("noto_dir", nargs="?", type=Path, help="the fonts-noto-core folder")
    parser.add_argument("--table", action="store_true", help="only rewrite the coverage table")
    args = parser.parse_args()
    if not args.table:
        if args.noto_dir is None:
            parser.error("give NOTO_DIR, or --table")
        latin = set(TTFont(str(FONTS / "NotoSans-Regular.ttf")).getBestCmap())
        for script in SCRIPTS:
            for weight in WEIGHTS:
                name = f"NotoSans{script}-{weight}.ttf"
                subset_font(args.noto_dir / name, FONTS / name, latin)
                print(f"{name}: {(args.noto_dir / name).stat().st_size} -> {(FONTS / name).stat().st_size} bytes")
    table = build_table(FONTS)
    (FONTS / TABLE).write_text(json.dumps(table, separators=(",", ":")) + "\n", "utf-8")
    print(f"{TABLE}: {len(table['fonts'])} fonts, {(FONTS / TABLE).stat().st_size} bytes")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
