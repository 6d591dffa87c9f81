"""The Typer groups of the ``spotter`` CLI, shared so that each domain module adds its
own commands without touching the others. Command modules import heavy libraries
(MediaPipe, OR-Tools, Faust) inside the command body so ``spotter --help`` stays fast."""

from __future__ import annotations

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
