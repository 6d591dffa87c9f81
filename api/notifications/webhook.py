"""Deliver outbox rows to the studio's webhook (``SPOTTER_WEBHOOK_URL``), at least once.

Each round takes the oldest undelivered rows, POSTs each as JSON with a few quick
retries (tenacity), and records the outcome on the row. A row that keeps failing is retried
in later rounds until ``max_attempts`` in total, then left with its last error for an admin
to see. Receivers dedupe on the ``X-Spotter-Delivery`` header (the row id): delivery is
at-least-once because a crash between the POST and the commit re-sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from db.platform import OutboxMessage

log = structlog.get_logger(__name__)


class WebhookSettings(BaseSettings):
    """``SPOTTER_WEBHOOK_*`` variables; no URL means no webhook (in-app only)."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_WEBHOOK_", extra="ignore",
                                      env_file=".env")

    url: str | None = Field(default=None, description="where events are POSTed")
    secret: str | None = Field(default=None, description="signs bodies: X-Spotter-Signature")
    interval_s: float = Field(default=10.0, gt=0, description="pause between delivery rounds")
    timeout_s: float = Field(default=5.0, gt=0, description="per request")
    # Three quick tries per round ride out a receiver restart; twelve rounds (two minutes at
    # the default interval) before giving up keeps a dead endpoint from being hammered.
    tries_per_round: int = Field(default=3, ge=1, le=10)
    max_attempts: int = Field(default=12, ge=1, le=100)
    backoff_s: float = Field(default=0.5, ge=0, description="first wait between quick tries")
    batch: int = Field(default=50, ge=1, le=1000)


class DeliveryFailed(Exception):
    """The receiver answered with a non-2xx status."""


@dataclass(frozen=True)
class RoundResult:
    delivered: int
    failed: int


def body_of(message: OutboxMessage) -> bytes:
    created = message.created_at
    return json.dumps({
        "id": message.id, "event": message.event, "recipient_user_id":
        message.recipient_user_id, "payload": message.payload,
        "created_at": created.isoformat() if created else None,
    }, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the body, hex, as GitHub's webhooks do (``sha256=<hex>``)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def _post(client: httpx.AsyncClient, settings: WebhookSettings, message: OutboxMessage
                ) -> int:
    """POST one message with bounded quick retries; returns the number of tries used."""
    assert settings.url
    body = body_of(message)
    headers = {"content-type": "application/json", "x-spotter-event": message.event,
               "x-spotter-delivery": message.id}
    if settings.secret:
        headers["x-spotter-signature"] = signature(settings.secret, body)
    tries = 0
    async for attempt in AsyncRetrying(
            stop=stop_after_attempt(settings.tries_per_round),
            wait=wait_exponential(multiplier=settings.backoff_s, max=8 * settings.backoff_s),
            retry=retry_if_exception_type((httpx.TransportError, DeliveryFailed)),
            reraise=True):
        with attempt:
            tries += 1
            response = await client.post(settings.url, content=body, headers=headers,
                                         timeout=settings.timeout_s)
            if not response.is_success:
                raise DeliveryFailed(f"HTTP {response.status_code}")
    return tries


async def deliver_round(sessions: async_sessionmaker[AsyncSession], settings: WebhookSettings,
                        client: httpx.AsyncClient) -> RoundResult:
    """One pass over the undelivered rows, oldest first."""
    if not settings.url:
        return RoundResult(0, 0)
    delivered = failed = 0
    async with sessions() as db:
        query = (select(OutboxMessage)
                 .where(OutboxMessage.delivered_at.is_(None),
                        OutboxMessage.attempts < settings.max_attempts)
                 .order_by(OutboxMessage.created_at).limit(settings.batch))
        if db.bind is not None and db.bind.dialect.name != "sqlite":
            # Several API processes may send: each row goes to one of them per round.
            query = query.with_for_update(skip_locked=True)
        for message in list(await db.scalars(query)):
            try:
                tries = await _post(client, settings, message)
            except (httpx.HTTPError, DeliveryFailed) as exc:
                message.attempts += settings.tries_per_round
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                failed += 1
                log.warning("webhook delivery failed", id=message.id, kind=message.event,
                            attempts=message.attempts, error=message.last_error)
            else:
                message.attempts += tries
                message.delivered_at = datetime.now(UTC)
                message.last_error = None
                delivered += 1
            await db.commit()  # record each outcome at once: a crash re-sends at most one
    return RoundResult(delivered, failed)


async def run_sender(sessions: async_sessionmaker[AsyncSession],
                     settings: WebhookSettings, stop: asyncio.Event | None = None) -> None:
    """Deliver rounds forever (or until ``stop``); a broken round is logged, never fatal."""
    stop = stop or asyncio.Event()
    async with httpx.AsyncClient() as client:
        while not stop.is_set():
            try:
                result = await deliver_round(sessions, settings, client)
                if result.delivered or result.failed:
                    log.info("webhook round", delivered=result.delivered, failed=result.failed)
            except Exception as exc:  # noqa: BLE001 - a database hiccup must not end the loop
                log.warning("webhook round failed", error=f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.interval_s)


def payload_preview(payload: dict[str, Any], limit: int = 200) -> str:
    text = json.dumps(payload, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"
