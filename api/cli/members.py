"""``spotter members export|erase``: a member's data out, or gone, from a shell.

``export MEMBER_ID --out FILE.zip`` writes the same zip as the member page's button.
``erase MEMBER_ID --yes`` erases the member from the database, Redis, the Kafka
changelogs and the edge files under SPOTTER_DATA_DIR, and prints the receipt as JSON.
Both are recorded in the access log as done by the system. Exit codes: 0 done, 2 no such
member (or not confirmed), 1 a place (database, Redis, broker) unavailable.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from api.cli.apps import app
from api.cli.session import run_in_session

T = TypeVar("T")
members_app = typer.Typer(help="Members' data: export it, or erase it everywhere.",
                          no_args_is_help=True)
app.add_typer(members_app, name="members")


def _quiet_logs() -> None:
    """Logs to stderr (looked up at each call: a test runner swaps it), so stdout stays
    pure JSON."""
    import structlog

    structlog.configure(logger_factory=lambda *_: structlog.PrintLogger(file=sys.stderr),
                        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))


def _fail(code: int, message: str) -> typer.Exit:
    sys.stderr.write(f"error: {message}\n")
    return typer.Exit(code)


def _run(work: Callable[[Any], Awaitable[T]]) -> T:
    from api.privacy.collect import NoSuchMember

    try:
        return run_in_session(work)
    except NoSuchMember as exc:
        raise _fail(2, f"{exc}; list members on /admin/members") from exc


@members_app.command("export")
def export(member_id: str = typer.Argument(..., help="the member's id"),
           out: Path = typer.Option(..., "--out", help="the zip file to write")) -> None:
    """Everything held about the member: a JSON per data kind, CSVs, README, schema."""
    _quiet_logs()
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from api.privacy.access_log import record_access
    from api.privacy.export import export_zip

    async def work(db: Any) -> bytes:
        body = await export_zip(db, member_id)
        await record_access(db, None, member_id, "export", "all", "spotter members export")
        return body

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True,
                  console=None) as progress:
        progress.add_task(f"exporting {member_id}", total=None)
        body = _run(work)
    out.write_bytes(body)
    out.chmod(0o600)
    typer.echo(json.dumps({"member_id": member_id, "out": str(out), "bytes": len(body)}))


@members_app.command("erase")
def erase(member_id: str = typer.Argument(..., help="the member's id"),
          yes: bool = typer.Option(False, "--yes", help="confirm: this cannot be undone"),
          kafka: bool = typer.Option(True, "--kafka/--no-kafka",
                                     help="tombstone the member on the broker's changelogs "
                                          "(--no-kafka only where no broker is deployed)"),
          redis: bool = typer.Option(True, "--redis/--no-redis",
                                     help="remove the member from Redis (--no-redis only "
                                          "where none is deployed)")) -> None:
    """Erase the member everywhere; prints the erasure receipt as JSON."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from api.privacy.erasure import erase_member, receipt_json
    from api.privacy.places import kafka_options
    from configs.settings import get_settings

    _quiet_logs()
    if not yes:
        raise _fail(2, "erasure cannot be undone; add --yes to confirm")
    settings = get_settings()
    if redis and not settings.redis_url:
        raise _fail(1, "SPOTTER_REDIS_URL is not set; set it to the stack's Redis, or pass "
                       "--no-redis where no Redis is deployed")

    async def work(db: Any) -> dict[str, Any]:
        client = Redis.from_url(settings.redis_url) if redis and settings.redis_url else None
        try:
            receipt = await erase_member(
                db, member_id, redis=client,
                kafka_options=kafka_options(settings) if kafka else None,
                data_dir=settings.data_dir, principal=None)
            return receipt_json(receipt)
        finally:
            if client is not None:
                await client.aclose()

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True,
                  console=None) as progress:
        progress.add_task("erasing: database, Redis, Kafka, edge files", total=None)
        try:
            receipt = _run(work)
        except (RedisError, OSError) as exc:
            raise _fail(1, f"Redis is unavailable ({exc}); nothing was erased") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("aiokafka"):
                raise _fail(1, f"the Kafka broker is unavailable ({exc}); nothing was "
                               "erased (--no-kafka where none is deployed)") from exc
            raise
    typer.echo(json.dumps(receipt, indent=2))


@members_app.command("erase-edge-files")
def erase_edge_files(member_id: str = typer.Argument(..., help="the erased member's id"),
                     data_dir: Path = typer.Option(None, "--data-dir",
                                                   help="the edge box's data directory "
                                                        "(default SPOTTER_DATA_DIR)")) -> None:
    """On an edge box of its own (no database): remove the member from its pairing file
    and delete class credentials naming them. Run with the id from the erasure request;
    names are taken from the box's own pairings. Prints counts as JSON."""
    from api.privacy.erase_files import erase_files, names_on_box, wire_ids_on_box
    from api.privacy.member_data import Needles
    from configs.settings import get_settings

    _quiet_logs()
    folder = data_dir or get_settings().data_dir
    needles = Needles(member_id=member_id, names=names_on_box(folder, member_id),
                      wire_ids=wire_ids_on_box(folder, member_id))
    typer.echo(json.dumps({"data_dir": str(folder), "removed": erase_files(folder, needles)}))
