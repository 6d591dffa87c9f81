"""``spotter up``: the embedded stack (broker, Redis, worker, API) and optionally a demo."""

from __future__ import annotations

import signal
from pathlib import Path

import typer
from rich.console import Console

from api.cli.apps import app
from configs.logging import configure_logging

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
    configure_logging()
    stack = Stack(settings, demo_members=members if demo else None, tls=tls)

    def request_stop(signum: int, _frame: object) -> None:
        stack.stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    code = 0
    try:
        stack.start()
        url = f"{stack.api_base_url}/trainer"
        console.print(f"[bold green]Spotter is up[/] — trainer page: [bold]{url}[/]")
        if tls is not None and tls.self_signed:
            console.print(f"  self-signed certificate {tls.cert}: browsers warn once; "
                          "install it on the tablet or pass --cert/--key from your own CA")
        for what, seconds in stack.timings.items():
            console.print(f"  {what:<26} {seconds:6.1f} s after start")
        if stack.demo:
            console.print("  demo accounts (email / password):")
            for role, (email, password) in stack.demo.accounts.items():
                console.print(f"    {role:<8} {email:<24} {password}")
        console.print(f"  logs in {stack.log_dir}/ — Ctrl-C stops everything")
        print(url, flush=True)
        code = stack.supervise()
    except StackError as exc:
        console.print(f"[bold red]start-up failed:[/] {exc}")
        code = 1
    finally:
        stack.stop()
        console.print("all parts stopped")
    raise typer.Exit(code)
