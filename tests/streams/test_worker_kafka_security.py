"""The worker's own Kafka clients (Faust's consumer and producer) get the TLS/SASL
settings every other process gets from ``contract.kafka``.

No broker here offers TLS or SASL (the embedded Tansu speaks plaintext only), so this
checks the clients Faust builds, before they connect: the same assertions the edge
producer's test makes on its client.
"""

from __future__ import annotations

import ssl
from typing import Any

import certifi
import pytest

from configs.settings import Settings
from contract.kafka import KafkaConfigError, kafka_config
from streams.worker import create_app

CASES = [
    ({}, "PLAINTEXT", False, None, None),
    ({"SPOTTER_KAFKA_SECURITY_PROTOCOL": "SSL", "SPOTTER_KAFKA_SSL_CAFILE": certifi.where()},
     "SSL", True, None, None),
    ({"SPOTTER_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
      "SPOTTER_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
      "SPOTTER_KAFKA_SASL_USERNAME": "worker-1", "SPOTTER_KAFKA_SASL_PASSWORD": "s3cret"},
     "SASL_SSL", True, "SCRAM-SHA-512", "worker-1"),
    ({"SPOTTER_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
      "SPOTTER_KAFKA_SASL_MECHANISM": "PLAIN",
      "SPOTTER_KAFKA_SASL_USERNAME": "worker-1", "SPOTTER_KAFKA_SASL_PASSWORD": "s3cret"},
     "SASL_PLAINTEXT", False, "PLAIN", "worker-1"),
]


def worker_app(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tmp_path: Any) -> Any:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app(Settings(kafka_url="kafka://broker-a.example.com:9093;"
                               "broker-b.example.com:9093",
                               redis_url="redis://127.0.0.1:6379/0", data_dir=tmp_path,
                               worker_id="security-test"))


@pytest.mark.parametrize(("env", "protocol", "tls", "mechanism", "user"), CASES)
async def test_the_workers_consumer_and_producer_get_the_settings(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any, env: dict[str, str], protocol: str,
        tls: bool, mechanism: str | None, user: str | None) -> None:
    app = worker_app(monkeypatch, env, tmp_path)
    consumer = app.consumer._thread._create_worker_consumer(app.transport)
    producer = app.producer._new_producer()
    for client in (consumer._client, producer.client):
        servers = client._bootstrap_servers
        servers = servers.split(",") if isinstance(servers, str) else list(servers)
        assert servers == ["broker-a.example.com:9093", "broker-b.example.com:9093"]
        assert client._security_protocol == protocol
        assert isinstance(client._ssl_context, ssl.SSLContext) == tls
        if mechanism is not None:
            assert client._sasl_mechanism == mechanism
            assert client._sasl_plain_username == user
            assert client._sasl_plain_password == "s3cret"
    assert str(app.conf.datadir).startswith(str(tmp_path))  # no *-data/ in the cwd
    await consumer.stop()
    await producer.stop()


@pytest.mark.parametrize(("env", "says"), [
    ({"SPOTTER_KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}, "SASL_USERNAME"),
    ({"SPOTTER_KAFKA_SASL_MECHANISM": "PLAIN"}, "protocol is PLAINTEXT"),
    ({"SPOTTER_KAFKA_SECURITY_PROTOCOL": "SSL",
      "SPOTTER_KAFKA_SSL_CAFILE": "/no/such/ca.pem"}, "cannot load the CA"),
])
def test_settings_that_cannot_connect_are_refused_with_the_setting_named(
        monkeypatch: pytest.MonkeyPatch, env: dict[str, str], says: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(KafkaConfigError, match=says):
        kafka_config(Settings(kafka_url="kafka://b:9093"))
