"""The worker's Kafka clients from the one configuration (``contract.kafka``).

Faust builds its consumer and producer itself from ``broker`` and ``broker_credentials``,
so the TLS/SASL settings the edge and API pass to aiokafka directly reach the worker as
Faust credentials carrying the same SSL context, mechanism and user.
"""

from __future__ import annotations

from typing import Any

import faust

from contract.kafka import KafkaConfig


def faust_broker_options(cfg: KafkaConfig) -> dict[str, Any]:
    """``faust.App`` keyword arguments: the broker list and its credentials."""
    broker = "kafka://" + ";".join(cfg.bootstrap_servers.split(","))
    credentials: Any = None
    if cfg.uses_sasl:
        credentials = faust.SASLCredentials(username=cfg.sasl_username,
                                            password=cfg.sasl_password,
                                            ssl_context=cfg.ssl_context,
                                            mechanism=cfg.sasl_mechanism)
    elif cfg.uses_tls:
        credentials = faust.SSLCredentials(cfg.ssl_context)
    return {"broker": broker, "broker_credentials": credentials}
