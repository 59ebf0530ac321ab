"""What the desk knows about its folder, read again whenever the manifest changes, and the pictures,
checks, stills and proof clips it makes from it.

    the manifest's bytes -> Version -> Snapshot (cached by version):
        the plain document (yamlpos: bounded, read as the loader reads it) -> a Card per message,
            approved or not, with only what may be shown (no email is ever read into one; the name of a
            contributor who is not named, and every field in `hide`, are withheld)
        manifest.load -> Project -> pipeline.timeline -> Timeline (the slides, their pictures by digest)
    check.run (on a thread, once per version) -> each card's problems
    pictures: a card's photo as the video draws it (the detector's covers painted and outlined: the
        `mask` boxes are drawn by the page, where they are edited); a slide's picture (draw.compose.Artist)
        -> kept in memory only, by what they show
    stills (`outputs.still`) and proof clips (`render.prepare(slides=...)`) -> written by those commands'
        own code through the write rule, beside the video in out/ (the clips on the render's shared cache)

Nothing here writes into the organiser's folders: the manifest is changed only by `edits`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collage import check, manifest, pipeline
from collage.desk import edits
from collage.errors import CollageError, InputError, Problem
from collage.manifest import yamlpos
from collage.manifest.load import _TEXT_KEYS as TEXT_KEYS
from collage.manifest.load import load_text
from collage.manifest.report import PHOTO_SUFFIXES, unusable_path
from collage.model.project import CONSENTS, HIDEABLE, Project
from collage.model.timeline import Slide, Timeline
from collage.outputs import targets

PHOTO_SIDE = 640  # a card's photo: its long side
SLIDE_WIDTH = 480  # a slide's picture
FACE_OUTLINE = (255, 214, 0)  # a face the detector found, covered (as on the storyboard)
_MESSAGE_FIELD = re.compile(r"^messages\[(\d+)\]")  # a problem names a message by its place in the list


@dataclass(frozen=True)
class Shown:
    """One slide a message is on: its number, times and picture."""

    index: int
    kind: str
    start: float
    end: float
    picture: str  # the picture's digest: /slide/<digest>.jpg


@dataclass
class Card:
    """A message as the desk shows it: what may be shown of it, and where it is on screen."""

    id: str
    photo: str
    line: int | None
    approved: bool
    consent: str
    hidden: list[str]
    values: dict[str, str]  # the caption fields that may be shown (withheld ones are absent)
    withheld: list[str]  # caption fields that are set but not shown here
    mask: list[tuple[float, float, float, float]]
    readable: bool  # the photo is a file inside the folder
    index: int = -1  # its place in the manifest's `messages:` list
    shown: list[Shown] = field(default_factory=list)
    picture: str = ""  # the photo picture's key (changes when what it shows changes)

    @property
    def masked(self) -> bool:
        return self.consent == "masked"


@dataclass(frozen=True)
class Item:
    """A sequence item as the desk shows it."""

    index: int
    kind: str  # title, photo, grid, or "?" for one the loader refuses
    line: int | None
    values: dict[str, str]  # title/subtitle/body; photo; grid, messages (as written); duration
    slides: tuple[Shown, ...]


@dataclass
class Snapshot:
    version: edits.Version
    cards: list[Card]
    items: list[Item]
    project: Project | None
    timeline: Timeline | None
    problems: list[Problem]  # the loader's (when it refuses the manifest) or the plan's
    default_consent: str
    sequence_given: bool
    slides: list[Shown]
    fonts: str = ""  # the key of the page's fonts: /fonts/<key>.css
    photos: str = ""  # the state of the photo files when it was read


@dataclass
class Proof:
    first: int
    last: int
    state: str = "running"  # running, done, failed
    done: int = 0
    total: int = 0
    message: str = ""
    output: Path | None = None
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0


class Desk:
    def __init__(self, folder: Path, manifest_path: Path | None = None) -> None:
        self.folder = folder.absolute()
        self.path = manifest.find_manifest(self.folder, manifest_path).absolute()
        self.manifest = edits.Manifest(self.folder, self.path, self._owned)
        self._lock = threading.RLock()  # the plan, the covers and the cache's records: one at a time
        self._snapshots: OrderedDict[str, Snapshot] = OrderedDict()
        self._checks: dict[str, check.Report] = {}
        self._checking: dict[str, threading.Event] = {}
        self._pictures: OrderedDict[str, bytes] = OrderedDict()
        self._slides: dict[str, tuple[Slide, Project, tuple[int, int]]] = {}
        self._fonts: dict[str, Any] = {}
        self._font_texts: dict[str, tuple[str, Any]] = {}
        self.files: dict[str, Path] = {}  # what the desk made (stills, proofs), served by name
        self.proof: Proof | None = None

    # --- the folder as it is now -------------------------------------------------------------------

    def _owned(self) -> targets.Owned:
        """The organiser's files (the manifest is the desk's to edit: it is not among them here)."""
        snapshot = next(reversed(self._snapshots.values()), None)
        sources = snapshot.project.sources if snapshot is not None and snapshot.project is not None else frozenset()
        return targets.Owned.of(self.folder, sources)

    def snapshot(self) -> Snapshot:
        """The manifest as it is on disk now, read and planned (once per version)."""
        text, version = self.manifest.read()
        with self._lock:
            known = self._snapshots.get(version.digest)
            if known is not None and known.photos == self._photo_state(known):
                return known  # (a photo replaced in the folder is read and planned again)
            made = self._read(text, version)
            made.photos = self._photo_state(made)
            self._snapshots[version.digest] = made
            while len(self._snapshots) > 8:
                self._snapshots.popitem(last=False)
            return made

    def _read(self, text: str, version: edits.Version) -> Snapshot:
        try:
            data, pos = yamlpos.load(text.removeprefix("\ufeff"), TEXT_KEYS)
        except yamlpos.YamlSyntaxError as exc:
            problem = Problem(self.path.name, str(exc), line=exc.line, hint=exc.hint)
            return Snapshot(version, [], [], None, None, [problem], "named", False, [])
        data = data if isinstance(data, dict) else {}
        privacy = data.get("privacy")
        given = privacy.get("default") if isinstance(privacy, dict) else None
        default = str(given) if given in CONSENTS else "named"
        project: Project | None = None
        timeline: Timeline | None = None
        problems: list[Problem] = []
        try:
            project = load_text(self.folder, self.path, text.removeprefix("\ufeff"))
        except InputError as exc:
            problems = list(exc.problems)
        if project is not None:
            try:
                timeline = pipeline.timeline(project, memo=targets.memo_folder(project))
                problems = list(timeline.warnings)
            except CollageError as exc:
                problems = list(exc.problems) if isinstance(exc, InputError) else [
                    Problem(self.path.name, str(exc))]
        cards = self._cards(data, pos, default, project)
        slides: list[Shown] = []
        if project is not None and timeline is not None:
            slides = [self._shown(s, project, timeline) for s in timeline.slides]
            for card in cards:
                card.shown = [slides[s.index] for s in timeline.slides if card.id in s.messages]
        items = self._items(data, pos, slides, timeline)
        made = Snapshot(version, cards, items, project, timeline, problems, default,
                        data.get("sequence") is not None, slides)
        made.fonts = self._font_key(made)
        return made

    def _font_key(self, snapshot: Snapshot) -> str:
        """The page's text (every caption field, title and item shown): its fonts are cut to it."""
        texts = [snapshot.project.title if snapshot.project is not None else ""]
        texts += [v for c in snapshot.cards for v in (c.id, *c.values.values())]
        texts += [v for i in snapshot.items for v in i.values.values()]
        chars = "".join(sorted(set("".join(texts)) - set(" \n")))
        fonts = snapshot.project.theme.fonts if snapshot.project is not None else ()
        key = hashlib.blake2b(repr((chars, fonts)).encode(), digest_size=10).hexdigest()
        self._font_texts[key] = (chars, fonts)
        return key

    def page_fonts(self, key: str) -> Any:
        """The faces that draw the page's text in the video, cut to it (`draw.webfonts`): every script shows,
        even on a machine with no font for it. None for an unknown key."""
        from collage.draw import webfonts

        with self._lock:
            made = self._fonts.get(key)
            if made is None and key in self._font_texts:
                chars, fonts = self._font_texts[key]
                made = self._fonts[key] = webfonts.page_fonts([chars], fonts)
                while len(self._fonts) > 4:
                    self._fonts.pop(next(iter(self._fonts)))
            return made

    def _cards(self, data: dict[str, Any], pos: yamlpos.Positions, default: str,
               project: Project | None) -> list[Card]:
        cards: list[Card] = []
        seen: set[str] = set()
        raw = data.get("messages")
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            if not isinstance(item, dict) or not isinstance(item.get("photo"), str):
                continue
            photo = item["photo"]
            ident = item.get("id") if isinstance(item.get("id"), str) else Path(photo).stem
            if not ident or ident in seen:
                continue
            seen.add(ident)
            consent = str(item["consent"]) if item.get("consent") in CONSENTS else default
            hide = [str(h) for h in item.get("hide") or [] if h in HIDEABLE] if isinstance(item.get("hide"),
                                                                                        list) else []
            withheld_fields = {*hide, *(("name",) if consent != "named" else ())}
            values, withheld = {}, []
            for name in edits.TEXT_FIELDS:  # never `email`
                value = item.get(name)
                if not isinstance(value, str) or not value:
                    continue
                if name in withheld_fields:
                    withheld.append(name)
                else:
                    values[name] = value
            mask = []
            for box in item.get("mask") or [] if isinstance(item.get("mask"), list) else []:
                if isinstance(box, list) and len(box) == 4 and all(isinstance(v, int | float) for v in box):
                    mask.append((float(box[0]), float(box[1]), float(box[2]), float(box[3])))
            card = Card(ident, photo, pos.line(("messages", i)), item.get("approved") is True, consent, hide,
                        values, withheld, mask, self._inside(photo) is not None, i)
            card.picture = self._photo_key(card)
            cards.append(card)
        return cards

    def _items(self, data: dict[str, Any], pos: yamlpos.Positions, slides: list[Shown],
               timeline: Timeline | None) -> list[Item]:
        raw = data.get("sequence")
        items: list[Item] = []
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            line = pos.line(("sequence", i))
            if not isinstance(item, dict):
                items.append(Item(i, "?", line, {}, ()))
                continue
            kind = next((k for k in ("title", "photo", "grid") if k in item), "?")
            values = {k: _written(item[k]) for k in ("title", "subtitle", "body", "photo", "grid", "messages",
                                                      "duration") if k in item}
            mine = tuple(slides[s.index] for s in timeline.slides if s.line == line) if timeline else ()
            items.append(Item(i, kind, line, values, mine))
        return items

    def _shown(self, slide: Slide, project: Project, timeline: Timeline) -> Shown:
        digest = hashlib.blake2b(repr((dataclasses.replace(slide, index=0, start=0, line=None), project.theme,
                                       timeline.width, timeline.height, str(project.folder))).encode(),
                                 digest_size=12).hexdigest()
        self._slides[digest] = (slide, project, (timeline.width, timeline.height))
        return Shown(slide.index, slide.kind, slide.start / timeline.fps, slide.end / timeline.fps, digest)

    def _inside(self, rel: str) -> Path | None:
        """The photo's path, if it is a file inside the folder that may be a photo."""
        if unusable_path(rel) or Path(rel).suffix.lower() not in PHOTO_SUFFIXES:
            return None
        path = (self.folder / rel).resolve()
        if not path.is_relative_to(self.folder.resolve()) or not path.is_file():
            return None
        return path

    def _photo_state(self, snapshot: Snapshot) -> str:
        return hashlib.blake2b(repr([self._photo_key(c) for c in snapshot.cards]).encode(),
                               digest_size=10).hexdigest()

    def _photo_key(self, card: Card) -> str:
        path = self._inside(card.photo)
        try:
            state = (path.stat().st_mtime_ns, path.stat().st_size) if path is not None else None
        except OSError:
            state = None
        return hashlib.blake2b(repr((card.photo, state, card.masked, card.mask)).encode(),
                               digest_size=10).hexdigest()

    # --- check ---------------------------------------------------------------------------------------

    def problems(self, snapshot: Snapshot, wait: float = 30.0) -> check.Report | None:
        """`collage check` of this version (run once, on a thread); None while it runs past `wait`."""
        digest = f"{snapshot.version.digest}:{snapshot.photos}"  # a photo replaced is checked again
        with self._lock:
            done = self._checks.get(digest)
            if done is not None:
                return done
            event = self._checking.get(digest)
            if event is None:
                event = self._checking[digest] = threading.Event()
                threading.Thread(target=self._check, args=(digest, event), daemon=True,
                                 name="collage-desk-check").start()
        event.wait(wait)
        return self._checks.get(digest)

    def _check(self, digest: str, event: threading.Event) -> None:
        try:  # (not under the desk's lock: a check takes a second or more, and the page goes on meanwhile)
            report = check.run(self.folder, self.path)
        except CollageError as exc:
            report = check.Report((Problem(self.path.name, str(exc)),))
        with self._lock:
            self._checks[digest] = report
            while len(self._checks) > 8:
                self._checks.pop(next(iter(self._checks)))
        event.set()

    def problems_of(self, report: check.Report, snapshot: Snapshot, ident: str | None) -> list[Problem]:
        """The problems of one message (by the field they name, or their line within its entry), or, with
        None, those of no message."""
        starts = sorted((c.line, c.id) for c in snapshot.cards if c.line is not None)
        at = {c.index: c.id for c in snapshot.cards}
        out = []
        for p in report.problems:
            owner = None
            found = _MESSAGE_FIELD.match(p.field or "")
            if found:
                owner = at.get(int(found.group(1)))
            elif p.line is not None and (p.field or "").startswith("messages") and starts:
                before = [m for line, m in starts if line <= p.line]
                owner = before[-1] if before else None
            if owner == ident:
                out.append(p)
        return out

    # --- pictures ------------------------------------------------------------------------------------

    def _remember(self, key: str, data: bytes) -> bytes:
        with self._lock:
            self._pictures[key] = data
            while len(self._pictures) > 200:
                self._pictures.popitem(last=False)
        return data

    def slide_picture(self, digest: str) -> bytes | None:
        known = self._pictures.get("slide:" + digest)
        if known is not None:
            return known
        found = self._slides.get(digest)
        if found is None:
            return None
        from collage.draw.compose import Artist

        slide, project, design = found
        size = (SLIDE_WIDTH, max(2, round(SLIDE_WIDTH * design[1] / design[0])))
        artist = Artist(project.folder, size, project.theme, project.manifest.name, design=design)
        picture = artist.draw(slide, 0.5)
        return self._remember("slide:" + digest, _jpeg(picture))

    def photo_picture(self, snapshot: Snapshot, ident: str) -> bytes | None:
        """The card's photo, upright, as the video draws it: a masked contributor's faces covered (as the
        video covers them, with the message's boxes given) and outlined. The `mask` boxes themselves are
        drawn by the page, which edits them."""
        card = next((c for c in snapshot.cards if c.id == ident), None)
        if card is None:
            return None
        known = self._pictures.get("photo:" + card.picture)
        if known is not None:
            return known
        path = self._inside(card.photo)
        if path is None:
            return None
        from PIL import ImageDraw

        from collage.draw.compose import covered
        from collage.media import photos, remembered

        background = snapshot.project.theme.background if snapshot.project is not None else (0, 0, 0)
        try:
            picture = photos.load(path, (PHOTO_SIDE, PHOTO_SIDE), background)
        except (photos.PhotoError, OSError):
            return None
        if card.masked:
            own = tuple((x, y, x + w, y + h) for x, y, w, h in card.mask)
            memo = targets.memo_folder(snapshot.project) if snapshot.project is not None else None
            with self._lock:
                found = remembered.found(memo)
                try:
                    faces = found.cover(path, own).faces
                finally:
                    found.save()
            picture = covered(picture, faces)
            draw, (w, h) = ImageDraw.Draw(picture), picture.size
            for x0, y0, x1, y1 in faces:
                draw.rectangle((math.floor(x0 * w), math.floor(y0 * h), math.ceil(x1 * w) - 1, math.ceil(y1 * h) - 1),
                               outline=FACE_OUTLINE, width=3)
        return self._remember("photo:" + card.picture, _jpeg(picture))

    # --- stills and proofs ---------------------------------------------------------------------------

    def still(self, slide: int) -> tuple[str, Path]:
        """Slide `slide`'s still, written by `collage still`'s own code (NAME.slide-N.png beside the video)."""
        from collage.outputs.still import still

        with self._lock:
            made = still(self.folder, slide, manifest_path=self.path)
        name = made.output.name
        self.files[name] = made.output
        return name, made.output

    def start_proof(self, first: int, last: int) -> Proof:
        """A proof clip of slides first..last (`render --slides`, on the render's shared cache), on a
        thread; its progress in `self.proof`."""
        with self._lock:
            if self.proof is not None and self.proof.state == "running":
                return self.proof
            proof = self.proof = Proof(first, last)
        threading.Thread(target=self._proof, args=(proof,), daemon=True, name="collage-desk-proof").start()
        return proof

    def _proof(self, proof: Proof) -> None:
        from collage.render import prepare

        def progress(done: int, total: int) -> None:
            proof.done, proof.total = done, total

        try:
            with self._lock:
                jobs = prepare(self.folder, manifest_path=self.path, slides=(proof.first, proof.last),
                               sidecars=False)
            result = jobs[0].run(progress=progress)
        except CollageError as exc:
            proof.state = "failed"
            proof.message = "; ".join(p.message for p in exc.problems) if isinstance(exc, InputError) \
                else str(exc)
            return
        except Exception as exc:  # a bug: said in one line, never its data
            proof.state, proof.message = "failed", f"internal error ({type(exc).__name__}); this is a bug in collage"
            return
        self.files[result.output.name] = result.output
        proof.output, proof.seconds = result.output, time.monotonic() - proof.started
        proof.state = "done"


def _written(value: Any) -> str:
    """A sequence item's value as the form shows it."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _jpeg(picture: Any) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)  # Pillow writes no metadata here
    return out.getvalue()
