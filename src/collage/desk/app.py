"""The desk's web app: Starlette routes, server-rendered Jinja2 templates (autoescaped), htmx.

    GET  /                      submissions: a card per message (filters: ?show=pending|approved|masked|problems)
    GET  /order                 the sequence: its items, each with its slides (picture, time, still), and proofs
    GET  /photo/<id>.jpg        a card's photo as the video draws it (covers painted, the detector's outlined)
    GET  /slide/<digest>.jpg    a slide's picture, drawn by the video's code
    GET  /problems[/<id>]       what `collage check` says (of one message, or of none)
    GET  /watch                 204 while the manifest is the version the page saw; else a notice
    POST /message/<id>/fields | approve | consent | mask      a change to one message
    POST /sequence/<i>/move | edit                             a change to one sequence item
    POST /still/<n>             slide n's still (`collage still`)
    POST /proof, GET /proof     a proof clip of some slides (`render --slides`) and its progress
    GET  /files/<name>          a still or a proof clip the desk made (from out/; byte ranges for video)
    GET  /static/<file>         htmx, the box editor, the style sheet (from the package)

Every request passes `Guard` first: the Host must be the desk's own address, an Origin (required on
a POST) the desk's own origin, and the token the desk printed must come with it, in the address once
(it is then kept in an HttpOnly, SameSite=Strict cookie) or in that cookie. Every response carries a
Content-Security-Policy that allows nothing from elsewhere (and no inline script or style).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from collage.desk import edits
from collage.desk.session import Card, Desk, Snapshot
from collage.errors import CollageError, InputError, Problem
from collage.model.project import CONSENTS, HIDEABLE
from collage.privacy import redact
from collage.resources import data_dir

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; media-src 'self'; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
           (b"cross-origin-resource-policy", b"same-origin"), (b"cross-origin-opener-policy", b"same-origin")]
MAX_BODY = 256 << 10  # a form of the desk's is a few hundred bytes
FILTERS = {"all": "all", "pending": "pending", "approved": "approved", "masked": "masked",
           "problems": "with problems"}


@dataclass(frozen=True)
class Address:
    host: str
    port: int
    token: str

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/?token={self.token}"

    @property
    def cookie(self) -> str:
        return f"collage_desk_{self.port}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Guard:
    """Refuses every request that is not the desk's own page asking: a Host other than the desk's
    address (DNS rebinding), an Origin of another site (or none on a POST), no token. Adds the security
    headers to every response."""

    def __init__(self, app: ASGIApp, address: Address) -> None:
        self.app, self.address = app, address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        why = self._refusal(scope, headers)
        if why is not None:
            await _plain(why[0], why[1], send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = (query.get("token") or [""])[0]
        if given and secrets.compare_digest(given.encode(), self.address.token.encode()):
            # Once: into the cookie, and out of the address (history, the page's own links).
            cookie = (f"{self.address.cookie}={self.address.token}; HttpOnly; SameSite=Strict; Path=/")
            rest = "&".join(f"{k}={v}" for k, vs in query.items() if k != "token" for v in vs)
            location = scope.get("path", "/") + (f"?{rest}" if rest else "")
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode()),
                                    (b"cache-control", b"no-store"), *HEADERS]})
            await send({"type": "http.response.body", "body": b""})
            return
        if not self._has_cookie(headers.get("cookie", "")):
            await _plain(403, "This desk opens only from the address `collage desk` printed (with its token).",
                         send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, secured)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        own = f"{self.address.host}:{self.address.port}"
        if headers.get("host", "") != own:
            return 421, "This desk answers only at its own address."
        origin = headers.get("origin")
        if origin is not None and origin != self.address.origin:
            return 403, "Requests from other sites are refused."
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return 403, "Requests from other sites are refused."
        if scope.get("method", "GET") not in ("GET", "HEAD") and origin is None:
            return 403, "A change must come from the desk's own page."
        return None

    def _has_cookie(self, header: str) -> bool:
        for part in header.split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.address.cookie and secrets.compare_digest(value.encode(), self.address.token.encode()):
                return True
        return False


async def _plain(status: int, text: str, send: Send) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(str(data_dir() / "desk" / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True), auto_reload=False)
    env.filters["clock"] = _clock
    env.filters["problem"] = _problem_text
    return env


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _problem_text(p: Problem) -> str:
    where = f"line {p.line}: " if p.line else ""
    field = f"{p.field}: " if p.field else ""
    hint = f" ({p.hint})" if p.hint else ""
    return redact(f"{where}{field}{p.message}{hint}")


def create_app(desk: Desk, address: Address) -> ASGIApp:
    views = _Views(desk)
    routes = [
        Route("/", views.submissions), Route("/order", views.order),
        Route("/photo/{ident}.jpg", views.photo), Route("/slide/{digest:str}.jpg", views.slide),
        Route("/problems", views.problems), Route("/problems/{ident}", views.problems), Route("/watch", views.watch),
        Route("/message/{ident}/fields", views.fields, methods=["POST"]),
        Route("/message/{ident}/approve", views.approve, methods=["POST"]),
        Route("/message/{ident}/consent", views.consent, methods=["POST"]),
        Route("/message/{ident}/mask", views.mask, methods=["POST"]),
        Route("/sequence/{index:int}/move", views.move, methods=["POST"]),
        Route("/sequence/{index:int}/edit", views.edit_item, methods=["POST"]),
        Route("/still/{index:int}", views.still, methods=["POST"]),
        Route("/proof", views.proof_start, methods=["POST"]), Route("/proof", views.proof_status),
        Route("/files/{name}", views.made),
        Route("/fonts/{key}.css", views.fonts_css), Route("/fonts/{key}/{name}", views.font_file),
        Mount("/static", StaticFiles(directory=str(data_dir() / "desk" / "static"))),
    ]
    app = Starlette(routes=routes, exception_handlers={Exception: views.failed, _TooLarge: views.failed})
    return Guard(app, address)


class _Views:
    """The desk's pages and the answers to its requests, each a method (routes in `create_app`)."""

    def __init__(self, desk: Desk) -> None:
        self.desk, self.env = desk, templates()

    def page(self, template: str, status: int = 200, headers: dict[str, str] | None = None,
             **values: Any) -> HTMLResponse:
        body = self.env.get_template(template).render(**values)
        return HTMLResponse(body, status, headers={"cache-control": "no-store", **(headers or {})})

    def context(self, snapshot: Snapshot, **more: Any) -> dict[str, Any]:
        project = snapshot.project
        title = project.title if project is not None else self.desk.path.name
        return {"snapshot": snapshot, "version": snapshot.version.digest, "title": title,
                "manifest": self.desk.path.name, "consents": CONSENTS, "hideable": HIDEABLE,
                "fields": edits.TEXT_FIELDS,
                **more}

    def notice(self, text: str, kind: str = "info") -> str:
        return self.env.get_template("notice.html").render(text=text, kind=kind)

    async def form(self, request: Request) -> dict[str, str | list[str]]:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise _TooLarge()
        fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        return {k: (v if k.endswith("[]") else v[-1]) for k, v in fields.items()}

    def change(self, values: dict[str, Any], make: edits.Change, fragment: Callable[[Snapshot], str]) -> HTMLResponse:
        """Write one change (if the page saw the file as it is) and answer with `fragment` of the new
        state, the page's new version and a notice; a refusal answers with only the notice."""
        seen = str(values.get("version", ""))
        try:
            self.desk.manifest.edit(seen, make)
        except edits.Changed:
            return HTMLResponse(self.notice(f"{self.desk.path.name} was changed outside the desk since this page was "
                                       "loaded: your change was NOT written. Reload the page to see the file as it "
                                       "is now, then make your change again.", "conflict"),
                                headers={"HX-Reswap": "none", "cache-control": "no-store"})
        except edits.Refused as exc:
            listed = "; ".join(_problem_text(p) for p in exc.problems[:6])
            return HTMLResponse(self.notice(f"Not written: {listed}", "error"),
                                headers={"HX-Reswap": "none", "cache-control": "no-store"})
        except KeyError:
            return HTMLResponse(self.notice("That message or item is no longer in the manifest: reload the page.",
                                       "error"), headers={"HX-Reswap": "none", "cache-control": "no-store"})
        snapshot = self.desk.snapshot()
        version = self.env.get_template("version.html").render(version=snapshot.version.digest, snapshot=snapshot)
        return HTMLResponse(fragment(snapshot) + version + self.notice(f"Saved to {self.desk.path.name}.", "saved"),
                            headers={"cache-control": "no-store"})

    def card_html(self, snapshot: Snapshot, card: Card, oob: bool = False) -> str:
        return self.env.get_template("card.html").render(self.context(snapshot, card=card, oob=oob))

    def strips(self, snapshot: Snapshot, skip: str | None = None) -> str:
        """Every card's slides, out of band: an edit may move other messages' slides too."""
        return "".join(self.env.get_template("shown.html").render(card=c, oob=True) for c in snapshot.cards
                       if c.id != skip)

    def message_change(self, ident: str, values: dict[str, Any], make: edits.Change) -> HTMLResponse:
        def fragment(snapshot: Snapshot) -> str:
            card = _card(snapshot, ident)
            return (self.card_html(snapshot, card) if card is not None else "") + self.strips(snapshot, ident)
        return self.change(values, make, fragment)

    async def submissions(self, request: Request) -> Response:
        snapshot = self.desk.snapshot()
        show = request.query_params.get("show", "all")
        show = show if show in FILTERS else "all"
        cards = snapshot.cards
        with_problems: set[str] = set()
        if show == "problems":
            report = self.desk.problems(snapshot)
            if report is not None:
                with_problems = {c.id for c in cards if self.desk.problems_of(report, snapshot, c.id)}
        chosen = [c for c in cards if show == "all" or (show == "pending" and not c.approved)
                  or (show == "approved" and c.approved) or (show == "masked" and c.masked)
                  or (show == "problems" and c.id in with_problems)]
        counts = {"all": len(cards), "pending": sum(not c.approved for c in cards),
                  "approved": sum(c.approved for c in cards), "masked": sum(c.masked for c in cards)}
        return self.page("submissions.html", **self.context(snapshot, cards=chosen, show=show, filters=FILTERS,
                                                            counts=counts, tab="submissions"))

    async def order(self, request: Request) -> Response:
        snapshot = self.desk.snapshot()
        return self.page("order.html", **self.context(snapshot, tab="order", proof=self.desk.proof))

    async def photo(self, request: Request) -> Response:
        snapshot = self.desk.snapshot()
        data = self.desk.photo_picture(snapshot, request.path_params["ident"])
        if data is None:
            return PlainTextResponse("no picture", 404)
        return Response(data, media_type="image/jpeg", headers={"cache-control": "private, max-age=3600"})

    async def slide(self, request: Request) -> Response:
        data = self.desk.slide_picture(request.path_params["digest"])
        if data is None:
            return PlainTextResponse("no such picture", 404)
        return Response(data, media_type="image/jpeg", headers={"cache-control": "private, max-age=3600"})

    async def problems(self, request: Request) -> Response:
        snapshot = self.desk.snapshot()
        ident = request.path_params.get("ident")
        report = self.desk.problems(snapshot)
        if report is None:
            return self.page("problems.html", pending=True, ident=ident, problems=[], approved=False)
        found = self.desk.problems_of(report, snapshot, ident)
        if ident is None:
            found += [p for p in snapshot.problems if p not in found and p not in report.problems]
        card = _card(snapshot, ident) if ident is not None else None
        return self.page("problems.html", pending=False, ident=ident, problems=found,
                    approved=card is not None and card.approved)

    async def watch(self, request: Request) -> Response:
        seen = request.query_params.get("version", "")
        now = self.desk.manifest.version()
        if now is not None and (now.digest == seen or now.digest in self.desk.manifest.written):
            # (the desk's own write: the answer that carries its version is on its way to the page)
            return Response(status_code=204, headers={"cache-control": "no-store"})
        return HTMLResponse(self.notice(f"{self.desk.path.name} was changed outside the desk (by hand, or by another "
                                   "program). Nothing the desk writes will overwrite it: reload the page to "
                                   "see it as it is now.", "conflict"), headers={"cache-control": "no-store"})

    async def fields(self, request: Request) -> Response:
        ident = request.path_params["ident"]
        values = await self.form(request)
        snapshot = self.desk.snapshot()
        card = _card(snapshot, ident)
        if card is None:
            return HTMLResponse(self.notice("That message is no longer in the manifest: reload the page.", "error"),
                                headers={"HX-Reswap": "none"})
        changes = []
        for name in edits.TEXT_FIELDS:
            if name not in values:
                continue
            new = _one_line(str(values[name])) if name not in ("message", "translation") else str(values[name]).strip()
            if name in card.withheld and not new:
                continue  # a withheld value is never sent to the page: left empty, it stays as it is
            if new != card.values.get(name, ""):
                changes.append(edits.set_text(ident, name, new or None))

        def make(document: Any) -> None:
            for one in changes:
                one(document)
        return self.message_change(ident, values, make)

    async def approve(self, request: Request) -> Response:
        ident = request.path_params["ident"]
        values = await self.form(request)
        return self.message_change(ident, values, edits.set_approved(ident, values.get("approved") == "true"))

    async def consent(self, request: Request) -> Response:
        ident = request.path_params["ident"]
        values = await self.form(request)
        chosen = str(values.get("consent", ""))
        if chosen not in CONSENTS:
            return HTMLResponse(self.notice("Choose named, anonymous or masked.", "error"),
                                headers={"HX-Reswap": "none"})
        hidden = values.get("hide[]", [])
        hide = [h for h in HIDEABLE if isinstance(hidden, list) and h in hidden]
        default = self.desk.snapshot().default_consent
        set_consent, set_hide = edits.set_consent(ident, chosen, default), edits.set_hide(ident, hide)

        def make(document: Any) -> None:
            set_consent(document)
            set_hide(document)
        return self.message_change(ident, values, make)

    async def mask(self, request: Request) -> Response:
        ident = request.path_params["ident"]
        values = await self.form(request)
        try:
            boxes = _boxes(str(values.get("boxes", "")))
        except ValueError:
            return HTMLResponse(self.notice("A cover box is x, y, w, h as fractions of the photo.", "error"),
                                headers={"HX-Reswap": "none"})

        def fragment(snapshot: Snapshot) -> str:
            card = _card(snapshot, ident)
            if card is None:
                return ""
            return (self.env.get_template("photo.html").render(card=card, oob=True) + self.strips(snapshot)
                    + self.env.get_template("consent_line.html").render(card=card, oob=True))
        return self.change(values, edits.set_mask(ident, boxes), fragment)

    async def move(self, request: Request) -> Response:
        index = int(request.path_params["index"])
        values = await self.form(request)
        snapshot = self.desk.snapshot()
        to = index + (-1 if values.get("to") == "up" else 1)
        if not 0 <= to < len(snapshot.items) or not 0 <= index < len(snapshot.items):
            return HTMLResponse(self.notice("It cannot move further.", "error"), headers={"HX-Reswap": "none"})
        return self.change(values, edits.move_item(index, to), self.sequence_html)

    async def edit_item(self, request: Request) -> Response:
        index = int(request.path_params["index"])
        values = await self.form(request)
        snapshot = self.desk.snapshot()
        if not 0 <= index < len(snapshot.items):
            return HTMLResponse(self.notice("That item is no longer in the sequence: reload the page.", "error"),
                                headers={"HX-Reswap": "none"})
        item = snapshot.items[index]
        keys = {"title": ("title", "subtitle", "body", "duration"), "photo": ("duration",),
                "grid": ("grid", "duration")}.get(item.kind, ())
        changes = [edits.set_item(index, k, _one_line(str(values[k])) or None) for k in keys
                   if k in values and _one_line(str(values[k])) != item.values.get(k, "")]

        def make(document: Any) -> None:
            for one in changes:
                one(document)
        return self.change(values, make, self.sequence_html)

    def sequence_html(self, snapshot: Snapshot) -> str:
        return self.env.get_template("sequence.html").render(self.context(snapshot))

    async def still(self, request: Request) -> Response:
        index = int(request.path_params["index"])
        try:
            name, path = self.desk.still(index)
        except CollageError as exc:
            return HTMLResponse(self.notice("No still: " + _failure(exc), "error"), headers={"HX-Reswap": "none"})
        stamp = int(path.stat().st_mtime_ns)
        return self.page("still.html", index=index, name=name, stamp=stamp)

    async def proof_start(self, request: Request) -> Response:
        values = await self.form(request)
        try:
            first, last = int(str(values.get("first", ""))), int(str(values.get("last", "")))
        except ValueError:
            return HTMLResponse(self.notice("Give the first and last slide as numbers.", "error"),
                                headers={"HX-Reswap": "none"})
        if first < 0 or last < first:
            return HTMLResponse(self.notice("The last slide comes after the first.", "error"),
                                headers={"HX-Reswap": "none"})
        return self.page("proof.html", proof=self.desk.start_proof(first, last))

    async def proof_status(self, request: Request) -> Response:
        return self.page("proof.html", proof=self.desk.proof)

    async def made(self, request: Request) -> Response:
        path = self.desk.files.get(request.path_params["name"])
        if path is None or not path.is_file():
            return PlainTextResponse("no such file", 404)
        kind = "video/mp4" if path.suffix == ".mp4" else "image/png"
        return FileResponse(path, media_type=kind, headers={"cache-control": "no-store"})

    async def fonts_css(self, request: Request) -> Response:
        key = request.path_params["key"]
        made = self.desk.page_fonts(key)
        if made is None:
            return PlainTextResponse("", media_type="text/css")
        families = ", ".join([*(f'"{f}"' for f in made.families), "system-ui", "sans-serif"])
        traditional = ", ".join([*(f'"{f}"' for f in made.traditional), "system-ui", "sans-serif"])
        rules = "".join(f'@font-face {{ font-family: "{f.family}"; src: url(/fonts/{key}/{Path(f.file).name}) '
                        'format("woff"); font-display: swap; }\n' for f in made.fonts)
        rules += (f"body, input, textarea, button {{ font-family: {families}; }}\n"
                  f":lang(zh-Hant) {{ font-family: {traditional}; }}\n")
        return Response(rules, media_type="text/css", headers={"cache-control": "private, max-age=3600"})

    async def font_file(self, request: Request) -> Response:
        made = self.desk.page_fonts(request.path_params["key"])
        name = request.path_params["name"]
        found = next((f for f in made.fonts if Path(f.file).name == name), None) if made is not None else None
        if found is None:
            return PlainTextResponse("no such font", 404)
        return Response(found.data, media_type="font/woff", headers={"cache-control": "private, max-age=3600"})

    async def failed(self, request: Request, exc: Exception) -> Response:
        if isinstance(exc, _TooLarge):
            return PlainTextResponse("too large", 413)
        return PlainTextResponse(f"internal error ({type(exc).__name__}); this is a bug in collage", 500)


