"""One way to configure: every package's settings are a ``configs.base.ConfigFile`` (a
TOML file of defaults, each value overridable by a ``SPOTTER_*`` variable), each setting
is defined once, and only ``configs/toml_model.py`` reads TOML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from configs.base import ConfigFile
from configs.hr_zones import ZoneFacts
from edge.config import EdgeSettings
from ingest.ble import BleSettings
from ingest.pairing import PairingSettings
from ingest.replay import ReplaySettings
from planner.config import PlannerConfig
from scheduler.config import ObjectiveWeights, SchedulerSettings, load_settings
from streams.insight_config import AlertRules, InsightConfig
from streams.worker_config import WorkerConfig
from vision.config import VisionConfig

REPO = Path(__file__).resolve().parents[2]
EVERY = [WorkerConfig, InsightConfig, AlertRules, SchedulerSettings, PlannerConfig,
         VisionConfig, EdgeSettings, BleSettings, ReplaySettings, PairingSettings, ZoneFacts]


@pytest.mark.parametrize("settings", EVERY, ids=lambda c: c.__name__)
def test_every_package_reads_its_shipped_file_the_same_way(settings: type[ConfigFile]) -> None:
    assert issubclass(settings, ConfigFile)
    assert settings.TOML_FILE.parent == REPO / "configs" and settings.TOML_FILE.exists()
    assert settings.load() is not None


@pytest.mark.parametrize(("variable", "value", "read"), [
    ("SPOTTER_WORKER__BATCH__MAX_SAMPLES", "7", lambda: WorkerConfig.load().batch.max_samples),
    ("SPOTTER_ALERTS__DROPOUT__SILENCE_S", "9.5",
     lambda: AlertRules.load().dropout.silence_s),
    ("SPOTTER_ZONES__PHYSIOLOGY__DEFAULT_AGE", "41",
     lambda: InsightConfig.load().physiology.default_age),
    ("SPOTTER_ZONES__PHYSIOLOGY__DEFAULT_AGE", "41",
     lambda: ZoneFacts.load().physiology.default_age),  # the planner's view of the same file
    ("SPOTTER_SCHEDULER__WEIGHTS__REVENUE", "0.3",
     lambda: SchedulerSettings.load().weights.revenue),
    ("SPOTTER_VISION__POSE__MAX_FPS", "12.0", lambda: VisionConfig.load().pose.max_fps),
    ("SPOTTER_EDGE_FOLLOW_INTERVAL_S", "2.5", lambda: EdgeSettings().follow_interval_s),
    ("SPOTTER_BLE_CONNECT_ATTEMPTS", "4", lambda: BleSettings().connect_attempts),
])
def test_a_variable_overrides_one_value_of_the_file(monkeypatch: pytest.MonkeyPatch,
                                                    variable: str, value: str, read) -> None:
    monkeypatch.setenv(variable, value)
    assert str(read()) == value


def test_a_bad_override_names_the_file_the_prefix_and_the_field(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from streams.worker_config import WorkerConfigError, load_worker_config

    monkeypatch.setenv("SPOTTER_WORKER__BATCH__MAX_SAMPLES", "0")
    with pytest.raises(WorkerConfigError,
                       match=r"worker\.toml \(or its SPOTTER_WORKER__\* overrides\): "
                             r"batch\.max_samples"):
        load_worker_config()


def test_the_admin_weights_are_the_schedulers_own_model() -> None:
    from api.admin.schemas import SchedulerPolicy
    from api.pages.admin import WEIGHT_FIELDS, WEIGHT_WORDS
    from api.schedules.pages import WEIGHTS
    from api.schedules.schemas import WeightOverrides

    assert SchedulerPolicy.model_fields["weights"].annotation is ObjectiveWeights
    assert SchedulerPolicy.default().weights == load_settings().weights
    names = tuple(ObjectiveWeights.model_fields)
    assert WEIGHT_FIELDS == WEIGHTS == names
    assert tuple(WeightOverrides.model_fields) == names
    assert all(WEIGHT_WORDS[n][1] for n in names)
    admin_toml = (REPO / "configs" / "admin.toml").read_text()
    assert "[scheduler_policy.weights]" not in admin_toml  # defined once: scheduler.toml


def test_only_the_config_reader_parses_toml() -> None:
    readers = []
    for path in REPO.glob("*/**/*.py"):
        rel = path.relative_to(REPO)
        if rel.parts[0] in {".venv", "tests", "bench", "scripts"} or "vendor" in rel.parts:
            continue
        if re.search(r"^\s*import tomllib|^\s*from tomllib", path.read_text(), re.M):
            readers.append(str(rel))
    assert readers == ["configs/toml_model.py"]
