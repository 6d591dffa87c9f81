"""The Typer groups of the ``spotter`` CLI, shared so that each domain module adds its
own commands without touching the others. Command modules import heavy libraries
(MediaPipe, OR-Tools, Faust) inside the command body so ``spotter --help`` stays fast."""

from __future__ import annotations

import os
import sys

import typer

app = typer.Typer(help="Spotter: live class insights, workout plans and timetables.",
                  no_args_is_help=True, add_completion=False)
edge_app = typer.Typer(help="Run the edge agent (straps, cameras) for a class.",
                       no_args_is_help=True)
hr_app = typer.Typer(help="Heart-rate tools: decode packets, summarise recordings.",
                     no_args_is_help=True)
vision_app = typer.Typer(help="Pose and exercise analysis on video.", no_args_is_help=True)
plan_app = typer.Typer(help="Workout plans.", no_args_is_help=True)
exercises_app = typer.Typer(help="The exercise library.", no_args_is_help=True)
schedule_app = typer.Typer(help="Weekly class timetables.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations and demo data.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts: create, list, change, issue API tokens.",
                        no_args_is_help=True)
devices_app = typer.Typer(help="Edge device tokens, each scoped to one room.",
                          no_args_is_help=True)
tokens_app = typer.Typer(help="List and revoke bearer tokens.", no_args_is_help=True)
notifications_app = typer.Typer(help="Notification outbox: webhook delivery.",
                                no_args_is_help=True)

app.add_typer(edge_app, name="edge")
app.add_typer(hr_app, name="hr")
app.add_typer(vision_app, name="vision")
app.add_typer(plan_app, name="plan")
app.add_typer(exercises_app, name="exercises")
app.add_typer(schedule_app, name="schedule")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(devices_app, name="devices")
app.add_typer(tokens_app, name="tokens")
app.add_typer(notifications_app, name="notifications")

# Long-running server commands: their configuration is checked before anything starts.
SERVER_COMMANDS = frozenset({"api", "worker", "up"})
# Commands that write studio data or secrets under SPOTTER_DATA_DIR (the database, logs,
# the edge buffer, TLS keys): they, and every process they start, create files 0600.
PRIVATE_FILE_COMMANDS = SERVER_COMMANDS | {"edge", "db"}


@app.callback()
def before_command(ctx: typer.Context) -> None:
    """Spotter: live class insights, workout plans and timetables."""
    command = ctx.invoked_subcommand
    if command in PRIVATE_FILE_COMMANDS:
        from api.security.datafiles import private_umask

        previous = private_umask()
        ctx.call_on_close(lambda: os.umask(previous))
    # Click hands a group's callback no sub-command arguments: --help is seen in argv.
    if command not in SERVER_COMMANDS or "--help" in sys.argv[1:]:
        return
    from api.security.production import deployment_problem, load_settings

    settings, problem = load_settings()
    if settings is not None:
        problem = deployment_problem(settings)
    if settings is not None and not problem and command == "up" and "--demo" in sys.argv[1:]:
        from api.demo import refusal

        problem = refusal(settings.resolved_database_url(), settings.env)
    if problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
