"""Routes of the alerts domain (filled in as the domain lands)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["alerts"])
