"""Every place a member's data lives in the database, and what export and erasure do there.

Export and erasure both walk :data:`REGISTRY`, so a table added to one is added to the
other, and ``tests/api/test_privacy_registry.py`` fails when a table naming a member (a
``member_id`` column, a foreign key to ``members`` or to a member's ``users`` row) is in
neither the registry nor :data:`NOT_MEMBER_DATA`. The field words here are also the
export's README and the descriptions in its JSON Schema: one text, three uses.

Erasure policies:

* ``delete``: the rows are the member's alone (their plans, logs, account).
* ``anonymise``: the rows feed class-level numbers (bookings, ratings, minutes of a class,
  alerts, the member's part of a summary): the member column becomes the erasure's
  anonymous id, free text is cleared and names in JSON are replaced, numbers stay.
* ``scrub``: class-level rows that embed members (the post-class summary): only names and
  ids inside the JSON change.

The order of :data:`REGISTRY` is the erasure order: rows that point at others go first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Column

from db.accounts import ApiToken, AuthSession, User
from db.display import MemberDisplayPreference
from db.live import AlertRow, MemberClassSummary, PostClassSummary, RealTimeInsight
from db.models import Base, Booking, Member
from db.platform import OutboxMessage
from db.privacy import DataAccess, MemberConsent
from db.session_changes import PlanSessionChange
from db.timetable import ClassFeedback
from db.training import (
    MemberProfileRow,
    ReadinessCheckin,
    WorkoutFeedback,
    WorkoutLog,
    WorkoutPlan,
)

Policy = Literal["delete", "anonymise", "scrub"]
# How rows are found: by a member column, through the member's user accounts, or as the
# class-level rows of classes the member took part in.
Link = Literal["member", "user", "class"]

# Words for columns many tables share; a kind's own words win.
COMMON_FIELDS: dict[str, str] = {
    "id": "identifier of this record",
    "member_id": "your member id",
    "class_session_id": "the class session (one dated class) this belongs to",
    "plan_id": "the workout plan this belongs to, if any",
    "created_at": "when the record was created (UTC, ISO 8601)",
    "updated_at": "when the record last changed (UTC, ISO 8601)",
    "user_id": "your login account's id",
}


@dataclass(frozen=True)
class DataKind:
    """One kind of member data: a table, how to find the member's rows, and what to do."""

    name: str  # the export's file stem, e.g. "logged_sets"
    model: type[Base]
    column: str  # the column that names the member (or user, or class)
    link: Link
    policy: Policy
    title: str
    fields: dict[str, str]  # column -> what it means (README, schema descriptions)
    tabular: bool = False  # also exported as CSV
    omit: tuple[str, ...] = ()  # never exported (secrets: hashes of tokens and passwords)
    clear: tuple[str, ...] = ()  # free text set to null when anonymised
    export: bool = True
    rekey: bool = False  # the primary key is derived from the member: replace it

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)

    def columns(self) -> list[Column[Any]]:
        """The exported columns, in table order."""
        return [c for c in self.model.__table__.columns  # type: ignore[attr-defined]
                if c.name not in self.omit]

    def describe(self, column: str) -> str:
        return self.fields.get(column) or COMMON_FIELDS.get(column, "")


_ALERT = {"rule": "which alert rule fired (e.g. sustained_max_hr)",
          "severity": "info, warning or critical", "message": "the alert as the trainer saw it",
          "event_time": "when it fired (Unix seconds)",
          "evidence": "the numbers behind the alert (heart rates, durations, reps)",
          "acknowledged_at": "when a trainer acknowledged it",
          "acknowledged_by": "the staff account that acknowledged it"}

