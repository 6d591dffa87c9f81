"""TLS and SASL settings reach the Kafka client the edge box publishes with, unchanged."""

from __future__ import annotations

import ssl

import certifi
import pytest

from configs.settings import Settings
from contract.kafka import bootstrap_servers, client_options
from edge.publisher import KafkaTransport


@pytest.mark.parametrize(("url", "servers"), [
    ("kafka://127.0.0.1:9092", "127.0.0.1:9092"),
    ("kafka://b1.example.com:9093;b2.example.com:9093", "b1.example.com:9093,b2.example.com:9093"),
    ("b1:9092, b2:9092", "b1:9092,b2:9092"),
])
def test_broker_lists_in_either_spelling(url: str, servers: str) -> None:
    assert bootstrap_servers(url) == servers


@pytest.mark.parametrize(("env", "expected"), [
    # (aiokafka's default mechanism is PLAIN; it is not used without SASL)
    ({}, {"security_protocol": "PLAINTEXT", "ssl": False, "sasl_mechanism": "PLAIN"}),
    ({"SPOTTER_KAFKA_SECURITY_PROTOCOL": "SSL", "SPOTTER_KAFKA_SSL_CAFILE": certifi.where()},
     {"security_protocol": "SSL", "ssl": True, "sasl_mechanism": "PLAIN"}),
    ({"SPOTTER_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
      "SPOTTER_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
      "SPOTTER_KAFKA_SASL_USERNAME": "edge-room-1", "SPOTTER_KAFKA_SASL_PASSWORD": "s3cret"},
     {"security_protocol": "SASL_PLAINTEXT", "ssl": False, "sasl_mechanism": "SCRAM-SHA-256",
      "sasl_plain_username": "edge-room-1", "sasl_plain_password": "s3cret"}),
    ({"SPOTTER_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
      "SPOTTER_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
      "SPOTTER_KAFKA_SASL_USERNAME": "u", "SPOTTER_KAFKA_SASL_PASSWORD": "p"},
     {"security_protocol": "SASL_SSL", "ssl": True, "sasl_mechanism": "SCRAM-SHA-512",
      "sasl_plain_username": "u", "sasl_plain_password": "p"}),
])
async def test_security_settings_reach_the_producer(monkeypatch: pytest.MonkeyPatch,
                                                    env: dict[str, str],
                                                    expected: dict[str, object]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    options = client_options(Settings(kafka_url="kafka://broker.example.com:9093"))
    producer = KafkaTransport(**options).make_producer()
    client = producer.client  # the aiokafka client, as the edge agent builds it
    assert client._security_protocol == expected["security_protocol"]
    assert isinstance(client._ssl_context, ssl.SSLContext) == expected["ssl"]
    assert client._sasl_mechanism == expected["sasl_mechanism"]
    for key in ("sasl_plain_username", "sasl_plain_password"):
        if key in expected:
            assert getattr(client, f"_{key}") == expected[key]
    await producer.stop()


def test_no_broker_configured_is_an_error_with_advice() -> None:
    with pytest.raises(ValueError, match="SPOTTER_KAFKA_URL"):
        client_options(Settings(kafka_url=None))
