"""The current value of one member's choice (issue 20), for any package that honours it.

Here, below the API's packages, so that a package the privacy code itself builds on (plans,
members) can ask "may I use this member's data for X?" without an import circle. The full
service (history, recording, the wall) is :mod:`api.privacy.consent`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from configs.consent import consent_config
from db.privacy import MemberConsent


async def allows(db: AsyncSession, member_id: str, choice: str) -> bool:
    """The member's newest recorded answer to an on/off ``choice``, else its default
    (configs/consent.toml)."""
    granted = await db.scalar(select(MemberConsent.granted).where(
        MemberConsent.member_id == member_id, MemberConsent.choice == choice)
        .order_by(MemberConsent.recorded_at.desc()).limit(1))
    if granted is None:
        return bool(getattr(consent_config(), choice).default)
    return bool(granted)
