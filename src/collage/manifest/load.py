"""Reading `collage.yaml` (bounded, UTF-8, a regular file) and validating it section by section into a
frozen `Project`: every problem is collected and reported at once."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from collage.errors import InputError, Problem
from collage.manifest import described as described_section
from collage.manifest import messages as messages_section
from collage.manifest import music as music_section
from collage.manifest import sequence as sequence_section
from collage.manifest import style as style_section
from collage.manifest import timing as timing_section
from collage.manifest import video as video_section
from collage.manifest import yamlpos
from collage.manifest.leaks import leaks
from collage.manifest.models import TOP_KEYS, VideoIn
from collage.manifest.report import Reporter, did_you_mean, display_path, kind_of, short, unusable_path
from collage.model.project import Described, GridItem, Message, Music, Project, SequenceItem, TitleItem
from collage.model.theme import Theme
from collage.privacy import looks_like_email

MANIFEST_NAME = "collage.yaml"
# Scalars that are text even when YAML would read them as something else (`location: NO`).
_TEXT_KEYS = frozenset(
    {"id", "photo", "name", "profession", "location", "message", "translation", "title", "subtitle", "body", "email",
     "tags", "messages", "file", "output", "grid", "caption", "theme", "background_image", "language", "voice",
     "audio", "template"}
)


def find_manifest(folder: Path, manifest: Path | None = None) -> Path:
    return manifest if manifest is not None else folder / MANIFEST_NAME


def load(folder: Path | str, manifest: Path | str | None = None, rendition: str | None = None) -> Project:
    """Read and validate the manifest; raise InputError listing every problem found. With `rendition`,
    the project as that shape of `video.renditions` is made (`Project.shaped`)."""
    project = _load(folder, manifest)
    if rendition is None:
        return project
    wanted = rendition.strip().lower()
    for r in project.renditions:  # by name, in any case, or by its size (`1080x1920` is `vertical`)
        if r.name == wanted or (wanted != r.name and _size_or_none(wanted) == r.size):
            return project.shaped(r.name)
    names = ", ".join(r.name for r in project.renditions)
    raise InputError([Problem(
        f"--rendition {rendition}", f"not one of the shapes {display_path(project.manifest)} lists in "
        f"video.renditions ({names})" if names else f"{display_path(project.manifest)} lists no video.renditions",
        hint="add it there, e.g. `renditions: [vertical, square]` under `video:`" + (
            f", or give one of: {names}" if names else ""))])


def _size_or_none(text: str) -> tuple[int, int] | None:
    try:
        return video_section.parse_size(text)
    except ValueError:
        return None


def _load(folder: Path | str, manifest: Path | str | None = None) -> Project:
    folder = Path(folder)
    manifest_path = find_manifest(folder, None if manifest is None else Path(manifest))
    shown = display_path(manifest_path)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "no such folder", hint="give the folder that holds collage.yaml")])
    try:
        st = manifest_path.stat()
        size = st.st_size
        if not stat.S_ISREG(st.st_mode):  # a folder, a pipe or a device: never read without end
            raise InputError([Problem(shown, "not a regular file", hint="give the path of a manifest file")])
        if size > yamlpos.MAX_BYTES:  # refused before it is read: a manifest is text a person writes
            raise InputError([Problem(shown, f"the manifest is {size >> 20} MB; collage reads manifests up to "
                                      f"{yamlpos.MAX_BYTES >> 20} MB", line=1,
                                      hint="split the project, or remove what it does not use")])
        with manifest_path.open("rb") as f:
            text = f.read(yamlpos.MAX_BYTES + 1).decode("utf-8")  # bounded even if it grows meanwhile
    except FileNotFoundError:
        raise InputError([Problem(shown, "no manifest here", hint="run `collage init FOLDER` to write one")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(shown, "not UTF-8 text", hint="save the manifest as UTF-8")]) from None
    except OSError as exc:
        raise InputError([Problem(shown, f"cannot read the manifest: {exc.strerror or 'not a readable file'}",
                                  hint="give the path of a manifest file")]) from None
    return _validate(Reporter(folder, manifest_path, shown), text)


def load_text(folder: Path, manifest: Path, text: str) -> Project:
    """Validate `text` as if it were the manifest at `manifest` (for an edit, before it is written)."""
    return _validate(Reporter(folder, manifest, display_path(manifest)), text)


def _validate(r: Reporter, text: str) -> Project:
    """One pass over the whole manifest, section by section; raise InputError if any error was found."""
    data = _document(r, text)
    title = _title(r, data)
    video = r.model(VideoIn, data.get("video") or {}, ("video",)) or VideoIn()
    size = video_section.size(r, video)
    renditions = video_section.renditions(r, video, size)
    described = described_section.described(r, video.described, renditions)
    if video.poster is not None and video.poster < 0:
        r.error(("video", "poster"), "the poster is a slide's number, from 0", "`collage plan` lists them")
    if not 1 <= video.fps <= 120:
        r.error(("video", "fps"), f"{short(video.fps)} fps is out of range", "use 1 to 120, e.g. 25 or 30")
    timing = timing_section.timing(r, data.get("timing"))
    music = music_section.music(r, data.get("music"))
    theme, caption_template, show_translations = style_section.style(r, data.get("style"))
    if (timing.fit == "music" or timing.beats) and not music.tracks:
        r.error(("timing", "fit" if timing.fit == "music" else "beats"), "needs music to follow",
                "add tracks under `music:`", key_line=True)
    consent = messages_section.default_consent(r, data.get("privacy"))
    messages, unapproved = messages_section.messages(r, data.get("messages"), consent)
    style_section.joined(r, caption_template, messages)
    sequence = _sequence(r, data, title, messages, unapproved)
    output = video_section.output(r, video.output)
    _nothing_to_show(r, data, messages)
    if title is None and looks_like_email(_folder_title(r.folder)):
        r.error(("title",), "the folder's name looks like an email address and would be the title",
                "give a `title:`")
    if r.failed:
        raise InputError(r.concealed())
    return Project(
        folder=r.folder.absolute(),  # tasks name files by absolute path: a worker's cwd is not ours
        manifest=r.manifest,
        title=title or _folder_title(r.folder),
        size=size,
        fps=video.fps,
        output=output,
        timing=timing,
        music=music,
        sequence=sequence,
        messages=tuple(messages),
        unapproved=frozenset(unapproved),
        sequence_given=data.get("sequence") is not None,
        warnings=tuple(r.concealed()),
        fit=video.fit,
        theme=theme,
        caption_template=caption_template,
        poster=video.poster,
        renditions=renditions,
        show_translations=show_translations,
        sources=frozenset(_sources(r.folder, data, music, theme) + _narration_sources(r.folder, described)),
        output_line=r.pos.key.get(("video", "output")),
        described=described,
    )


def _document(r: Reporter, text: str) -> dict[Any, Any]:
    """The YAML as a mapping (its lines in `r.pos`), looked through for leaks and unknown keys."""
    try:
        data, r.pos = yamlpos.load(text, _TEXT_KEYS)
    except yamlpos.YamlSyntaxError as exc:
        raise InputError([Problem(r.shown, str(exc), line=exc.line, column=exc.column,
                                  hint=exc.hint)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError([Problem(r.shown, f"the manifest must be a mapping of keys, not {kind_of(data)}",
                                  line=1)])
    leaks(r, data, _folder_title(r.folder) if not _given(data.get("title")) else None)
    for key in data:
        if key not in TOP_KEYS:
            r.error((key,), f"unknown key '{short(key)}'", did_you_mean(key, TOP_KEYS), key_line=True)
    return data


def _title(r: Reporter, data: dict[Any, Any]) -> str | None:
    """The title as written; None where it is missing or blank (the folder's name is shown instead)."""
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        r.error(("title",), f"expected text, got {kind_of(title)}")
        return None
    if title is not None and len(title) > 300:
        r.error(("title",), "longer than 300 characters", "a title is a line or two", key_line=True)
        return None
    return title if _given(title) else None


def _given(title: Any) -> bool:
    """A title that shows something: `title: ""` (or blank) shows the folder's name, as no title does."""
    return isinstance(title, str) and bool(title.strip())


def _sequence(r: Reporter, data: dict[Any, Any], title: str | None, messages: list[Message],
              unapproved: list[str]) -> tuple[SequenceItem, ...]:
    """The sequence as written, or the default one; and a warning for each approved message it leaves
    out, when every item of it could be read (an item in error may have been meant to show them)."""
    if data.get("sequence") is None:
        return (TitleItem(title or _folder_title(r.folder)), GridItem(None, "all"),
                TitleItem(*sequence_section.DEFAULT_CLOSING))
    before = sum(p.severity == "error" for p in r.problems)
    sequence = sequence_section.sequence(r, data.get("sequence"), messages, unapproved)
    if sum(p.severity == "error" for p in r.problems) == before:
        sequence_section.unplaced(r, sequence, messages)
    return sequence


def _nothing_to_show(r: Reporter, data: dict[Any, Any], messages: list[Message]) -> None:
    if messages or r.failed:
        return
    if data.get("messages"):
        r.error(("messages",), "no message is approved: there is nothing to show",
                "set `approved: true` on the messages to show", key_line=True)
        return
    # (`init` never replaces a manifest, so it is offered only where this one holds nothing else.)
    start = "; or delete this file, then `collage init FOLDER` writes them for the photos found" if not data else ""
    r.error(("messages",) if "messages" in data else (), "no messages: there is nothing to show",
            f"add the photo messages under `messages:`{start}")


def _sources(folder: Path, data: dict[str, Any], music: Music, theme: Theme) -> list[Path]:
    """Every file the manifest names, approved or not: no output may replace one (`outputs.targets`)."""
    found = [folder / item["photo"] for item in data.get("messages") or []
             if isinstance(item, dict) and isinstance(item.get("photo"), str) and not unusable_path(item["photo"])]
    found += [folder / t.file for t in music.tracks]
    style = data.get("style")
    name = style.get("theme") if isinstance(style, dict) else None
    if isinstance(name, str) and name.endswith((".yaml", ".yml")) and not unusable_path(name):
        found.append(folder / name)
    if theme.background_image:
        found.append(Path(theme.background_image))
    found += [Path(f) for f in theme.fonts]
    return found


def _narration_sources(folder: Path, described: Described | None) -> list[Path]:
    """The described version's voice model (and its settings) and recordings: the organiser's, only read."""
    if described is None:
        return []
    found = [folder / described.voice, folder / (described.voice + ".json")] if described.voice else []
    if described.audio:
        found += described_section.recordings(folder, described.audio).values()
    return found


def _folder_title(folder: Path) -> str:
    return folder.resolve().name.replace("-", " ").replace("_", " ").strip() or "Collage"
