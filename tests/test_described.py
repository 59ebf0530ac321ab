"""The described version (`video.described`): NAME.described.mp4 says what each slide shows, its slides
lengthened to fit the words, the music ducked under them.

What is said is checked as words (as consented: an anonymous contributor is never named, a hidden field
never said), at the seam where words become speech (a fake engine records what it is given), as planned
(each slide as long as its words and the pauses around them), and as heard: the described MP4 is decoded,
and in each stretch where words are said there is energy in the speech band while the music (a 55 Hz
tone, below any voice) plays at least 10 dB under where it plays in the main video; the whole meets the
main video's loudness target and true-peak ceiling. A person's recordings replace the voice (found in the
decoded sound by correlation), and the descriptions track plays in Chromium with its cues firing while
their slides are on screen.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from collage import manifest, plan
from collage.errors import InputError
from collage.ffmpeg import ffmpeg_exe
from collage.model.timeline import MediaFacts
from collage.speech import script

from .support.browser import local_page, track_page
from .support.media import GREEN, RED, YELLOW, collage_cli, decode_audio, msg, probe, sine, write_folder, write_wav

pytestmark = pytest.mark.pure

RATE = 48000
TONE = 55.0  # Hz: the music, below any voice's pitch
WITHHELD = ("Zhou", "Xiaoyun", "zhou.secret", "alice.chen@example", "@example", "Oslo")  # never said or written


def _manifest(**video: Any) -> dict[str, Any]:
    return {
        "title": "Messages of support",
        "video": {"size": "320x180", "fps": 10, "output": "out/v.mp4", "described": True, **video},
        "timing": {"title": "2s", "slide": "2s", "transition": "0.5s"},
        "music": [{"file": "music/bed.wav"}],
        "sequence": [
            {"title": "Messages of support", "subtitle": "致中国人权律师的话"},
            {"photo": "alice"},
            {"grid": "2x1", "messages": ["m2", "bob"]},
            {"title": "Thank you", "subtitle": "谢谢"},
        ],
        "messages": [
            msg("alice", name="Alice Chen", profession="Teacher", location="Taipei", message="We stand with you",
                translation="我们与你们站在一起", email="alice.chen@example.org"),
            msg("m2", name="Zhou Xiaoyun", profession="Engineer", location="Vancouver", message="You are not alone",
                consent="anonymous", email="zhou.secret@example.net"),
            msg("bob", name="Bob Li", profession="Nurse", location="Oslo", message="Rule of law for all",
                hide=["location"]),
        ],
    }


def _folder(root: Path, **video: Any) -> Path:
    folder = write_folder(root, _manifest(**video), {"alice": RED, "m2": GREEN, "bob": YELLOW})
    write_wav(folder / "music" / "bed.wav", sine(40.0, TONE, 0.3), channels=2)
    return folder


# --- what is said ---------------------------------------------------------------------------------------


def test_each_person_is_said_as_they_consented(tmp_path: Path) -> None:
    project = manifest.load(_folder(tmp_path))
    said = {line.key: line.text for line in script.lines(project)}
    assert said == {
        "title-0": "Messages of support.",
        "title-1": "Thank you.",
        "alice": "Alice Chen, Teacher, Taipei. Their sign reads: We stand with you.",
        "m2": "An engineer from Vancouver. Their sign reads: You are not alone.",  # anonymous: no name
        "bob": "Bob Li, Nurse. Their sign reads: Rule of law for all.",  # the location is hidden
    }
    for text in said.values():
        assert not any(w.lower() in text.lower() for w in WITHHELD)


def test_in_chinese_the_translation_is_said_and_a_template_changes_the_phrasing(tmp_path: Path) -> None:
    folder = _folder(tmp_path, described={"language": "zh"})
    said = {line.key: line.text for line in script.lines(manifest.load(folder))}
    assert said["title-0"] == "致中国人权律师的话。" and said["title-1"] == "谢谢。"  # the card's Chinese part
    assert said["alice"] == "Alice Chen，Teacher，来自Taipei。标语译文：我们与你们站在一起。"
    assert said["m2"].startswith("一位来自Vancouver的Engineer") and "Zhou" not in said["m2"]
    text = (folder / "collage.yaml").read_text().replace("language: zh", "template: '{who} wrote: {sign}'")
    (folder / "collage.yaml").write_text(text)
    said = {line.key: line.text for line in script.lines(manifest.load(folder))}
    assert said["alice"] == "Alice Chen, Teacher, Taipei wrote: We stand with you."
    assert said["m2"] == "An engineer from Vancouver wrote: You are not alone."
    # Each run of another script is said by a voice of its own.
    assert script.voiced("陳大文, 律師. Their sign reads: Free them", "en") == [
        ("陳大文, 律師.", "zh"), ("Their sign reads: Free them", "en")]
    assert script.voiced("ئابدۇللا, Istanbul", "en") == [("ئابدۇللا,", "ug"), ("Istanbul", "en")]


@pytest.mark.parametrize(("described", "expected"), [
    ("yes", "video.described: expected true, false or a mapping"),
    ({"language": "fr"}, "video.described.language: collage cannot describe in 'fr'"),
    ({"template": "{who} {face}"}, "unknown field '{face}' in the template"),
    ({"audio": "narration/"}, "video.described.audio: no such folder 'narration/'"),
    ({"voice": "voices/x.onnx"}, "video.described.voice: no such file 'voices/x.onnx'"),
    ({"renditions": ["vertical"]}, "video.described.renditions[0]: 'vertical' is not one of video.renditions"),
    ({"lang": "zh"}, "video.described.lang: unknown key 'lang'"),
])
def test_manifest_errors_name_the_line_and_field(tmp_path: Path, described: Any, expected: str) -> None:
    folder = _folder(tmp_path, described=described)
    with pytest.raises(InputError) as caught:
        manifest.load(folder)
    found = [str(p) for p in caught.value.errors]
    assert any(expected in p and re.search(r"collage\.yaml:\d+: ", p) for p in found), found


def test_renditions_ask_for_their_own_described_version(tmp_path: Path) -> None:
    from collage import check

    folder = _folder(tmp_path, renditions=["vertical", "square"], described={"renditions": ["Vertical"]})
    project = manifest.load(folder)
    assert project.describing().output.name == "v.described.mp4"
    assert project.shaped("vertical").describing().output.name == "v.vertical.described.mp4"
    with pytest.raises(KeyError):
        project.shaped("square").describing()  # not asked for
    (folder / "out").mkdir()
    (folder / "out" / "v.vertical.described.jpg").write_bytes(b"someone's picture")
    refused = [str(p) for p in check.output_problems(project)]
    assert any("v.vertical.described.jpg" in p and "not written by collage" in p for p in refused), refused


# --- the plan ---------------------------------------------------------------------------------------------


def test_slides_last_as_long_as_their_words_need(tmp_path: Path) -> None:
    project = manifest.load(_folder(tmp_path)).describing()
    speech = {"title-0": 1.5, "alice": 4.0, "m2": 3.0, "bob": 2.5, "title-1": 1.0}
    planned = plan.build(project, MediaFacts(speech=speech))
    main = plan.build(manifest.load(_folder(tmp_path)), MediaFacts())
    fps = planned.fps
    assert [s.messages for s in planned.slides] == [s.messages for s in main.slides]
    assert planned.duration > main.duration
    said = {p.key: p for p in planned.narration}
    assert list(said) == ["title-0", "alice", "m2", "bob", "title-1"]
    for i, slide in enumerate(planned.slides):
        shown = slide.start + (slide.transition if i else planned.fade_in)  # fully on screen from here
        going = planned.slides[i + 1].start if i + 1 < len(planned.slides) else slide.end - planned.fade_out
        words = [p for p in planned.narration if p.slide == i]
        assert words, i
        assert words[0].start >= shown  # nothing said over a transition
        assert words[-1].start + words[-1].frames <= going - round(0.9 * fps)  # and a pause after the words
        for p in words:
            assert p.frames == round(speech[p.key] * fps)
    # Words longer than timing.max allows: the slide gets timing.max, with a warning naming it.
    planned = plan.build(project, MediaFacts(speech={**speech, "m2": 30.0}))
    grid = planned.slides[2]
    assert grid.frames == round(project.timing.max * fps)
    assert any("slide 2 of the described version needs" in p.message and p.severity == "warning"
               for p in planned.warnings)


# --- the seam where words become speech ---------------------------------------------------------------


@dataclass
class FakeEngine:
    """Records every word it is given; says each as a tone whose length follows the text's."""

    heard: list[tuple[str, str]]
    name: str = "fake 1"

    def speak(self, text: str, language: str) -> Any:
        from collage.speech.engines import Speech

        self.heard.append((text, language))
        t = np.arange(int(0.06 * len(text) * 16000)) / 16000
        return Speech(np.asarray(0.3 * np.sin(2 * np.pi * 700 * t), np.float32), 16000)


