"""Plain words for the pages: the glossary's explanations and the class clock's text,
installed on the one Jinja environment (``api.templating``) so every template and live
fragment can use them. Imports nothing else of ``api``, so templating can depend on it."""

from __future__ import annotations

from jinja2 import Environment

from api.words import glossary
from api.words.clock import elapsed_text


def install(env: Environment) -> None:
    """``explain``, ``term``, ``zone_range``, ``class_clock`` and the ``plain_*`` filters."""
    glossary.install(env)
    env.globals["class_clock"] = elapsed_text
