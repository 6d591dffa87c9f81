"""One Jinja2 environment for pages and SSE fragments."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from api.words import install as install_words

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
ZONE_NAMES = {0: "Rest", 1: "Very light", 2: "Light", 3: "Moderate", 4: "Hard", 5: "Maximum"}
templates.env.globals["zone_names"] = ZONE_NAMES
install_words(templates.env)  # explain(), term(), plain_* filters, class_clock()


def render_fragment(name: str, **context: object) -> str:
    return templates.get_template(name).render(**context)