REGISTRY: tuple[DataKind, ...] = (
    DataKind("session_changes", PlanSessionChange, "member_id", "member", "delete",
             "Changes to your planned sessions suggested during live classes", {
                 "episode_key": "class, member, rule and episode the suggestion came from",
                 "week": "plan week", "day": "ISO weekday of the planned session",
                 "session_on": "date of the planned session",
                 "rule": "what caused the suggestion", "change_group": "what kind of change",
                 "exercise_id": "exercise concerned", "exercise_name": "its name",
                 "headline": "the change in words",
                 "modifications": "the changes to sets, reps or exercises",
                 "evidence": "alert or insight numbers behind it",
                 "status": "pending, accepted or dismissed",
                 "decided_at": "when the trainer decided", "decided_by": "who decided"},
             tabular=True),
    DataKind("logged_sets", WorkoutLog, "member_id", "member", "delete",
             "Sets you logged", {
                 "performed_on": "date of the workout", "exercise_id": "exercise",
                 "set_index": "set number within the exercise", "load_kg": "load in kg",
                 "reps": "repetitions", "rpe": "rate of perceived exertion (1-10)",
                 "week": "plan week", "day": "ISO weekday of the session",
                 "pain": "you reported pain", "poor_form": "you reported poor form",
                 "applied_at": "when the plan adapted to this set"}, tabular=True),
    DataKind("workout_feedback", WorkoutFeedback, "member_id", "member", "delete",
             "Feedback you gave on workouts of your plan", {
                 "session_ref": "week-day of the session in the plan",
                 "rating": "1 (poor) to 5 (great)", "comment": "your words"}, tabular=True),
    DataKind("plans", WorkoutPlan, "member_id", "member", "delete",
             "Your workout plans", {
                 "trainer_id": "the trainer responsible",
                 "status": "draft, active or archived",
                 "profile": "the planner profile the plan was made from",
                 "plan": "weeks, sessions, exercises, sets, reps and intensities",
                 "approved_at": "when a trainer approved it",
                 "approved_by": "the staff account that approved it",
                 "adaptations": "what later adaptation changed, newest last"}),
    DataKind("planner_profile", MemberProfileRow, "member_id", "member", "delete",
             "Your planner profile (goals, experience, equipment, injuries, history)", {
                 "profile": "goals, days per week, equipment, injuries and training history",
                 "updated_by": "the account that last changed it"}),
    DataKind("check_ins", ReadinessCheckin, "member_id", "member", "delete",
             "Readiness check-ins before sessions", {
                 "checked_on": "date", "sleep": "sleep quality 1-5", "energy": "energy 1-5",
                 "stress": "stress 1-5", "soreness": "muscle soreness 1-5",
                 "pain": "pain 1-5", "pain_areas": "where it hurt"}, tabular=True),
    DataKind("consents", MemberConsent, "member_id", "member", "delete",
             "Your choices (consent) with their history", {
                 "choice": "hr_tracking, camera_form, wall_screen or suggestions",
                 "granted": "whether you agreed",
                 "version": "version of the wording you agreed to",
                 "recorded_at": "when the choice was recorded",
                 "recorded_by": "the account that recorded it"}, tabular=True),
    DataKind("display_preferences", MemberDisplayPreference, "member_id", "member",
             "delete", "How the room's wall screen names you", {
                 "nickname": "the name shown on the wall, if you chose one",
                 "on_wall": "whether you are named on the wall at all"}),
    DataKind("class_bookings", Booking, "member_id", "member", "anonymise",
             "Classes you booked", {
                 "strap_id": "the heart-rate strap you wore",
                 "status": "booking status"}, tabular=True, clear=("strap_id",)),
    DataKind("class_feedback", ClassFeedback, "member_id", "member", "anonymise",
             "Your ratings of classes", {
                 "rating": "1 (poor) to 5 (great)",
                 "time_unsuitable": "you said the time did not suit you",
                 "comment": "your words"}, tabular=True, clear=("comment",)),
    DataKind("class_summaries", MemberClassSummary, "member_id", "member", "anonymise",
             "Your part of each post-class summary", {
                 "payload": "your heart-rate zones, effort, calories, reps and notes",
                 "ended_at": "class end (Unix seconds)"}),
    DataKind("real_time_insights", RealTimeInsight, "member_id", "member", "anonymise",
             "Per-minute insights during classes", {
                 "at": "minute start, or alert time (Unix seconds)",
                 "kind": "minute or alert",
                 "data": "zone seconds, effort, mean and peak % of max heart rate, reps"},
             tabular=True, rekey=True),
    DataKind("alerts", AlertRow, "member_id", "member", "anonymise",
             "Alerts about you during classes", _ALERT, tabular=True, rekey=True),
    DataKind("post_class_summaries", PostClassSummary, "class_session_id", "class", "scrub",
             "Class-level summaries (exported as your part only: class_summaries)", {},
             export=False),
    DataKind("access_log", DataAccess, "member_id", "member", "anonymise",
             "Who viewed, changed, exported or erased your data", {
                 "at": "when", "actor_user_id": "the account that did it",
                 "actor_role": "admin, trainer, member or system",
                 "action": "view, change, export or erase",
                 "resource": "which data", "detail": "more about it"}, tabular=True),
    DataKind("notifications", OutboxMessage, "recipient_user_id", "user", "delete",
             "Notifications sent to you", {
                 "event": "what happened", "payload": "its details",
                 "recipient_user_id": "your login account's id",
                 "read_at": "when you read it", "delivered_at": "when it was delivered",
                 "attempts": "delivery attempts", "last_error": "last delivery error"},
             tabular=True),
    DataKind("login_sessions", AuthSession, "user_id", "user", "delete",
             "Your browser logins", {"expires_at": "when the login expires"},
             omit=("token_hash", "csrf_token"), tabular=True),
    DataKind("api_tokens", ApiToken, "user_id", "user", "delete",
             "API tokens of your account", {
                 "name": "the token's label", "kind": "user or device",
                 "room_id": "room of a device token", "revoked_at": "when it was revoked",
                 "expires_at": "when it expires"}, omit=("token_hash",), tabular=True),
    DataKind("account", User, "member_id", "member", "delete",
             "Your login account", {
                 "email": "login email", "display_name": "name on the account",
                 "role": "member", "trainer_id": "unused for members",
                 "is_active": "whether you can log in"}, omit=("password_hash",)),
    DataKind("profile", Member, "id", "member", "delete",
             "Who you are to the studio", {
                 "id": "your member id", "display_name": "your name",
                 "email": "your email", "birth_year": "year of birth", "sex": "sex",
                 "weight_kg": "weight in kg", "hr_max": "maximum heart rate (bpm)",
                 "hr_rest": "resting heart rate (bpm)"}),
)

