"""Fonts: a real name in every bundled script drawn whole (no .notdef, no tofu box) and shaped (letters
reordered, joined, stacked), the coverage table that picks faces fast kept equal to the fonts, and the
folder's fonts (`style.fonts`) tried before the bundled ones, checked, owned and in the cache keys."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from collage.draw import coverage, text
from collage.errors import InputError
from collage.resources import fonts_dir

from .support.fonts import NAMES, SHAPED, block_font
from .support.media import RED, msg, small_manifest, write_folder

pytestmark = pytest.mark.frames

PX = 64


def _face_file(script: str, weight: str = "Regular") -> str:
    if script == "Tibetan":
        return f"NotoSerifTibetan-{weight}.ttf"
    return f"NotoSans{script}-{weight}.ttf"


def _drawn(line: str, weight: text.Weight = "regular", fonts: text.Fonts = ()) -> np.ndarray:
    style = text.TextStyle(PX, weight, fonts=fonts)
    image = Image.new("L", (round(style.width(line)) + 2 * PX, 2 * PX))
    style.draw_line(image, PX, round(1.3 * PX), line, (255,))
    return np.asarray(image).astype(int)


def _basic(line: str, face_file: str, size: tuple[int, int]) -> np.ndarray:
    """`line` in one bundled face without shaping: each character's own glyph, side by side, left to right."""
    font = ImageFont.truetype(str(fonts_dir() / face_file), PX, layout_engine=ImageFont.Layout.BASIC)
    image = Image.new("L", (size[1], size[0]))
    ImageDraw.Draw(image).text((PX, round(1.3 * PX)), line, font=font, fill=255, anchor="ls")
    return np.asarray(image).astype(int)


def _differing(a: np.ndarray, b: np.ndarray) -> float:
    return float((np.abs(a - b) > 60).mean())


# -- the bundled fonts ---------------------------------------------------------------------------------------


def test_the_coverage_table_describes_every_bundled_font() -> None:
    """The table that picks faces without opening fonts is what the fonts say (scripts/bundle_fonts.py
    --table writes it again after a font changes)."""
    stored = json.loads((fonts_dir() / coverage.TABLE).read_text("utf-8"))
    assert stored == coverage.build_table(fonts_dir()), "run: .venv/bin/python scripts/bundle_fonts.py --table"


