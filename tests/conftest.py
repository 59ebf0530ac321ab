"""Fixtures, options and the tier check; the helpers they use (and test modules import) live in `tests/support/`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageDraw, ImageFile

from .support.media import write_folder

# The tiers (README, "Development"): `pytest -m pure` is the fast loop (manifest, plan, layout: seconds),
# `-m frames` draws pictures in memory, `-m e2e` renders real folders and decodes what they wrote, or runs
# collage as a user does (a new process). Every test module says its tier at the top
# (`pytestmark = pytest.mark.pure`, with `slow` or `fuzz` beside it where they apply); a test of another
# tier in that module says its own, which replaces the module's. Nothing here decides a tier.
TIERS = ("pure", "frames", "e2e")


def _tiers(node: pytest.Item | pytest.Collector) -> set[str]:
    return {mark.name for mark in node.own_markers if mark.name in TIERS}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    problems: dict[str, str] = {}
    chosen: dict[pytest.Item, str] = {}
    for item in items:
        module = item.getparent(pytest.Module)
        own = _tiers(item)
        declared = next((t for t in map(_tiers, item.listchain()[-2::-1]) if t), set())  # class, then module
        if module is None or not _tiers(module):
            where = module.nodeid if module is not None else item.nodeid
            problems[where] = "says no tier: put `pytestmark = pytest.mark.pure` (or frames, or e2e) at its top"
        elif len(own) > 1 or len(declared) > 1:
            problems[item.nodeid] = f"has more than one tier: {', '.join(sorted(own if len(own) > 1 else declared))}"
        else:
            chosen[item] = next(iter(own or declared))
    if problems:
        raise pytest.UsageError("every test has exactly one tier (tests/conftest.py):\n  "
                                + "\n  ".join(f"{where} {what}" for where, what in problems.items()))
    # A test's own tier replaces its module's. pytest would give it both marks (and `-m pure` would select an
    # `e2e` test of a `pure` module), so the modules' and classes' tier marks move onto their tests.
    for node in {parent for item in items for parent in item.listchain()[:-1]}:
        node.own_markers[:] = [mark for mark in node.own_markers if mark.name not in TIERS]
    for item, tier in chosen.items():
        if not _tiers(item):
            item.add_marker(tier)


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(autouse=True)
def _tiers_stay_in_their_bounds(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only an `e2e` test starts a process (ffmpeg, a `collage` command, a browser): `frames` draws in
    memory, and a `pure` test also decodes and draws no pixels (it may write a small photo and let the plan
    read its header). That keeps `-m pure` the fast loop."""
    tier = next((t for t in TIERS if request.node.get_closest_marker(t) is not None), "e2e")
    seen: list[str] = []

    def refused(what: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            seen.append(what)
            pytest.fail(f"a `{tier}` test {what}: mark it for the tier that does (tests/conftest.py)")
        return refuse

    if tier != "e2e":
        monkeypatch.setattr(subprocess, "Popen", refused("starts a process"))
    if tier == "pure":
        monkeypatch.setattr(ImageFile.ImageFile, "load", refused("decodes a photo's pixels"))
        monkeypatch.setattr(ImageDraw, "Draw", refused("draws"))
    yield
    if seen and not request.node.stash.get(_CALL_FAILED, True):  # refused, and the code under test caught it
        pytest.fail(f"a `{tier}` test {seen[0]}: mark it for the tier that does (tests/conftest.py)")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite expected plan JSON files")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def make_folder(tmp_path: Path) -> Callable[..., Path]:
    """`write_folder` under this test's temporary folder (`name` is the folder's name in it)."""

    def make(manifest: dict[str, Any] | str, photos: dict[str, Any] | None = None, name: str = "folder") -> Path:
        return write_folder(tmp_path / name, manifest, photos)

    return make
