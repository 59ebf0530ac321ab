"""Consent, from the outside: a masked contributor's face is covered in every picture collage makes
(the decoded video, Ken Burns frames, the still) with nothing left to recover and the sign untouched;
an anonymous contributor's name is in no byte of anything written or printed; a source photo's own
metadata reaches nothing; `cache prune` removes the pictures a manifest no longer uses."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image, ImageDraw

from .support.media import HELD_HEAD, HELD_SIGN, decode_frames, write_folder
from .support.media import collage_cli as _collage
from .support.media import face_with_sign as _photo

pytestmark = pytest.mark.e2e

DATA = Path(__file__).parent / "data"
SIZE = (640, 360)  # the video; the photo is 1280x720: the same shape, so it maps onto the frame by 1/2
HEAD, SIGN = HELD_HEAD, HELD_SIGN  # in the photo (tests/data/SOURCES.md)
NAME = "Qiao Lanxin"
NAME_CJK = "乔兰心"


def _folder(root: Path, consent: str = "masked", **message: Any) -> Path:
    manifest = {
        "title": "Consent",
        "video": {"size": f"{SIZE[0]}x{SIZE[1]}", "fps": 10, "output": "out/v.mp4", "fit": "contain"},
        "timing": {"title": "1s", "slide": "2s", "transition": "0.5s"},
        "sequence": [{"title": "Start"}, {"photo": "p1"}, {"photo": "p1", "motion": "kenburns"}, {"photo": "p2"}],
        # No caption fields but the name, which masked consent withholds: the photo fills the frame.
        "messages": [{"id": "p1", "photo": "photos/p1.jpg", "name": NAME, "consent": consent, "approved": True,
                      **message},
                     {"id": "p2", "photo": "photos/p2.jpg", "name": "Named Person", "approved": True}],
    }
    folder = root / "folder"
    photos = {} if (folder / "photos" / "p1.jpg").exists() else {"p1": _photo, "p2": (40, 90, 160)}  # written once
    return write_folder(folder, manifest, photos, size=(1280, 720))



def _region(frame: np.ndarray, box: tuple[int, int, int, int], inset: int = 2) -> np.ndarray:
    """A photo box in frame pixels (the photo maps onto the frame at half size), inset past the edge."""
    x0, y0, x1, y1 = (v // 2 for v in box)
    return frame[y0 + inset:y1 - inset, x0 + inset:x1 - inset].astype(np.float64)


def _detail(region: np.ndarray) -> float:
    """High-frequency energy: the mean absolute Laplacian of the luma."""
    luma = region @ np.array([0.299, 0.587, 0.114])
    lap = 4 * luma[1:-1, 1:-1] - luma[:-2, 1:-1] - luma[2:, 1:-1] - luma[1:-1, :-2] - luma[1:-1, 2:]
    return float(np.mean(np.abs(lap)))


def _faces_on_head(frame: np.ndarray) -> list[tuple[float, float, float, float]]:
    from collage.media.subjects import find

    h, w = frame.shape[:2]
    hx0, hy0, hx1, hy1 = (HEAD[0] / 2 / w, HEAD[1] / 2 / h, HEAD[2] / 2 / w, HEAD[3] / 2 / h)
    return [f for f in find(np.ascontiguousarray(frame), thorough=True).faces
            if min(f[2], hx1) > max(f[0], hx0) and min(f[3], hy1) > max(f[1], hy0)]


def _still(folder: Path, slide: int, target: Path, at: float | None = None) -> np.ndarray:
    args: list[str | Path] = ["still", folder, "--slide", str(slide), "-o", target]
    if at is not None:
        args += ["--at", str(at)]
    result = _collage(*args)
    assert result.returncode == 0, result.stderr
    return np.asarray(Image.open(target).convert("RGB"))


def test_a_masked_face_is_covered_in_the_video_the_still_and_every_moving_frame(tmp_path: Path) -> None:
    named = _folder(tmp_path / "named", consent="named", hide=["name"])  # the same layout, the face shown
    masked = _folder(tmp_path / "masked")
    plan = json.loads(_collage("plan", masked, "--json").stdout)
    photo_slide = next(s for s in plan["slides"] if s["kind"] == "photo")
    assert photo_slide["cells"][0]["box"] == [0, 0, *SIZE]  # no caption: the photo fills the frame

    # The still, against the same slide unmasked (which proves each check below can fail).
    plain = _still(named, 1, tmp_path / "named.png")
    still = _still(masked, 1, tmp_path / "masked.png")
    assert _faces_on_head(plain) and _detail(_region(plain, HEAD)) > 8
    assert not _faces_on_head(still)
    assert _detail(_region(still, HEAD)) < 0.5 and np.ptp(_region(still, HEAD), axis=(0, 1)).max() <= 2  # flat
    assert np.array_equal(_region(still, SIGN, 0), _region(plain, SIGN, 0))  # the sign untouched

    # The decoded video: the held slide, and the Ken Burns slide at its start, middle and end.
    for folder in (named, masked):
        result = _collage("render", folder, "-q", "--no-cache")
        assert result.returncode == 0, result.stderr
    fps = plan["fps"]
    held = photo_slide["start"] + photo_slide["duration"] / 2
    moving = plan["slides"][2]
    times = [held, moving["start"] + 0.6, moving["start"] + moving["duration"] / 2,
             moving["start"] + moving["duration"] - 0.6]
    indices = [round(t * fps) for t in times]
    seen_plain = decode_frames(named / "out" / "v.mp4", indices)
    seen = decode_frames(masked / "out" / "v.mp4", indices)
    assert all(_faces_on_head(f) for f in seen_plain[:1])
    for frame in seen:
        assert not _find_any_face_near_head(frame), "a face shows in a masked frame"
    assert _detail(_region(seen[0], HEAD)) < 1.5  # codec noise at most
    assert np.mean(np.abs(_region(seen[0], SIGN) - _region(seen_plain[0], SIGN))) < 2.0
    # The moving frames match the still drawn at the same moment (the cover moves with the photo).
    mid = _still(masked, 2, tmp_path / "moving.png", at=moving["duration"] / 2)
    assert not _find_any_face_near_head(mid)
    assert np.mean(np.abs(mid.astype(np.float64) - seen[2].astype(np.float64))) < 4.0


def _find_any_face_near_head(frame: np.ndarray) -> list[Any]:
    """Any face at all in the frame (a Ken Burns move shifts the head, so no fixed region)."""
    from collage.media.subjects import find

    return list(find(np.ascontiguousarray(frame), thorough=True).faces)


def test_masked_with_no_face_found_and_no_box_is_an_error_naming_the_message(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    Image.new("RGB", (640, 360), (90, 120, 150)).save(_mkdir(folder / "photos") / "blank.jpg")
    (folder / "collage.yaml").write_text(
        "messages:\n  - id: m7\n    photo: photos/blank.jpg\n    consent: masked\n    approved: true\n")
    result = _collage("check", folder)
    assert result.returncode == 1
    assert "message 'm7' is masked, but no face was found" in result.stderr
    assert "collage.yaml:2" in result.stderr or "collage.yaml:5" in result.stderr
    # A box makes it a promise collage can keep.
    (folder / "collage.yaml").write_text(
        "messages:\n  - id: m7\n    photo: photos/blank.jpg\n    consent: masked\n    mask: [[0.1, 0.1, 0.2, 0.3]]\n"
        "    approved: true\n")
    result = _collage("check", folder)
    assert result.returncode == 0, result.stderr
    assert "m7  masked: 0 faces + 1 box covered" in result.stdout


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_check_lists_what_each_message_shows(tmp_path: Path) -> None:
    folder = _folder(tmp_path, consent="masked")
    manifest = yaml.safe_load((folder / "collage.yaml").read_text())
    manifest["messages"][1].update(consent="anonymous", profession="Nurse", location="Lhasa", hide=["location"])
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    result = _collage("check", folder)
    assert result.returncode == 0, result.stderr
    assert re.search(r"p1  masked: [1-9]\d* faces? \+ 0 boxes covered", result.stdout), result.stdout
    assert "p2  anonymous; hides location" in result.stdout
    assert "Named Person" not in result.stdout + result.stderr and "Lhasa" not in result.stdout


def _every_byte(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_an_anonymous_name_is_in_no_byte_of_anything_written_or_printed(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x013B] = NAME  # Artist: the photographer wrote their own name into the file
    exif[0x010F] = "SecretPhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 0.0)}  # GPS: Beijing
    folder = _folder(tmp_path, consent="anonymous", profession="Engineer", message=f"{NAME_CJK} 加油")
    _photo(folder / "photos" / "p1.jpg", exif)
    assert NAME.encode() in (folder / "photos" / "p1.jpg").read_bytes()  # the source does carry it
    manifest = yaml.safe_load((folder / "collage.yaml").read_text())
    manifest["messages"][0]["name"] = f"{NAME} {NAME_CJK}"
    manifest["messages"][0]["hide"] = ["message"]  # the sign's transcription names them too
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    printed = ""
    for args in (["check", folder], ["plan", folder], ["plan", folder, "--json"], ["render", folder],
                 ["render", folder, "--preview"], ["still", folder, "--slide", "1"], ["cache", "prune", folder]):
        result = _collage(*args)
        assert result.returncode == 0, (args, result.stderr)
        printed += result.stdout + result.stderr
    written = _every_byte(folder / "out")
    assert written and (folder / "out" / "v.slide-1.png").exists()
    for secret in (NAME, "Qiao", "Lanxin", NAME_CJK, "SecretPhoneMaker", "p1.jpg"):
        # (`plan` prints photo paths for the editor: a file named after an anonymous person is warned about.)
        assert secret not in printed or secret == "p1.jpg", secret
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert secret.encode(encoding) not in written, (secret, encoding)
    # The cache folder is its owner's alone.
    cache = folder / "out" / "collage-cache"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    # An error about this message names it by id, never by name.
    manifest["messages"][0]["focus"] = [2, 2]
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    result = _collage("check", folder)
    assert result.returncode == 1 and "focus" in result.stderr
    assert NAME not in result.stderr and NAME_CJK not in result.stderr


def test_an_id_that_carries_an_anonymous_name_is_an_error(tmp_path: Path) -> None:
    """`plan`, `check` and the storyboard print ids, and `plan --json` file names: a withheld name there
    is shown as surely as in a caption."""
    folder = _folder(tmp_path, consent="anonymous", id="qiao-lanxin")
    result = _collage("check", folder)
    assert result.returncode == 1, result.stderr
    assert "messages[qiao-lanxin].id" not in result.stderr  # (the field is named by its place, not by the name)
    assert "holds the name of a contributor who asked not to be named" in result.stderr
    assert "neutral id (such as m12)" in result.stderr


def test_the_cache_folder_is_made_private_even_if_it_was_open(tmp_path: Path) -> None:
    folder = _folder(tmp_path, consent="named")
    cache = folder / "out" / "collage-cache"
    cache.mkdir(parents=True)
    os.chmod(cache, 0o755)
    assert _collage("check", folder).returncode == 0
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


def test_cache_prune_removes_the_unmasked_pictures(tmp_path: Path) -> None:
    folder = _folder(tmp_path, consent="named")
    assert _collage("render", folder, "-q").returncode == 0
    cache = folder / "out" / "collage-cache"

    def contents() -> dict[str, Path]:
        return {hashlib.blake2b(p.read_bytes()).hexdigest(): p for p in (cache / "entries").rglob("*")
                if p.is_file() and p.suffix in (".mp4", ".m4a")}

    before = contents()
    text = (folder / "collage.yaml").read_text().replace("consent: named", "consent: masked")
    (folder / "collage.yaml").write_text(text)
    result = _collage("render", folder)
    assert result.returncode == 0, result.stderr
    assert "made from an older version of the manifest" in result.stderr and "collage cache prune" in result.stderr
    used = set(contents()) - set(before)  # encoded for the masked manifest
    assert used
    pruned = _collage("cache", "prune", folder)
    assert pruned.returncode == 0, pruned.stderr
    after = contents()
    gone = {d for d in before if d not in after}
    assert gone  # the unmasked segments and runs were deleted ...
    # ... and whatever is left is in use now: a render of the masked manifest encodes nothing new.
    again = _collage("render", folder)
    assert again.returncode == 0 and " 0 encoded" in again.stdout
    assert "made from an older version of the manifest" not in again.stderr
    record = json.loads((cache / "last-run.json").read_text())
    kept_keys = {s["key"] for s in record["segments"]} | {r["key"] for r in record["runs"]}
    for path in (cache / "entries").rglob("*.mp4"):
        assert path.stem in kept_keys, path  # only full renders were made here
    # No file anywhere in the cache has the bytes of a segment that showed the unmasked face.
    everything = {hashlib.blake2b(p.read_bytes()).hexdigest() for p in cache.rglob("*") if p.is_file()}
    assert not (everything & gone)


def test_cache_prune_forgets_the_grid_cuts_of_captions_no_longer_shown(tmp_path: Path) -> None:
    """The cache remembers how each `grid: auto` was cut, by a digest of its captions. A contributor who
    withdraws her name leaves her named caption's digest behind; `cache prune` keeps only the cuts of the
    manifest as it is now."""
    from collage import load, pipeline

    manifest = {"video": {"size": "320x180", "fps": 5, "output": "out/v.mp4"}, "timing": {"slide": "1s"},
                "sequence": [{"grid": "auto", "messages": "all"}],
                "messages": [{"id": f"m{i}", "photo": f"photos/m{i}.jpg", "name": f"Person Number {i}",
                              "approved": True} for i in range(5)]}
    folder = write_folder(tmp_path / "grid", manifest, {f"m{i}": (40 * i, 90, 160) for i in range(5)})
    assert _collage("render", folder, "-q").returncode == 0
    memo = folder / "out" / "collage-cache" / "grid-cuts.json"

    def remembered() -> set[str]:
        return set(json.loads(memo.read_text())["cuts"])

    named = remembered()
    manifest["messages"][2]["consent"] = "anonymous"
    write_folder(folder, manifest)
    assert _collage("render", folder, "-q").returncode == 0
    now = set(pipeline.timeline(load(folder)).cuts)
    assert remembered() == named | now and named != now  # both, until pruned
    pruned = _collage("cache", "prune", folder)
    assert pruned.returncode == 0, pruned.stderr
    assert remembered() == now


@pytest.mark.parametrize("box", [[0.5, 0.5, 0.6, 0.2], [0.1, 0.1, 0, 0.2], [0.1, 0.2, 0.3], ["a", 0, 0.1, 0.1]])
def test_a_bad_mask_box_is_an_error_with_its_line(tmp_path: Path, box: list[Any]) -> None:
    folder = _folder(tmp_path, consent="masked", mask=[box])
    result = _collage("check", folder)
    assert result.returncode == 1 and "mask" in result.stderr and "Traceback" not in result.stderr


def test_a_photo_shown_by_a_named_message_too_is_covered_there(tmp_path: Path) -> None:
    """Covers belong to the photo: the same file, or a copy under another name, shown by a message
    that is not masked, is covered too (with a warning)."""
    folder = _folder(tmp_path)
    (folder / "photos" / "copy.jpg").write_bytes((folder / "photos" / "p1.jpg").read_bytes())
    manifest = yaml.safe_load((folder / "collage.yaml").read_text())
    manifest["messages"] += [{"id": "same", "photo": "photos/p1.jpg", "approved": True},
                             {"id": "copy", "photo": "photos/copy.jpg", "approved": True}]
    manifest["sequence"] = [{"photo": "same"}, {"photo": "copy"}, {"photo": "p1"}]
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    result = _collage("check", folder)
    assert result.returncode == 0, result.stderr
    assert "message 'same' shows the photo of a masked message" in result.stderr
    assert "message 'copy' shows the photo of a masked message" in result.stderr
    for slide in (0, 1):
        frame = _still(folder, slide, tmp_path / f"s{slide}.png")
        assert not _faces_on_head(frame) and _detail(_region(frame, HEAD)) < 0.5, slide


def test_a_face_in_front_of_a_light_panel_is_still_covered(tmp_path: Path) -> None:
    """A light panel behind a head passes for the sign (a sheet with writing on it); the face on it
    is covered all the same, with a mask box given elsewhere or not."""
    folder = _folder(tmp_path, mask=[[0.9, 0.9, 0.05, 0.05]])
    canvas = Image.new("RGB", (1280, 720), (150, 112, 92))
    ImageDraw.Draw(canvas).rectangle((307, 63, 749, 493), fill=(241, 236, 222))  # a cream panel
    canvas.paste(Image.open(DATA / "astronaut.jpg").convert("RGB").resize((280, 280)), (385, 120))
    canvas.save(folder / "photos" / "p1.jpg", quality=95)
    head = (467, 128, 549, 212)  # the astronaut's head, scaled and placed as pasted
    frame = _still(folder, 1, tmp_path / "s.png")
    assert not _find_any_face_near_head(frame) and _detail(_region(frame, head)) < 0.5


def test_an_anonymous_name_inside_another_shown_field_is_an_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path, consent="anonymous", location="Qiao's home, Chengdu")
    result = _collage("check", folder)
    assert result.returncode == 1
    assert "messages[0].location: holds the name of a contributor who asked not to be named" in result.stderr
    assert NAME not in result.stderr and "Qiao's" not in result.stderr
    folder = _folder(tmp_path / "b", consent="anonymous", location="Qiao's home", hide=["location"])
    assert _collage("check", folder).returncode == 0  # hidden: never shown
    folder = _folder(tmp_path / "c", consent="anonymous", location="Lanzhou")  # "Lanxin" is not in it
    assert _collage("check", folder).returncode == 0


def test_prune_deletes_everything_when_the_manifest_cannot_be_planned(tmp_path: Path) -> None:
    """Anonymous to masked on a photo where no face is found: the slide's key would not change, so
    nothing can be shown to be in use; the unmasked segments must go all the same."""
    folder = tmp_path / "f"
    Image.new("RGB", (640, 360), (90, 120, 150)).save(_mkdir(folder / "photos") / "blank.jpg")
    text = "messages:\n  - id: m7\n    photo: photos/blank.jpg\n    location: Lhasa\n    consent: anonymous\n" \
           "    approved: true\nvideo: {size: 320x180, fps: 10}\ntiming: {title: 1s, slide: 1s}\n"
    (folder / "collage.yaml").write_text(text)
    assert _collage("render", folder, "-q").returncode == 0
    cache = folder / "out" / "collage-cache"
    assert list((cache / "entries").rglob("*.mp4"))
    (folder / "collage.yaml").write_text(text.replace("anonymous", "masked"))
    result = _collage("cache", "prune", folder)
    assert result.returncode == 0, result.stderr
    assert "everything was deleted" in result.stderr
    assert not list((cache / "entries").rglob("*.mp4")) and not list((cache / "entries").rglob("*.m4a"))


def test_prune_and_render_leave_a_folder_that_is_not_a_cache_alone(tmp_path: Path) -> None:
    folder = _folder(tmp_path, consent="named")
    other = tmp_path / "notes"
    _mkdir(other / "entries" / "2024").joinpath("post.md").write_text("mine")
    _mkdir(other / "tmp" / "keep").joinpath("x.txt").write_text("mine")
    os.chmod(other, 0o1777)
    pruned = _collage("cache", "prune", folder, "--cache-dir", other)
    assert pruned.returncode == 1 and "not a collage cache" in pruned.stderr
    rendered = _collage("render", folder, "-q", "--cache-dir", other)
    assert rendered.returncode == 1 and "not a collage cache" in rendered.stderr
    assert (other / "entries" / "2024" / "post.md").exists() and (other / "tmp" / "keep" / "x.txt").exists()
    assert stat.S_IMODE(other.stat().st_mode) == 0o1777


def test_a_store_written_with_file_names_forgets_them(tmp_path: Path) -> None:
    """An older version keyed its file stores by path; those keys are dropped on the next run."""
    folder = _folder(tmp_path, consent="named")
    cache = folder / "out" / "collage-cache"
    assert _collage("render", folder, "-q").returncode == 0
    store = cache / "digests.json"
    known = json.loads(store.read_text())
    known[str(folder / "photos" / "qiao-lanxin.jpg")] = [1, 2, 3, "ab"]
    store.write_text(json.dumps(known))
    assert _collage("render", folder, "-q").returncode == 0
    assert "qiao-lanxin" not in store.read_text()


def test_privacy_default_makes_every_message_anonymous_unless_it_says_named(tmp_path: Path) -> None:
    folder = _folder(tmp_path, consent="named", profession="Engineer")
    manifest = yaml.safe_load((folder / "collage.yaml").read_text())
    manifest["privacy"] = {"default": "anonymous"}
    del manifest["messages"][0]["consent"]  # takes the default
    manifest["messages"][1]["consent"] = "named"
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    result = _collage("check", folder)
    assert result.returncode == 0, result.stderr
    assert "p1  anonymous" in result.stdout and "p2  named" in result.stdout
    plan = _collage("plan", folder, "--json").stdout
    assert NAME not in plan and "Named Person" in plan
    manifest["privacy"] = {"default": "public"}
    (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    bad = _collage("check", folder)
    assert bad.returncode == 1 and "privacy.default" in bad.stderr


def _faces_on(frame: np.ndarray, head: tuple[float, float, float, float]) -> list[Any]:
    """Faces that two independent detectors find on the person's head in a drawn picture: CenterFace
    (which placed the covers, in every turn) and BlazeFace (which checked them), at their own thresholds."""
    from collage.media import faces

    picture = np.ascontiguousarray(frame)
    found = [f.box for f in faces.find(picture)] + [box for box, _ in faces.seen(picture)]
    return [b for b in found if min(b[2], head[2]) > max(b[0], head[0]) and min(b[3], head[3]) > max(b[1], head[1])]


def _head_in(cell: dict[str, Any], size: tuple[int, int]) -> tuple[float, float, float, float]:
    """Where the photo's head is in a frame of `size`: the 1280x720 photo contained in its cell's box."""
    x, y, w, h = cell["box"]
    scale = min(w / 1280, h / 720)
    left, top = x + (w - 1280 * scale) / 2, y + (h - 720 * scale) / 2
    return ((left + HEAD[0] * scale) / size[0], (top + HEAD[1] * scale) / size[1],
            (left + HEAD[2] * scale) / size[0], (top + HEAD[3] * scale) / size[1])


def test_a_masked_face_is_covered_in_every_shape_and_every_poster(tmp_path: Path) -> None:
    """Each rendition lays the masked photo out anew, and each has its own poster: the face is covered in
    all of them. The same folder with the contributor named shows the face in each, so every check here
    can fail."""
    shapes = {None: "v", "360x640": "v.360x640", "360x360": "v.360x360"}
    seen: dict[str, dict[str | None, list[np.ndarray]]] = {}
    heads: dict[str | None, tuple[float, float, float, float]] = {}
    for consent in ("named", "masked"):
        folder = _folder(tmp_path / consent, consent=consent, hide=["name"])
        manifest = yaml.safe_load((folder / "collage.yaml").read_text())
        manifest["video"]["renditions"] = [s for s in shapes if s]
        manifest["sequence"] = [{"title": "Start"}, {"photo": "p1"}, {"photo": "p2"}]
        (folder / "collage.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
        result = _collage("render", folder, "-q", "--no-cache")
        assert result.returncode == 0, result.stderr
        seen[consent] = {}
        for shape, name in shapes.items():
            args = ["plan", folder, "--json", *(["--rendition", shape] if shape else [])]
            plan = json.loads(_collage(*args).stdout)
            slide = next(s for s in plan["slides"] if s["messages"] == ["p1"])
            heads[shape] = _head_in(slide["cells"][0], (plan["size"][0], plan["size"][1]))
            middle = round((slide["start"] + slide["duration"] / 2) * plan["fps"])
            frame = decode_frames(folder / "out" / f"{name}.mp4", [middle])[0]
            poster = np.asarray(Image.open(folder / "out" / f"{name}.jpg").convert("RGB"))  # the first photo slide
            seen[consent][shape] = [frame, poster]
    for shape in shapes:
        for shown, covered in zip(seen["named"][shape], seen["masked"][shape], strict=True):
            assert _faces_on(shown, heads[shape]), f"no face seen even unmasked in {shape}: the check means nothing"
            assert not _faces_on(covered, heads[shape]), f"a face shows in the masked {shape or 'main'} video or poster"
