"""Text: a face per script run, right-to-left ordering, CJK line breaking, fitting."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from collage.draw import text

pytestmark = pytest.mark.frames


def _faces(line: str) -> list[tuple[str, str, bool]]:
    return [(r.text, r.face.file.split("-")[0], r.rtl) for r in text.runs(line)]


def test_runs_pick_a_face_per_script() -> None:
    assert _faces("Alice · 老师") == [("Alice · ", "NotoSans", False), ("老师", "NotoSansCJK", False)]


def test_rtl_paragraph_is_laid_out_right_to_left() -> None:
    # Logical: name · profession · Istanbul; visually Istanbul sits at the left end.
    runs = text.runs("ئابدۇللا · ئوقۇتقۇچى · Istanbul")
    assert runs[0].text == "Istanbul" and not runs[0].rtl
    assert runs[-1].text.strip() == "ئابدۇللا" and runs[-1].rtl


def test_rtl_name_inside_ltr_caption_keeps_its_place() -> None:
    runs = text.runs("Abdulla · ئوقۇتقۇچى · Ürümqi")
    assert [r.text.strip(" ·") for r in runs] == ["Abdulla", "ئوقۇتقۇچى", "Ürümqi"]
    assert [r.rtl for r in runs] == [False, True, False]


def test_traditional_chinese_is_detected() -> None:
    assert text.is_traditional("陳大文 律師")
    assert not text.is_traditional("王芳 记者")
    assert {r.face.index for r in text.runs("律師") if "CJK" in r.face.file} == {3}  # the TC face
    assert {r.face.index for r in text.runs("律师") if "CJK" in r.face.file} == {2}  # the SC face


def test_missing_characters_are_found() -> None:
    assert text.missing_characters("Alice 𒀀 \ue000") == ["𒀀", "\ue000"]  # cuneiform, private use
    assert text.missing_characters("José 陳 ئا ཚེ་རིང 🕊️ ✊🏽 👨‍👩‍👧 🇹🇼") == []


def test_emoji_sequences_and_tibetan_stay_whole() -> None:
    assert _faces("✊🏽 Tenzin") == [("✊🏽 ", "NotoColorEmoji.ttf", False), ("Tenzin", "NotoSans", False)]
    assert _faces("👨‍👩‍👧") == [("👨‍👩‍👧", "NotoColorEmoji.ttf", False)]
    assert [f for _, f, _ in _faces("ཚེ་རིང་")] == ["NotoSerifTibetan"]


def test_emoji_are_drawn_in_colour() -> None:
    image = Image.new("RGB", (200, 80), (0, 0, 0))
    text.fit("❤️", 180, 1, 50, 40).draw(image, (10, 0, 180, 80), (255, 255, 255))
    pixels = np.asarray(image).reshape(-1, 3).astype(int)
    red = (pixels[:, 0] > 150) & (pixels[:, 1] < 90) & (pixels[:, 2] < 90)
    assert red.sum() > 300  # a red heart, not a white glyph


def test_cjk_breaks_between_characters_but_not_before_closing_punctuation() -> None:
    tokens = text._tokens("你们并不孤单。谢谢")
    assert "单。" in tokens
    assert not any(t.startswith("。") for t in tokens)
    assert text._tokens("We stand with you") == ["We ", "stand ", "with ", "you"]


def test_fit_shrinks_then_ellipsises() -> None:
    long = "An extremely long caption that cannot possibly fit in a narrow cell at any legible size at all"
    block = text.fit(long, 200, 2, 30, 20)
    assert block.truncated and block.lines[-1].endswith(text.ELLIPSIS) and len(block.lines) == 2
    assert all(block.style.width(li) <= 200 for li in block.lines)
    short = text.fit("Short", 400, 1, 30, 20)
    assert short.lines == ("Short",) and short.style.px == 30 and not short.truncated


def test_balanced_wrap_evens_out_lines() -> None:
    style = text.TextStyle(40, "bold")
    lines = text.wrap_balanced("Messages to Human Rights Lawyers in China", style, 600)
    assert len(lines) == 2
    widths = [style.width(li) for li in lines]
    assert max(widths) - min(widths) < 0.3 * max(widths)


@pytest.mark.parametrize("sample", ["陳大文", "ئابدۇللا", "Søren Ødegård", "ཚེ་རིང་", "🕊️✊🏽"])
def test_text_draws_ink(sample: str) -> None:
    image = Image.new("RGB", (400, 100), (0, 0, 0))
    text.fit(sample, 380, 1, 40, 30).draw(image, (10, 0, 380, 100), (255, 255, 255))
    ink = np.asarray(image).max(axis=2) > 128
    assert ink.sum() > 200
    ys = np.where(ink.any(axis=1))[0]
    assert ys.min() > 5 and ys.max() < 95  # nothing clipped at the top or bottom


def test_a_bold_line_is_bold_in_every_script() -> None:
    """A title that mixes scripts keeps one weight: the bundled CJK face has no bold, so bold CJK is
    drawn heavier (outlined) to match bold Latin rather than looking regular beside it."""
    from PIL import Image

    from collage.draw import text

    def ink(line: str, weight: text.Weight) -> int:
        im = Image.new("L", (900, 200), 0)
        text.TextStyle(80, weight).draw_line(im, 10, 120, line, (255,))
        return int((np.asarray(im) > 128).sum())

    latin = ink("Lawyers", "bold") / ink("Lawyers", "regular")
    cjk = ink("律师节律师", "bold") / ink("律师节律师", "regular")
    assert latin > 1.25
    assert abs(cjk - latin) < 0.25 * latin, (cjk, latin)
