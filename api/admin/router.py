"""Admin API: accounts, tokens and studio settings (admins only, except the feature read)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.accounts import users
from api.accounts.dependencies import AdminPrincipal, CurrentPrincipal
from api.accounts.schemas import IssuedToken, TokenIn, TokenInfo, UserIn, UserOut, UserPatch
from api.admin import service
from api.admin.schemas import AiFeatures, RetentionPolicy, SchedulerPolicy
from api.deps import SessionDep

router = APIRouter(tags=["admin"])


@router.get("/api/admin/users")
async def list_users(db: SessionDep, _: AdminPrincipal,
                     role: str | None = Query(None, pattern="^(admin|trainer|member)$")
                     ) -> list[UserOut]:
    """Every account, by role then email."""
    return [UserOut.model_validate(u) for u in await users.list_users(db, role)]


@router.post("/api/admin/users", status_code=201)
async def create_user(body: UserIn, db: SessionDep, _: AdminPrincipal) -> UserOut:
    """Create an account (409 if the email is taken, 422 if a linked id does not exist)."""
    user = await users.create_user(db, **body.model_dump())
    return UserOut.model_validate(user)


@router.get("/api/admin/users/{user_id}")
async def get_user(user_id: str, db: SessionDep, _: AdminPrincipal) -> UserOut:
    return UserOut.model_validate(await users.get_user(db, user_id))


@router.patch("/api/admin/users/{user_id}")
async def update_user(user_id: str, body: UserPatch, db: SessionDep,
                      principal: AdminPrincipal) -> UserOut:
    """Change role, name, links, password or active flag. Deactivating revokes the
    user's tokens and ends their sessions; admins cannot deactivate or demote themselves."""
    user = await users.update_user(db, user_id, acting_user_id=principal.user_id,
                                   **body.model_dump(exclude_unset=True))
    return UserOut.model_validate(user)


@router.get("/api/admin/tokens")
async def list_tokens(db: SessionDep, _: AdminPrincipal, user_id: str | None = None,
                      room_id: str | None = None, include_revoked: bool = False
                      ) -> list[TokenInfo]:
    """Bearer tokens (never their secrets), newest first."""
    rows = await users.list_tokens(db, user_id=user_id, room_id=room_id,
                                   include_revoked=include_revoked)
    return [TokenInfo.model_validate(r) for r in rows]


@router.post("/api/admin/tokens", status_code=201)
async def issue_token(body: TokenIn, db: SessionDep, _: AdminPrincipal) -> IssuedToken:
    """A token for one user, or a device token scoped to one room; the secret shows once."""
    row, secret = await users.issue_token(db, name=body.name, user_id=body.user_id,
                                          room_id=body.room_id)
    return IssuedToken(token=secret, **TokenInfo.model_validate(row).model_dump())


@router.delete("/api/admin/tokens/{token_id}")
async def revoke_token(token_id: str, db: SessionDep, _: AdminPrincipal) -> TokenInfo:
    """Revoke a token at once (idempotent)."""
    return TokenInfo.model_validate(await users.revoke_token(db, token_id))


class AllSettings(BaseModel):
    ai_features: AiFeatures
    scheduler_policy: SchedulerPolicy
    retention: RetentionPolicy


@router.get("/api/admin/settings")
async def all_settings(db: SessionDep, _: AdminPrincipal) -> AllSettings:
    """Every studio setting in force (stored value or the shipped default)."""
    return AllSettings(ai_features=await service.ai_features(db),
                       scheduler_policy=await service.scheduler_policy(db),
                       retention=await service.retention(db))


@router.get("/api/admin/settings/ai-features")
async def get_ai_features(db: SessionDep, _: AdminPrincipal) -> AiFeatures:
    return await service.ai_features(db)


@router.put("/api/admin/settings/ai-features")
async def put_ai_features(body: AiFeatures, db: SessionDep, _: AdminPrincipal) -> AiFeatures:
    """Replace the AI feature toggles (planner, live alerts, vision per room id)."""
    await service.save(db, body)
    return body


@router.get("/api/admin/settings/scheduler-policy")
async def get_scheduler_policy(db: SessionDep, _: AdminPrincipal) -> SchedulerPolicy:
    return await service.scheduler_policy(db)


@router.put("/api/admin/settings/scheduler-policy")
async def put_scheduler_policy(body: SchedulerPolicy, db: SessionDep, _: AdminPrincipal
                               ) -> SchedulerPolicy:
    """Replace the timetable objective weights and constraints."""
    await service.save(db, body)
    return body


@router.get("/api/admin/settings/retention")
async def get_retention(db: SessionDep, _: AdminPrincipal) -> RetentionPolicy:
    """Days each kind of member data is kept (``spotter db prune`` applies them daily)."""
    return await service.retention(db)


@router.put("/api/admin/settings/retention")
async def put_retention(body: RetentionPolicy, db: SessionDep, _: AdminPrincipal
                        ) -> RetentionPolicy:
    """Replace the retention days; 422 names each field out of bounds and why."""
    await service.save(db, body)
    return body


class FeaturesOut(BaseModel):
    planner: bool
    live_alerts: bool
    vision: bool


@router.get("/api/settings/features")
async def my_features(db: SessionDep, principal: CurrentPrincipal,
                      room_id: str | None = Query(None, max_length=64)) -> FeaturesOut:
    """The AI features in force for the caller: an edge device gets its own room's vision
    flag; others may name a room."""
    features = await service.ai_features(db)
    room = principal.room_id if principal.role == "device" else room_id
    return FeaturesOut(planner=features.planner, live_alerts=features.live_alerts,
                       vision=features.vision_for(room))
