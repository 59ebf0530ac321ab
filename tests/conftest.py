"""Fixtures and options; the helpers they use (and test modules import) live in `tests/support/`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .support.media import solid

# The tiers (README, "Development"): `pytest -m pure` is the fast loop (manifest, plan, layout: seconds),
# `-m frames` draws pictures in memory, `-m e2e` renders real folders and decodes what they wrote.
TIERS = {
    "pure": {"test_manifest", "test_plan", "test_plan_cases", "test_layout", "test_purity", "test_progress",
             "test_graph", "test_import", "test_reading", "test_smuggling"},
    "frames": {"test_compose", "test_goldens", "test_text", "test_theme", "test_photos", "test_crops",
               "test_motion", "test_faces"},
    "e2e": {"test_render", "test_segments", "test_audio", "test_cli", "test_example", "test_gate", "test_browser",
            "test_fuzz", "test_cluster", "test_consent",
            "test_storyboard", "test_sidecars", "test_renditions", "test_writes"},
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(tier) for tier in TIERS):  # a test that says its own tier
            continue
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        tiers = [tier for tier, modules in TIERS.items() if module in modules]
        if not tiers:
            raise pytest.UsageError(f"{module} is in no tier: add it to TIERS in tests/conftest.py")
        for tier in tiers:
            item.add_marker(tier)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite expected plan JSON files")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def make_folder(tmp_path: Path) -> Callable[..., Path]:
    """Write a folder with photos and a manifest. `photos` maps id -> colour (or a callable that writes
    the file); `manifest` is merged over a small, fast default."""

    def make(manifest: dict[str, Any] | str, photos: dict[str, Any] | None = None, name: str = "folder") -> Path:
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        for ident, spec in (photos or {}).items():
            target = folder / "photos" / f"{ident}.jpg"
            target.parent.mkdir(parents=True, exist_ok=True)
            if callable(spec):
                spec(target)
            else:
                solid(target, spec, quality=95)
        text = manifest if isinstance(manifest, str) else yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False)
        (folder / "collage.yaml").write_text(text, encoding="utf-8")
        return folder

    return make
