"""The command line: a thin layer over the library. Only this module prints or exits.

Exit codes: 0 success, 1 invalid input (manifest or media), 2 usage error, 3 a render that failed for
another reason (the encoder), 70 a bug in collage (one line; `--debug` shows the traceback), 130
interrupted.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer._click import Context as TyperContext  # (typer carries its own click)
from typer.core import TyperArgument, TyperCommand

from collage.errors import CollageError, InputError, Problem, RenderError

# Locals may hold private data (contributors' emails): never show them in a traceback.
# Plain help (no rich): `collage --help` starts in half the time.
app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  pretty_exceptions_show_locals=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="Render a video collage of photo messages from a folder and its collage.yaml.")

EXIT_BUG = 70  # sysexits' EX_SOFTWARE


class _Command(TyperCommand):
    """Usage lines as people write them: `collage render [OPTIONS] FOLDER` (typer braces a required
    argument: `{FOLDER}`, which reads as a placeholder for a choice)."""

    def collect_usage_pieces(self, ctx: TyperContext) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        return pieces + [p.display_name_raw if p.required else f"[{p.display_name_raw}]"
                         for p in self.get_params(ctx) if isinstance(p, TyperArgument)]
_debug = False  # set by --debug: a bug shows its traceback


def _version(value: bool) -> None:
    if value:
        from collage.version import __version__

        typer.echo(f"collage {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="On an internal error, show the traceback.")] = False,
) -> None:
    """Render a video collage of photo messages from a folder and its collage.yaml."""
    global _debug
    _debug = debug

Folder = Annotated[Path, typer.Argument(help="The folder holding collage.yaml and the media.",
                                        show_default=False, metavar="FOLDER")]
ManifestOpt = Annotated[Path | None, typer.Option("--manifest", "-m",
                                                  help="Manifest file (default FOLDER/collage.yaml).")]
RenditionOpt = Annotated[str | None, typer.Option("--rendition", "-r", metavar="NAME", show_default=False,
                                                  help="One of the manifest's video.renditions (e.g. vertical) "
                                                       "instead of the main video.")]
DescribedOpt = Annotated[bool, typer.Option("--described", help="The described version (video.described: "
                                            "NAME.described.mp4, which says what each slide shows) instead of "
                                            "the video.")]


def _err(text: str) -> None:
    typer.echo(text, err=True)


def _report(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for p in sorted(problems, key=lambda p: (p.severity != "error", p.line or 0)):
        _err(("error: " if p.severity == "error" else "") + str(p))


def _fail(exc: CollageError) -> NoReturn:
    if isinstance(exc, InputError):
        _report(exc.problems)
        n = len(exc.errors)
        _err(f"{n} error{'s' if n != 1 else ''}; nothing was written")
        raise typer.Exit(1)
    _err(f"error: {exc}")
    raise typer.Exit(3 if isinstance(exc, RenderError) else 1)


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@app.command(cls=_Command)
def render(
    folder: Folder,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write the MP4.")] = None,
    preview: Annotated[bool, typer.Option("--preview", help="Small and fast (640x360, 15 fps), for CI; "
                                          "written as NAME.preview.mp4 unless -o is given.")] = False,
    manifest: ManifestOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, show_default=False,
                                             help="Segments encoded at once (default: the number of cores).")] = None,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", show_default=False,
                                                   help="Keep encoded segments here (default: collage-cache/ "
                                                        "beside the output). Safe to delete.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Encode every segment; keep nothing.")] = False,
    cluster: Annotated[str | None, typer.Option("--cluster", envvar="COLLAGE_CLUSTER", show_default=False,
                                                help="A Dask scheduler (tcp://HOST:PORT) whose workers see the folder "
                                                     "and the cache at the same paths: segments are encoded "
                                                     "there.")] = None,
    slides: Annotated[str | None, typer.Option("--slides", show_default=False, metavar="FIRST-LAST",
                                               help="Only these slides (as `collage plan` numbers them, e.g. 3-5), "
                                                    "with their transitions and music, for proofing; written as "
                                                    "NAME.slides-3-5.mp4 unless -o is given.")] = None,
    no_sidecars: Annotated[bool, typer.Option("--no-sidecars", help="Write only the MP4: no captions (VTT, "
                                              "SRT), transcript or poster beside it.")] = False,
    rendition: RenditionOpt = None,
    described: DescribedOpt = False,
) -> None:
    """Render the video, and each shape in `video.renditions` beside it (NAME.vertical.mp4, ...), and the
    described version if `video.described` asks for it (NAME.described.mp4). Segments unchanged since an
    earlier render are reused from the cache."""
    from collage.progress import ProgressReporter
    from collage.render import prepare

    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    options: dict[str, Any] = dict(manifest_path=manifest, output=output, jobs=jobs, cache_dir=cache_dir,
                                   cache=not no_cache, cluster=cluster, slides=_slide_range(slides),
                                   sidecars=not no_sidecars)
    written = 0
    try:
        todo = prepare(folder, preview=preview, rendition=rendition, described=described, **options)
        _report([p for job in todo for p in job.warnings])  # before the long part, so the editor can stop and fix
        stale = (0, 0)
        for job in todo:
            shape = job.project.rendition
            label = ("preview" if preview else "render") + (f" {shape}" if shape else "") + \
                (" described" if job.project.narrated else "")
            result = job.run(progress=None if quiet else ProgressReporter(label))
            _wrote(result)
            stale = result.stale  # (the same for every shape: each counts all shapes as in use)
            written += 1
        _stale_note(stale, folder, cache_dir)  # once a run, not once a shape
    except CollageError as exc:
        if written:
            _err(f"the first {written} of {len(todo)} videos were written")
        _fail(exc)
    except KeyboardInterrupt:
        _err("interrupted; " + (f"the first {written} of {len(todo)} videos were written" if written
                                else "no output was written"))
        raise typer.Exit(130) from None


def _wrote(result: Any) -> None:
    t = result.timeline
    typer.echo(f"wrote {result.output} ({result.size[0]}x{result.size[1]}, {t.fps} fps, {t.duration:.2f} s, "
               f"{_count(len(t.slides), 'slide')}) in {result.seconds:.1f} s")
    if result.sidecars:
        typer.echo("beside it: " + ", ".join(p.name for p in result.sidecars))
    if result.cache is not None:
        again = f" (and {result.repeated} repeating them)" if result.repeated else ""
        typer.echo(f"segments: {result.encoded} encoded{again}, {result.reused} from the cache in {result.cache}")


@app.command(cls=_Command)
def still(
    folder: Folder,
    slide: Annotated[int, typer.Option("--slide", "-s", min=0, help="The slide's number (as `collage plan` lists "
                                       "it).", show_default=False)],
    at: Annotated[float | None, typer.Option("--at", min=0, show_default=False,
                                             help="Seconds after the slide starts (default: its middle).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", show_default=False,
                                                help="The PNG to write (default: NAME.slide-N.png beside the "
                                                     "video).")] = None,
    manifest: ManifestOpt = None,
    rendition: RenditionOpt = None,
) -> None:
    """Write one frame of one slide as a PNG, drawn exactly as the video shows it (for proofing)."""
    from collage.outputs.still import still as write_still

    try:
        made = write_still(folder, slide, at, manifest_path=manifest, output=output, rendition=rendition)
    except CollageError as exc:
        _fail(exc)
    typer.echo(f"wrote {made.output} (slide {made.slide}, frame {made.frame}, {made.seconds:.2f} s into the video)")


@app.command(cls=_Command)
def storyboard(
    folder: Folder,
    output: Annotated[Path | None, typer.Option("--output", "-o", show_default=False,
                                                help="The folder to write (default: storyboard/ beside the "
                                                     "video).")] = None,
    manifest: ManifestOpt = None,
    rendition: RenditionOpt = None,
) -> None:
    """Write a review page (storyboard.html, works offline) and a contact sheet: every slide's picture at its
    middle, its times, captions and warnings; the messages left out by id only. Encodes no video."""
    from collage.outputs.storyboard import storyboard as write_board

    try:
        board = write_board(folder, output, manifest_path=manifest, rendition=rendition)
    except CollageError as exc:
        _fail(exc)
    typer.echo(f"wrote {board.page} ({_count(board.slides, 'slide')}, {board.warnings} warning(s)) and "
               f"{board.sheet.name}")


def _stale_note(stale: tuple[int, int], folder: Path, cache_dir: Path | None) -> None:
    if stale[0]:
        where = _quoted(folder) + (f" --cache-dir {_quoted(cache_dir)}" if cache_dir is not None else "")
        _err(f"note: the cache holds {stale[0]} encoded file(s) ({stale[1] / 1e6:.1f} MB) made from an older "
             "version of the manifest, which neither its render nor its preview uses now; they may show people "
             f"since withdrawn or masked: `collage cache prune {where}` deletes them")


def _slide_range(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    first, sep, last = text.strip().partition("-")
    try:
        a, b = int(first), int(last) if sep else int(first)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a slide or a range such as 3-5", param_hint="--slides") from None
    if a < 0 or b < a:
        raise typer.BadParameter(f"'{text}': give FIRST-LAST with FIRST <= LAST, from 0", param_hint="--slides")
    return a, b


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _quoted(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


cache_app = typer.Typer(no_args_is_help=True, help="The render cache (encoded segments kept between renders).")
app.add_typer(cache_app, name="cache")


@cache_app.command("prune", cls=_Command)
def cache_prune(
    folder: Folder,
    manifest: ManifestOpt = None,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", show_default=False,
                                                   help="The cache folder (default: collage-cache/ beside the "
                                                        "output).")] = None,
) -> None:
    """Delete every cached segment the manifest as it is now does not use (neither its render nor its
    preview): a withdrawn or newly masked contributor's pictures leave the disk."""
    from collage.video.prune import prune_cache

    try:
        pruned = prune_cache(folder, manifest_path=manifest, cache_dir=cache_dir)
    except CollageError as exc:
        _fail(exc)
    typer.echo(f"pruned {pruned.cache}: {pruned.files} unused file(s) deleted ({pruned.bytes / 1e6:.1f} MB)")
    if pruned.everything:
        _err("note: the manifest has errors (`collage check` lists them), so nothing in the cache could be shown "
             "to be in use: everything was deleted")


