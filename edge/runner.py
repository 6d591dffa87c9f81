"""Wiring of one edge agent: roster from the API, a heart-rate source, Kafka out."""

from __future__ import annotations

import httpx
import structlog
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from configs.settings import Settings
from edge.agent import EdgeAgent, pair_simulated
from edge.kafka import client_options
from edge.publisher import KafkaPublisher
from edge.simulator import SimulatedStraps, make_members
from streams.records import RosterEntry

log = structlog.get_logger(__name__)


async def fetch_roster(api_url: str, class_session_id: str, token: str | None
                       ) -> list[RosterEntry]:
    """The class roster from the API, retried briefly while the API comes up."""
    url = f"{api_url.rstrip('/')}/api/classes/{class_session_id}/roster"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async for attempt in AsyncRetrying(stop=stop_after_delay(30),
                                       wait=wait_exponential(max=2),
                                       retry=retry_if_exception_type(httpx.TransportError),
                                       reraise=True):
        with attempt:
            async with httpx.AsyncClient(timeout=5, headers=headers) as client:
                response = await client.get(url)
    response.raise_for_status()
    return [RosterEntry(class_session_id=class_session_id, **row) for row in response.json()]


async def run_edge(settings: Settings, class_session_id: str, api_url: str, *,
                   simulate: int, speed: float = 1.0) -> None:
    roster = await fetch_roster(api_url, class_session_id, settings.edge_token)
    straps = make_members(simulate)
    roster = pair_simulated(roster, [s.strap_id for s in straps])
    source = SimulatedStraps(straps, speed=speed)
    async with KafkaPublisher(**client_options(settings)) as publisher:
        agent = EdgeAgent(class_session_id, source, publisher, roster)
        try:
            await agent.run()
        finally:
            await agent.stop()
            log.info("edge agent stopped", published=agent.published,
                     unknown_straps=sorted(agent.unknown_straps))
