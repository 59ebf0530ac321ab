"""Time to read: per-script reading rates, `timing.slide: auto` by them, and the planner's warning when a
slide is on screen for less time than its text needs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from collage import load
from collage.errors import Problem
from collage.model.project import Message
from collage.model.timeline import Cell, MediaFacts, MusicFacts, Rect, Timeline
from collage.plan import build, reading
from collage.plan.reading import RATES, reading_seconds, runs, slide_texts

from .support.media import write_folder

pytestmark = pytest.mark.pure

LATIN, ARABIC, HAN = RATES["latin"], RATES["rtl"], RATES["han"]


# -- counting ------------------------------------------------------------------------------------------------


def test_the_rates_are_the_documented_ones() -> None:
    """Three quarters of Netflix's adult ceilings (the module docstring says which guide gives each)."""
    assert RATES == {"latin": 15.0, "rtl": 12.75, "han": 6.75, "hangul": 9.0, "kana": 3.0}


def test_the_same_length_takes_longer_in_cjk_and_arabic_script() -> None:
    latin, arabic, han = "abcdefghijkl", "ئابدۇللائوقۇ", "中国人权律师的话你们并不"
    assert len(latin) == len(arabic) == len(han) == 12
    assert reading_seconds([latin]) == pytest.approx(12 / LATIN)
    assert reading_seconds([arabic]) == pytest.approx(12 / ARABIC)
    assert reading_seconds([han]) == pytest.approx(12 / HAN)
    assert reading_seconds([latin]) < reading_seconds([arabic]) < reading_seconds([han])
    assert reading_seconds(["한국어입니다"]) == pytest.approx(6 / RATES["hangul"])


def test_spaces_count_once_between_words_and_punctuation_not_at_all() -> None:
    assert runs("We stand with you.") == [("latin", 14 + 3)]
    assert runs("  We   stand,  with you!  ") == [("latin", 14 + 3)]
    assert runs("Alice · Teacher") == [("latin", 12 + 1)]  # the separator is a gap, not a letter
    assert reading_seconds([None, "", "  ", "— · !"]) == 0
    assert runs("e\u0301") == runs("é") == [("latin", 1)]  # a combining accent is part of its letter


@pytest.mark.parametrize("emoji", ["👍", "👍🏽", "👨\u200d👩\u200d👧", "🇨🇳", "❤️", "1️⃣"])
def test_an_emoji_counts_as_one(emoji: str) -> None:
    assert runs(emoji) == [("latin", 1)]
    assert runs(f"Hi {emoji}") == [("latin", 2 + 1 + 1)]


def test_a_mixed_string_is_read_run_by_run() -> None:
    text = "正義不是罪 — Justice is not a crime"
    assert runs(text) == [("han", 5 + 1), ("latin", 18 + 4)]  # the gap goes with the run before it
    assert reading_seconds([text]) == pytest.approx(6 / HAN + 22 / LATIN)
    assert reading_seconds([text, "Alice"]) == pytest.approx(reading_seconds([text]) + 5 / LATIN)
    assert runs("ئابدۇللا · Istanbul") == [("rtl", 8 + 1), ("latin", 8)]


def test_han_in_japanese_text_is_read_at_the_japanese_rate() -> None:
    assert runs("日本語") == [("han", 3)]
    assert runs("日本語ありがとう") == [("kana", 8)]
    assert reading_seconds(["ありがとう"]) == pytest.approx(5 / RATES["kana"])


def test_a_slide_reads_captions_signs_and_translations() -> None:
    box = Rect(0, 0, 10, 10)
    cells = (Cell("a", "a.jpg", box, "Alice · Teacher", None), Cell("b", "b.jpg", box, None, None))
    messages = {"a": Message("a", "a.jpg", name="Alice", text="We stand with you", translation="我们支持你"),
                "b": Message("b", "b.jpg", text="709")}
    assert slide_texts(cells, messages) == ["Alice · Teacher", "We stand with you", "我们支持你", "709"]
    # A caption that already holds the sign (`style.caption: "{name} · {message}"`) is not read twice.
    quoted = (Cell("a", "a.jpg", box, "Alice · We stand with you", None),)
    assert slide_texts(quoted, messages, sign_in_caption=True) == ["Alice · We stand with you", "我们支持你"]
    # A sign that only looks like part of the caption is still read ("Hope" beside "Hope Smith").
    hope = {"h": Message("h", "h.jpg", name="Hope Smith", text="Hope")}
    assert slide_texts((Cell("h", "h.jpg", box, "Hope Smith", None),), hope) == ["Hope Smith", "Hope"]


