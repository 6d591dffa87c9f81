"""Routes of the schedules domain (filled in as the domain lands)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["schedules"])
