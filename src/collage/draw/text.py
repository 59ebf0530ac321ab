"""Text in any script, drawn with Pillow from the fonts bundled in the package (`data/fonts`) and those a
manifest adds (`style.fonts`, tried first).

Pillow has no font fallback, so a line is split into runs, each set in the first face that has its
glyphs (by the face's coverage: `collage.draw.coverage`, a table for the bundled fonts), and the runs are
placed side by side on one baseline. raqm (bundled in Pillow's wheels) shapes each run: conjuncts and
reordered vowel signs (Indic scripts, Khmer, Myanmar, Sinhala), stacked marks (Thai, Tibetan, Hebrew
points), joined letters (Arabic script); right-to-left runs need the system's libfribidi, and we refuse
to draw them unshaped.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, features

from collage.draw.coverage import Coverage, FaceFacts, faces_of
from collage.errors import RenderError
from collage.resources import fonts_dir

Weight = Literal["regular", "bold"]
ELLIPSIS = "…"

# CJK faces inside the .ttc: 2 is Simplified Chinese, 3 Traditional (0 would give Japanese forms).
_CJK_SC, _CJK_TC = 2, 3
# A face of one weight drawing text of a heavier one is drawn heavier by an outline this share of the type size.
_EMBOLDEN = 0.03


@dataclass(frozen=True)
class Face:
    file: str  # a bundled font's name in `data/fonts`, or the absolute path of one the manifest adds
    index: int = 0
    rtl: bool = False  # a right-to-left script face
    bitmap: int = 0  # colour bitmap face (emoji): its only size, scaled to the text's size
    # Drawn heavier by an outline this share of the type size: the bundled CJK face has one weight, and
    # a bold title's Chinese must not look lighter than its Latin (the bold face, stroked, is ~19 MB more).
    embolden: float = 0.0

    @property
    def path(self) -> Path:
        return Path(self.file) if os.path.isabs(self.file) else fonts_dir() / self.file


_EMOJI = Face("NotoColorEmoji.ttf", bitmap=109)
# Noto Sans <script>, regular and bold (subset: scripts/bundle_fonts.py; data/fonts/SOURCES.md).
SCRIPTS = ("Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam",
           "Sinhala", "Thai", "Lao", "Khmer", "Myanmar", "Ethiopic", "Hebrew", "Armenian", "Georgian")


def _scripts(weight: str) -> tuple[Face, ...]:
    return tuple(Face(f"NotoSans{s}-{weight}.ttf", rtl=s == "Hebrew") for s in SCRIPTS)


# Fallback order: the first face covering a character sets it (emoji last: it also maps digits). The script
# faces share few characters (dandas, ZWNJ: kept in the face of the run they are in, see _STAYS).
_FACES: dict[Weight, tuple[Face, ...]] = {
    "regular": (Face("NotoSans-Regular.ttf"), Face("NotoSansArabic-Regular.ttf", rtl=True),
                Face("NotoSansCJK-Regular.ttc", _CJK_SC), Face("NotoSerifTibetan-Regular.ttf"),
                *_scripts("Regular"), _EMOJI),
    "bold": (Face("NotoSans-Bold.ttf"), Face("NotoSansArabic-Bold.ttf", rtl=True),
             Face("NotoSansCJK-Regular.ttc", _CJK_SC, embolden=_EMBOLDEN), Face("NotoSerifTibetan-Bold.ttf"),
             *_scripts("Bold"), _EMOJI),
}
# Characters that only modify the one before them: they stay in its run, so shaping sees the sequence
# (Tibetan stacks, emoji skin tones, ZWJ families, keycaps, flags' tag characters).
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
# Characters several scripts share that stay in the face of the run they are in when it has them: a
# ZWNJ inside an Indic or Persian word (it asks the shaper for a form), the dandas of the Indic scripts.
_STAYS = {"\u200c", "\u0964", "\u0965", "\u00a0"}
# Characters that are not drawn as glyphs and need no coverage.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufe0e", "\ufe0f", "\u2060", "\n", "\t"}
_NO_LINE_START = set("、。，．・：；？！）」』】〕〉》”’ー…‥,.:;?!)]}%")
_NO_LINE_END = set("（「『【〔〈《“‘([{")
_SEPARATORS = set("·•|–—/")  # a caption's separators stay with the part before them; at a line's end they go

Fonts = tuple[str, ...]  # the manifest's fonts (`style.fonts`): absolute paths, tried in this order


def _faces(weight: Weight, traditional: bool, fonts: Fonts = ()) -> tuple[Face, ...]:
    faces = _FACES[weight]
    if traditional:
        faces = tuple(dataclasses.replace(f, index=_CJK_TC) if f.index == _CJK_SC else f for f in faces)
    return _user_faces(fonts, weight) + faces if fonts else faces


def faces(weight: Weight, traditional: bool, fonts: Fonts = ()) -> tuple[Face, ...]:
    """The fallback order: the manifest's faces, then the bundled ones (a page's fonts follow it)."""
    return _faces(weight, traditional, fonts)


def coverage_of(face: Face) -> Coverage:
    return _coverage(face)


def _user_faces(fonts: Fonts, weight: Weight) -> tuple[Face, ...]:
    """Every face of the manifest's fonts, in their order, those of the weight asked for first (given
    Mine-Regular and Mine-Bold, a bold title takes Mine-Bold); a regular face setting bold text is drawn
    heavier, as the CJK face is."""
    found: list[tuple[bool, Face]] = []
    for file in fonts:
        for index, facts in enumerate(_user_font(file)):
            bold = facts.weight >= 600
            heavier = _EMBOLDEN if weight == "bold" and not bold else 0.0
            found.append((bold != (weight == "bold"), Face(file, index, embolden=heavier)))
    return tuple(face for _, face in sorted(found, key=lambda f: f[0]))


def _user_font(file: str) -> tuple[FaceFacts, ...]:
    """A manifest's font, read again whenever the file changes (the manifest's check found it readable)."""
    try:
        return faces_of(Path(file))
    except Exception as exc:  # fontTools raises many kinds on a damaged file
        raise RenderError(f"cannot read the font '{file}': {exc}", "check the file named in style.fonts") from None


def _coverage(face: Face) -> Coverage:
    if os.path.isabs(face.file):
        return _user_font(face.file)[face.index].coverage
    return _bundled_coverage(face)


@functools.cache
def _bundled_coverage(face: Face) -> Coverage:
    if not face.path.is_file():
        raise RenderError(f"bundled font missing: {face.path}", "reinstall collage from its repository")
    return faces_of(face.path)[face.index].coverage


@functools.cache
def _font(face: Face, px: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if features.check_feature("raqm") else ImageFont.Layout.BASIC
    size = face.bitmap or px  # a bitmap face exists at one size only
    try:
        return ImageFont.truetype(str(face.path), size, index=face.index, layout_engine=engine)
    except OSError as exc:  # FreeType refuses a damaged font
        if os.path.isabs(face.file):
            raise RenderError(f"cannot read the font '{face.file}': {exc}",
                              "check the file named in style.fonts") from None
        raise


def _attaches(ch: str) -> bool:
    cp = ord(ch)
    return (ch in _JOINERS or unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F)


def is_rtl_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def _strong(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("L", "R", "AL")


def is_traditional(text: str) -> bool:
    """True when the text has Han characters found in Big5 but not in GB2312: Traditional Chinese."""
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            try:
                ch.encode("gb2312")
            except UnicodeEncodeError:
                try:
                    ch.encode("big5")
                    return True
                except UnicodeEncodeError:
                    pass
    return False


def missing_characters(text: str, fonts: Fonts = ()) -> list[str]:
    """Characters of `text` that no face, of the manifest's fonts or the bundled ones, can draw in either
    weight (they would come out as tofu boxes)."""
    weights = [[_coverage(f) for f in _faces(w, False, fonts)] for w in ("regular", "bold")]
    out: list[str] = []
    for ch in text:
        if ch in _INVISIBLE or ch.isspace() or ch in out:
            continue
        if not all(any(ord(ch) in c for c in covered) for covered in weights):
            out.append(ch)
    return out


def fonts_used(texts: Iterable[str], fonts: Fonts) -> list[str]:
    """The manifest's fonts that have a glyph for some character of `texts` (those that may draw it):
    what a slide's cache key must digest."""
    chars = {ord(ch) for t in texts for ch in t}
    return [file for file in fonts if any(any(cp in facts.coverage for cp in chars) for facts in _user_font(file))]


