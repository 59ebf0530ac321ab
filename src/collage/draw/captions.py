"""A caption drawn as the plan set it (`collage.plan.captions`), measured with the fonts: the name in the
theme's `caption_name_weight` (bold by default), then the details in `caption_weight`, each line broken
between the caption's parts first, then at spaces, never inside a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PIL import Image

from collage.draw import text
from collage.model.timeline import Cell
from collage.plan import layout
from collage.plan.captions import Caption, Lines, Setting, ellipsized, set_caption

LINE_SPACING = 1.3


@dataclass(frozen=True)
class Headed(text.TextBlock):
    """One line that starts with a name in a stronger style (`strong`, its first `head` characters) and
    goes on with the details in the block's own style. Only left-to-right lines are set this way (the
    plan sets a caption with right-to-left text on lines of their own)."""

    head: int = 0
    strong: text.TextStyle | None = None

    def _parts(self) -> tuple[str, str, text.TextStyle]:
        assert self.strong is not None
        line = self.lines[0]
        return line[:self.head], line[self.head:], self.strong

    def width(self) -> float:
        name, rest, strong = self._parts()
        return strong.width(name) + self.style.width(rest)

    def scaled(self, factor: float) -> Headed:
        if factor == 1:
            return self
        plain = text.TextBlock.scaled(self, factor)
        assert self.strong is not None
        strong = text.TextStyle(plain.style.px, self.strong.weight, self.strong.traditional, self.strong.fonts)
        return Headed(plain.lines, plain.style, plain.line_height, plain.truncated, self.head, strong)

    def draw(self, image: Image.Image, box: tuple[int, int, int, int], fill: tuple[int, ...],
             align: Literal["center", "left"] = "center") -> None:
        x0, y0, w, h = box
        name, rest, strong = self._parts()
        x = x0 + (w - self.width()) / 2 if align == "center" else x0
        baseline = y0 + (h - self.height) / 2 + 0.5 * self.line_height + 0.36 * self.style.px  # as TextBlock
        strong.draw_line(image, round(x), round(baseline), name, fill)
        self.style.draw_line(image, round(x + strong.width(name)), round(baseline), rest, fill)


def blocks(cell: Cell, height: int, weight: text.Weight = "regular", name_weight: text.Weight = "bold",
           fonts: text.Fonts = ()) -> list[text.TextBlock]:
    """The caption of `cell` fitted to its box in the lines the plan left it: the name, then the
    details (on the name's line where both fit), at its planned size, shrinking toward the legibility
    floor (3.5 % of the frame height) only when a word is wider than the line or the lines are too few;
    past that the last line ends in an ellipsis (`check` names the message). Over a photo it leaves
    room for the band's padding. A translation shown on screen follows in the lines the caption leaves
    (at least one), at no larger a size than the caption's."""
    box = cell.caption_box
    assert box is not None and cell.caption is not None
    floor = layout.caption_floor_px(height)
    px = max(cell.caption_px, floor)
    width = box.w - 2 * round(px * 0.7) if cell.caption_over else box.w
    room = max(1, cell.caption_lines - (1 if cell.translation else 0))
    caption = Caption(cell.caption, cell.caption_head)
    traditional = text.is_traditional(cell.caption)
    strong_weight: text.Weight = "bold" if "bold" in (weight, name_weight) else "regular"
    size = px
    while True:
        regular = text.TextStyle(size, weight, traditional, fonts)
        strong = text.TextStyle(size, strong_weight, traditional, fonts)
        done = set_caption(caption, width, strong.width, regular.width)
        if (done.lines <= room and not done.cut) or size <= floor:
            break
        size = max(floor, int(size * 0.92))
    done = _within(done, room, width, strong, regular)
    line_height = round(size * LINE_SPACING)
    out: list[text.TextBlock] = []
    if done.inline:
        out.append(Headed(done.name.lines, regular, line_height, done.cut, cell.caption_head, strong))
    else:
        out += [text.TextBlock(part.lines, style, line_height, done.cut)
                for part, style in ((done.name, strong), (done.details, regular)) if part.lines]
    if cell.translation:
        spare = max(1, cell.caption_lines - done.lines)
        out.append(text.fit(cell.translation, width, spare, max(floor, size), floor, weight=weight, fonts=fonts))
    return out


def _within(done: Setting, room: int, width: float, strong: text.TextStyle, regular: text.TextStyle) -> Setting:
    """`done` cut to `room` lines: its last line kept ends in an ellipsis."""
    if done.lines <= room:
        return done
    name = done.name.lines[:room]
    details = done.details.lines[:room - len(name)]
    if details:
        return Setting(Lines(name, done.name.cut), Lines((*details[:-1], ellipsized(details[-1], width, regular.width)),
                                                          True))
    return Setting(Lines((*name[:-1], ellipsized(name[-1], width, strong.width)), True), Lines())