# -- planning ------------------------------------------------------------------------------------------------


def _plan(tmp_path: Path, messages: list[dict[str, Any]], sequence: list[dict[str, Any]],
          facts: MediaFacts | None = None, **timing: Any) -> Timeline:
    """The plan of a manifest (the planner never opens photos: they only need to exist)."""
    manifest: dict[str, Any] = {"video": {"size": "640x360", "fps": 10},
                "timing": {"title": "3s", "slide": "2s", "transition": 0, **timing},
                "sequence": sequence,
                "messages": [{"photo": f"photos/{m['id']}.jpg", "approved": True, **m} for m in messages]}
    if facts and facts.music:  # measured: the file only needs to exist
        manifest["music"] = [{"file": "music/a.wav"}]
        (tmp_path / "music").mkdir(parents=True, exist_ok=True)
        (tmp_path / "music" / "a.wav").write_bytes(b"")
    empty = {m["id"]: Path.touch for m in messages}
    return build(load(write_folder(tmp_path, manifest, empty)), facts)


def _reading(timeline: Timeline) -> list[Problem]:
    return [w for w in timeline.warnings if "to read" in w.message]


def test_auto_gives_a_cjk_grid_more_time_than_a_latin_one_of_as_many_characters(tmp_path: Path) -> None:
    latin = [{"id": f"l{i}", "name": "Alice Chen", "location": "Taipei"} for i in range(4)]
    cjk = [{"id": f"c{i}", "name": "陳大文陳大文陳大文陳", "location": "香港香港香港"} for i in range(4)]
    assert len(latin[0]["name"]) + len(latin[0]["location"]) == len(cjk[0]["name"]) + len(cjk[0]["location"])
    timing = {"slide": "auto", "min": "1s", "max": "60s"}
    (a,) = _plan(tmp_path / "latin", latin, [{"grid": "2x2", "messages": "all"}], **timing).slides
    (b,) = _plan(tmp_path / "cjk", cjk, [{"grid": "2x2", "messages": "all"}], **timing).slides
    assert b.frames > a.frames
    assert b.frames == math.ceil(10 * reading_seconds(["陳大文陳大文陳大文陳 · 香港香港香港"] * 4))  # tenths, up
    assert not _reading(_plan(tmp_path / "cjk", cjk, [{"grid": "2x2", "messages": "all"}], **timing))


def test_auto_counts_the_sign_and_its_translation(tmp_path: Path) -> None:
    plain = {"id": "a", "name": "Alice Chen"}
    signed = {**plain, "message": "We stand with you, today and every day", "translation": "我们今天和每一天都支持你们"}
    timing = {"slide": "auto", "min": "1s", "max": "60s"}
    (bare,) = _plan(tmp_path / "bare", [plain], [{"photo": "a"}], **timing).slides
    (full,) = _plan(tmp_path / "full", [signed], [{"photo": "a"}], **timing).slides
    needs = reading_seconds(["Alice Chen", signed["message"], signed["translation"]])
    assert full.frames == math.ceil(10 * needs) > bare.frames


def test_auto_is_at_least_the_look_time_and_within_min_and_max(tmp_path: Path) -> None:
    quiet = [{"id": "a"}, {"id": "b"}, {"id": "c"}]  # nothing to read: a moment to look at each photo
    (grid,) = _plan(tmp_path / "quiet", quiet, [{"grid": "3x1", "messages": "all"}],
                    slide="auto", min="0.5s", max="60s").slides
    assert grid.frames == round(10 * reading.look_seconds(3))
    (short,) = _plan(tmp_path / "min", quiet, [{"grid": "3x1", "messages": "all"}],
                     slide="auto", min="9s", max="60s").slides
    assert short.frames == 90
    long = [{"id": "a", "name": "A name " * 20, "message": "A very long sign " * 20}]
    timeline = _plan(tmp_path / "max", long, [{"photo": "a"}], slide="auto", min="1s", max="7s")
    assert timeline.slides[0].frames == 70


# -- the warning ---------------------------------------------------------------------------------------------

