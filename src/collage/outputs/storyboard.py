"""`collage storyboard`: a review page for organisers, made without encoding any video.

    manifest.load -> pipeline.timeline -> check.media_problems -> draw.compose.Artist -> DIR/
      storyboard.html     every slide in order: its picture at its midpoint, kind, start-end, its
                          captions and titles as text, the warnings that concern it; a summary on top;
                          the approved messages left out, by id only
                          (those not approved, only counted)
      slides/NNN.jpg      the pictures, drawn by the code that draws the video (masks and all)
      contact-sheet.png   every slide's picture on one sheet, each numbered as on the page
      fonts/NN.woff       the faces that draw the page's text in the video, subset to its characters,
                          declared in fonts/fonts.css (with the fonts' licence, OFL.txt): every script
                          shows on any machine
      covers/NNN.jpg      each photo with something covered, covered as in the video, each cover
                          outlined (a face found, a `mask` box): for the organiser to confirm
      .collage-storyboard the marker: collage replaces only a folder that holds it

The page is one static file with its pictures and fonts beside it: no script, nothing fetched from
anywhere else (a Content-Security-Policy allows only images, fonts and a style sheet from its folder), so
it opens offline and can be mailed as a folder; its names read in every script, even where the machine
has no font for them (the browser takes the page's own fonts first, in the video's fallback order, then
its own). Every text in it is escaped. Only what the video shows is on it: approved messages, with what their
contributors agreed to show; no email exists past the manifest loader.
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw

from collage import check, manifest, pipeline
from collage.draw import text, webfonts
from collage.draw.compose import Artist, contact_sheet, covered
from collage.errors import InputError, Problem
from collage.media import photos
from collage.model.project import Project
from collage.model.timeline import Slide, Timeline
from collage.outputs import files, names, targets
from collage.resources import fonts_dir

PICTURE_WIDTH = 960  # each slide's picture: half of 1080p, laid out at the video's size and drawn scaled


@dataclass(frozen=True)
class Board:
    page: Path
    sheet: Path
    slides: int
    warnings: int


def storyboard(folder: Path | str, out_dir: Path | str | None = None, *,
               manifest_path: Path | str | None = None, rendition: str | None = None) -> Board:
    """Write the review page and contact sheet into `out_dir` (default: `storyboard/` beside the
    video's output; `storyboard.<rendition>/` for a rendition), replacing an earlier storyboard there
    only once the new one is complete."""
    import numpy as np

    project = manifest.load(folder, manifest_path, rendition)
    cache = targets.memo_folder(project)
    timeline = pipeline.timeline(project, memo=cache)
    problems = list(timeline.warnings)
    problems += check.media_problems(project, timeline, check.verified_photos(cache), check.measured_music(cache))
    target = Path(out_dir).absolute() if out_dir is not None else names.storyboard(project.output, rendition)
    given = out_dir is not None
    chosen = targets.Target(target, "-o" if given else "video.output", "folder",
                            file=None if given else manifest.display_path(project.manifest),
                            line=None if given else project.output_line)
    refused = targets.problems(targets.owned(project), [chosen])
    if refused:
        raise InputError(refused)
    size = (PICTURE_WIDTH, max(2, round(PICTURE_WIDTH * timeline.height / timeline.width)))
    design = (timeline.width, timeline.height)
    artist = Artist(project.folder, size, project.theme, project.manifest.name, design=design)
    with files.folder_aside(target) as work:
        (work / "slides").mkdir()

        def draw(slide: Slide) -> Image.Image:
            middle = slide.start + slide.frames // 2
            picture = artist.draw(slide, slide.progress(middle))
            picture.save(work / "slides" / f"{slide.index:03d}.jpg", quality=88)  # Pillow writes no EXIF here
            return picture.resize((480, round(480 * picture.height / picture.width)), Image.Resampling.BOX)

        title, body = _body(project, timeline, problems, _covered_ids(project, timeline))
        # On threads: decoding and resampling happen outside the interpreter lock (as in the render), and
        # the page's fonts are cut meanwhile (fontTools: a second or two for a CJK face).
        with ThreadPoolExecutor(max(2, min(len(timeline.slides), _cores()))) as pool:
            fonts = pool.submit(webfonts.page_fonts, [title, _text_of(body)], project.theme.fonts)
            pictures = list(pool.map(draw, timeline.slides))
            page_fonts = fonts.result()
        sheet = contact_sheet([np.asarray(p) for p in pictures], columns=4, width=480,
                              labels=[str(s.index) for s in timeline.slides])
        sheet.save(work / "contact-sheet.png")
        _draw_covers(project, timeline, work)
        _write_fonts(page_fonts, work)
        (work / "storyboard.html").write_text(_page(title, body, page_fonts), encoding="utf-8")
        # The marker: collage replaces (or empties) only a folder that holds it.
        (work / names.STORYBOARD_MARK).write_text(f"{targets.MARK}: this folder is replaced whole by the next "
                                                  "`collage storyboard`\n", encoding="utf-8")
    return Board(target / "storyboard.html", target / "contact-sheet.png", len(timeline.slides),
                 sum(p.severity == "warning" for p in problems))


COVER_SIDE = 640  # each covered photo's picture: its long side
FACE_OUTLINE = (255, 214, 0)  # a face collage found, covered
BOX_OUTLINE = (0, 190, 255)  # a `mask` box of the manifest's, covered


def _covered_ids(project: Project, timeline: Timeline) -> list[str]:
    """The messages on screen with something covered, in manifest order (covers/NNN.jpg are theirs)."""
    shown = {m for s in timeline.slides for m in s.messages}
    return [m.id for m in project.messages if m.id in timeline.masks and m.id in shown]


def _draw_covers(project: Project, timeline: Timeline, work: Path) -> None:
    """Each photo on screen with something covered (a masked contributor's faces, `mask` boxes), as the
    video draws it (the covers painted on the decoded photo), with every cover outlined: for the
    organiser to confirm that every face is covered. Written as covers/NNN.jpg."""
    ids = _covered_ids(project, timeline)
    if ids:
        (work / "covers").mkdir()
    for k, ident in enumerate(ids):
        mask = timeline.masks[ident]
        photo = photos.load(project.folder / project.message(ident).photo, (COVER_SIDE, COVER_SIDE),
                            project.theme.background)
        picture = covered(photo, mask.areas)
        draw, (w, h) = ImageDraw.Draw(picture), picture.size
        for colour, areas in ((FACE_OUTLINE, mask.faces), (BOX_OUTLINE, mask.boxes)):
            for x0, y0, x1, y1 in areas:
                draw.rectangle((math.floor(x0 * w), math.floor(y0 * h), math.ceil(x1 * w) - 1, math.ceil(y1 * h) - 1),
                               outline=colour, width=3)
        picture.save(work / "covers" / f"{k:03d}.jpg", quality=88)


_MESSAGE_FIELD = re.compile(r"^messages\[([^\]]+)\]")


def _concerns(problem: Problem, slide: Slide) -> bool:
    """Whether a problem is about this slide: it names a message the slide shows, or its line is the
    slide's sequence item."""
    found = _MESSAGE_FIELD.match(problem.field or "")
    if found:
        return found.group(1) in slide.messages
    return problem.line is not None and problem.line == slide.line and (problem.field or "").startswith("sequence")


def _body(project: Project, timeline: Timeline, problems: list[Problem], covers: list[str]) -> tuple[str, str]:
    """The page's title and body."""
    e = html.escape
    # A page travels (mailed to organisers): its problems name files inside the folder only, never where
    # the folder lives on the editor's disk.
    problems = [replace(p, file=_inside(project, p.file), message=_unnamed(project, p.message), hint=_unnamed(
        project, p.hint)) for p in problems]
    placed: set[int] = set()
    rows = []
    for slide in timeline.slides:
        mine = [k for k, p in enumerate(problems) if _concerns(p, slide)]
        placed.update(mine)
        rows.append(_section(slide, [problems[k] for k in mine], timeline.fps))
    general = "".join(f'<li class="{e(p.severity)}">{e(str(p))}</li>'
                      for k, p in enumerate(problems) if k not in placed)
    title = f"Storyboard · {project.title}"
    body = f"""<h1{_lang(project.title)}>{e(project.title)}</h1>
<p class="summary" id="summary">{e(_summary(timeline, problems))}</p>
{f'<ul class="general">{general}</ul>' if general else ""}
{_left_out(project, timeline)}
{"".join(rows)}
{_covers_section(project, timeline, covers)}
"""
    return title, body


def _page(title: str, body: str, fonts: webfonts.PageFonts) -> str:
    """The page: the body with its fonts (beside it, in fonts/) and a policy that allows nothing else."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; font-src 'self'; \
style-src 'self' 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
{'<link rel="stylesheet" href="fonts/fonts.css">' if fonts.fonts else ""}
<style>{_style(fonts)}</style></head>
<body>
{body}</body></html>
"""


def _text_of(body: str) -> str:
    """The text a browser shows of `body` (its tags gone, its characters unescaped), line by line."""
    return html.unescape(re.sub(r"<[^>]*>", "\n", body))


def _write_fonts(fonts: webfonts.PageFonts, work: Path) -> None:
    """The faces that set the page's text, subset to it, in `work/fonts/` with the bundled fonts' licence."""
    if fonts.fonts:
        (work / "fonts").mkdir()
        shutil.copyfile(fonts_dir() / "OFL.txt", work / "fonts" / "OFL.txt")
        (work / "fonts" / "fonts.css").write_text(fonts.css(), encoding="utf-8")
    for font in fonts.fonts:
        (work / font.file).write_bytes(font.data)


def _lang(value: str) -> str:
    """Traditional Chinese is marked so that the page sets it in its own glyph forms, as the video does."""
    return ' lang="zh-Hant"' if text.is_traditional(value) else ""


def _families(names: tuple[str, ...], *after: str) -> str:
    return ", ".join([*(f'"{n}"' for n in names), *after])


def _style(fonts: webfonts.PageFonts) -> str:
    return f"""
body {{ font: 15px/1.45 {_families(fonts.families, "system-ui", "sans-serif")};
       margin: 24px; color: #1b1d22; background: #f6f6f4; }}
:lang(zh-Hant) {{ font-family: {_families(fonts.traditional, "system-ui", "sans-serif")}; }}
""" + _STYLE


_STYLE = """
h1 { font-size: 22px; margin: 0 0 4px; }
.summary { margin: 0 0 16px; color: #444; }
.slide { display: flex; gap: 16px; align-items: flex-start; background: #fff; border: 1px solid #ddd;
         border-radius: 6px; padding: 12px; margin: 0 0 12px; }
.slide img { width: 480px; height: auto; flex: none; border-radius: 3px; background: #000; }
.slide h2 { font-size: 16px; margin: 0 0 6px; }
.ids { color: #555; margin: 0 0 6px; }
.text { margin: 0 0 4px; white-space: pre-line; unicode-bidi: plaintext; }
li.warning { color: #8a5a00; } li.error { color: #a11; font-weight: 600; }
.covers figure { display: inline-block; margin: 0 12px 12px 0; } .covers img { width: 320px; height: auto; }
.covers .face { color: #8a6d00; } .covers .box { color: #00769e; }
"""


def _section(slide: Slide, notes: list[Problem], fps: int) -> str:
    """One slide: its picture, number, kind and times, its message ids, its texts, its problems."""
    e = html.escape
    texts = [t for t in (slide.title, slide.subtitle, slide.body) if t]
    texts += [c.caption for c in slide.cells if c.caption]
    ids = ", ".join(slide.messages)
    listed = "".join(f'<li class="{e(p.severity)}">{e(str(p))}</li>' for p in notes)
    return (f'<section class="slide" id="slide-{slide.index}" data-index="{slide.index}" data-kind="{slide.kind}" '
            f'data-start="{slide.start / fps:.3f}" data-end="{slide.end / fps:.3f}">'
            f'<img src="slides/{slide.index:03d}.jpg" alt="slide {slide.index}" width="{PICTURE_WIDTH // 2}">'
            f'<div><h2>{slide.index} · {e(slide.kind)} · {_clock(slide.start / fps)}–{_clock(slide.end / fps)}</h2>'
            + (f'<p class="ids">{e(ids)}</p>' if ids else "")
            + "".join(f'<p class="text"{_lang(t)}>{e(t)}</p>' for t in texts)
            + (f"<ul>{listed}</ul>" if listed else "")
            + "</div></section>")


def _covers_section(project: Project, timeline: Timeline, covers: list[str]) -> str:
    if not covers:
        return ""
    e = html.escape
    figures = []
    for k, ident in enumerate(covers):
        mask = timeline.masks[ident]
        what = (f"{project.message(ident).consent} · {mask.face_count} face{'s' if mask.face_count != 1 else ''} + "
                f"{len(mask.boxes)} box{'es' if len(mask.boxes) != 1 else ''} covered")
        figures.append(f'<figure><img src="covers/{k:03d}.jpg" alt="covers of {e(ident)}">'
                       f'<figcaption>{e(ident)} · {e(what)}</figcaption></figure>')
    return ('<section class="covers" id="covers"><h2>Covered faces: confirm each one</h2>'
            '<p>Each photo with something covered, as the video shows it. Outlined: '
            '<span class="face">a face collage found</span>, <span class="box">a <code>mask</code> box</span>. '
            'A face with no grey cover on it is shown in the video: give it a <code>mask</code> box.</p>'
            + "".join(figures) + "</section>")


def _summary(timeline: Timeline, problems: list[Problem]) -> str:
    shown = {m for s in timeline.slides for m in s.messages}
    warnings = sum(p.severity == "warning" for p in problems)
    errors = sum(p.severity == "error" for p in problems)
    return (f"{_clock(timeline.duration)} · {len(timeline.slides)} slides · {len(shown)} messages shown · "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
            + (f" · {errors} error{'s' if errors != 1 else ''}: not renderable" if errors else ""))


def _left_out(project: Project, timeline: Timeline) -> str:
    """Approved messages the sequence leaves out, by id; messages not approved only counted: their ids
    are not the organisers' to circulate with the page."""
    e = html.escape
    shown = {m for s in timeline.slides for m in s.messages}
    left_out = [m.id for m in project.messages if m.id not in shown]
    pending = len(project.unapproved)
    out = (f'<p class="left-out">Approved but left out ({len(left_out)}): {e(", ".join(left_out))}</p>'
           if left_out else "")
    return out + (f'<p class="pending">{pending} message{"s" if pending != 1 else ""} not approved (not shown).</p>'
                  if pending else "")


def _unnamed(project: Project, text: str) -> str:
    """A warning's text without the ids of messages not approved (the page only counts those)."""
    for ident in project.unapproved:
        text = text.replace(f"'{ident}'", "(a message not approved)")
    return text


def _inside(project: Project, file: str) -> str:
    path = Path(file)
    if not path.is_absolute():
        path = Path.cwd() / path
    try:
        return path.resolve().relative_to(project.folder.resolve()).as_posix()
    except (ValueError, OSError):
        return path.name


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:05.2f}"