@app.command(cls=_Command)
def check(folder: Folder, manifest: ManifestOpt = None) -> None:
    """Validate the manifest and media without rendering; exit 0 when renderable, 1 when not."""
    from collage.check import run

    try:
        report = run(folder, manifest)
    except CollageError as exc:
        _fail(exc)
    _report(report.problems)
    if not report.ok:
        n = len(report.errors)
        _err(f"{n} error{'s' if n != 1 else ''}, {len(report.warnings)} warning(s): not renderable")
        raise typer.Exit(1)
    assert report.project is not None and report.timeline is not None
    t = report.timeline
    rows = report.consent()
    width = min(24, max((len(i) for i, _ in rows), default=0))
    typer.echo("shown on screen (confirm before the video ships):")
    for ident, what in rows:
        typer.echo(f"  {ident:<{width}}  {what}")
    typer.echo(f"ok: {_count(len(t.slides), 'slide')}, {t.duration:.2f} s, {len(report.project.messages)} approved "
               f"messages ({len(report.project.unapproved)} not approved), {len(report.warnings)} warning(s)")
    for name, shaped in report.renditions:
        typer.echo(f"    {name} rendition ({shaped.width}x{shaped.height}): {_count(len(shaped.slides), 'slide')}, "
                   f"{shaped.duration:.2f} s")
    if report.described is not None:
        _said(report)


