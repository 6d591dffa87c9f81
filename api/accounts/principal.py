"""Who is calling: a logged-in person, or an edge device bound to one room."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["admin", "trainer", "member", "device"]


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    user_id: str | None = None
    display_name: str = ""
    member_id: str | None = None
    trainer_id: str | None = None
    room_id: str | None = None  # devices only
    device_id: str | None = None  # devices only: the token's id, signs the room's records
    via: Literal["cookie", "bearer"] = "bearer"
    csrf_token: str | None = None  # cookie sessions only

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