# Tables whose member-like columns hold staff or class data, not a member's: why each is
# left out. The registry test requires every such table to be named here or above.
NOT_MEMBER_DATA: dict[str, str] = {
    "class_schedules": "created_by is the admin or trainer who made the timetable",
    "trainer_leave": "created_by is staff",
    "schedule_proposals": "decided_by is staff",
    "erasure_receipts": "holds no member id by design",
}


@dataclass
class Needles:
    """What identifies the member: searched for in JSON, Redis, topics and files."""

    member_id: str
    names: list[str] = field(default_factory=list)  # full display name, first name
    emails: list[str] = field(default_factory=list)
    user_ids: list[str] = field(default_factory=list)
    # the member's bookings as they travel on the topics (contract.pseudonyms): not
    # personal once erasure moved the bookings to the anonymous id, so not searched for
    # in the database; the edge box's buffer drops records under them, and the receipt
    # counts those left on the topics
    wire_ids: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [t for t in [self.member_id, *self.names, *self.emails, *self.user_ids] if t]


def kind(name: str) -> DataKind:
    return next(k for k in REGISTRY if k.name == name)


# How the export presents the kinds (README, export.json): who first, then training, then
# classes, then the rest; kinds missing here follow in registry order.
EXPORT_ORDER = ("profile", "account", "planner_profile", "plans", "logged_sets", "check_ins",
                "workout_feedback", "session_changes", "class_bookings", "class_feedback",
                "class_summaries", "real_time_insights", "alerts", "consents",
                "display_preferences", "notifications", "login_sessions", "api_tokens",
                "access_log")


def exported() -> list[DataKind]:
    kinds = [k for k in REGISTRY if k.export]
    rank = {name: i for i, name in enumerate(EXPORT_ORDER)}
    return sorted(kinds, key=lambda k: rank.get(k.name, len(rank)))
