"""``spotter up``: the embedded stack (broker, Redis, worker, API) and optionally a demo."""

from __future__ import annotations

import signal

import typer
from rich.console import Console

from api.cli.apps import app
from configs.logging import configure_logging

console = Console(stderr=True)


@app.command("up")
def up(
    demo: bool = typer.Option(False, "--demo", help="seed a demo class and simulate its straps"),
    members: int = typer.Option(8, help="simulated members in the demo class"),
) -> None:
    """Start every part not given by a SPOTTER_*_URL, wait until each is ready, supervise
    them, and stop them all on Ctrl-C."""
    from api.stack import Stack, StackError
    from configs.settings import get_settings

    configure_logging()
    stack = Stack(get_settings(), demo_members=members if demo else None)

    def request_stop(signum: int, _frame: object) -> None:
        stack.stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    code = 0
    try:
        stack.start()
        settings = stack.settings
        url = f"http://{settings.api_host}:{settings.api_port}/trainer"
        console.print(f"[bold green]Spotter is up[/] — trainer page: [bold]{url}[/]")
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
