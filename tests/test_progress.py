"""Progress: a bar with ETA on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

import pytest

from collage.progress import ProgressReporter

pytestmark = pytest.mark.pure


def test_terminal_gets_a_bar_with_eta() -> None:
    out = io.StringIO()
    report = ProgressReporter("render", stream=out, interactive=True)
    for done in (10, 50, 100):
        report(done, 100)
    text = out.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n")
    assert "100%" in text and "ETA" in text and "█" in text


def test_logs_get_plain_lines() -> None:
    out = io.StringIO()
    report = ProgressReporter("render", stream=out, interactive=False, every_seconds=0)
    for done in (10, 50, 100):
        report(done, 100)
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("render: 100/100 frames (100%)") and "\r" not in out.getvalue()
    assert len(lines) == 3


def test_no_eta_before_there_is_a_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 0 %, and for frames found in the cache at the start, there is no pace to tell the time left from:
    no "ETA 0:00". Then the time left follows this run's own pace."""
    clock = iter([0.0, 0.0, 0.0, 10.0, 20.0])
    monkeypatch.setattr("collage.progress.time.monotonic", lambda: next(clock))
    out = io.StringIO()
    report = ProgressReporter("render", stream=out, interactive=False, every_seconds=0)
    report(0, 100)  # nothing yet
    report(40, 100)  # 40 frames from the cache, at once
    report(50, 100)  # 10 frames in 10 s: 50 left take 50 s
    report(100, 100)
    lines = out.getvalue().splitlines()
    assert "ETA --:--" in lines[0] and "ETA 0:00" not in out.getvalue()
    assert "ETA --:--" in lines[1]
    assert lines[2].endswith("ETA 0:50"), lines[2]
    assert lines[3].endswith("done")
