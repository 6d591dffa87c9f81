"""One way to configure every package: a TOML file of defaults, overridden per value by
``SPOTTER_*`` environment variables.

Each package's settings class subclasses :class:`ConfigFile` and names its file in
``configs/`` and its environment prefix. A value is read, by priority: arguments in code
(tests), ``SPOTTER_<PREFIX>__<SECTION>__<FIELD>`` in the environment or ``.env``, the TOML
file. A whole other file can replace the shipped one (``FILE_ENV``, e.g.
``SPOTTER_WORKER_CONFIG``), for a studio's own tuning or the demo's shortened alerts.
Every value is validated by the package's pydantic model, so a typo in a file or a
variable fails at start with the file (or variable) and the field named, in the package's
own error type.

    class WorkerConfig(ConfigFile):
        model_config = SettingsConfigDict(env_prefix="SPOTTER_WORKER__")
        TOML_FILE: ClassVar[Path] = CONFIG_DIR / "worker.toml"
        FILE_ENV: ClassVar[str | None] = "SPOTTER_WORKER_CONFIG"
        batch: BatchSection = BatchSection()

    WorkerConfig.load(error=WorkerConfigError)   # SPOTTER_WORKER__BATCH__MAX_SAMPLES=500
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    PyprojectTomlConfigSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from configs.dotenv import own_dotenv_keys
from configs.toml_model import read_toml

CONFIG_DIR = Path(__file__).resolve().parent
_FILE: ContextVar[Path | None] = ContextVar("spotter_config_file", default=None)
_ONLY_GIVEN: ContextVar[bool] = ContextVar("spotter_config_only_given", default=False)
C = TypeVar("C", bound="ConfigFile")


class ConfigFile(BaseSettings):
    """Base of every package's settings (see the module docstring)."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True, env_nested_delimiter="__",
                                      env_file=".env", env_ignore_empty=True)
    TOML_FILE: ClassVar[Path]
    FILE_ENV: ClassVar[str | None] = None

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        if _ONLY_GIVEN.get():
            return (init_settings,)
        path = _FILE.get() or cls.TOML_FILE
        # A class reads the whole file, or one table of a shared file (configs/ingest.toml
        # [ble] and [replay]) when it names the table in pyproject_toml_table_header.
        toml: PydanticBaseSettingsSource = (
            PyprojectTomlConfigSettingsSource(settings_cls, path)
            if cls.model_config.get("pyproject_toml_table_header")
            else TomlConfigSettingsSource(settings_cls, toml_file=path))
        own_dotenv: Any = own_dotenv_keys(settings_cls, dotenv_settings)  # a callable source
        return (init_settings, env_settings, own_dotenv, toml)

    @classmethod
    def from_mapping(cls: type[C], data: dict[str, Any]) -> C:
        """Validate ``data`` alone: no file, no environment (a whole document to check,
        e.g. an edited copy in a test). Raises pydantic's ``ValidationError``."""
        token = _ONLY_GIVEN.set(True)
        try:
            return cls.model_validate(data)
        finally:
            _ONLY_GIVEN.reset(token)

    @classmethod
    def file_in_force(cls, path: Path | str | None = None) -> Path:
        """The file in force: ``path``, else ``$FILE_ENV``, else the shipped one."""
        chosen = path or (os.environ.get(cls.FILE_ENV) if cls.FILE_ENV else None)
        return Path(chosen) if chosen else cls.TOML_FILE

    @classmethod
    def load(cls: type[C], path: Path | str | None = None, *,
             error: type[Exception] = ValueError, **values: Any) -> C:
        """Read, override and validate; every failure is one ``error`` naming the file or
        variable and the field. ``values`` win over everything (tests)."""
        chosen = cls.file_in_force(path)
        read_toml(chosen, error)  # missing file or syntax first: the message names the file
        token = _FILE.set(chosen)
        try:
            return cls(**values)
        except ValidationError as exc:
            prefix = cls.model_config.get("env_prefix") or ""
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
                for err in exc.errors()[:8])
            raise error(f"{chosen} (or its {prefix}* overrides): {problems}") from exc
        finally:
            _FILE.reset(token)
