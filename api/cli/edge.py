"""``spotter edge ...``: the edge agent for one class session and its local controls."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from pathlib import Path
from typing import Any

import typer

from api.cli.apps import edge_app
from configs.logging import configure_logging


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(2)


def _known_errors() -> tuple[type[Exception], ...]:
    from edge.buffer import BufferError
    from edge.runner import EdgeError
    from ingest.ble import BleIngestError
    from ingest.pairing import PairingError
    from ingest.replay import RecordingError

    return (EdgeError, BufferError, PairingError, RecordingError, BleIngestError, ValueError,
            RuntimeError)


@edge_app.command("run")
def run(
    class_session: str = typer.Option(None, "--class-session",
                                      help="run this one class session (replays, tests)"),
    room: str = typer.Option(None, "--room", help="follow this room: run whichever class "
                             "the tablet starts there, switching without a restart"),
    simulate: int = typer.Option(0, help="simulate N straps (no radio needed)"),
    replay: bool = typer.Option(False, "--replay",
                                help="replay the FILES given (FIT, TCX or CSV), one strap each"),
    ble: bool = typer.Option(False, "--ble", help="read Bluetooth heart-rate straps"),
    files: list[Path] = typer.Argument(None, help="recordings for --replay", show_default=False),
    api: str = typer.Option(None, help="API base URL for the roster (default SPOTTER_API_URL)"),
    speed: float = typer.Option(1.0, help="simulation/replay speed factor (replay: 0 = "
                                          "as fast as possible)"),
    camera: str = typer.Option(None, help="camera for form events: device index, rtsp:// URL "
                                          "or video file (video never leaves the box)"),
    station: list[str] = typer.Option(None, help="member_id:x,y,w,h[:exercise], one per "
                                                 "member in view (repeat it)"),
    exercise: str = typer.Option(None, help="exercise of stations that name none"),
    cameras: Path = typer.Option(None, "--cameras", help="camera file (configs/cameras.toml): "
                                 "several cameras, their stations, members from the roster"),
) -> None:
    """Pair straps to the class roster and publish their heart rate to Kafka.

    --room ROOM (with the room's device token) follows the room: the box runs the class
    that is live there and switches when the tablet starts or ends one. --class-session ID
    runs one class (a replay, a test); the box still ends it when the tablet does.

    Samples the broker cannot take go to a disk buffer and follow, in order, when it is
    back. Status: /status and /metrics on SPOTTER_EDGE_HEALTH_PORT (default 9464).
    With --camera, each --station's reps and form faults go out as form events; with
    --cameras, every station of the file's cameras (station page: /stations)."""
    from configs.settings import get_settings
    from edge.camera_config import CameraConfigError, load_cameras
    from edge.cameras import StationError, parse_station
    from edge.follow import run_room
    from edge.runner import SourceSpec, run_edge

    configure_logging()
    if bool(class_session) == bool(room):
        raise _fail("give exactly one of --room ROOM (follow the room's classes) or "
                    "--class-session ID (one class)")
    if files and not replay:
        raise _fail("recording files need --replay")
    if replay and not files:
        raise _fail("--replay needs at least one recording file")
    try:
        stations = [parse_station(text, exercise) for text in station or []]
    except StationError as exc:
        raise _fail(str(exc)) from exc
    try:
        camera_file = load_cameras(cameras) if cameras else None
    except CameraConfigError as exc:
        raise _fail(str(exc)) from exc
    spec = SourceSpec(simulate=simulate, replay=list(files or []) if replay else [], ble=ble,
                      speed=speed, camera=camera, stations=stations, cameras=camera_file)
    settings = get_settings()

    async def main() -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)  # type: ignore[union-attr]
        api_url = api or settings.resolved_api_url()
        with contextlib.suppress(asyncio.CancelledError):
            if room:
                await run_room(settings, room, api_url, spec)
            else:  # it follows the class from the API (edge.class_watch)
                await run_edge(settings, class_session, api_url, spec=spec)

    try:
        asyncio.run(main())
    except _known_errors() as exc:
        raise _fail(str(exc)) from exc


def _running_agent(settings: Any) -> dict[str, Any] | None:
    from edge.runner import agent_file

    path = agent_file(settings)
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None


