"""`style.fonts`: font files in the folder, tried before the bundled ones for every text drawn (titles,
captions, translations), each checked here: inside the folder, a .ttf, .otf or .ttc file that is a font
with a character map and outlines. A collection (.ttc) adds each of its faces, in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collage.manifest.report import Reporter, kind_of, short

FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc"})
MAX_FONTS = 20
_SFNT = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")
_EXAMPLE = "e.g. `fonts: [fonts/NotoSansMongolian-Regular.ttf]`"


def fonts(r: Reporter, data: Any) -> tuple[str, ...]:
    """The fonts `style.fonts` names, as absolute paths in the order given (a single path may stand
    alone); each one that cannot be used is an error naming its line."""
    if data is None:
        return ()
    if isinstance(data, str):
        items: list[tuple[tuple[str | int, ...], Any]] = [(("style", "fonts"), data)]
    elif isinstance(data, list):
        items = [(("style", "fonts", i), item) for i, item in enumerate(data)]
    else:
        r.error(("style", "fonts"), f"expected a list of font files, got {kind_of(data)}", _EXAMPLE, key_line=True)
        return ()
    if len(items) > MAX_FONTS:
        r.error(("style", "fonts"), f"{len(items)} fonts: at most {MAX_FONTS}",
                "keep the fonts the names need (one a script)", key_line=True)
        return ()
    found: list[str] = []
    for path, item in items:
        if not isinstance(item, str):
            r.error(path, f"expected a font file's path, got {kind_of(item)}", _EXAMPLE, key_line=True)
            continue
        rel = r.inside(path, item, "font", FONT_SUFFIXES)
        if rel is None:
            continue
        full = (r.folder / rel).absolute()
        problem = unusable_font(full)
        if problem:
            r.error(path, f"'{short(rel)}' {problem}", "give a TrueType or OpenType font file: .ttf, .otf or .ttc",
                    key_line=True)
        elif str(full) not in found:
            found.append(str(full))
    return tuple(found)


def unusable_font(path: Path) -> str | None:
    """Why the file cannot set text (None when it can): read as far as its table directory, without
    decompiling a table (a large CJK font's character map takes half a second)."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or type(exc).__name__})"
    if magic in (b"wOFF", b"wOF2"):
        return "is a web font (WOFF), not a TrueType or OpenType file"
    if magic not in _SFNT:
        return "is not a font file"
    try:
        if magic == b"ttcf":
            with TTCollection(str(path), lazy=True) as ttc:
                faces = [set(font.reader.keys()) for font in ttc.fonts]
        else:
            with TTFont(str(path), lazy=True) as font:
                faces = [set(font.reader.keys())]
    except (TTLibError, OSError, ValueError, KeyError, IndexError, AssertionError) as exc:
        return f"cannot be read as a font ({type(exc).__name__})"
    if not faces:
        return "holds no font"
    for tables in faces:
        if "cmap" not in tables:
            return "has no character map"
        if not tables & {"glyf", "CFF ", "CFF2"}:
            return "has no outlines (a bitmap-only font cannot be drawn at every size)"
    return None
