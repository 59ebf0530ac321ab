"""`collage desk`: a local review app for the organiser, in the browser, offline.

    server.py    uvicorn on 127.0.0.1 (a socket bound here), the address with its token
    app.py       Starlette routes and the guard every request passes (host, origin, token; the policy)
    session.py   the folder as the page shows it: cards, sequence items, pictures, checks, stills, proofs
    edits.py     every change into collage.yaml round trip (`collage.authoring.roundtrip`), validated,
                 atomic, never over a hand edit made meanwhile

The templates, htmx and the cover editor's script live in `collage/data/desk/`.
"""
