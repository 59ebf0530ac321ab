"""The planner as data: each tests/cases/NAME.yaml is a manifest, NAME.json the plan it must give.
Regenerate with `pytest tests/test_plan_cases.py --update-goldens` and review the diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from collage import build_plan, load

pytestmark = pytest.mark.pure

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.yaml")))
def test_plan_case(case: str, tmp_path: Path, update_goldens: bool) -> None:
    folder = tmp_path / case
    folder.mkdir()
    shutil.copy(CASES / f"{case}.yaml", folder / "collage.yaml")
    manifest = yaml.safe_load((CASES / f"{case}.yaml").read_text(encoding="utf-8"))
    for m in manifest.get("messages", []):  # the planner never opens photos; they only need to exist
        (folder / m["photo"]).parent.mkdir(parents=True, exist_ok=True)
        (folder / m["photo"]).write_bytes(b"")
    got = json.loads(json.dumps(build_plan(load(folder)).to_dict(), ensure_ascii=False))
    expected_file = CASES / f"{case}.json"
    if update_goldens or not expected_file.exists():
        expected_file.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if not update_goldens:
            pytest.fail(f"wrote missing golden {expected_file.name}; review it and run again")
    assert got == json.loads(expected_file.read_text(encoding="utf-8"))
