"""Members' choices about their data: the wording, its version and the default of each
(``configs/consent.toml``, ``SPOTTER_CONSENT__*`` overrides).

Kept in one file so the words a member agreed to and the version stored with their
choice cannot drift apart: the API shows ``wording`` and stores ``version``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from configs.base import CONFIG_DIR, ConfigFile

WallMode = Literal["first_name", "nickname", "anonymous"]


class ConsentConfigError(ValueError):
    """configs/consent.toml or its overrides are wrong."""


class Wording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = Field(ge=1, le=10_000)
    title: str = Field(min_length=1, max_length=80)
    wording: str = Field(min_length=1, max_length=600)


class OnOffChoice(Wording):
    default: bool


class WallChoice(Wording):
    default: WallMode = "first_name"


class ConsentConfig(ConfigFile):
    """The four choices a member makes (issue 20)."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_CONSENT__")
    TOML_FILE: ClassVar[Path] = CONFIG_DIR / "consent.toml"
    FILE_ENV: ClassVar[str | None] = "SPOTTER_CONSENT_CONFIG"
    hr_tracking: OnOffChoice
    camera_form: OnOffChoice
    wall_screen: WallChoice
    suggestions: OnOffChoice

    def wording_of(self, choice: str) -> Wording:
        found: Wording = getattr(self, choice)
        return found


@lru_cache(maxsize=1)
def consent_config() -> ConsentConfig:
    """Read once per process: wording does not change under a running API."""
    return ConsentConfig.load(error=ConsentConfigError)
