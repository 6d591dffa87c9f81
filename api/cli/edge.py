"""``spotter edge run``: the edge agent for one class session."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer

from api.cli.apps import edge_app
from configs.logging import configure_logging


@edge_app.command("run")
def run(
    class_session: str = typer.Option(..., "--class-session", help="class session id"),
    simulate: int = typer.Option(0, help="simulate N straps (no radio needed)"),
    api: str = typer.Option(None, help="API base URL for the roster (default SPOTTER_API_URL)"),
    speed: float = typer.Option(1.0, help="simulation speed factor"),
) -> None:
    """Pair straps to the class roster and publish their heart rate to Kafka."""
    from configs.settings import get_settings
    from edge.runner import run_edge

    configure_logging()
    if simulate <= 0:
        raise typer.BadParameter("no heart-rate source: pass --simulate N "
                                 "(BLE straps and --replay arrive with the ingest work)")
    settings = get_settings()

    async def main() -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)  # type: ignore[union-attr]
        with contextlib.suppress(asyncio.CancelledError):
            await run_edge(settings, class_session, api or settings.resolved_api_url(),
                           simulate=simulate, speed=speed)

    asyncio.run(main())
