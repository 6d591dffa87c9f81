"""Import every table module so ``Base.metadata`` is complete (Alembic, tests)."""

from db import accounts, live, models, platform, timetable, training  # noqa: F401
from db.models import Base

metadata = Base.metadata