def _said(report: Any) -> None:
    """What the described version says over each slide, and how long it takes (the words the voice is
    given: made only of what the video shows)."""
    from collage.privacy import redact

    planned = report.described
    rows = report.said()
    language = report.project.described.language
    typer.echo(f"described version ({language}): {_count(len(planned.slides), 'slide')}, {planned.duration:.2f} s, "
               f"{sum(r[4] for r in rows):.1f} s of words; it says:")
    for slide, key, words, start, seconds in rows:
        typer.echo(redact(f"  slide {slide:>2}  {start:>6.2f}s  {seconds:>4.1f}s  {key}: {words}"))


@app.command(cls=_Command)
def plan(
    folder: Folder,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
    manifest: ManifestOpt = None,
    rendition: RenditionOpt = None,
    described: DescribedOpt = False,
) -> None:
    """Print the timeline: each slide's index, kind, start, duration and messages (with --described, the
    described version's, and when each thing is said)."""
    from collage.manifest import load
    from collage.outputs import targets
    from collage.pipeline import timeline as plan_timeline

    try:
        project = load(folder, manifest, rendition)
        if described:
            from collage.render import described_version

            project = described_version(project)
        timeline = plan_timeline(project, memo=targets.memo_folder(project))
    except CollageError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(timeline.to_dict(), ensure_ascii=False, indent=2))
        return
    _report(timeline.warnings)
    typer.echo(f"{'#':>3}  {'kind':<5}  {'start':>8}  {'dur':>6}  messages")
    for s in timeline.slides:
        what = ", ".join(s.messages) if s.messages else " / ".join(x for x in (s.title, s.subtitle) if x)
        start, dur = s.start / timeline.fps, s.frames / timeline.fps
        typer.echo(f"{s.index:>3}  {s.kind:<5}  {start:>7.2f}s  {dur:>5.2f}s  {what}")
        for p in (p for p in timeline.narration if p.slide == s.index):
            typer.echo(f"{'':>3}  {'says':<5}  {p.start / timeline.fps:>7.2f}s  {p.frames / timeline.fps:>5.2f}s  "
                       f"{p.key}")
    typer.echo(f"total {timeline.duration:.2f} s ({timeline.frames} frames at {timeline.fps} fps, "
               f"{timeline.width}x{timeline.height})")


