"""The review desk's two waits, as an organiser meets them: an edited caption's slide picture back in the
page, and a one-slide proof clip made and ready to play.

    .venv/bin/python benchmarks/bench_desk.py [--runs 5]

The example is copied out of the checkout; `collage desk` runs on it as a whole process (the address
with its token read from what it prints), asked over HTTP as the page asks it:

  caption -> picture   POST a message's fields (a new profession, each run another), then GET the slide
                       picture the answer names: the wall time from the POST to the picture's last byte
  proof (first)        POST /proof for one slide, then GET /proof every 0.2 s until the clip is ready:
                       the wall time to ready, and the desk's own count (`proof.seconds`); a cold cache
  proof (again)        the same after a caption edit on that slide (what an organiser does: fix, proof)

Medians of `--runs`; the first caption edit (which warms the desk's fonts and drawing) is reported apart.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.support.desk import running_desk  # noqa: E402  (the tests' own way to start and stop a desk)

EXAMPLE = REPO / "examples" / "lawyers-day"
MESSAGE = "alice"  # the example's first photo slide (slide 1)
SLIDE = 1


class Client:
    """The page's requests: the token once, then its cookie; form posts with the page's version."""

    def __init__(self, url: str) -> None:
        self.origin, _, query = url.partition("/?")
        self.port = int(self.origin.rsplit(":", 1)[1])
        self.cookie = ""
        status, headers, _ = self.ask("GET", f"/?{query}")
        self.cookie = headers.get("set-cookie", "").split(";", 1)[0]
        assert status in (200, 303), status

    def ask(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            headers = {"Host": f"127.0.0.1:{self.port}", "Origin": self.origin, "HX-Request": "true"}
            if self.cookie:
                headers["Cookie"] = self.cookie
            body = None
            if form is not None:
                body = urlencode(form).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            conn.close()

    def version(self) -> str:
        _, _, page = self.ask("GET", "/")
        found = re.search(rb'id="version" name="version" value="([^"]+)"', page)
        assert found is not None, "no version on the page"
        return found.group(1).decode()


def caption_to_picture(client: Client, profession: str) -> float:
    version = client.version()
    started = time.perf_counter()
    status, _, answer = client.ask("POST", f"/message/{MESSAGE}/fields", {"version": version,
                                                                          "profession": profession})
    assert status == 200 and b"Saved to" in answer, answer[:300]
    pictures = re.findall(rb'src="(/slide/[0-9a-f]+\.jpg)"', answer)
    assert pictures, "the answer names no slide picture"
    status, headers, data = client.ask("GET", pictures[0].decode())
    assert status == 200 and headers.get("content-type") == "image/jpeg" and data[:2] == b"\xff\xd8"
    return time.perf_counter() - started


def proof(client: Client) -> tuple[float, float]:
    started = time.perf_counter()
    status, _, page = client.ask("POST", "/proof", {"first": str(SLIDE), "last": str(SLIDE)})
    assert status == 200, page[:300]
    while b"proof-video" not in page:
        assert b"failed" not in page, page[:500]
        time.sleep(0.2)
        _, _, page = client.ask("GET", "/proof")
    wall = time.perf_counter() - started
    found = re.search(rb"\(([0-9.]+) s to make\)", page)
    return wall, float(found.group(1)) if found else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-desk-") as tmp:
        folder = Path(tmp) / "example"
        shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("out"))
        with running_desk(folder) as desk:
            client = Client(desk.url)
            first = caption_to_picture(client, "Teacher (first edit)")
            edits = [caption_to_picture(client, f"Teacher {k}") for k in range(args.runs)]
            proofs = []
            for k in range(args.runs):
                if k:
                    caption_to_picture(client, f"Teacher, proof {k}")
                proofs.append(proof(client))
    print(f"\nthe example, slide {SLIDE} ({MESSAGE}); median of {args.runs}\n")
    print(f"| {'wait':<34} | {'wall s':>7} |")
    print(f"| {'-' * 34} | {'-' * 6}: |")
    print(f"| {'caption -> picture (first edit)':<34} | {first:7.2f} |")
    print(f"| {'caption -> picture':<34} | {statistics.median(edits):7.2f} |")
    print(f"| {'proof clip, cold cache':<34} | {proofs[0][0]:7.2f} |")
    if len(proofs) > 1:
        again = [p[0] for p in proofs[1:]]
        print(f"| {'proof clip after a caption edit':<34} | {statistics.median(again):7.2f} |")
    print(f"\n(the desk's own count of the proofs: {', '.join(f'{p[1]:.1f}' for p in proofs)} s)")


if __name__ == "__main__":
    main()
