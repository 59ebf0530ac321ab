"""The gate: everything that can be known about a folder and its plan without rendering it, as
problems (`collage check`), and what `render` passes before it encodes a single frame. It validates
and reports; it plans nothing (`pipeline.timeline` does)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from collage import manifest as manifest_mod
from collage import pipeline
from collage.audio import loudness as audio
from collage.draw import text
from collage.draw.compose import caption_blocks
from collage.errors import CollageError, InputError, Problem, RenderError
from collage.media import photos, remembered
from collage.model.project import Message, Project
from collage.model.theme import Weight
from collage.model.timeline import Cell, Timeline
from collage.outputs import names, targets
from collage.outputs.targets import is_cache
from collage.plan.layout import SIGN_MIN, shown_height
from collage.store import FileFacts, make_private_folder

if TYPE_CHECKING:
    from collage.media.photos import PhotoInfo


@dataclass(frozen=True)
class Report:
    problems: tuple[Problem, ...]
    project: Project | None = None
    timeline: Timeline | None = None
    renditions: tuple[tuple[str, Timeline], ...] = ()  # each rendition's plan, by name
    described: Timeline | None = None  # the described version's plan (`video.described`)

    def said(self) -> list[tuple[int, str, str, float, float]]:
        """What the described version says over each slide: (slide, key, words, start s, seconds). The
        words are those the voice is given, made only of what the video shows."""
        if self.project is None or self.described is None:
            return []
        from collage.speech import script

        project, planned = self.project, self.described
        words = {line.key: line.text for line in script.lines(project)}
        return [(p.slide, p.key, words.get(p.key, ""), p.start / planned.fps, p.frames / planned.fps)
                for p in planned.narration]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def consent(self) -> list[tuple[str, str]]:
        """For each message on screen, by id, what of its contributor is shown: for the organiser to
        confirm before the video ships."""
        if self.project is None or self.timeline is None:
            return []
        on_screen = {c.message for s in self.timeline.slides for c in s.cells}
        rows = []
        for m in self.project.messages:
            if m.id not in on_screen:
                continue
            mask = self.timeline.masks.get(m.id)
            faces, boxes = (mask.face_count, len(mask.boxes)) if mask else (0, 0)
            if m.consent == "masked":
                what = f"masked: {_count(faces, 'face')} + {_count(boxes, 'box')} covered"
            else:
                what = m.consent + (f", {_count(boxes, 'box')} covered" if boxes else "")
            withheld = [f for f in m.hidden if m.consent == "named" or f != "name"]
            rows.append((m.id, what + (f"; hides {', '.join(withheld)}" if withheld else "")))
        return rows


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'es' if noun.endswith('x') and n != 1 else 's' if n != 1 else ''}"


def measured_music(cache_dir: Path | None) -> FileFacts | None:
    """Each whole music file's integrated loudness, remembered by file state in the cache folder, so
    that a second `check`, storyboard or render does not decode a long track again."""
    if cache_dir is None or not is_cache(cache_dir):
        return None
    try:
        make_private_folder(cache_dir)
    except OSError:
        return None
    return FileFacts(cache_dir / "music.json", lambda path: repr(audio.measure(path).integrated))


def verified_photos(cache_dir: Path | None) -> FileFacts:
    """Which photos decode whole, remembered by file state (in the cache folder, when there is one),
    so that a second `check` or `render` of unchanged photos decodes nothing."""

    def decode(path: Path) -> str:
        photos.verify(path)
        return "ok"

    store = None
    if cache_dir is not None and is_cache(cache_dir):
        try:
            make_private_folder(cache_dir)
            store = cache_dir / "verified.json"
        except OSError:
            store = None  # a cache folder that cannot be made only costs time
    return FileFacts(store, decode)


def _decode_all(project: Project, ids: list[str], verified: FileFacts) -> dict[str, Exception]:
    """Decode the photos of `ids` on a few threads (Pillow decodes outside the interpreter lock);
    the problems found, by message id."""
    from concurrent.futures import ThreadPoolExecutor

    def one(message_id: str) -> Exception | None:
        try:
            verified(project.folder / project.message(message_id).photo)
        except (photos.PhotoError, OSError) as exc:
            return exc
        return None

    with ThreadPoolExecutor(max(1, min(4, len(ids))), thread_name_prefix="collage-check") as pool:
        found = dict(zip(ids, pool.map(one, ids), strict=True))
    verified.save()
    return {k: v for k, v in found.items() if v is not None}


def media_problems(project: Project, timeline: Timeline, verified: FileFacts | None,
                   music: FileFacts | None = None) -> list[Problem]:
    """Photos readable (decoded whole, remembered in `verified`; with None, their headers only: see
    `render.prepare`), text drawable, music decodable (untrimmed tracks' loudness remembered in
    `music`): each problem names the file, line and field."""
    shown = _shown(project)
    problems: list[Problem] = []
    if not any(s.cells for s in timeline.slides):
        problems.append(Problem(shown, "the sequence shows no approved message: there is nothing to show",
                                field="sequence", hint="add a `grid` with `messages: all`, or a `photo:` item"))
    cells = _cells_by_message(timeline)
    shown_ids = [m.id for m in project.messages if m.id in cells]
    damaged = _decode_all(project, shown_ids, verified) if verified is not None else {}
    unreadable: set[str] = set()
    for m in project.messages:
        if m.id not in cells:
            continue
        try:
            photos.probe(project.folder / m.photo)
            if m.id in damaged:
                raise damaged[m.id]
        except (photos.PhotoError, OSError) as exc:
            problems.append(photos.problem(m.photo, m.id, shown, m.line, exc, m.field("photo")))
            unreadable.add(m.id)
            continue
        for part, value in _on_screen(project, m):
            if value:
                problems.extend(_text_problems(value, shown, m.line, m.field(part), project.theme.fonts))
        if not m.hidden and all(cell.caption is None for cell, _ in cells[m.id]):  # as `init` left it
            problems.append(Problem(shown, f"message '{m.id}' has nothing to caption it: it is shown without "
                                    "a name, profession or location", line=m.line, field=m.field(),
                                    hint="fill in what the contributor sent", severity="warning"))
    problems.extend(layout_problems(project, timeline, unreadable))
    problems.extend(_text_problems(project.title, shown, None, "title", project.theme.fonts))  # also the metadata
    for slide in timeline.slides:
        for part in ("title", "subtitle", "body"):
            value = getattr(slide, part)
            if value:
                problems.extend(_text_problems(value, shown, slide.line, f"sequence.{part}", project.theme.fonts))
    for track in project.music.tracks:
        if music is not None and track.start == 0 and track.end is None:
            try:  # a whole file measured before, unchanged since: not decoded again (a long track takes seconds)
                problems.extend(audio.level_problems(track, float(music(project.folder / track.file)), shown))
                continue
            except (ValueError, OSError, subprocess.TimeoutExpired):
                pass  # cannot be read: measured again below, which names the problem
        problems.extend(audio.check_track(project.folder, track, shown))
    if music is not None:
        music.save()
    return problems


def layout_problems(project: Project, timeline: Timeline, skip: set[str] | None = None) -> list[Problem]:
    """What depends only on where things are laid out: photos enlarged past sharpness, captions cut
    short (not for the messages in `skip`, whose photos cannot be read). Part of `media_problems`; a
    rendition, whose media are checked on the main video, gets only these."""
    shown = _shown(project)
    cells = _cells_by_message(timeline)
    problems: list[Problem] = []
    for m in project.messages:
        if m.id not in cells or m.id in (skip or ()):
            continue
        try:
            info = photos.probe(project.folder / m.photo)
        except (photos.PhotoError, OSError):
            continue  # reported by the media checks
        problems += _size_problems(m, info, cells[m.id], shown, project.theme.max_upscale)
        if all(not _text_problems(v, shown, m.line, "", project.theme.fonts) for _, v in _on_screen(project, m) if v):
            problems += _caption_problems(m, cells[m.id], timeline.height, shown,
                                          project.theme.caption_weight, project.theme.fonts,
                                          project.theme.caption_name_weight)
    return problems


def _cells_by_message(timeline: Timeline) -> dict[str, list[tuple[Cell, bool]]]:
    """Where each message is shown, and whether full-screen."""
    cells: dict[str, list[tuple[Cell, bool]]] = {}
    for s in timeline.slides:
        for c in s.cells:
            cells.setdefault(c.message, []).append((c, s.kind == "photo"))
    return cells


def _on_screen(project: Project, m: Message) -> list[tuple[str, str | None]]:
    """The texts of a message that may be drawn, by field: its caption's parts, and its translation
    when translations are shown."""
    return [("name", m.name), ("profession", m.profession), ("location", m.location),
            ("message", m.text if "{message}" in project.caption_template else None),
            ("translation", m.translation if project.show_translations else None)]


def _size_problems(m: Message, info: PhotoInfo, cells: list[tuple[Cell, bool]], shown: str,
                   max_upscale: float) -> list[Problem]:
    """A photo much smaller than the box it fills looks soft; it is enlarged at most `max_upscale`."""
    line, field = m.line, m.field("photo")
    cell = max((c for c, _ in cells), key=lambda c: c.box.w * c.box.h)
    need = min(cell.box.w / info.width, cell.box.h / info.height)
    if need <= 1.5:
        return []
    box = f"{cell.box.w}x{cell.box.h}"
    size = f"photo '{m.photo}' of message '{m.id}' is {info.width}x{info.height} px for a {box} box"
    hint = "ask for the original photo if there is a larger one"
    if need <= max_upscale:
        return [Problem(shown, f"{size}: enlarged {need:.1f}x, it will look soft", line=line, field=field,
                        hint=hint, severity="warning")]
    # Never blown up past max_upscale: the photo stays small in the middle of its box.
    w, h = round(info.width * max_upscale), round(info.height * max_upscale)
    share = w * h / (cell.box.w * cell.box.h)
    return [Problem(shown, f"{size}: shown at most {max_upscale:g}x ({w}x{h} px), it fills only {share:.0%} of its "
                    "box", line=line, field=field, hint=hint + ", or show it in a grid, where its box is smaller",
                    severity="warning")]


def _caption_problems(m: Message, cells: list[tuple[Cell, bool]], height: int, shown: str,
                      weight: Weight, fonts: text.Fonts,
                      name_weight: Weight = "bold") -> list[Problem]:
    for cell, _ in cells:
        if cell.caption and any(b.truncated for b in caption_blocks(cell, height, weight, fonts, name_weight)):
            return [Problem(shown, f"the caption of message '{m.id}' is too long for its box and is cut "
                            "short with '…'", line=m.line, field=m.field(),
                            hint="shorten the name, profession, location or translation, or use a grid with "
                            "fewer columns",
                            severity="warning")]
    return []


def _text_problems(value: str, shown: str, line: int | None, field: str, fonts: text.Fonts = ()) -> list[Problem]:
    out: list[Problem] = []  # (emails in shown text are refused by the manifest's validation)
    try:
        missing = text.missing_characters(value, fonts)
    except RenderError as exc:  # a font of the manifest's changed since it was loaded
        return [Problem(shown, str(exc), line=line, field=field)]
    if missing:
        chars = " ".join(f"'{c}' (U+{ord(c):04X})" for c in missing)
        which = "neither the bundled fonts nor style.fonts" if fonts else "no bundled font"
        out.append(Problem(shown, f"{which} can draw {chars}", line=line,
                           field=field, hint="replace the characters, or add a font that covers them to "
                           "style.fonts (e.g. `style: {fonts: [fonts/NotoSansMongolian-Regular.ttf]}`)"))
    try:
        text.require_shaping(value)
    except RenderError as exc:
        out.append(Problem(shown, str(exc), line=line, field=field))
    return out


def _shown(project: Project) -> str:
    return manifest_mod.display_path(project.manifest)


def run(folder: Path | str, manifest: Path | str | None = None, size: tuple[int, int] | None = None,
        fps: int | None = None, media: bool = True, cache_dir: Path | None = None) -> Report:
    """Validate without rendering. Never raises InputError: problems come back in the report. Photos
    found whole are remembered in `cache_dir` (default: the render's cache folder beside the output)."""
    try:
        project = manifest_mod.load(folder, manifest)
    except InputError as exc:
        return Report(exc.problems)
    store = targets.memo_folder(project, cache_dir)
    planned = pipeline.timeline(project, size, fps, store)
    problems = list(planned.warnings)
    if media:  # the main video's first: a rendition then reports only what is its own
        problems += media_problems(project, planned, verified_photos(store), measured_music(store))
    problems += output_problems(project)
    shapes: list[tuple[str | None, Timeline]] = [(None, planned)]
    for rendition in project.renditions:  # each shape has a layout of its own, and its own problems
        shaped = pipeline.timeline(project.shaped(rendition.name), None, fps, store)
        problems += own_problems(shaped.warnings, problems, rendition.name)
        if media:
            problems += own_problems(layout_problems(project, shaped), problems, rendition.name)
        shapes.append((rendition.name, shaped))
    described = None
    if project.described is not None:  # the described version: its own, longer plan, and what it says
        try:
            described = pipeline.timeline(project.describing(), size, fps, store)
        except CollageError as exc:
            problems.append(Problem(_shown(project), f"the described version cannot be made: {exc}",
                                    line=project.described.line, field="video.described"))
        else:
            problems += own_problems(described.warnings, problems, "described")
            problems += described_problems(project, described)
    if media and not any(p.severity == "error" for p in problems):
        found = remembered.found(store)
        for name, timeline in shapes:
            problems += own_problems(small_signs(project, timeline, found), problems, name)
        found.save()
    return Report(tuple(problems), project, planned, tuple((n, t) for n, t in shapes if n is not None), described)


def described_problems(project: Project, timeline: Timeline) -> list[Problem]:
    """The described version's: each title card and shown message its narration folder has no recording
    for (the voice says those instead)."""
    from collage.media import narration

    described = project.described
    if described is None or not described.audio:
        return []
    shown = {c.message for s in timeline.slides for c in s.cells}
    return [Problem(_shown(project), f"no recording of '{key}' in {described.audio}/: the voice says it instead",
                    line=described.line, field="video.described.audio",
                    hint=f"record it as {described.audio}/{key}.wav (any audio format)", severity="warning")
            for key in narration.missing(project, shown)]


def output_problems(project: Project) -> list[Problem]:
    """What `render` (and `render --preview`) would refuse to write, with the manifest's choices: the
    video and each rendition, their sidecars, and the cache beside them."""
    shown, cache = _shown(project), names.cache(project.output)
    videos = [project.shaped(r).output for r in (None, *(r.name for r in project.renditions))]
    videos.append(names.preview(project.output))
    if project.described is not None:  # NAME.described.mp4 (and each rendition's the manifest asks for)
        videos += [project.shaped(r).describing().output for r in (None, *project.described.renditions)]
    chosen = [t for v in videos for t in targets.video_targets(project, v, shown, sidecars=True, cache=cache)]
    return targets.problems(targets.owned(project), chosen)


def small_signs(project: Project, timeline: Timeline, found: remembered.Found) -> list[Problem]:
    """A warning for each message whose sign (as detected; the whole photo where none is found) is
    shown under SIGN_MIN of the frame height on a slide: the viewer came to read it."""
    out: list[Problem] = []
    for slide in timeline.slides:
        for cell in slide.cells:
            path = project.folder / cell.photo
            try:
                info = photos.probe(path)
                sign = found.sign(path)
            except (photos.PhotoError, OSError, ValueError):
                continue  # unreadable: reported by the media checks
            share = 1.0 if sign is None else sign[3] - sign[1]
            photo_h = shown_height(cell.box, info.width / info.height, cover=cell.crop is not None)
            on_screen = photo_h * share / timeline.height
            if on_screen < SIGN_MIN - 0.0005:
                message = project.message(cell.message)
                out.append(Problem(manifest_mod.display_path(project.manifest),
                                   f"the sign of message '{cell.message}' is {on_screen:.0%} of the frame's height on "
                                   f"slide {slide.index}, too small to read comfortably (aim for {SIGN_MIN:.0%})",
                                   line=message.line, field=message.field(),
                                   hint="let `grid: auto` choose (fewer photos a slide), show it with `- photo: "
                                   f"{cell.message}`, or crop the photo closer to the sign", severity="warning"))
    return out


def own_problems(found: tuple[Problem, ...] | list[Problem], known: list[Problem],
                 rendition: str | None) -> list[Problem]:
    """The problems of a rendition that the main video does not share (those of its own layout), said
    to be about it."""
    return [p if rendition is None else replace(p, message=f"in the {rendition} rendition: {p.message}")
            for p in found if p not in known]