def needs_bidi(text: str) -> bool:
    return any(is_rtl_char(ch) for ch in text)


def require_shaping(text: str) -> None:
    """Refuse to draw right-to-left text without fribidi: it would come out unjoined and reversed."""
    if needs_bidi(text) and not (features.check_feature("raqm") and features.check_feature("fribidi")):
        raise RenderError(
            "right-to-left text (e.g. Arabic script) cannot be shaped: Pillow found no libfribidi",
            "install it: apt-get install libfribidi0",
        )


@dataclass(frozen=True)
class Run:
    text: str
    face: Face
    rtl: bool = False  # drawn right to left (raqm reverses and joins it)


def runs(text: str, weight: Weight = "regular", traditional: bool | None = None, fonts: Fonts = ()) -> list[Run]:
    """One line as runs in visual order, left to right, each in one face and one direction.

    A reduced bidi algorithm (UAX #9 for one paragraph without explicit embeddings): the paragraph
    takes the direction of its first strong character; neutrals between two strong characters of one
    direction take it, other neutrals take the paragraph's. Each direction run is then split by face
    (spaces stay in the current face; other neutrals prefer the first face that has them, so
    separators look the same in every script)."""
    if traditional is None:
        traditional = is_traditional(text)
    faces = _faces(weight, traditional, fonts)
    cmaps = [(f, _coverage(f)) for f in faces]
    para_rtl = _paragraph_rtl(text)

    def face_for(ch: str, emoji_style: bool = False, current: Face | None = None) -> Face:
        if emoji_style and ord(ch) in _coverage(_EMOJI):  # U+FE0F asks for the colour emoji
            return _EMOJI
        if current is not None and ch in _STAYS and ord(ch) in _coverage(current):
            return current
        for face, cmap in cmaps:
            if ord(ch) in cmap:
                return face
        return faces[0]

    dirs = _directions(text, para_rtl)
    out: list[list[Run]] = []  # direction runs, each split into face runs
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and dirs[j] == dirs[i]:
            j += 1
        face_runs = _face_runs(text, i, j, dirs[i], face_for)
        out.append(face_runs[::-1] if dirs[i] else face_runs)
        i = j
    if para_rtl:
        out.reverse()
    return [r for group in out for r in group]