class _TooLarge(Exception):
    pass


def _card(snapshot: Snapshot, ident: str) -> Card | None:
    return next((c for c in snapshot.cards if c.id == ident), None)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _boxes(text: str) -> list[tuple[float, float, float, float]]:
    """`x,y,w,h;x,y,w,h` -> boxes inside the photo, 4 decimals (a box cut to the photo's edges)."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        x, y, w, h = (float(v) for v in part.split(","))
        if not all(map(_finite, (x, y, w, h))):
            raise ValueError(part)
        x0, y0 = min(max(x, 0.0), 0.999), min(max(y, 0.0), 0.999)
        x1, y1 = min(max(x + w, x0 + 0.001), 1.0), min(max(y + h, y0 + 0.001), 1.0)
        box = (round(x0, 4), round(y0, 4), round(x1 - x0, 4), round(y1 - y0, 4))
        box = (box[0], box[1], min(box[2], round(1 - box[0], 4)), min(box[3], round(1 - box[1], 4)))
        if box[2] > 0 and box[3] > 0:
            out.append(box)
    return out[:64]


def _finite(v: float) -> bool:
    return v == v and abs(v) != float("inf")


def _failure(exc: CollageError) -> str:
    if isinstance(exc, InputError):
        return "; ".join(_problem_text(p) for p in exc.errors[:4])
    return redact(str(exc))

