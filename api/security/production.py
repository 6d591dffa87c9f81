"""Start-up checks of a server process's configuration, answered in one line.

``spotter api``, ``spotter worker`` and ``spotter up`` run these before starting anything,
so a deployer sees "error: SPOTTER_ENV=prod is production ...: set SPOTTER_SECRET_KEY ..."
instead of a traceback from deep inside uvicorn or Faust.
"""

from __future__ import annotations

from pydantic import ValidationError

from api.security.proxies import trusted_proxies
from configs.settings import Settings, get_settings


def settings_problem(error: ValidationError) -> str:
    """The first problem of a settings validation error, named by its environment variable."""
    first = error.errors()[0]
    name = "_".join(str(part) for part in first.get("loc", ())).upper()
    value = first.get("input")
    shown = f" (got {value!r})" if isinstance(value, str | int | float) else ""
    return f"SPOTTER_{name}: {first.get('msg', 'invalid')}{shown}"


def load_settings() -> tuple[Settings | None, str | None]:
    """(settings, None), or (None, one line saying what is wrong)."""
    try:
        return get_settings(), None
    except ValidationError as exc:
        return None, settings_problem(exc)


def deployment_problem(settings: Settings) -> str | None:
    """What would stop this configuration from running safely, or None."""
    try:
        settings.check_secrets()
        trusted_proxies(settings.trusted_proxies)
    except ValueError as exc:
        return str(exc)
    return None
