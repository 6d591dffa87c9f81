"""Partial updates (PATCH bodies): a left-out field keeps its value, and ``null`` means
"empty this field", which is allowed only where the field may be empty.

Without this check an explicit ``null`` slipped through an optional model field and was
stored as the text "None" or raised deep in the service (a 500); now it is a 422 that
names the fields.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


def refuse_nulls(data: Any, *, may_be_null: Collection[str] = ()) -> Any:
    """For a ``mode="before"`` model validator: raise naming every null field that may not
    be emptied."""
    if isinstance(data, dict):
        nulls = sorted(k for k, v in data.items() if v is None and k not in may_be_null)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} may not be null; leave a field out to keep "
                             "its value")
    return data
