"""Masked faces, as the viewer gets them: on a labelled set of real, licensed photos (tests/support/faceset.py)
turned, tilted, small, grouped, half out of the photo, behind a sign or a hand, dark, blurred, compressed,
every labelled face is covered (95 % of its visible core painted by the drawing code) or its photo is
refused; a face-less photo is painted on at most 2 % of its area and a sign held up in it not at all.
A representative subset (the whole set: benchmarks/bench_faces.py)."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from collage.media import faces, subjects

from .support import faceset

pytestmark = pytest.mark.frames

# The subset, kept small for the frames tier (each photo costs ~2-3 s of CNN on 2 cores).
NAMES = {"hopper-tilt+45", "hopper-turn90", "camera-turn270", "astronaut-small5", "group-1", "hopper-signmouth",
         "astronaut-hand", "astronaut-edge-left", "grass", "chelsea", "coffee-sign"}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[faceset.Outcome]:
    samples = [s for s in faceset.build(tmp_path_factory.mktemp("faces"), subset=True) if s.name in NAMES]
    assert len(samples) == len(NAMES)
    out = []
    for sample in samples:
        start = time.perf_counter()
        cover = subjects.cover(sample.path)
        out.append(faceset.outcome(sample, cover.faces, cover.refused, time.perf_counter() - start))
    return out


def test_every_labelled_face_is_covered_or_its_photo_refused(outcomes: list[faceset.Outcome]) -> None:
    exposed = [(o.sample.name, [round(s, 2) for s in o.shares]) for o in outcomes if o.exposed]
    assert not exposed, f"faces shown (share of each visible core painted): {exposed}"
    assert sum(len(o.shares) for o in outcomes) >= 10  # the subset does hold faces


def test_the_second_detector_finds_no_face_left_in_a_drawn_photo(outcomes: list[faceset.Outcome]) -> None:
    assert not [o.sample.name for o in outcomes if o.seen and not o.refused]


def test_a_faceless_photo_is_barely_painted_and_its_sign_not_at_all(outcomes: list[faceset.Outcome]) -> None:
    bare = [o for o in outcomes if not o.sample.faces]
    assert len(bare) >= 3 and any(o.sample.sign for o in bare)
    assert not [o.refused for o in bare if o.refused]
    assert all(o.painted <= 0.02 for o in bare), [(o.sample.name, round(o.painted, 4)) for o in bare]
    assert all(o.sign_touched == 0 for o in bare), [(o.sample.name, o.sign_touched) for o in bare if o.sign_touched]


def test_a_face_covered_beside_a_sign_leaves_the_sign_whole(outcomes: list[faceset.Outcome]) -> None:
    """The sign over Grace Hopper's mouth is the photo's sign: her face above it is covered, and
    the cover stops at the paper (the sign's pixels below the face core stay as they were)."""
    o = next(o for o in outcomes if o.sample.name == "hopper-signmouth")
    drawn = np.asarray(o.picture.convert("RGB"))
    original = np.asarray(Image.open(o.sample.path).convert("RGB"))
    assert drawn.shape == original.shape
    x0, _, x1, y1 = (round(v) for v in faceset._bounds(o.sample.hidden[0]))
    core_bottom = round(faceset._bounds(o.sample.faces[0])[3])
    below = (slice((core_bottom + y1) // 2, y1 - 2), slice(x0 + 2, x1 - 2))  # the paper well under the face
    assert np.abs(drawn[below].astype(int) - original[below].astype(int)).mean() < 3


def test_a_photo_whose_faces_keep_being_found_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail closed: if the check still finds a face after every round of covering, the photo is refused."""
    path = tmp_path / "p.jpg"
    Image.new("RGB", (800, 600), (120, 130, 140)).save(path)
    spots = iter([(0.1 * i, 0.1, 0.1 * i + 0.05, 0.15) for i in range(20)])  # a new face every round
    monkeypatch.setattr(subjects, "still_seen", lambda picture, areas: (next(spots),))
    subjects._cover.cache_clear()
    cover = subjects.cover(path)
    subjects._cover.cache_clear()
    assert cover.refused
    assert len(cover.faces) == subjects.ROUNDS  # each round covered what was found, then gave up


def test_a_refused_photo_is_an_error_naming_the_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collage.model.project import Message
    from collage.model.timeline import Mask
    from collage.plan.build import _unmasked

    project = SimpleNamespace(manifest=Path("collage.yaml"),  # the least of a project `_unmasked` reads
                              messages=[Message(id="m3", photo="photos/a.jpg", consent="masked", line=4)])
    problems = _unmasked(project, {"m3": Mask(faces=((0.1, 0.1, 0.3, 0.3),), refused=True)})  # type: ignore[arg-type]
    assert [p.severity for p in problems] == ["error"]
    assert "message 'm3'" in problems[0].message and "still seen" in problems[0].message


def test_each_network_object_only_ever_sees_one_shape_and_one_list_of_outputs() -> None:
    """OpenCV 4.14's DNN gives wrong answers when one network object is run at a second input size, or
    asked for other outputs: CenterFace at 640x640 after other sizes and outputs must match a network
    that only ever saw 640x640 and its four outputs."""
    import cv2

    from collage import resources

    rng = np.random.default_rng(1)
    first = rng.integers(0, 255, (1, 3, 320, 320)).astype(np.float32)
    blob = rng.integers(0, 255, (1, 3, 640, 640)).astype(np.float32)
    outputs = ["537", "538", "539", "540"]
    faces._CENTERFACE.run(first, outputs)
    faces._CENTERFACE.run(blob, ["537"])
    ours = faces._CENTERFACE.run(blob, outputs)
    fresh = cv2.dnn.readNetFromONNX(str(resources.models_dir() / "centerface.onnx"))
    fresh.setInput(blob)
    for a, b in zip(ours, fresh.forward(outputs), strict=True):
        assert np.abs(a - np.asarray(b)).max() < 1e-4


def test_the_models_ship_inside_the_package() -> None:
    from collage import resources

    folder = resources.models_dir()
    assert (folder / "centerface.onnx").stat().st_size == 7_304_518
    assert (folder / "blazeface_full_range.tflite").stat().st_size == 1_083_984
    assert "MIT" in (folder / "SOURCES.md").read_text(encoding="utf-8")
