"""Kafka client options shared by the edge agent, the API and tests.

Production brokers need TLS/SASL; the options come from settings and pass through to
aiokafka unchanged, so pointing an edge box at a managed Kafka is configuration only.
"""

from __future__ import annotations

import ssl
from typing import Any

from configs.settings import KafkaSecurity, Settings


def bootstrap_servers(kafka_url: str) -> str:
    """``kafka://h1:9092;h2:9092`` (Faust style) -> ``h1:9092,h2:9092`` (aiokafka style)."""
    servers = kafka_url.removeprefix("kafka://")
    return ",".join(part.strip() for part in servers.replace(";", ",").split(",") if part.strip())


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for any aiokafka client built from ``settings``."""
    if not settings.kafka_url:
        raise ValueError("no Kafka URL: start the embedded stack (spotter up) or set "
                         "SPOTTER_KAFKA_URL")
    security = KafkaSecurity()
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers(settings.kafka_url),
        "security_protocol": security.security_protocol,
    }
    if security.security_protocol in {"SSL", "SASL_SSL"}:
        context = ssl.create_default_context(cafile=security.ssl_cafile)
        if security.ssl_certfile:
            context.load_cert_chain(security.ssl_certfile, security.ssl_keyfile)
        options["ssl_context"] = context
    if security.sasl_mechanism:
        options["sasl_mechanism"] = security.sasl_mechanism
        options["sasl_plain_username"] = security.sasl_username
        options["sasl_plain_password"] = security.sasl_password
    return options
