"""A small threaded HTTP server for tests: serves one directory from 127.0.0.1 and honours Range requests.

Browsers seek in a video by asking for byte ranges; `python -m http.server` ignores the Range header, so a
player served by it cannot seek. This one answers `Range: bytes=a-b` (also `a-` and `-n`) with
206 Partial Content and records every request path so a test can assert what was asked for.

    with RangeServer(folder) as server:
        page.goto(server.url("index.html"))
        assert server.paths == [...]
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte span (first, last) a single-range `Range` header asks for, or None when it cannot
    be satisfied. Multi-range requests are not supported (browsers do not send them for media)."""
    m = _RANGE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)) or size == 0:
        return None
    if not m.group(1):  # suffix: the last n bytes
        n = int(m.group(2))
        return (max(0, size - n), size - 1) if n > 0 else None
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else size - 1
    if first >= size or last < first:
        return None
    return first, min(last, size - 1)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests read `RangeServer.requests` instead

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        range_header = self.headers.get("Range")
        self.server.record(self.command, path, range_header)
        target = self._resolve(path)
        if target is None:
            self._empty(HTTPStatus.NOT_FOUND)
            return
        size = target.stat().st_size
        first, last, status = 0, size - 1, HTTPStatus.OK
        if range_header:
            span = parse_range(range_header, size)
            if span is None:
                self._empty(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, {"Content-Range": f"bytes */{size}"})
                return
            (first, last), status = span, HTTPStatus.PARTIAL_CONTENT
        length = last - first + 1 if size else 0
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream"))
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        if not body or not length:
            return
        try:
            with target.open("rb") as f:
                f.seek(first)
                left = length
                while left > 0:
                    chunk = f.read(min(_CHUNK, left))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser cancels range requests it no longer needs: normal when seeking

    def _resolve(self, path: str) -> Path | None:
        root = self.server.root
        target = (root / path.lstrip("/")).resolve()
        if target != root and root not in target.parents:
            return None  # outside the served directory
        return target if target.is_file() else None

    def _empty(self, status: HTTPStatus, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.requests: list[tuple[str, str, str | None]] = []
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def record(self, method: str, path: str, range_header: str | None) -> None:
        with self._lock:
            self.requests.append((method, path, range_header))


class RangeServer:
    """Serve `root` on 127.0.0.1 (a free port) in a daemon thread for the life of a `with` block."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> RangeServer:
        self._server = _Server(self.root)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="RangeServer", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and close the socket; the recorded requests stay readable."""
        if self._thread is None or self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    @property
    def port(self) -> int:
        if self._thread is None or self._server is None:
            raise RuntimeError("server not running")
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, name: str) -> str:
        return f"{self.origin}/{urllib.parse.quote(name)}"

    @property
    def requests(self) -> list[tuple[str, str, str | None]]:
        """Every request so far as (method, path, Range header or None)."""
        if self._server is None:
            return []
        with self._server._lock:
            return list(self._server.requests)

    @property
    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]
