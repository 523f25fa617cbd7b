"""Stage names from .chalice/config.json, the policy files, and one recorded workload per stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deploy.template import stage_names

ROOT = Path(__file__).resolve().parents[2]
CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())
STAGES = sorted(CONFIG["stages"])


@pytest.fixture(scope="module", params=STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def policy_of(stage: str) -> dict[str, Any]:
    name = CONFIG["stages"][stage].get("iam_policy_file") or CONFIG.get("iam_policy_file")
    assert name, f"stage {stage} has no iam_policy_file: autogen_policy cannot see pynamodb calls"
    return dict(json.loads((ROOT / ".chalice" / name).read_text()))


_recordings: dict[str, Any] = {}


@pytest.fixture(scope="module")
def recording(stage: str) -> Any:
    """The workload run once per stage (per process), under that stage's table prefix and bucket."""
    from tests.deploy.workload import record

    if stage not in _recordings:
        _recordings[stage] = record(*stage_names(stage))
    return _recordings[stage]
