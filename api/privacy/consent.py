"""Members' choices about their data (issue 20, item 1): what each member allows now, how
a change is recorded, and the history of what they chose.

Each change is a new :class:`db.privacy.MemberConsent` row with the time, the version of
the wording the member was shown (``configs/consent.toml``) and who recorded it, so the
studio can show what a member had agreed to on any day. A member who never answered gets
each choice's default from the same file.

The wall screen is one truth with the existing wall-name page: how the wall names a member
(first name, nickname, anonymous) lives in :class:`db.display.MemberDisplayPreference`,
which the wall reads. Its one writer, :func:`save_wall_choice`, also
adds the consent row (granted: named on the wall) when being named is switched on or off
or answered for the first time, whether the change came from here or the wall-name page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.exceptions import InvalidInput
from api.privacy.nickname import check_nickname
from configs.consent import WallMode, consent_config
from db import consent as db_consent
from db.display import MemberDisplayPreference
from db.privacy import MemberConsent

log = structlog.get_logger(__name__)

ON_OFF = ("hr_tracking", "camera_form", "suggestions")
CHOICES = ("hr_tracking", "camera_form", "wall_screen", "suggestions")


@dataclass(frozen=True, slots=True)
class MemberChoices:
    """What one member allows now; ``asked`` names the choices they answered themselves
    (the others are the defaults of configs/consent.toml), ``outdated`` those answered
    under an older version of the wording: the answer stands until the member confirms
    or changes it, and the page asks them to."""

    member_id: str
    hr_tracking: bool
    camera_form: bool
    wall_screen: WallMode
    nickname: str | None
    suggestions: bool
    asked: frozenset[str] = frozenset()
    outdated: frozenset[str] = frozenset()  # answered under an older wording: to confirm

    @property
    def on_wall(self) -> bool:
        return self.wall_screen != "anonymous"

    def off(self) -> list[str]:
        """The choices switched off, in the vocabulary's order (pages show these)."""
        return [c for c in ON_OFF if not getattr(self, c)] + (
            ["wall_screen"] if not self.on_wall else [])


class ChoicesIn(BaseModel):
    """A change of choices: only the fields sent change. JSON booleans only ("yes" or 1
    is refused), so a client's typo never reads as consent."""

    model_config = ConfigDict(extra="forbid")

    hr_tracking: StrictBool | None = None
    camera_form: StrictBool | None = None
    wall_screen: WallMode | None = None
    nickname: str | None = Field(None, max_length=100,
                                 description="with wall_screen 'nickname': the name shown")
    suggestions: StrictBool | None = None

    @model_validator(mode="after")
    def _something(self) -> ChoicesIn:
        if not self.model_fields_set - {"nickname"} and self.nickname is None:
            raise ValueError("send at least one of hr_tracking, camera_form, wall_screen, "
                             "suggestions")
        return self


def defaults(member_id: str) -> MemberChoices:
    config = consent_config()
    return MemberChoices(member_id, config.hr_tracking.default, config.camera_form.default,
                         config.wall_screen.default, None, config.suggestions.default)


def _wall_mode(pref: MemberDisplayPreference) -> WallMode:
    if not pref.on_wall:
        return "anonymous"
    return "nickname" if pref.nickname else "first_name"


