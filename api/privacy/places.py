"""Where an erasure reaches outside the database, from this process's settings."""

from __future__ import annotations

from typing import Any

from configs.settings import Settings


def kafka_options(settings: Settings) -> dict[str, Any]:
    """Client options for the configured broker, or the embedded one on this machine
    (``spotter up``'s Tansu on ``kafka_port``) when SPOTTER_KAFKA_URL is unset."""
    from contract.kafka import client_options

    url = settings.kafka_url or f"kafka://127.0.0.1:{settings.kafka_port}"
    return client_options(settings.model_copy(update={"kafka_url": url}))
