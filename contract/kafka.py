"""The one Kafka client configuration every process builds its clients from.

Edge producer, API, worker (consumer and producer), benches and tests all start from
:func:`kafka_config`: bootstrap servers from ``SPOTTER_KAFKA_URL`` and TLS/SASL from
``SPOTTER_KAFKA_*``. :func:`client_options` turns it into aiokafka keyword arguments;
``streams.kafka_faust`` turns the same object into Faust's broker credentials. So
pointing a studio at a managed Kafka is configuration only, for every process alike.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

from configs.settings import KafkaSecurity, Settings


class KafkaConfigError(ValueError):
    """The Kafka settings cannot make a working client; the message says which."""


@dataclass(frozen=True)
class KafkaConfig:
    bootstrap_servers: str
    security_protocol: str  # PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
    ssl_context: ssl.SSLContext | None = None
    sasl_mechanism: str | None = None  # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
    sasl_username: str | None = None
    sasl_password: str | None = None

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in {"SSL", "SASL_SSL"}

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol in {"SASL_PLAINTEXT", "SASL_SSL"}


def bootstrap_servers(kafka_url: str) -> str:
    """``kafka://h1:9092;h2:9092`` (Faust style) -> ``h1:9092,h2:9092`` (aiokafka style)."""
    servers = kafka_url.removeprefix("kafka://")
    return ",".join(part.strip() for part in servers.replace(";", ",").split(",") if part.strip())


def kafka_config(settings: Settings, security: KafkaSecurity | None = None) -> KafkaConfig:
    """The client configuration of this process, checked: a setting that would give a
    client that cannot connect is an error naming the setting, not a silent fallback."""
    if not settings.kafka_url:
        raise KafkaConfigError("no Kafka URL: start the embedded stack (spotter up) or set "
                               "SPOTTER_KAFKA_URL")
    sec = security or KafkaSecurity()
    protocol = sec.security_protocol
    context = None
    if protocol in {"SSL", "SASL_SSL"}:
        try:
            context = ssl.create_default_context(cafile=sec.ssl_cafile)
            if sec.ssl_certfile:
                context.load_cert_chain(sec.ssl_certfile, sec.ssl_keyfile)
        except (OSError, ssl.SSLError) as exc:
            raise KafkaConfigError(f"SPOTTER_KAFKA_SSL_*: cannot load the CA or client "
                                   f"certificate ({exc})") from exc
    mechanism = None
    if protocol in {"SASL_PLAINTEXT", "SASL_SSL"}:
        mechanism = sec.sasl_mechanism or "PLAIN"
        if not sec.sasl_username or sec.sasl_password is None:
            raise KafkaConfigError(f"{protocol} needs SPOTTER_KAFKA_SASL_USERNAME and "
                                   "SPOTTER_KAFKA_SASL_PASSWORD")
    elif sec.sasl_mechanism:
        raise KafkaConfigError(f"SPOTTER_KAFKA_SASL_MECHANISM is set but the protocol is "
                               f"{protocol}; use SASL_SSL (or SASL_PLAINTEXT)")
    return KafkaConfig(bootstrap_servers=bootstrap_servers(settings.kafka_url),
                       security_protocol=protocol, ssl_context=context,
                       sasl_mechanism=mechanism, sasl_username=sec.sasl_username,
                       sasl_password=sec.sasl_password)


def client_options(settings: Settings | KafkaConfig) -> dict[str, Any]:
    """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
    cfg = settings if isinstance(settings, KafkaConfig) else kafka_config(settings)
    options: dict[str, Any] = {"bootstrap_servers": cfg.bootstrap_servers,
                               "security_protocol": cfg.security_protocol}
    if cfg.ssl_context is not None:
        options["ssl_context"] = cfg.ssl_context
    if cfg.uses_sasl:
        options["sasl_mechanism"] = cfg.sasl_mechanism
        options["sasl_plain_username"] = cfg.sasl_username
        options["sasl_plain_password"] = cfg.sasl_password
    return options