@pytest.mark.e2e
def test_the_engine_is_never_given_a_withheld_name_or_an_email(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from collage import render
    from collage.speech import engines

    heard: list[tuple[str, str]] = []
    monkeypatch.setattr(engines, "engine_for", lambda folder, voice: FakeEngine(heard))
    folder = _folder(tmp_path, described={"language": "zh"})
    jobs = render.prepare(folder, described=True, cache_dir=tmp_path / "cache")
    assert [j.project.narrated for j in jobs] == [True]
    result = jobs[0].run()
    assert result.output.name == "v.described.mp4" and result.output.is_file()
    said = " ".join(text for text, _ in heard)
    assert "Alice Chen" in said and "Vancouver" in said and "Bob Li" in said
    for word in WITHHELD:
        assert word.lower() not in said.lower(), word
    assert {lang for _, lang in heard} == {"en", "zh"}


# --- heard and seen: the described MP4 ------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    folder: Path
    out: Path
    printed: str  # everything render, plan and check printed
    plan: dict[str, Any]  # `plan --described --json`
    main_plan: dict[str, Any]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    folder = _folder(tmp_path_factory.mktemp("described") / "folder")
    printed = []
    for args in (("render", folder, "-q"), ("check", folder), ("plan", folder, "--described")):
        result = collage_cli(*args)
        assert result.returncode == 0, result.stderr
        printed += [result.stdout, result.stderr]
    plans = [collage_cli("plan", folder, "--json", *extra) for extra in ((), ("--described",))]
    assert all(p.returncode == 0 for p in plans)
    return Rendered(folder, folder / "out", "\n".join(printed), json.loads(plans[1].stdout),
                    json.loads(plans[0].stdout))


def _band(x: np.ndarray, low: float, high: float) -> np.ndarray:
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    return np.fft.irfft(spectrum, len(x))


def _db(x: float) -> float:
    return 20 * np.log10(max(x, 1e-9))


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


def _tone(x: np.ndarray) -> float:
    """The amplitude of the music's tone in `x` (its projection on TONE Hz: a voice barely reaches it)."""
    t = np.arange(len(x)) / RATE
    return float(2 * abs(np.sum(x * np.exp(-2j * np.pi * TONE * t))) / len(x))


def _mono(path: Path) -> np.ndarray:
    return decode_audio(path).mean(axis=0)


@pytest.mark.e2e
def test_words_are_heard_over_the_music_ducked_at_least_10_db(rendered: Rendered) -> None:
    described, main = _mono(rendered.out / "v.described.mp4"), _mono(rendered.out / "v.mp4")
    fps = rendered.plan["fps"]
    # The main video's music where it plays steadily (its middle, away from the fades at the ends).
    middle = main[len(main) // 2 - RATE:len(main) // 2 + RATE]
    music = _tone(middle)
    assert _db(music) > -30
    said = rendered.plan["narration"]
    assert [p["says"] for p in said] == ["title-0", "alice", "m2", "bob", "title-1"]
    for p in said:
        window = described[round(p["start_frame"] / fps * RATE):round((p["start_frame"] + p["frames"]) / fps * RATE)]
        speech = _rms(_band(window, 300, 3400))
        assert _db(speech) > _db(_rms(_band(middle, 300, 3400))) + 20, p  # words, where the main has none
        assert _db(speech) > -40, p
        assert _db(_tone(window)) <= _db(music) - 10, (p, _db(_tone(window)), _db(music))
    # Between the words the music comes back (a slide's end, after its words and pause).
    slide = rendered.plan["slides"][1]
    end = (slide["start_frame"] + slide["frames"]) / fps
    back = described[round((end - 0.9) * RATE):round((end - 0.6) * RATE)]
    assert _db(_tone(back)) > _db(music) - 4


def _ebur128(path: Path) -> tuple[float, float]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
           "-af", "ebur128=peak=true", "-f", "null", "-"]
    err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    found = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert found and peak
    return float(found.group(1)), float(peak.group(1))


@pytest.mark.e2e
def test_loudness_true_peak_and_duration_are_the_main_videos(rendered: Rendered) -> None:
    main_i, main_peak = _ebur128(rendered.out / "v.mp4")
    integrated, peak = _ebur128(rendered.out / "v.described.mp4")
    assert abs(main_i - -16) <= 1.0 and abs(integrated - -16) <= 1.0  # the manifest's target (the default)
    assert peak <= -1.5 + 0.2 and main_peak <= -1.5 + 0.2
    info = probe(rendered.out / "v.described.mp4")
    assert info["video"]["frames"] == rendered.plan["frames"]
    assert abs(info["video"]["frames"] / info["video"]["fps"] - rendered.plan["duration"]) < 1 / rendered.plan["fps"]
    assert rendered.plan["duration"] > rendered.main_plan["duration"]
    assert (rendered.plan["size"], info["video"]["codec"], info["audio"]["rate"]) == ([320, 180], "h264", 48000)


@pytest.mark.e2e
def test_the_picture_is_shared_with_the_main_video(rendered: Rendered) -> None:
    """The described version's segments where the picture is the main video's come from the cache."""
    record = json.loads((rendered.out / "collage-cache" / "last-run.json").read_text())
    assert record["output"].endswith("v.described.mp4")
    assert record["reused"] > 0
    assert re.search(r"segments: \d+ encoded.*, [1-9]\d* from the cache", rendered.printed)


@pytest.mark.e2e
def test_sidecars_say_what_is_said_and_nothing_withheld(rendered: Rendered) -> None:
    import srt
    import webvtt

    out = rendered.out
    names = {p.name for p in out.iterdir()}
    assert {"v.described.mp4", "v.described.vtt", "v.described.srt", "v.described.transcript.html",
            "v.described.jpg"} <= names
    cues = webvtt.read(str(out / "v.described.vtt")).captions
    assert len(cues) == len(list(srt.parse((out / "v.described.srt").read_text(encoding="utf-8"))))
    text = " ".join(c.text.replace("\n", " ") for c in cues)
    assert "Alice Chen, Teacher, Taipei. Their sign reads: We stand with you." in text
    assert "An engineer from Vancouver." in text
    assert all(len(c.text.split("\n")) <= 2 for c in cues)
    transcript = (out / "v.described.transcript.html").read_text(encoding="utf-8")
    assert "An engineer from Vancouver. Their sign reads: You are not alone." in transcript
    # `check` says what is said over each slide, and how long it takes.
    assert re.search(r"slide +1 +[\d.]+s +[\d.]+s +alice: Alice Chen, Teacher, Taipei\.", rendered.printed)
    # No byte of any output, nor anything printed, holds a withheld name or an email.
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for word in WITHHELD:
                assert word.encode() not in data, (path.name, word)
    for word in WITHHELD:
        assert word not in rendered.printed, word


@pytest.mark.e2e
def test_cache_prune_keeps_what_the_described_version_uses(rendered: Rendered, tmp_path: Path) -> None:
    assert collage_cli("cache", "prune", rendered.folder).returncode == 0
    again = collage_cli("render", rendered.folder, "--described", "-o", tmp_path / "again.mp4", "--cache-dir",
                        rendered.out / "collage-cache")
    assert again.returncode == 0, again.stderr
    assert re.search(r"segments: 0 encoded", again.stdout), again.stdout
    assert not re.search(r"note: the cache holds", again.stderr)


# --- a person's recordings ---------------------------------------------------------------------------------


def _noise(seconds: float, seed: int) -> np.ndarray:
    """Speech-band noise: what a recording sounds like to a correlation."""
    rng = np.random.default_rng(seed)
    x = _band(rng.normal(0, 1, int(seconds * RATE)), 300, 3000)
    return 0.3 * x / np.max(np.abs(x))


@pytest.mark.e2e
def test_recordings_replace_the_voice_for_their_ids(tmp_path: Path) -> None:
    folder = _folder(tmp_path, described={"audio": "narration/"})
    recorded = {"title-0": _noise(1.5, 1), "alice": _noise(2.5, 2)}
    for key, samples in recorded.items():
        write_wav(folder / "narration" / f"{key}.wav", np.concatenate([np.zeros(RATE // 2), samples]), RATE)
    check = collage_cli("check", folder)
    assert check.returncode == 0, check.stderr
    for key in ("m2", "bob", "title-1"):  # named: the voice says them instead
        assert f"no recording of '{key}' in narration/" in check.stderr
    assert "no recording of 'alice'" not in check.stderr
    result = collage_cli("render", folder, "--described", "-q")
    assert result.returncode == 0, result.stderr
    heard = _band(_mono(folder / "out" / "v.described.mp4"), 300, 3000)
    planned = json.loads(collage_cli("plan", folder, "--described", "--json").stdout)
    fps = planned["fps"]
    for p in planned["narration"]:
        start = round(p["start_frame"] / fps * RATE)
        if p["says"] in recorded:
            rec = recorded[p["says"]]
            assert abs(p["frames"] / fps - len(rec) / RATE) <= 0.05 + 1 / fps  # the recording, its silence trimmed
            window = heard[start - RATE // 10:start + len(rec) + RATE // 10]
            corr = np.correlate(window, rec, "valid")
            best = float(np.max(corr)) / (np.linalg.norm(rec) * np.linalg.norm(window[np.argmax(corr):][:len(rec)]))
            assert best > 0.8, (p["says"], best)
        else:  # said by the voice: nothing like any recording
            window = heard[start:start + round(p["frames"] / fps * RATE)]
            for rec in recorded.values():
                corr = np.correlate(window, rec[:min(len(rec), len(window))], "valid")
                assert float(np.max(np.abs(corr))) / (np.linalg.norm(rec) * np.linalg.norm(window) + 1e-9) < 0.3


# --- the descriptions track in a browser --------------------------------------------------------------------

PAGE = track_page("v.described.mp4", "v.described.vtt", "descriptions", "Described")


@pytest.mark.e2e
@pytest.mark.slow
def test_the_descriptions_track_plays_in_chromium(rendered: Rendered, tmp_path: Path) -> None:
    import webvtt

    site = tmp_path / "site"
    site.mkdir()
    for name in ("v.described.mp4", "v.described.vtt"):
        (site / name).write_bytes((rendered.out / name).read_bytes())
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    with local_page(site) as (page, server, blocked):
        page.goto(server.url("index.html"), wait_until="load")
        page.wait_for_function("() => v.textTracks[0].cues && v.textTracks[0].cues.length > 0")
        kind = page.evaluate("() => v.textTracks[0].kind")
        loaded = page.evaluate("() => [...v.textTracks[0].cues].map(c => [c.id, c.startTime, c.endTime, c.text])")
        page.evaluate("() => v.play()")
        page.wait_for_function("() => v.ended", timeout=90000)
        fired = page.evaluate("() => window.fired")
    assert not blocked and kind == "descriptions"
    written = webvtt.read(str(rendered.out / "v.described.vtt")).captions
    assert [c[0] for c in loaded] == [c.identifier for c in written]
    fps = rendered.plan["fps"]
    slides = rendered.plan["slides"]
    said = rendered.plan["narration"]
    first: dict[str, float] = {}
    for ident, at in fired:
        first.setdefault(ident, at)
    for ident, start, end, _ in loaded:
        piece = said[int(ident.split("-")[1].split(".")[0]) - 1]  # said-N.K: the N-th thing said
        slide = slides[piece["slide"]]
        on, off = slide["start_frame"] / fps, (slide["start_frame"] + slide["frames"]) / fps
        assert on <= start < end <= off + 1e-3, ident  # within its slide
        assert start - 0.05 <= first[ident] <= start + 0.6, (ident, first[ident])  # fired when due


def _lines(text: str) -> Iterator[str]:
    yield from (line for line in text.splitlines() if line.strip())


@pytest.mark.e2e
def test_render_described_alone_and_refused_where_not_asked(tmp_path: Path) -> None:
    folder = _folder(tmp_path, described=False)
    text = yaml.safe_load((folder / "collage.yaml").read_text())
    assert text["video"]["described"] is False
    refused = collage_cli("render", folder, "--described", "-q")
    assert refused.returncode == 1 and "--described: the manifest asks for no described version" in refused.stderr
    planned = collage_cli("plan", folder, "--described")
    assert planned.returncode == 1
    # The described version's outputs are refused like any output where they would land on the organiser's.
    folder = _folder(tmp_path / "b")
    (folder / "out").mkdir()
    (folder / "out" / "v.described.vtt").write_text("mine\n")
    check = collage_cli("check", folder)
    assert check.returncode == 1 and "v.described.vtt" in check.stderr
    assert "was not written by collage" in check.stderr
    assert not list(_lines(collage_cli("render", folder, "--described", "-q").stdout))


# --- a Piper voice in the folder ----------------------------------------------------------------------------


def _piper_voice(path: Path) -> Path:
    """A Piper voice model built here (no voice is downloaded): its sound is a pattern of the phoneme ids
    piper-tts gives it, 256 samples each at 16 kHz, so its length follows what it is given to say."""
    import onnx
    from onnx import TensorProto, helper

    consts = {"k": (TensorProto.FLOAT, [], [0.37]), "axes": (TensorProto.INT64, [1], [1]),
              "reps": (TensorProto.INT64, [3], [1, 1, 256])}
    nodes = [helper.make_node("Constant", [], [n], value=helper.make_tensor(n, *spec)) for n, spec in consts.items()]
    nodes += [helper.make_node("Cast", ["input"], ["f"], to=TensorProto.FLOAT),
              helper.make_node("Mul", ["f", "k"], ["g"]), helper.make_node("Sin", ["g"], ["s"]),
              helper.make_node("Unsqueeze", ["s", "axes"], ["u"]),
              helper.make_node("Tile", ["u", "reps"], ["output"])]
    graph = helper.make_graph(nodes, "voice", [
        helper.make_tensor_value_info("input", TensorProto.INT64, [1, None]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, None])])
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    ids: dict[str, list[int]] = {"_": [0], "^": [1], "$": [2], " ": [3]}
    for ch in "abcdefghijklmnopqrstuvwxyzæçðŋœɐɑɒɔəɚɛɜɡɪɫɬɹɾʃʊʌʒʔˈˌː,.!?;:-":
        ids.setdefault(ch, [len(ids)])
    Path(f"{path}.json").write_text(json.dumps({
        "audio": {"sample_rate": 16000}, "espeak": {"voice": "en-us"}, "language": {"code": "en_US"},
        "num_symbols": 256, "num_speakers": 1, "phoneme_id_map": ids, "phoneme_type": "espeak"}))
    return path


@pytest.mark.e2e
def test_a_piper_voice_in_the_folder_says_its_own_language(tmp_path: Path) -> None:
    from collage import pipeline
    from collage.speech import engines

    folder = _folder(tmp_path, described={"voice": "voices/fake.onnx"})
    _piper_voice(folder / "voices" / "fake.onnx")
    project = manifest.load(folder)
    assert {folder / "voices" / "fake.onnx", folder / "voices" / "fake.onnx.json"} <= project.sources  # only read
    engine = engines.engine_for(folder, "voices/fake.onnx")
    assert engine.name.startswith("piper ") and "espeak-ng" in engine.name
    english, chinese = engine.speak("We stand with you.", "en"), engine.speak("我们与你们站在一起", "zh")
    assert english.rate == 16000 and len(english.samples) % 256 == 0 and len(english.samples) > 256 * 10
    assert chinese.rate == engines.Espeak().speak("我们", "zh").rate  # another language: eSpeak says it
    planned = pipeline.timeline(project.describing(), memo=tmp_path / "cache")
    said = {p.key: p.frames for p in planned.narration}
    assert set(said) == {"title-0", "alice", "m2", "bob", "title-1"} and all(said.values())
