"""``spotter up``: the embedded stack (broker, Redis, worker, API) and optionally a demo."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from api.cli.apps import app

console = Console(stderr=True)


@app.command("up")
def up(
    demo: bool = typer.Option(False, "--demo", help="seed a demo class and simulate its straps"),
    members: int = typer.Option(8, help="simulated members in the demo class"),
    https: bool = typer.Option(False, "--https",
                               help="serve over TLS (the tablet's screen wake lock needs it)"),
    cert: Path | None = typer.Option(None, help="PEM certificate (default: self-signed)"),
    key: Path | None = typer.Option(None, help="PEM private key of --cert"),
) -> None:
    """Start every part not given by a SPOTTER_*_URL, wait until each is ready, supervise
    them, and stop them all on Ctrl-C."""
    from api.stack import Stack, StackError
    from api.tls import TlsError, resolve
    from configs.settings import get_settings

    settings = get_settings()
    tls = None
    if https or cert or key:
        try:
            tls = resolve(settings.data_dir, settings.api_host, cert, key)
        except TlsError as exc:
            console.print(f"[bold red]HTTPS:[/] {exc}")
            raise typer.Exit(2) from exc
    stack = Stack(settings, demo_members=members if demo else None, tls=tls)
    log_to_file(stack.log_dir / "stack.log")  # the supervisor's own log, beside the parts'

    def request_stop(signum: int, _frame: object) -> None:
        stack.stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    code = 0
    try:
        console.print("starting Spotter (broker, Redis, database, worker, API"
                      + (", demo class" if demo else "") + ") ...")
        stack.start()
        print(banner(stack, tls), flush=True)
        code = stack.supervise()
    except StackError as exc:
        console.print(f"[bold red]start-up failed:[/] {exc}")
        code = 1
    finally:
        stack.stop()
        console.print("all parts stopped")
    raise typer.Exit(code)


def banner(stack: Any, tls: Any) -> str:
    """One short banner on stdout, the trainer page's URL first (scripts read that line)."""
    lines = [f"{stack.api_base_url}/trainer", "  Spotter is up: open the address above."]
    if tls is not None and tls.self_signed:
        lines.append(f"  Self-signed certificate ({tls.cert}): browsers warn once.")
    if stack.demo and stack.demo_class_id:
        lines.append(f"  Demo class, live now: {stack.api_base_url}/trainer/classes/"
                     f"{stack.demo_class_id}")
    if stack.demo:
        lines.append("  Demo accounts (email / password):")
        lines += [f"    {role:<8} {email:<24} {password}"
                  for role, (email, password) in stack.demo.accounts.items()]
    lines.append(f"  Logs: {stack.log_dir}/ (one file per part). Ctrl-C stops everything.")
    return "\n".join(lines)


def log_to_file(path: Path) -> None:
    """The supervisor's structured log goes to a file: the terminal keeps the banner."""
    import structlog

    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a", encoding="utf-8")
    structlog.configure(
        processors=[structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso"),
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(file=handle))
