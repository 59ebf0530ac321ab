"""`collage desk`: the review app served on 127.0.0.1 by uvicorn until Ctrl-C.

The socket is bound here, on the loopback address only (a port of 0 lets the system choose a free one),
so the address printed, its port and the Host the app accepts are one. uvicorn logs no request (the first
carries the token) and only its own warnings.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from collage.errors import InputError, Problem

HOST = "127.0.0.1"


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise InputError([Problem(f"--port {port}", f"cannot listen on {HOST}:{port}: "
                                  f"{(exc.strerror or 'refused').lower()}",
                                  hint="give another --port, or leave it out to let the system choose")]) from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(folder: Path, port: int = 0, manifest: Path | None = None,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve the desk for `folder` until interrupted; `ready(url)` is told the address (with its token)."""
    import uvicorn

    from collage.desk.app import Address, create_app, new_token
    from collage.desk.session import Desk

    desk = Desk(folder, manifest)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "no such folder", hint="give the folder that holds collage.yaml")])
    if not desk.path.is_file():
        raise InputError([Problem(str(desk.path), "no manifest here", hint="run `collage init FOLDER` to write one")])
    desk.snapshot()  # the manifest read once before the address is given (a missing one fails here)
    sock = bind(port)
    address = Address(HOST, sock.getsockname()[1], new_token())
    app = create_app(desk, address)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False,
                            date_header=False, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    if ready is not None:
        ready(address.url)
    server.run(sockets=[sock])
