"""The render's tasks on a Dask cluster: the same bytes as a local render, a worker lost mid-render
changes nothing, a worker that is not the same collage is refused before any work, and the cache
fingerprint covers every module. Schedulers and workers listen on 127.0.0.1 only, and are stopped
(workers first) when the test ends."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .support.media import BLUE, CYAN, GREEN, ORANGE, RED, YELLOW, msg, sine, small_manifest, write_wav

pytestmark = pytest.mark.e2e

distributed = pytest.importorskip("distributed")

PHOTOS = {"red": RED, "green": GREEN, "blue": BLUE, "yellow": YELLOW, "cyan": CYAN, "orange": ORANGE}


def _folder(make_folder: Callable[..., Path]) -> Path:
    manifest = small_manifest([msg(k, name=k.title()) for k in PHOTOS], music=[{"file": "music/tone.wav"}])
    manifest["timing"] = {"title": "1s", "slide": "3s", "transition": "0.5s"}
    manifest["sequence"] = [{"title": "Cluster"}, {"grid": "2x2", "messages": "all"}, {"photo": "red"},
                            {"title": "End"}]
    folder = make_folder(manifest, PHOTOS)
    write_wav(folder / "music" / "tone.wav", sine(4, 330, 0.2))
    return folder


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Two worker processes of one thread each, everything on 127.0.0.1, no dashboards."""
    import dask

    scratch = tmp_path_factory.mktemp("dask")
    with dask.config.set({"temporary-directory": str(scratch)}):
        local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                         dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0")
    try:
        yield local
    finally:
        local.close(timeout=30)  # workers, then the scheduler


def _render(folder: Path, out: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "collage", "render", str(folder), "-q", "-o", str(out),
                           "--cache-dir", str(cache), *extra], capture_output=True, text=True, timeout=300,
                          check=False)


def test_a_cluster_render_is_the_local_render_byte_for_byte(make_folder: Callable[..., Path], tmp_path: Path,
                                                             cluster: Any) -> None:
    folder = _folder(make_folder)
    local = _render(folder, tmp_path / "local.mp4", tmp_path / "cache-local", "--jobs", "2")
    assert local.returncode == 0, local.stderr
    remote = _render(folder, tmp_path / "remote.mp4", tmp_path / "cache-remote", "--cluster",
                     cluster.scheduler_address)
    assert remote.returncode == 0, remote.stderr
    assert (tmp_path / "remote.mp4").read_bytes() == (tmp_path / "local.mp4").read_bytes()
    # The results landed in the cache on this machine, as a local render's do: a second render reuses them.
    again = _render(folder, tmp_path / "again.mp4", tmp_path / "cache-remote", "--cluster", cluster.scheduler_address)
    assert again.returncode == 0 and (tmp_path / "again.mp4").read_bytes() == (tmp_path / "local.mp4").read_bytes()
    assert "0 encoded" in again.stdout


def test_a_worker_killed_mid_render_changes_nothing(make_folder: Callable[..., Path], tmp_path: Path,
                                                   cluster: Any) -> None:
    """A worker process killed by its pid while a segment task of the render is executing there: the
    scheduler reports the worker lost with that task in its hands, the nanny starts a new worker, Dask
    runs the task again on another worker process, and the file is the local render's, byte for byte.
    (The kill comes from a worker plugin at the moment the task starts executing: no race with a poll.)"""
    from .support.cluster import TaskLog, read_log

    folder = _folder(make_folder)
    assert _render(folder, tmp_path / "local.mp4", tmp_path / "cache-local").returncode == 0
    log, marker = tmp_path / "tasks.log", tmp_path / "killed"
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        before = set(client.run(os.getpid).values())
        client.register_plugin(TaskLog(log, kill_on="collage-segment-", marker=marker))
        try:
            result = _render(folder, tmp_path / "remote.mp4", tmp_path / "cache-remote", "--cluster",
                             cluster.scheduler_address)
        finally:
            client.unregister_worker_plugin(TaskLog.name)
        lost = [msg for _, msg in client.get_events("all")
                if isinstance(msg, dict) and msg.get("action") == "remove-worker"]
        client.wait_for_workers(2, timeout=60)  # the nanny's new worker (the fixture's cluster is shared)
        after = set(client.run(os.getpid).values())
    finally:
        client.close()
    assert result.returncode == 0, result.stderr
    assert marker.exists(), "no segment task started on the cluster: nothing was killed"
    killed, key = marker.read_text().split()
    pid = int(killed)
    rows = read_log(log)
    # One of the cluster's worker processes, alive and executing a task of this render when it was killed
    assert pid in before and pid not in after
    assert (pid, "executing", key) in rows and (pid, "memory", key) not in rows
    # Dask's scheduler saw that worker lost, unexpectedly, with the task among those it was processing
    assert any(key in msg["processing-tasks"] and not msg["expected"] for msg in lost), lost
    # and the task ran again, to the end, on another worker process
    assert any(p != pid and state == "memory" and k == key for p, state, k in rows), rows
    assert (tmp_path / "remote.mp4").read_bytes() == (tmp_path / "local.mp4").read_bytes()


