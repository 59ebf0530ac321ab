"""Which characters a font can draw, looked up without decompiling the font on every run.

Choosing a face for each run of text asks, character by character, which face has a glyph for it.
Decompiling a font's cmap with fontTools costs ~0.5 s for the CJK collection alone, so the bundled fonts'
coverage is a table in the package (`data/fonts/coverage.json`, written by `scripts/bundle_fonts.py` and
checked against the fonts by tests/test_fonts.py): each face's code points as ranges, read in a few
milliseconds. A font the table does not describe (one a manifest adds with `style.fonts`, or a bundled
file replaced since the table was written: its size differs) is read with fontTools once, on first use.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from collage.resources import fonts_dir

TABLE = "coverage.json"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


@dataclass(frozen=True)
class Coverage:
    """A set of code points as sorted, disjoint, inclusive ranges (starts[i]..ends[i])."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __contains__(self, cp: object) -> bool:
        if not isinstance(cp, int):
            return False
        i = bisect.bisect_right(self.starts, cp) - 1
        return i >= 0 and cp <= self.ends[i]

    def __len__(self) -> int:
        return sum(e - s + 1 for s, e in zip(self.starts, self.ends, strict=True))

    @classmethod
    def of(cls, codepoints: Iterable[int]) -> Coverage:
        starts: list[int] = []
        ends: list[int] = []
        for cp in sorted(set(codepoints)):
            if ends and cp == ends[-1] + 1:
                ends[-1] = cp
            else:
                starts.append(cp)
                ends.append(cp)
        return cls(tuple(starts), tuple(ends))

    def packed(self) -> list[int]:
        """The ranges as [first start, its length - 1, gap to the next start, its length - 1, …]: small
        numbers, a compact table."""
        out: list[int] = []
        prev = 0
        for s, e in zip(self.starts, self.ends, strict=True):
            out += [s - prev, e - s]
            prev = e
        return out

    @classmethod
    def unpacked(cls, packed: list[int]) -> Coverage:
        starts: list[int] = []
        ends: list[int] = []
        prev = 0
        for gap, span in zip(packed[0::2], packed[1::2], strict=True):
            start = prev + gap
            starts.append(start)
            ends.append(start + span)
            prev = start + span
        return cls(tuple(starts), tuple(ends))


@dataclass(frozen=True)
class FaceFacts:
    coverage: Coverage
    weight: int  # OS/2 usWeightClass: 400 regular, 700 bold


def read_faces(path: Path) -> list[FaceFacts]:
    """Every face of a font file (one, or each of a collection's), read with fontTools."""
    from fontTools.ttLib import TTCollection, TTFont

    def facts(font: TTFont) -> FaceFacts:
        cmap = font.getBestCmap() or {}
        weight = font["OS/2"].usWeightClass if "OS/2" in font else 400
        return FaceFacts(Coverage.of(cmap), int(weight))

    with path.open("rb") as f:
        collection = f.read(4) == b"ttcf"
    if collection:
        with TTCollection(str(path), lazy=True) as ttc:
            return [facts(font) for font in ttc.fonts]
    with TTFont(str(path), lazy=True) as font:
        return [facts(font)]


def table_entry(path: Path) -> dict[str, object]:
    """What the table says of one bundled file: its size (to notice a replaced file) and each face."""
    faces = read_faces(path)
    return {"bytes": path.stat().st_size, "faces": [{"weight": f.weight, "ranges": f.coverage.packed()}
                                                    for f in faces]}


def build_table(folder: Path) -> dict[str, object]:
    """The table of every font in `folder` (scripts/bundle_fonts.py writes it; a test compares)."""
    fonts = sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    return {"format": 1, "fonts": {p.name: table_entry(p) for p in fonts}}


@functools.cache
def _table() -> dict[str, object]:
    path = fonts_dir() / TABLE
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    fonts = data.get("fonts") if isinstance(data, dict) and data.get("format") == 1 else None
    return fonts if isinstance(fonts, dict) else {}


def faces_of(path: Path) -> tuple[FaceFacts, ...]:
    """Every face of the font at `path`: from the table when it describes this very file, else read
    (once for each state of the file: a font replaced while a process runs is read again)."""
    stat = path.stat()
    return _faces_of(path, stat.st_size, stat.st_mtime_ns)


@functools.cache
def _faces_of(path: Path, size: int, mtime: int) -> tuple[FaceFacts, ...]:
    known = _from_table(_table().get(path.name), size) if path.parent == fonts_dir() else None
    return known if known is not None else tuple(read_faces(path))


def _from_table(entry: object, size: int) -> tuple[FaceFacts, ...] | None:
    """The table's faces of a file of `size` bytes; None when it describes no such file."""
    if not isinstance(entry, dict) or entry.get("bytes") != size or not isinstance(entry.get("faces"), list):
        return None
    out: list[FaceFacts] = []
    for face in entry["faces"]:
        ranges, weight = (face.get("ranges"), face.get("weight")) if isinstance(face, dict) else (None, None)
        if not isinstance(ranges, list) or not isinstance(weight, int):
            return None
        out.append(FaceFacts(Coverage.unpacked(ranges), weight))
    return tuple(out)