@app.command(cls=_Command)
def init(folder: Folder) -> None:
    """Write a starting collage.yaml for the photos found (new messages are not approved)."""
    from collage.authoring.scaffold import init as do_init

    try:
        path, count = do_init(folder)
    except CollageError as exc:
        _fail(exc)
    typer.echo(f"wrote {path} with {count} message(s), none approved yet; edit it, then `collage check {folder}`")


@app.command("import", cls=_Command)
def import_(
    folder: Folder,
    sheet: Annotated[Path, typer.Argument(help="The submissions sheet: CSV or TSV as form tools export it, or XLSX.",
                                          show_default=False, metavar="SHEET")],
    map_: Annotated[list[str] | None, typer.Option("--map", metavar="COLUMN=FIELD",
                                                   help="Read a column the titles do not name, e.g. "
                                                        "--map \"Where do you live?=location\".")] = None,
    update: Annotated[list[str] | None, typer.Option("--update", metavar="FIELD",
                                                     help="Let the sheet overwrite this field of messages already "
                                                          "in the manifest (repeat for more).")] = None,
    keep_emails: Annotated[bool, typer.Option("--keep-emails", help="Copy emails into the manifest (they are "
                                              "never shown or printed; by default they stay in the sheet).")] = False,
    manifest: ManifestOpt = None,
) -> None:
    """Turn a submissions sheet into messages: creates collage.yaml, or merges into it keeping its comments,
    order and every edit. New submissions come in not approved unless the sheet approves them."""
    from collage.authoring.importing import import_sheet

    mapping: dict[str, str] = {}
    for item in map_ or []:
        column, sep, name = item.rpartition("=")
        if not sep or not column.strip() or not name.strip():
            raise typer.BadParameter(f"'{item}': write COLUMN=FIELD", param_hint="--map")
        mapping[column.strip()] = name.strip()
    try:
        done = import_sheet(folder, sheet, mapping=mapping, update=tuple(update or ()), keep_emails=keep_emails,
                            manifest_path=manifest)
    except CollageError as exc:
        _fail(exc)
    _import_report(done)


