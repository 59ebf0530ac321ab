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
