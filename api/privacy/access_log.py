"""The data access log's writer, for the privacy package and its callers (export,
erasure). The code lives in :mod:`db.access_log` so that plans, members and summaries can
log without importing ``api.privacy``; see there for what is logged and why."""

from __future__ import annotations

from db.access_log import (
    ACTIONS,
    build_entry,
    is_logged,
    logged,
    logged_many,
    record_access,
    record_access_many,
    record_access_sync,
    summary_member_ids,
)

__all__ = ["ACTIONS", "build_entry", "is_logged", "logged", "logged_many", "record_access",
           "record_access_many", "record_access_sync", "summary_member_ids"]
