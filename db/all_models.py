"""Import every table module so ``Base.metadata`` is complete (Alembic, tests)."""

from db import (  # noqa: F401
    accounts,
    display,
    live,
    models,
    platform,
    privacy,
    session_changes,
    timetable,
    training,
)
from db.models import Base

metadata = Base.metadata