def test_faces_are_chosen_from_the_table_without_opening_a_font(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> list[coverage.FaceFacts]:
        raise AssertionError(f"{path.name} was read: the table should have answered")

    monkeypatch.setattr(coverage, "read_faces", refuse)
    coverage._faces_of.cache_clear()
    text._bundled_coverage.cache_clear()
    try:
        assert [r.face.file for r in text.runs("Alice 王芳 " + NAMES["Thai"])] == [
            "NotoSans-Regular.ttf", "NotoSansCJK-Regular.ttc", "NotoSansThai-Regular.ttf"]
        assert text.missing_characters(" ".join(NAMES.values())) == []
    finally:
        coverage._faces_of.cache_clear()
        text._bundled_coverage.cache_clear()


def test_a_replaced_bundled_font_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table answers only for the very file it describes (by size): a font replaced since (a packager's
    own build) is read with fontTools."""
    copy = tmp_path / "fonts"
    copy.mkdir()
    (copy / "NotoSansThai-Regular.ttf").write_bytes((fonts_dir() / "NotoSansHebrew-Regular.ttf").read_bytes())
    (copy / coverage.TABLE).write_bytes((fonts_dir() / coverage.TABLE).read_bytes())
    monkeypatch.setattr(coverage, "fonts_dir", lambda: copy)
    coverage._table.cache_clear()
    try:
        facts = coverage.faces_of(copy / "NotoSansThai-Regular.ttf")
        assert ord("ש") in facts[0].coverage and ord("ส") not in facts[0].coverage
    finally:
        coverage._table.cache_clear()


@pytest.mark.parametrize("script", list(NAMES))
def test_a_name_in_each_script_is_set_in_its_own_face(script: str) -> None:
    name = NAMES[script]
    assert text.missing_characters(name) == []
    for weight, suffix in (("regular", "Regular"), ("bold", "Bold")):
        files = {r.face.file for r in text.runs(name, weight)}  # type: ignore[arg-type]
        assert files == {_face_file(script, suffix)}, (weight, files)


@pytest.mark.parametrize("script", list(NAMES))
def test_a_name_in_each_script_is_drawn_without_tofu(script: str) -> None:
    """Every character has a glyph in the face that sets it (by the font's own cmap, read here, not by
    the table), and none of them comes out as that face's .notdef box."""
    name = NAMES[script]
    for run in text.runs(name):
        with TTFont(str(run.face.path), lazy=True) as font_file:
            cmap = font_file.getBestCmap()
        font = text._font(run.face, PX)

        def picture(s: str, font: ImageFont.FreeTypeFont = font) -> np.ndarray:
            image = Image.new("L", (4 * PX, 2 * PX))
            ImageDraw.Draw(image).text((PX, round(1.3 * PX)), s, font=font, fill=255, anchor="ls")
            return np.asarray(image).astype(int)

        tofu = picture("\ue000")  # private use: mapped by no bundled face, so its .notdef
        assert tofu.sum() > 0, "the .notdef box should have ink"
        for ch in run.text:
            if ch.isspace():
                continue
            assert ord(ch) in cmap, f"{script}: {ch!r} (U+{ord(ch):04X}) not in {run.face.file}"
            assert _differing(picture(ch), tofu) > 0.001, f"{script}: {ch!r} drawn as a box"
    assert _drawn(name).sum() > 0


@pytest.mark.parametrize("script", SHAPED)
def test_a_name_in_each_complex_script_is_shaped(script: str) -> None:
    """The real drawing is not the characters' own glyphs side by side: conjuncts, reordered vowel signs,
    joined letters, stacks and placed points change the picture."""
    name = NAMES[script]
    shaped = _drawn(name)
    unshaped = _basic(name, _face_file(script), shaped.shape)
    assert _differing(shaped, unshaped) > 0.01, f"{script}: drawn as if unshaped"


@pytest.mark.parametrize(("script", "logical", "visual"), [
    ("Devanagari", "कि", "िक"), ("Bengali", "কে", "েক"), ("Tamil", "செ", "ெச"), ("Malayalam", "മേ", "േമ"),
    ("Sinhala", "පෙ", "ෙප"), ("Khmer", "កេ", "េក"), ("Myanmar", "မေ", "ေမ"),
])
def test_a_vowel_sign_written_after_its_consonant_is_drawn_before_it(script: str, logical: str, visual: str) -> None:
    """A pre-base vowel sign is typed after its consonant and drawn before it: the shaped picture is the
    two glyphs in visual order, not in the order typed."""
    shaped = _drawn(logical)
    reordered = _basic(visual, _face_file(script), shaped.shape)
    as_typed = _basic(logical, _face_file(script), shaped.shape)
    assert _differing(shaped, reordered) < 0.3 * _differing(shaped, as_typed), script


def test_a_conjunct_is_one_form_not_three_glyphs() -> None:
    """क + ् + ष is क्ष: one conjunct, narrower than the consonants with a visible virama between them."""
    font = ImageFont.truetype(str(fonts_dir() / "NotoSansDevanagari-Regular.ttf"), PX,
                              layout_engine=ImageFont.Layout.BASIC)
    assert text.TextStyle(PX).width("क्ष") < 0.8 * font.getlength("क्ष")


def test_a_caption_mixing_scripts_keeps_each_in_its_face() -> None:
    line = "Priya · प्रिया शर्मा · สมชาย · 王芳"
    faces = [r.face.file for r in text.runs(line) if r.text.strip(" ·")]
    assert faces == ["NotoSans-Regular.ttf", "NotoSansDevanagari-Regular.ttf", "NotoSansThai-Regular.ttf",
                     "NotoSansCJK-Regular.ttc"]
    # Characters several scripts share stay in the run they are in: a Bengali sentence's danda, a ZWNJ.
    assert {r.face.file for r in text.runs("আমি তোমার সাথে আছি।")} == {"NotoSansBengali-Regular.ttf"}
    assert {r.face.file for r in text.runs("क्\u200cष")} == {"NotoSansDevanagari-Regular.ttf"}


# -- the folder's fonts (style.fonts) ------------------------------------------------------------------------


def test_a_folder_font_is_tried_before_the_bundled_ones(tmp_path: Path) -> None:
    """A font of the folder draws the characters it has (here a solid box for 'A' and for a cuneiform
    sign no bundled font has); the rest still falls back to the bundled faces."""
    mine = str(block_font(tmp_path / "Mine.ttf", "A\U00012000"))
    runs = text.runs("A प्रिया B \U00012000", fonts=(mine,))
    assert [(r.text.strip(), Path(r.face.file).name) for r in runs] == [
        ("A", "Mine.ttf"), ("प्रिया", "NotoSansDevanagari-Regular.ttf"), ("B", "NotoSans-Regular.ttf"),
        ("\U00012000", "Mine.ttf")]
    assert text.missing_characters("\U00012000") == ["\U00012000"]
    assert text.missing_characters("\U00012000", (mine,)) == []
    ink = _drawn("A", fonts=(mine,)) > 128
    rows, cols = np.nonzero(ink)
    box = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    assert box.mean() > 0.95  # the folder's solid box
    bundled = _drawn("A") > 128
    rows, cols = np.nonzero(bundled)
    assert bundled[rows.min():rows.max() + 1, cols.min():cols.max() + 1].mean() < 0.6  # Noto Sans' A


def test_bold_text_takes_the_folder_bold_face_or_a_heavier_regular(tmp_path: Path) -> None:
    regular = str(block_font(tmp_path / "Mine-Regular.ttf", "A", 400))
    bold = str(block_font(tmp_path / "Mine-Bold.ttf", "A", 700))
    assert text.runs("A", "bold", fonts=(regular, bold))[0].face.file == bold
    assert text.runs("A", "regular", fonts=(regular, bold))[0].face.file == regular
    alone = text.runs("A", "bold", fonts=(regular,))[0].face
    assert alone.file == regular and alone.embolden > 0  # drawn heavier, as the CJK face is


def _folder(tmp_path: Path, fonts: object, **files: bytes) -> Path:
    folder = write_folder(tmp_path / "f", small_manifest([msg("a", name="ᠮᠣᠩᠭᠣᠯ A")], style={"fonts": fonts}),
                          {"a": RED})
    for name, data in files.items():
        (folder / "fonts").mkdir(exist_ok=True)
        (folder / "fonts" / name).write_bytes(data)
    return folder


def _load_errors(folder: Path) -> list[str]:
    from collage import load

    with pytest.raises(InputError) as info:
        load(folder)
    return [str(p) for p in info.value.errors]


@pytest.mark.pure
def test_style_fonts_are_checked_and_named_by_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = _folder(tmp_path, ["fonts/Missing.ttf", "fonts/notes.ttf", "fonts/web.ttf", "fonts/Mine.txt",
                                "../Outside.ttf", 7, "fonts/Hollow.ttf"],
                     **{"notes.ttf": b"not a font at all\n", "web.ttf": b"wOFF" + bytes(60), "Mine.txt": b"x"})
    (tmp_path / "Outside.ttf").write_bytes(b"\x00\x01\x00\x00")
    hollow = TTFont()  # a font with no tables at all: no character map
    hollow.save(str(folder / "fonts" / "Hollow.ttf"))
    lines = (folder / "collage.yaml").read_text("utf-8").splitlines()

    def line_of(item: str) -> int:
        return next(i for i, li in enumerate(lines, 1) if li.strip() == f"- {item}")

    errors = _load_errors(folder)
    expected = [
        (line_of("fonts/Missing.ttf"), "style.fonts[0]: no such file 'fonts/Missing.ttf'"),
        (line_of("fonts/notes.ttf"), "style.fonts[1]: 'fonts/notes.ttf' is not a font file"),
        (line_of("fonts/web.ttf"), "style.fonts[2]: 'fonts/web.ttf' is a web font (WOFF)"),
        (line_of("fonts/Mine.txt"), "style.fonts[3]: 'fonts/Mine.txt' is not a supported font file"),
        (line_of("../Outside.ttf"), "style.fonts[4]: '../Outside.ttf' leads outside the folder"),
        (line_of("7"), "style.fonts[5]: expected a font file's path, got a number"),
        (line_of("fonts/Hollow.ttf"), "style.fonts[6]: 'fonts/Hollow.ttf' has no character map"),
    ]
    for line, what in expected:
        assert any(f"collage.yaml:{line}: {what}" in e for e in errors), (what, errors)
    assert any("style.fonts: expected a list of font files, got a mapping" in e
               for e in _load_errors(_folder(tmp_path / "m", {"a": 1})))


@pytest.mark.pure
def test_style_fonts_are_the_organisers_files_and_in_the_theme(tmp_path: Path) -> None:
    from collage import load
    from collage.outputs import targets

    folder = _folder(tmp_path, ["fonts/Mine.ttf"])
    block_font(folder / "fonts" / "Mine.ttf", "\u182e\u1823\u1829\u182d\u1823\u182f")
    project = load(folder)
    assert project.theme.fonts == (str((folder / "fonts" / "Mine.ttf").absolute()),)
    assert targets.owned(project).claim(folder / "fonts" / "Mine.ttf") == "is a file the manifest names"
    assert load(_folder(tmp_path / "one", "fonts/Mine.ttf", **{"Mine.ttf": (folder / "fonts/Mine.ttf").read_bytes()})
                ).theme.fonts[0].endswith("Mine.ttf")  # a single path may stand alone


def test_check_accepts_text_a_folder_font_draws(tmp_path: Path) -> None:
    from collage.check import run

    folder = _folder(tmp_path, ["fonts/Mine.ttf"])
    block_font(folder / "fonts" / "Mine.ttf", "\u182e\u1823\u1829\u182d\u182f")  # Mongolian: no bundled face
    assert not [e for e in run(folder).errors if "can draw" in str(e)]
    (folder / "fonts" / "Mine.ttf").unlink()
    block_font(folder / "fonts" / "Mine.ttf", "\u182e")
    missing = [str(e) for e in run(folder).errors if "can draw" in str(e)]
    assert missing and "neither the bundled fonts nor style.fonts can draw 'ᠣ' (U+1823)" in missing[0], missing


def test_a_changed_folder_font_changes_the_keys_of_the_slides_it_draws(tmp_path: Path) -> None:
    from collage import build_plan, load
    from collage.video import keys
    from collage.video.encode import EncodeSpec

    manifest = small_manifest([msg("a", name="ᠮᠣᠩᠭᠣᠯ"), msg("b", name="Bo")], style={"fonts": ["fonts/Mine.ttf"]},
                              sequence=[{"photo": "a"}, {"photo": "b"}])
    folder = write_folder(tmp_path / "f", manifest, {"a": RED, "b": RED})
    font = block_font(folder / "fonts" / "Mine.ttf", "\u182e\u1823\u1829\u182d\u182f")

    def slide_keys() -> list[str]:
        project = load(folder)
        timeline = build_plan(project)
        spec = EncodeSpec(width=timeline.width, height=timeline.height, fps=timeline.fps, frames=timeline.frames,
                          title="Test")

        def digests(p: Path) -> str:
            return hashlib.blake2b(p.read_bytes(), digest_size=20).hexdigest()

        return [keys.slide(s, folder, project.theme, spec, digests, "tool") for s in timeline.slides]

    before = slide_keys()
    font.unlink()
    block_font(font, "\u182e\u1823\u1829\u182d\u182f", family="Other")  # same letters, other bytes
    after = slide_keys()
    assert after[0] != before[0]  # the Mongolian name's slide is drawn again
    assert after[1] == before[1]  # "Bo" uses no glyph of it: kept