def _import_report(done: Any) -> None:
    from collage.privacy import redact

    def say(line: str) -> None:  # cells and file names are the sheet's: none may print an address
        typer.echo(redact(line))

    verb = "created" if done.created else "updated" if done.written else "unchanged:"
    say(f"{verb} {done.manifest}")
    for title, name in done.guessed:
        say(f"  column '{title}' read as {name} (by a word in its title; --map to change)")
    for title in done.numbers:
        say(f"  column '{title}' holds response numbers (1, 2, 3…), not message ids: not imported "
            f"(--map \"{title}=id\" to use them)")
    if done.unmapped:
        say("  columns not imported: " + "; ".join(f"'{t}'" for t in done.unmapped) + " (--map COLUMN=FIELD)")
    approved = f", {len(done.approved)} approved by the sheet" if done.approved else ", none approved yet"
    say(f"  added {len(done.added)}{approved if done.added else ''}"
        + (f": {', '.join(done.added)}" if done.added else ""))  # ids: neutral ones for those not named
    say(f"  unchanged {len(done.unchanged)}")
    for ident, name in done.updated:
        say(f"  updated {ident}: {name}")
    if done.differing:
        say(f"  differing {len({d[0] for d in done.differing})} (kept as in the manifest; --update FIELD takes "
            "the sheet's):")
        for ident, name, how in done.differing:  # a withheld value is never part of `how`
            say(f"    {ident}.{name}: {how}")
    for row, written, guess in done.missing:
        if written is None:  # the row's contributor is not named: nor is the file the row gave
            say(f"  row {row}: no photo in the folder for this row (its file name is not shown: not named)")
            continue
        hint = f"; did you mean {guess}?" if guess else ""
        say(f"  row {row}: no photo {written!r} in the folder{hint}")
    if done.unnamed and done.unnamed_shown:
        say(f"  photos no row names ({len(done.unnamed)}): " + ", ".join(done.unnamed))
    elif done.unnamed:
        say(f"  photos no row names ({len(done.unnamed)}); their file names are not shown (privacy.default is "
            "anonymous)")
    if done.named_files:
        say(f"  {done.named_files} photo file name(s) carry the name of a contributor who asked not to be named: "
            "rename those files and their `photo:` (`collage check` lists them by line) before rendering")
    if done.emails:
        kept = "copied into the manifest (--keep-emails)" if done.kept_emails else "left out of the manifest"
        say(f"  {done.emails} email(s) {kept}; never printed")


@app.command(cls=_Command)
def desk(
    folder: Folder,
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, show_default=False,
                                      help="The port on 127.0.0.1 (default: a free one).")] = 0,
    manifest: ManifestOpt = None,
) -> None:
    """Review submissions in a browser: approve, edit captions and consent, cover faces, order the slides,
    proof stills and clips. Every change is written into collage.yaml (comments and layout kept). Serves on
    127.0.0.1 only, at an address with a token; Ctrl-C stops it."""
    try:
        from collage.desk.server import serve
    except ImportError as exc:  # the web parts are dependencies: a broken install
        _err(f"error: collage desk needs {exc.name or 'its web parts'} (pip install starlette uvicorn jinja2)")
        raise typer.Exit(1) from None

    def ready(url: str) -> None:
        typer.echo(f"collage desk: open {url}")
        typer.echo("(on this machine only; the address holds a token: do not share it. Ctrl-C stops the desk)")

    try:
        serve(folder, port, manifest, ready)
    except CollageError as exc:
        _fail(exc)
    typer.echo("desk stopped")


@app.command(cls=_Command)
def schema() -> None:
    """Print the JSON Schema of collage.yaml (for editor completion: yaml-language-server)."""
    from collage.authoring.schema import schema_json

    typer.echo(schema_json())


def _bug(exc: BaseException) -> str:
    """One line about an internal error: its kind and where it happened in collage, never its message
    or locals (either may hold a contributor's data)."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "collage" in Path(f.filename).parts]
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return (f"collage: internal error ({type(exc).__name__}{where}); this is a bug in collage, not in your "
            "folder. Run again with --debug for the traceback, and report it")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except Exception as exc:  # anything not raised on purpose is a bug: one line, exit 70
        if _debug:
            raise
        _err(_bug(exc))
        sys.exit(EXIT_BUG)
