"""One Jinja2 environment for pages and SSE fragments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from api.words import install as install_words
from scheduler.config import studio_zone

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
ZONE_NAMES = {0: "Rest", 1: "Very light", 2: "Light", 3: "Moderate", 4: "Hard", 5: "Maximum"}
templates.env.globals["zone_names"] = ZONE_NAMES
install_words(templates.env)  # explain(), term(), plain_* filters, class_clock()


def studio_time(moment: datetime | None, fmt: str = "%a %d %b %H:%M") -> str:
    """A stored moment as the studio's wall clock shows it (configs/scheduler.toml
    [studio] timezone): people read class times in their own zone, never UTC. A naive
    value is UTC (SQLite returns stored moments without their zone)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(studio_zone()).strftime(fmt)


templates.env.filters["studio_time"] = studio_time


def render_fragment(name: str, **context: object) -> str:
    return templates.get_template(name).render(**context)