async def choices_of(db: AsyncSession, member_ids: Iterable[str]) -> dict[str, MemberChoices]:
    """Current choices of several members (a class roster) in two queries."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    latest: dict[tuple[str, str], bool] = {}
    versions: dict[tuple[str, str], int] = {}
    rows = await db.execute(select(MemberConsent.member_id, MemberConsent.choice,
                                   MemberConsent.granted, MemberConsent.version)
                            .where(MemberConsent.member_id.in_(ids))
                            .order_by(MemberConsent.recorded_at))
    for member_id, choice, granted, version in rows:
        latest[(member_id, choice)] = bool(granted)  # the newest row wins
        versions[(member_id, choice)] = int(version)
    config = consent_config()
    prefs = {p.member_id: p for p in await db.scalars(select(MemberDisplayPreference).where(
        MemberDisplayPreference.member_id.in_(ids)))}
    found = {}
    for member_id in ids:
        base = defaults(member_id)
        values: dict[str, Any] = {c: latest.get((member_id, c), getattr(base, c))
                                  for c in ON_OFF}
        asked = {c for c in CHOICES if (member_id, c) in latest}
        outdated = frozenset(c for c in ON_OFF if (member_id, c) in versions
                             and versions[(member_id, c)] < config.wording_of(c).version)
        pref = prefs.get(member_id)
        wall, nickname = (_wall_mode(pref), pref.nickname) if pref else (base.wall_screen,
                                                                         None)
        if pref is not None:
            asked.add("wall_screen")
        found[member_id] = MemberChoices(member_id, wall_screen=wall, nickname=nickname,
                                         asked=frozenset(asked), outdated=outdated,
                                         **values)
    return found


async def choices(db: AsyncSession, member_id: str) -> MemberChoices:
    return (await choices_of(db, [member_id]))[member_id]


def _reasons(body: ChoicesIn, now: MemberChoices) -> tuple[WallMode | None, str | None]:
    """The wall mode and nickname to store, or :class:`InvalidInput` with the reason."""
    if body.wall_screen is None and body.nickname is None:
        return None, now.nickname
    try:
        nickname = check_nickname(body.nickname) if body.nickname is not None \
            else now.nickname
    except ValueError as exc:
        raise InvalidInput(f"nickname: {exc}") from exc
    mode = body.wall_screen or now.wall_screen
    if body.wall_screen is None and body.nickname is not None:
        mode = "nickname" if nickname else ("first_name" if now.on_wall else "anonymous")
    if mode == "nickname" and not nickname:
        raise InvalidInput("wall_screen 'nickname' needs a nickname: send one, or choose "
                           "'first_name' or 'anonymous'")
    return mode, nickname


async def record(db: AsyncSession, member_id: str, body: ChoicesIn,
                 recorded_by: str | None) -> MemberChoices:
    """Store a member's change: one consent row per choice whose value changes (or that
    the member answers for the first time, or confirms under a newer wording), with the
    wording's version and who recorded it. Other unchanged choices add no row; the
    history stays a list of decisions."""
    now = await choices(db, member_id)
    config = consent_config()
    at = datetime.now(UTC)
    mode, nickname = _reasons(body, now)
    added = []
    for choice in ON_OFF:
        value = getattr(body, choice)
        if value is None or (value == getattr(now, choice) and choice in now.asked
                             and choice not in now.outdated):
            continue  # no change (a confirmation of a newer wording is one)
        added.append(MemberConsent(member_id=member_id, choice=choice, granted=value,
                                   version=config.wording_of(choice).version,
                                   recorded_at=at, recorded_by=recorded_by))
    if mode is not None:
        # nickname kept while anonymous (switching back to it needs no retyping)
        await save_wall_choice(db, member_id, None if mode == "first_name"
                                       else nickname, mode != "anonymous", recorded_by)
    db.add_all(added)
    await db.commit()
    log.info("member_choices_recorded", member_id=member_id, recorded_by=recorded_by,
             changes={r.choice: r.granted for r in added}, wall=mode)
    return await choices(db, member_id)


async def history(db: AsyncSession, member_id: str) -> list[MemberConsent]:
    """Every recorded choice of the member, newest first."""
    return list(await db.scalars(select(MemberConsent).where(
        MemberConsent.member_id == member_id).order_by(MemberConsent.recorded_at.desc())))


async def save_wall_choice(db: AsyncSession, member_id: str, nickname: str | None,
                           on_wall: bool, recorded_by: str | None) -> None:
    """The one writer of how the wall names a member (the wall-name page and API, and
    the member's data choices, all come here): the preference row the wall reads, and a
    consent row (``wall_screen``, granted: named on the wall, with the wording's version)
    when being named is switched on or off or answered for the first time. The caller
    commits."""
    row = await db.get(MemberDisplayPreference, member_id)
    at = datetime.now(UTC)
    if row is None or bool(row.on_wall) != on_wall:
        db.add(MemberConsent(member_id=member_id, choice="wall_screen", granted=on_wall,
                             version=consent_config().wall_screen.version, recorded_at=at,
                             recorded_by=recorded_by))
    if row is None:
        row = MemberDisplayPreference(member_id=member_id)
        db.add(row)
    row.nickname, row.on_wall, row.updated_at = nickname, on_wall, at


async def allows(db: AsyncSession, member_id: str, choice: str) -> bool:
    """Whether the member allows an on/off ``choice`` now (their latest row, else the
    default); the query lives in :mod:`db.consent` so packages below this one share it."""
    return await db_consent.allows(db, member_id, choice)


async def allowed_by_all(db: AsyncSession, choice: str) -> Callable[[str], bool]:
    """A test of "does this member allow ``choice``" over every member at once (one query
    of that choice's rows), for jobs that read many members' records, like the
    timetable's use of class ratings."""
    latest: dict[str, bool] = {}
    rows = await db.execute(select(MemberConsent.member_id, MemberConsent.granted)
                            .where(MemberConsent.choice == choice)
                            .order_by(MemberConsent.recorded_at))
    for member_id, granted in rows:
        latest[member_id] = bool(granted)
    default = bool(getattr(consent_config(), choice).default)
    return lambda member_id: latest.get(member_id, default)