LONG = {"name": "Amina Yusuf", "profession": "Human-rights lawyer", "location": "Nairobi, Kenya",
        "message": "Rule of law for all, everywhere, always"}


def test_a_slide_too_short_to_read_is_named_with_the_time_it_has_and_needs(tmp_path: Path) -> None:
    timeline = _plan(tmp_path, [{"id": "amina", **LONG}], [{"title": "Hello"}, {"photo": "amina"}])
    needs = reading_seconds(["Amina Yusuf · Human-rights lawyer · Nairobi, Kenya", LONG["message"]])
    assert needs > 2
    line = (tmp_path / "collage.yaml").read_text(encoding="utf-8").splitlines().index("- photo: amina") + 1
    (warning,) = _reading(timeline)
    assert warning.severity == "warning" and warning.field == "sequence" and warning.line == line
    assert "slide 1 (photo 'amina')" in warning.message
    assert "2.0 s" in warning.message and f"{math.ceil(needs * 10) / 10:.1f} s" in warning.message
    assert f"duration: {math.ceil(needs * 10) / 10:g}s" in warning.hint and "timing.slide: auto" in warning.hint
    assert f"collage.yaml:{line}: warning: sequence: slide 1 (photo 'amina')" in str(warning)


def test_no_warning_when_every_slide_has_the_time(tmp_path: Path) -> None:
    messages = [{"id": "amina", **LONG}, {"id": "b", "name": "Bo"}]
    sequence = [{"title": "Hello"}, {"photo": "amina", "duration": "8s"}, {"grid": "2x1", "messages": ["b"]}]
    assert not _reading(_plan(tmp_path / "given", messages, sequence))
    assert not _reading(_plan(tmp_path / "auto", messages, [{"photo": "amina"}], slide="auto"))


def test_grids_and_title_cards_are_checked_too(tmp_path: Path) -> None:
    messages = [{"id": f"m{i}", **LONG} for i in range(4)]
    sequence = [{"title": "Messages to Human Rights Lawyers in China", "subtitle": "致中国人权律师的话",
                 "body": "China Human Rights Lawyers Day · July 9 · 中国人权律师节", "duration": "1s"},
                {"grid": "2x2", "messages": "all", "duration": "6s"}]
    title, grid = _reading(_plan(tmp_path, messages, sequence))
    assert "slide 0 (title)" in title.message and "1.0 s" in title.message and "duration:" in title.hint
    assert "slide 1 (grid of 4)" in grid.message and "6.0 s" in grid.message


def test_when_even_max_is_too_short_the_warning_says_so(tmp_path: Path) -> None:
    messages = [{"id": f"m{i}", **LONG} for i in range(4)]
    (warning,) = _reading(_plan(tmp_path, messages, [{"grid": "2x2", "messages": "all"}],
                                slide="auto", max="5s"))
    assert "5.0 s" in warning.message and "timing.max" in warning.hint and "grid" in warning.hint


def test_fitting_to_the_music_may_cut_reading_time_and_says_so(tmp_path: Path) -> None:
    messages = [{"id": "amina", **LONG}, {"id": "b", "name": "Bo"}]
    facts = MediaFacts(music=MusicFacts(4.0))
    timeline = _plan(tmp_path, messages, [{"photo": "amina"}, {"photo": "b"}], facts, slide="auto", fit="music",
                     min="1s")
    assert timeline.duration == pytest.approx(4.0)
    (warning,) = _reading(timeline)
    assert "slide 0 (photo 'amina')" in warning.message and "music" in warning.hint


def test_beats_never_take_a_slide_below_its_reading_time(tmp_path: Path) -> None:
    """A cut moves to a beat only where neither slide then has less time than its text needs."""
    messages = [{"id": "amina", **LONG}, {"id": "b", "name": "Bo"}]
    needs = reading_seconds(["Amina Yusuf · Human-rights lawyer · Nairobi, Kenya", LONG["message"]])
    beats = (needs - 0.2, needs + 5)  # a beat just before the cut would shorten the first slide
    timeline = _plan(tmp_path, messages, [{"photo": "amina"}, {"photo": "b"}],
                     MediaFacts(music=MusicFacts(30.0, beats)), slide="auto", beats=True)
    assert timeline.slides[0].frames >= round(needs * 10) - 1
    assert not _reading(timeline)