def test_a_worker_with_another_fingerprint_is_refused_before_any_work(make_folder: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    """A worker whose ffmpeg build differs would encode other bytes: refused, exit 3, nothing encoded."""
    import imageio_ffmpeg

    other = tmp_path / "bin" / "ffmpeg-other-build"
    other.parent.mkdir()
    shutil.copy(imageio_ffmpeg.get_ffmpeg_exe(), other)
    scheduler = distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0")
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("dask")), "worker", scheduler.scheduler_address, "--host", "127.0.0.1",
         "--dashboard-address", "127.0.0.1:0", "--nworkers", "1", "--nthreads", "1", "--no-nanny",
         "--local-directory", str(tmp_path / "w")],
        env={**os.environ, "IMAGEIO_FFMPEG_EXE": str(other)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = distributed.Client(scheduler.scheduler_address, set_as_default=False)
        try:
            client.wait_for_workers(1, timeout=60)
        finally:
            client.close()
        folder = _folder(make_folder)
        cache = tmp_path / "cache"
        result = _render(folder, tmp_path / "x.mp4", cache, "--cluster", scheduler.scheduler_address)
        assert result.returncode == 3, result.stderr
        assert "runs another collage, fonts or ffmpeg build than this machine" in result.stderr
        assert not (tmp_path / "x.mp4").exists()
        assert not list((cache / "entries").rglob("*.mp4"))
    finally:
        worker.terminate()  # workers before the scheduler
        worker.wait(timeout=30)
        scheduler.close(timeout=30)


def test_no_scheduler_is_a_clear_error(make_folder: Callable[..., Path], tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = _folder(make_folder)
    result = _render(folder, tmp_path / "x.mp4", tmp_path / "cache", "--cluster", f"tcp://127.0.0.1:{port}")
    assert result.returncode == 3, result.stderr
    assert f"no Dask scheduler answers at tcp://127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_cluster_render_needs_the_cache(make_folder: Callable[..., Path], tmp_path: Path) -> None:
    folder = _folder(make_folder)
    result = subprocess.run([sys.executable, "-m", "collage", "render", str(folder), "-q", "--no-cache",
                             "--cluster", "tcp://127.0.0.1:1"], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 1 and "--cluster needs the cache" in result.stderr


def test_the_fingerprint_covers_every_module_of_every_subpackage(tmp_path: Path) -> None:
    from collage.resources import package_dir, sources_digest

    copy = tmp_path / "collage"
    shutil.copytree(package_dir(), copy, ignore=shutil.ignore_patterns("data", "__pycache__"))
    before = sources_digest(copy)
    for module in ("plan/layout.py", "manifest/sequence.py", "draw/text.py", "cli.py"):
        target = copy / module
        original = target.read_text()
        target.write_text(original + "\n# changed\n")
        assert sources_digest.__wrapped__(copy) != before, module
        target.write_text(original)
    assert sources_digest.__wrapped__(copy) == before


def _dask(*args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen([str(Path(sys.executable).with_name("dask")), *args], stdout=sink, stderr=sink,
                                start_new_session=True)


def test_the_cluster_gone_mid_render_is_exit_3_and_the_cache_keeps_what_was_finished(
        make_folder: Callable[..., Path], tmp_path: Path) -> None:
    """The scheduler and its workers killed (by pid) while segments are being encoded: a clear error,
    exit 3, no output; every segment finished before is in the cache, and the next render reuses them."""
    import socket

    manifest = small_manifest([msg(k, name=k.title()) for k in PHOTOS])
    manifest["video"]["size"] = "640x360"
    manifest["timing"] = {"title": "1s", "slide": "3s", "transition": "0.5s"}
    manifest["sequence"] = [{"photo": k, "motion": "kenburns"} for k in PHOTOS] * 3  # slow: drawn frame by frame
    folder = make_folder(manifest, PHOTOS)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    log = tmp_path / "dask.log"
    scheduler = _dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", "127.0.0.1:0",
                      log=log)
    workers = [_dask("worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
                     "--dashboard-address", "127.0.0.1:0", "--local-directory", str(tmp_path / f"w{n}"),
                     "--death-timeout", "20", log=log) for n in range(2)]
    cache = tmp_path / "cache"
    try:
        client = distributed.Client(address, timeout="30s", set_as_default=False)
        try:
            client.wait_for_workers(2, timeout=60)
        finally:
            client.close()
        render = subprocess.Popen([sys.executable, "-m", "collage", "render", str(folder), "-q", "-o",
                                   str(tmp_path / "x.mp4"), "--cache-dir", str(cache), "--cluster", address],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list((cache / "entries").rglob("*.mp4"))) < 2:
            time.sleep(0.05)  # two segments finished and stored: the render is under way
        for process in (*workers, scheduler):
            process.kill()
        out, err = render.communicate(timeout=120)
    finally:
        for process in (*workers, scheduler):  # workers first, then the scheduler
            process.kill()
            process.wait(timeout=30)
    assert render.returncode == 3, (out, err)
    assert "the Dask cluster stopped answering" in err and "Traceback" not in err
    assert not (tmp_path / "x.mp4").exists()
    kept = list((cache / "entries").rglob("*.mp4"))
    assert len(kept) >= 2
    again = _render(folder, tmp_path / "x.mp4", cache)  # on this machine: what was finished is reused
    assert again.returncode == 0, again.stderr
    record = json.loads((cache / "last-run.json").read_text())
    assert record["reused"] >= len(kept) - 1  # every kept segment but at most one partial run