@edge_app.command("end-class")
def end_class(
    class_session: str = typer.Option(..., "--class-session", help="class session id"),
    wait: float = typer.Option(10.0, help="seconds to wait for the broker when no agent runs"),
) -> None:
    """End a class (the worker then writes its summaries).

    Through the running agent when there is one, so the end follows every sample it still
    holds; otherwise through the disk buffer (it is delivered after anything buffered)."""
    import httpx

    from configs.settings import get_settings

    configure_logging()
    settings = get_settings()
    agent = _running_agent(settings)
    if agent and agent.get("class_session_id") == class_session:
        headers = {"Authorization": f"Bearer {settings.edge_token}"} if settings.edge_token \
            else {}
        try:
            response = httpx.post(f"{agent['status_url']}/end-class", headers=headers,
                                  timeout=10)
        except httpx.TransportError:
            response = None  # a stale agent file: the agent is gone
        if response is not None:
            if response.status_code != 200:
                raise _fail(f"the running agent refused: {response.text}")
            typer.echo(json.dumps({"class_session_id": class_session, "via": "agent",
                                   "detail": response.json()["detail"]}))
            return
    try:
        outcome = asyncio.run(_end_through_buffer(settings, class_session, wait))
    except _known_errors() as exc:
        raise _fail(str(exc)) from exc
    typer.echo(json.dumps(outcome))


async def _end_through_buffer(settings: Any, class_session: str, wait: float
                              ) -> dict[str, Any]:
    import time

    from contract.kafka import client_options
    from contract.records import ClassEvent
    from contract.topics import TOPIC_CLASS_EVENTS
    from edge.buffer import DiskBuffer
    from edge.config import EdgeSettings
    from edge.credentials import class_credentials
    from edge.forwarder import StoreAndForward
    from edge.publisher import KafkaTransport

    es = EdgeSettings()
    options = client_options(settings)
    buffer = DiskBuffer(es.buffer_path(settings.data_dir), es.buffer_max_bytes,
                        es.buffer_synchronous).open()
    try:
        forwarder = StoreAndForward(KafkaTransport(max_batch_bytes=es.max_batch_bytes,
                                                   request_timeout_s=es.request_timeout_s,
                                                   **options), buffer, es)
        creds = await class_credentials(settings.data_dir, settings.resolved_api_url(),
                                        class_session, settings.edge_token)
        forwarder.signer = creds.signer if creds else None
        await forwarder.start()
        now = time.time()
        await forwarder.publish(TOPIC_CLASS_EVENTS, class_session,
                                ClassEvent(class_session_id=class_session, event="end",
                                           event_time=now), produced_at=now)
        delivered = await forwarder.drain(wait)
        await forwarder.close(drain_timeout_s=0)
        if not delivered:
            typer.secho("the broker did not answer: the class end waits in the disk buffer "
                        "and goes out with the next agent start", fg=typer.colors.YELLOW,
                        err=True)
        return {"class_session_id": class_session, "via": "buffer", "delivered": delivered,
                "records_waiting": buffer.depth}
    finally:
        buffer.close()


@edge_app.command("status")
def status() -> None:
    """Print the running agent's status (straps, buffer, publish lag, counts) as JSON."""
    import httpx

    from configs.settings import get_settings

    agent = _running_agent(get_settings())
    if agent is None:
        raise _fail("no edge agent is running here (no status file in SPOTTER_DATA_DIR/edge)")
    try:
        response = httpx.get(f"{agent['status_url']}/status", timeout=5)
    except httpx.TransportError as exc:
        raise _fail(f"the agent at {agent['status_url']} does not answer ({exc})") from exc
    typer.echo(json.dumps(response.json(), indent=2))


@edge_app.command("pair")
def pair(
    class_session: str = typer.Option(..., "--class-session", help="class session id"),
    strap: str = typer.Option(..., help="strap address (e.g. C0:FF:EE:00:00:01)"),
    member: str = typer.Option(..., help="member id"),
    name: str = typer.Option(None, help="display name"),
) -> None:
    """Pair a strap to a member on this box (kept in SPOTTER_DATA_DIR; the agent reads it
    when it starts). The API roster's own strap for a member takes precedence."""
    from configs.settings import get_settings
    from ingest.pairing import PairingError, Roster, default_store

    store = default_store(get_settings().data_dir)
    try:
        roster = store.load(class_session) or Roster(class_session)
        roster.pair(strap, member, name)
        store.save(roster)
    except PairingError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(json.dumps(roster.to_dict(), indent=2))