def _directions(text: str, para_rtl: bool) -> list[bool]:
    """Each character's direction (True: right to left): a strong character's own; a neutral between two
    strong characters of one direction takes it, any other neutral the paragraph's."""
    dirs: list[bool] = []
    prev_strong = para_rtl
    for i, ch in enumerate(text):
        if _strong(ch):
            prev_strong = is_rtl_char(ch)
            dirs.append(prev_strong)
        else:
            nxt = _next_strong(text, i)
            after = para_rtl if nxt is None else is_rtl_char(nxt)
            dirs.append(prev_strong if prev_strong == after else para_rtl)
    return dirs


def _face_runs(text: str, start: int, end: int, rtl: bool,
               face_for: Callable[[str, bool, Face | None], Face]) -> list[Run]:
    """text[start:end] (one direction) split where the face changes, in logical order: spaces and
    attaching marks stay in the current face (and `_STAYS` where it has them)."""
    runs: list[Run] = []
    buf, cur = "", None
    for k in range(start, end):
        ch, emoji = text[k], text[k + 1:k + 2] == "\ufe0f"  # (U+FE0F asks for the colour emoji)
        face = cur if cur is not None and (ch == " " or _attaches(ch)) else face_for(ch, emoji, cur)
        if face == cur:
            buf += ch
        else:
            if buf and cur is not None:
                runs.append(Run(buf, cur, rtl))
            buf, cur = ch, face
    if buf and cur is not None:
        runs.append(Run(buf, cur, rtl))
    return runs


def _next_strong(text: str, i: int) -> str | None:
    for ch in text[i + 1:]:
        if _strong(ch):
            return ch
    return None


def _paragraph_rtl(text: str) -> bool:
    for ch in text:
        if _strong(ch):
            return is_rtl_char(ch)
    return False


