"""Fixtures of the planner tests: the shipped library and guidance table, one example plan."""

from __future__ import annotations

import pytest

from planner.config import PlannerConfig, default_config
from planner.examples import EXAMPLE
from planner.generator import generate_plan
from planner.io import default_library
from planner.library import ExerciseLibrary
from planner.models import MemberProfile, Plan


@pytest.fixture(scope="session")
def library() -> ExerciseLibrary:
    return default_library()


@pytest.fixture(scope="session")
def config() -> PlannerConfig:
    return default_config()


@pytest.fixture(scope="session")
def gym_profile() -> MemberProfile:
    """A well-equipped intermediate with history on two lifts and no injuries."""
    return EXAMPLE.model_copy(update={"injuries": [], "member_id": "gym-1"})


@pytest.fixture(scope="session")
def gym_plan(gym_profile: MemberProfile, library: ExerciseLibrary,
             config: PlannerConfig) -> Plan:
    return generate_plan(gym_profile, 12, library=library, config=config)
