"""Sharing one ``.env`` between settings models that guard their keys differently."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_settings import BaseSettings


def own_dotenv_keys(settings_cls: type[BaseSettings],
                    dotenv_source: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """One ``.env`` holds every ``SPOTTER_*`` setting, but models that forbid unknown keys
    (so a typo in their TOML table fails loudly) would reject the other models' entries:
    give such a model only the keys it owns."""

    def read() -> dict[str, Any]:
        return {k: v for k, v in dotenv_source().items() if k in settings_cls.model_fields}

    return read
