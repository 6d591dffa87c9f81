"""Wiring of one edge agent: roster from the API, strap pairing, a heart-rate source, the
disk buffer and Kafka, and the local status endpoint. Thin: the decisions live in
:mod:`edge.pairing`, :mod:`edge.forwarder` and :mod:`edge.agent`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import structlog
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from configs.settings import Settings
from contract.kafka import client_options
from contract.records import RosterEntry
from edge.agent import EdgeAgent
from edge.box_report import BoxReporter
from edge.buffer import DiskBuffer
from edge.camera_config import CamerasFile
from edge.cameras import CameraSet, NoStraps, StationSpec, single_camera
from edge.class_watch import follow_class
from edge.config import EdgeSettings
from edge.credentials import class_credentials
from edge.forwarder import StoreAndForward
from edge.health import serve_status, status_app, status_snapshot
from edge.pairing import pair_straps, roster_from_pairings, wire_ids_from_pairings
from edge.publisher import KafkaTransport
from edge.stations_app import station_routes
from ingest.pairing import default_store
from ingest.source import HeartRateSource

log = structlog.get_logger(__name__)
# Watches a running class (agent, stop-the-cameras) until it ends; see edge.follow.
Follow = Callable[[EdgeAgent, Callable[[], Awaitable[None]]], Awaitable[None]]
ROSTER_WAIT_S = 30.0  # how long to wait for the API at start-up (it may boot with the box)


class EdgeError(RuntimeError):
    """The agent cannot start as configured; the message says what to change."""


@dataclass
class SourceSpec:
    """Where heart rate comes from (``simulate`` straps, ``replay`` files or BLE), and
    optional cameras: one ``camera`` with its ``stations``, or a camera file."""

    simulate: int = 0
    replay: Sequence[Path] = ()
    ble: bool = False
    speed: float = 1.0
    ble_backends: tuple[Any, Any] | None = None  # (client, scanner): simulated radio in tests
    extra: dict[str, Any] = field(default_factory=dict)
    camera: str | None = None
    stations: Sequence[StationSpec] = ()
    cameras: CamerasFile | None = None

    def check(self) -> None:
        if bool(self.camera) != bool(self.stations):
            raise EdgeError("--camera needs at least one --station member_id:x,y,w,h, "
                            "and --station needs --camera")
        if self.camera and self.cameras:
            raise EdgeError("choose --cameras FILE or --camera with --station, not both")
        chosen = sum([bool(self.simulate), bool(self.replay), self.ble])
        if chosen > 1 or (chosen == 0 and not self.has_cameras):
            raise EdgeError("choose exactly one heart-rate source: --simulate N, "
                            "--replay FILE... or --ble (or only cameras)")

    @property
    def has_cameras(self) -> bool:
        return bool(self.camera or self.cameras)

    def camera_file(self) -> CamerasFile | None:
        if self.camera:
            return single_camera(self.camera, self.stations)
        return self.cameras


async def fetch_roster(api_url: str, class_session_id: str, token: str | None,
                       wait_s: float = ROSTER_WAIT_S
                       ) -> tuple[list[RosterEntry], dict[str, str]]:
    """The class roster from the API, retried while the API comes up, and each member's
    wire id (``contract.pseudonyms``: what the box writes on the topics instead of the
    member's id)."""
    url = f"{api_url.rstrip('/')}/api/classes/{class_session_id}/roster"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async for attempt in AsyncRetrying(stop=stop_after_delay(wait_s),
                                       wait=wait_exponential(max=2),
                                       retry=retry_if_exception_type(httpx.TransportError),
                                       reraise=True):
        with attempt:
            async with httpx.AsyncClient(timeout=5, headers=headers) as client:
                response = await client.get(url)
    if response.status_code in (401, 403):
        raise EdgeError(f"the API refused the roster of {class_session_id} "
                        f"({response.status_code}): set SPOTTER_EDGE_TOKEN to the device token "
                        "of this class's room")
    if response.status_code == 404:
        raise EdgeError(f"the API knows no class session {class_session_id!r}; check the id")
    response.raise_for_status()
    rows = response.json()
    wire_ids = {str(row["member_id"]): str(row["wire_id"]) for row in rows
                if isinstance(row, dict) and row.get("wire_id") and row.get("member_id")}
    return ([RosterEntry(class_session_id=class_session_id,
                         **{k: v for k, v in row.items() if k != "wire_id"}) for row in rows],
            wire_ids)


def virtual_source(spec: SourceSpec) -> tuple[HeartRateSource, list[str]] | None:
    """A simulator or replay and its strap ids (known before it runs); None for BLE.
    Built before anything else, so an unreadable recording fails at once."""
    if spec.simulate:
        from edge.simulator import SimulatedStraps, make_members

        members = make_members(spec.simulate)
        return (SimulatedStraps(members, speed=spec.speed, **spec.extra),
                [m.strap_id for m in members])
    if spec.replay:
        from ingest.replay import ReplaySource

        replay = ReplaySource.from_files(spec.replay, speed=spec.speed)
        return replay, list(replay.statuses())
    return None


def ble_source(spec: SourceSpec, paired_straps: Sequence[str]) -> HeartRateSource:
    """Bluetooth straps, reading only the class's paired straps (others still show, as
    unknown, in the source's statuses)."""
    from ingest.ble import BleHeartRateSource, BleSettings

    client, scanner = spec.ble_backends or (None, None)
    return BleHeartRateSource(BleSettings(), straps=list(paired_straps) or None,
                              client_backend=client, scanner_backend=scanner)


async def class_roster(settings: Settings, class_session_id: str, api_url: str,
                       virtual: list[str] | None, roster_wait_s: float = ROSTER_WAIT_S
                       ) -> tuple[list[RosterEntry], dict[str, str]]:
    """Roster with straps paired (API + saved pairings + virtual straps), saved back, and
    the members' wire ids (with the API away, those saved with the pairings: members
    without a strap then go under their member id, which the worker refuses for a
    member who has a wire id, keeping the record in the dead letters)."""
    store = default_store(settings.data_dir)
    stored = store.load(class_session_id)
    wire_ids: dict[str, str] = {}
    try:
        rows, wire_ids = await fetch_roster(api_url, class_session_id, settings.edge_token,
                                            roster_wait_s)
    except httpx.TransportError as exc:
        if stored is None:
            raise EdgeError(f"the API at {api_url} is unreachable ({exc}) and this box has no "
                            f"saved pairings for {class_session_id}; check SPOTTER_API_URL"
                            ) from exc
        log.warning("api_unreachable_using_saved_pairings", api=api_url, error=str(exc))
        rows = roster_from_pairings(class_session_id, stored)
        wire_ids = wire_ids_from_pairings(stored)
    result = pair_straps(rows, stored, virtual)
    for clash in result.clashes:
        log.warning("pairing_clash", detail=clash)
    missing = [e.member_id for e in result.roster if not e.strap_id]
    if missing:
        log.warning("members_without_strap", members=missing,
                    advice="pair them: spotter edge pair --class-session ... --strap ... "
                           "--member ...")
    store.save(result.pairings(class_session_id, wire_ids))
    return result.roster, wire_ids


def camera_set(settings: Settings, spec: SourceSpec, class_session_id: str,
               roster: Sequence[RosterEntry]) -> CameraSet | None:
    """The box's cameras with the layouts confirmed on its station page (a camera file
    only: ``--station`` flags are exactly what they say)."""
    from edge.stations_layout import layout_store

    cameras = spec.camera_file()
    if cameras is None:
        return None
    store = layout_store(settings.data_dir) if spec.cameras else None
    # members who switched camera form off are not offered on the station page either
    return CameraSet(cameras, class_session_id, [e.member_id for e in roster if e.camera_form],
                     refused=frozenset(e.member_id for e in roster if not e.camera_form),
                     layouts=store.load() if store else {}, store=store)


def agent_file(settings: Settings) -> Path:
    """Where a running agent says which port its status endpoint has."""
    return settings.data_dir / "edge" / "agent.json"


async def run_edge(settings: Settings, class_session_id: str, api_url: str, *,
                   simulate: int = 0, speed: float = 1.0, replay: Sequence[Path] = (),
                   ble: bool = False, spec: SourceSpec | None = None,
                   edge_settings: EdgeSettings | None = None,
                   roster_wait_s: float = ROSTER_WAIT_S, announce_start: bool = True,
                   follow: Follow | None = None) -> EdgeAgent:
    """Run the agent until its source ends, the class is ended, or the task is cancelled.
    Whatever was not delivered stays in the disk buffer for the next start.

    ``follow`` watches the class from the API while it runs (``edge.follow``): it ends
    the agent when the class ends there, and stops the cameras when vision is switched
    off. ``announce_start`` False: the API started the class (room mode)."""
    spec = spec or SourceSpec(simulate=simulate, replay=replay, ble=ble, speed=speed)
    spec.check()
    es = edge_settings or EdgeSettings()
    kafka = client_options(settings)
    virtual = virtual_source(spec)
    roster, wire_ids = await class_roster(settings, class_session_id, api_url,
                                          virtual[1] if virtual else None, roster_wait_s)
    if virtual:
        source = virtual[0]
    elif spec.ble:
        source = ble_source(spec, [e.strap_id for e in roster if e.strap_id])
    else:
        source = NoStraps()
    cameras = camera_set(settings, spec, class_session_id, roster)
    buffer = DiskBuffer(es.buffer_path(settings.data_dir), es.buffer_max_bytes,
                        es.buffer_synchronous).open()
    try:
        forwarder = StoreAndForward(
            KafkaTransport(max_batch_bytes=es.max_batch_bytes,
                           request_timeout_s=es.request_timeout_s, **kafka), buffer, es)
        forwarder.wire_ids = wire_ids
        next_seq = buffer.load_sequences(es.seq_skip_after_crash)
        agent = EdgeAgent(class_session_id, source, forwarder, roster,
                          sequences={strap: n - 1 for strap, n in next_seq.items()},
                          checkpoint=buffer.save_sequences)
        creds = await class_credentials(settings.data_dir, api_url, class_session_id,
                                        settings.edge_token)
        if creds is not None:
            forwarder.signer, agent.signed_roster = creds.signer, creds.roster
        await forwarder.start()
        server = None
        if es.health_enabled:
            app = status_app(lambda: status_snapshot(agent, forwarder, cameras),
                             agent.end_class, settings.edge_token,
                             extra=station_routes(cameras, settings.edge_token,
                                                  {e.member_id: e.display_name for e in roster}))
            server = await serve_status(app, es.health_host, es.health_port)
            if server is not None:
                _write_agent_file(settings, class_session_id, es.health_host, server.port)
        watching = cameras.start(forwarder.submit_record, source) if cameras else None
        reporter = None
        if cameras is not None and creds is not None and settings.edge_token \
                and es.box_report_s > 0:
            reporter = BoxReporter(api_url, creds.signer.room_id, settings.edge_token,
                                   class_session_id, cameras, es.box_report_s)
            reporter.start()

        cameras_done: list[bool] = []

        async def stop_cameras() -> None:
            if cameras and watching and not cameras_done:
                cameras_done.append(True)
                await cameras.finish(watching)

        if follow is None and settings.edge_token:
            follow = follow_class(api_url, class_session_id, settings.edge_token,
                                  es.follow_interval_s)
        watcher = (asyncio.create_task(follow(agent, stop_cameras), name="follow-class")
                   if follow is not None else None)
        try:
            await agent.run(announce_start=announce_start, end_when_exhausted=bool(spec.replay),
                            before_end=stop_cameras)
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await watcher
            await agent.stop()
            await stop_cameras()
            if reporter is not None:
                await reporter.stop()
            await forwarder.close()
            agent.save_sequences()
            if server is not None:
                await server.stop()
                with contextlib.suppress(OSError):
                    agent_file(settings).unlink()
            log.info("edge agent stopped", published=agent.published,
                     acknowledged=forwarder.counters.published, buffered=buffer.depth,
                     unknown_straps=sorted(agent.unknown_straps))
    finally:
        buffer.close()
    return agent


def _write_agent_file(settings: Settings, class_session_id: str, host: str, port: int) -> None:
    path = agent_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    reach = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    path.write_text(json.dumps({"pid": os.getpid(), "class_session_id": class_session_id,
                                "status_url": f"http://{reach}:{port}"}))
