"""Stage names from .chalice/config.json, the policy files, and one recorded workload per stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deploy.template import stage_names, task_function

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


@pytest.fixture(scope="session")
def recording() -> Any:
    """The workload, run once per process (building botocore clients dominates its few seconds)."""
    from tests.deploy.workload import record

    return record()


@pytest.fixture
def needed(stage: str, recording: Any) -> set[tuple[str, str]]:
    """What the code asks AWS for, as (IAM action, ARN) pairs under the stage's own names."""
    return set(recording.needed(*stage_names(stage), task_function(stage)))