class TextStyle:
    """Measures and draws lines of one weight at one pixel size."""

    def __init__(self, px: int, weight: Weight = "regular", traditional: bool = False, fonts: Fonts = ()) -> None:
        self.px, self.weight, self.traditional, self.fonts = px, weight, traditional, fonts

    def _runs(self, line: str) -> list[Run]:
        return runs(line, self.weight, self.traditional, self.fonts)

    def _advance(self, run: Run) -> float:
        length = _font(run.face, self.px).getlength(run.text, direction=_dir(run))
        return length * self.px / run.face.bitmap if run.face.bitmap else length

    def width(self, line: str) -> float:
        return sum(self._advance(r) for r in self._runs(line))

    def draw_line(self, image: Image.Image, x: float, baseline: float, line: str,
                  fill: tuple[int, ...]) -> None:
        """Draw `line` starting at x (its visual left edge) on `baseline`."""
        require_shaping(line)
        draw = ImageDraw.Draw(image)
        for r in self._runs(line):
            font = _font(r.face, self.px)
            if r.face.bitmap:
                self._draw_bitmap(image, x, baseline, r)
            else:
                stroke = round(self.px * r.face.embolden)
                draw.text((x, baseline), r.text, font=font, fill=fill, anchor="ls", direction=_dir(r),
                          stroke_width=stroke, stroke_fill=fill if stroke else None)
            x += self._advance(r)

    def _draw_bitmap(self, image: Image.Image, x: float, baseline: float, run: Run) -> None:
        """Colour emoji: drawn at the face's own size, scaled to the text, pasted through its alpha."""
        font = _font(run.face, self.px)
        ascent, descent = font.getmetrics()
        width = max(1, round(font.getlength(run.text)))
        sheet = Image.new("RGBA", (width, ascent + descent), (0, 0, 0, 0))
        ImageDraw.Draw(sheet).text((0, ascent), run.text, font=font, embedded_color=True, anchor="ls")
        scale = self.px / run.face.bitmap
        small = sheet.resize((max(1, round(width * scale)), max(1, round((ascent + descent) * scale))),
                             Image.Resampling.LANCZOS)
        image.paste(small, (round(x), round(baseline - ascent * scale)), small)


def _dir(run: Run) -> str | None:
    if not features.check_feature("raqm"):
        return None  # basic layout takes no direction (and draws no RTL text: require_shaping)
    return "rtl" if run.rtl else "ltr"


def _tokens(text: str) -> list[str]:
    """Pieces between which a line may break: after spaces, and around CJK characters (never before
    closing punctuation or after opening punctuation)."""
    out: list[str] = []
    cur = ""
    for i, ch in enumerate(text):
        if cur and i > 0:
            prev = text[i - 1]
            breakable = (prev == " " and ch not in _SEPARATORS) or (
                (_is_cjk(prev) or _is_cjk(ch)) and ch not in _NO_LINE_START and prev not in _NO_LINE_END
                and ch != " "
            )
            if breakable:
                out.append(cur)
                cur = ""
        cur += ch
    if cur:
        out.append(cur)
    return out


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x2E80 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7AF or 0xF900 <= cp <= 0xFAFF
            or 0xFF00 <= cp <= 0xFFEF or 0x20000 <= cp <= 0x3FFFF)


