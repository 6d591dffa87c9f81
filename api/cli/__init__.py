"""The ``spotter`` command line. Importing the command modules registers their commands."""

from __future__ import annotations

from api.cli import (  # noqa: F401  (imported for their registrations)
    db,
    display,
    edge,
    exercises,
    hr_decode,
    hr_summary,
    member,
    members,
    plan,
    prune,
    schedule,
    up,
    users,
    vision,
    worker,
)
from api.cli.apps import app

__all__ = ["app"]
