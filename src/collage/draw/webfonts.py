"""Fonts for a page collage writes (the storyboard): the faces that draw its text in the video, each
subset to the characters it draws there, as WOFF files to place beside the page.

A browser on a machine without CJK, Tibetan or Khmer fonts would show those names as boxes; with these
the page shows every script the video shows, in the same faces (the folder's fonts first, Simplified and
Traditional Chinese each in its own forms). Each face is its own family, listed in the video's fallback
order: the browser, like the video, takes the first that has a character. Subsets keep every layout
feature (the browser shapes Arabic, Indic and Southeast Asian text with them) and drop hinting.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from collage.draw import text


@dataclass(frozen=True)
class WebFont:
    family: str  # the CSS family name: collage-NN
    file: str  # relative to the page: fonts/NN.woff
    data: bytes
    source: str  # the face it was cut from (a bundled font's name, or the folder's font's file name)


@dataclass(frozen=True)
class PageFonts:
    fonts: tuple[WebFont, ...]
    families: tuple[str, ...]  # the page's font-family order
    traditional: tuple[str, ...]  # the order for Traditional Chinese text (its CJK face first)

    def css(self) -> str:
        """The @font-face rules, for a style sheet beside the fonts (`font-display: block`: never a glimpse
        of boxes while they load)."""
        return "".join(f'@font-face {{ font-family: "{f.family}"; src: url({Path(f.file).name}) format("woff"); '
                       "font-display: block; }\n" for f in self.fonts)


def page_fonts(texts: Iterable[str], fonts: text.Fonts = ()) -> PageFonts:
    """The faces that set `texts` (each line as the video sets it, in the regular weight), each subset
    to its characters there. Characters no face has are left to the browser's own fonts."""
    used: dict[text.Face, set[str]] = {}
    for block in texts:
        for line in block.splitlines():
            if not line.strip():
                continue
            for run in text.runs(line, "regular", None, fonts):
                used.setdefault(run.face, set()).update(run.text)
    simplified, traditional = text.faces("regular", False, fonts), text.faces("regular", True, fonts)
    order = [f for f in dict.fromkeys((*simplified, *traditional)) if f in used]  # SC and TC faces, once each
    made: dict[text.Face, WebFont] = {}
    for k, face in enumerate(order):
        chars = {ch for ch in used[face] if ord(ch) in text.coverage_of(face)}
        if chars:
            made[face] = WebFont(f"collage-{k:02d}", f"fonts/{k:02d}.woff", _subset(face, chars), face.path.name)
    kept = [f for f in order if f in made]
    tc_first = [f for f in kept if f not in simplified] + [f for f in kept if f in simplified]
    return PageFonts(tuple(made.values()), tuple(made[f].family for f in kept),
                     tuple(made[f].family for f in tc_first))


def _subset(face: text.Face, chars: set[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]  # the browser shapes with them
    options.hinting = False
    options.notdef_outline = True
    options.flavor = "woff"  # zlib: WOFF2 would need brotli
    with TTFont(str(face.path), fontNumber=face.index, lazy=True, recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes={ord(ch) for ch in chars})
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()