def wrap(text: str, style: TextStyle, max_width: float) -> list[str]:
    """Greedy wrap at break opportunities; a single token wider than max_width stays on its own line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        cur = ""
        for token in _tokens(paragraph):
            candidate = cur + token
            if cur and style.width(_line_end(candidate)) > max_width:
                lines.append(_line_end(cur))
                cur = token.lstrip()
            else:
                cur = candidate
        lines.append(_line_end(cur))
    return lines


def _line_end(line: str) -> str:
    """A line as it ends: trailing spaces go, and a separator left at the end (the break separates)."""
    line = line.rstrip()
    if len(line) > 1 and line[-1] in _SEPARATORS and line[-2] == " ":
        line = line[:-2].rstrip()
    return line


def wrap_balanced(text: str, style: TextStyle, max_width: float) -> list[str]:
    """Wrap into as few lines as greedy wrapping needs, but with lines as even as possible."""
    lines = wrap(text, style, max_width)
    if len(lines) < 2 or "\n" in text:
        return lines
    lo, hi = max_width / len(lines), max_width
    best = lines
    for _ in range(12):
        mid = (lo + hi) / 2
        trial = wrap(text, style, mid)
        if len(trial) <= len(lines) and max(style.width(t) for t in trial) <= max_width:
            best, hi = trial, mid
        else:
            lo = mid
    return best


@dataclass(frozen=True)
class TextBlock:
    lines: tuple[str, ...]
    style: TextStyle
    line_height: int
    truncated: bool = False

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)

    def scaled(self, factor: float) -> TextBlock:
        """The same lines at `factor` times the size: text fitted at the full render's size, drawn in
        a preview, breaks exactly where the full render's does."""
        if factor == 1:
            return self
        style = TextStyle(max(1, round(self.style.px * factor)), self.style.weight, self.style.traditional,
                          self.style.fonts)
        return TextBlock(self.lines, style, max(1, round(self.line_height * factor)), self.truncated)

    def draw(self, image: Image.Image, box: tuple[int, int, int, int], fill: tuple[int, ...],
             align: Literal["center", "left"] = "center") -> None:
        """Draw centred vertically in box (x, y, w, h); horizontally centred or left-aligned."""
        x0, y0, w, h = box
        top = y0 + (h - self.height) / 2
        for i, line in enumerate(self.lines):
            width = self.style.width(line)
            x = x0 + (w - width) / 2 if align == "center" else x0
            # Centre the band from cap height to a little below the baseline, where Latin, CJK and
            # Arabic glyph bodies all sit; descenders and tall CJK ascenders fall into the line gap.
            baseline = top + (i + 0.5) * self.line_height + 0.36 * self.style.px
            self.style.draw_line(image, round(x), round(baseline), line, fill)


def fit(text: str, max_width: int, max_lines: int, px: int, min_px: int, weight: Weight = "regular",
        line_spacing: float = 1.3, balanced: bool = True, breaks: Sequence[str] = (), fonts: Fonts = ()) -> TextBlock:
    """The largest size from px down to min_px at which text fits in max_lines lines of max_width;
    below that, wrap at min_px and end the last line with an ellipsis. `breaks`, when given, are
    preferred line contents (e.g. caption parts) tried before free wrapping. `fonts`: the manifest's,
    tried before the bundled ones."""
    traditional = is_traditional(text)
    size = px
    while True:
        style = TextStyle(size, weight, traditional, fonts)
        lines = _preferred(breaks, style, max_width, max_lines) or (
            wrap_balanced(text, style, max_width) if balanced else wrap(text, style, max_width)
        )
        if len(lines) <= max_lines and all(style.width(li) <= max_width for li in lines):
            return _block(lines, style, line_spacing)
        if size <= min_px:
            break
        size = max(min_px, int(size * 0.92))
    style = TextStyle(min_px, weight, traditional, fonts)
    lines = wrap(text, style, max_width)[:max_lines]
    last = lines[-1]
    while last and style.width(last + ELLIPSIS) > max_width:
        last = last[:-1]
    lines[-1] = last.rstrip(" ·,") + ELLIPSIS
    return _block(lines, style, line_spacing, truncated=True)


def _preferred(parts: Sequence[str], style: TextStyle, max_width: int, max_lines: int) -> list[str] | None:
    """`parts` (joined by ' · ') on at most max_lines lines, broken only between parts, most even
    first; None when no such split fits."""
    if len(parts) < 2 or max_lines < 2:
        return None
    best: tuple[float, list[str]] | None = None
    n = len(parts)
    for mask in range(1, 1 << (n - 1)):
        cuts = [i for i in range(1, n) if mask >> (i - 1) & 1]
        if len(cuts) >= max_lines:
            continue
        bounds = [0, *cuts, n]
        lines = [" · ".join(parts[a:b]) for a, b in itertools.pairwise(bounds)]
        widest = max(style.width(li) for li in lines)
        key = widest + len(lines) * 1e-3  # fewer lines when equally wide
        if widest <= max_width and (best is None or key < best[0]):
            best = (key, lines)
    return None if best is None else best[1]


def _block(lines: list[str], style: TextStyle, spacing: float, truncated: bool = False) -> TextBlock:
    # Baselines sit on a grid of the nominal size, not of the tallest face, so mixed-script lines
    # keep an even rhythm.
    return TextBlock(tuple(lines), style, round(style.px * spacing), truncated)
