"""Erasing a member everywhere (GDPR Art. 17), with a receipt that holds no personal data.

One erasure: database rows (deleted, or moved to a fresh anonymous id where they feed
class totals), Redis keys, Kafka changelog entries (tombstones) and record topics
(truncation where the broker allows), and the edge pairing and credentials files. The
database changes are committed last, after the other places succeeded: until then the
member still exists and the erasure can simply be run again. A broker or Redis that is
down stops the erasure unless the caller says that place is not deployed (``None``).

The receipt (``erasure_receipts``) lists places and counts, the anonymous id class-level
records now carry, who ran it and when; the access log gets an ``erase`` entry under the
anonymous id, and the member's earlier entries move to it too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.privacy.erase_db import erase_rows
from api.privacy.erase_files import erase_files
from api.privacy.erase_kafka import erase_kafka
from api.privacy.erase_redis import erase_redis
from api.privacy.scrub import anonymous_id
from db.models import new_id
from db.privacy import DataAccess, ErasureReceipt

log = structlog.get_logger(__name__)


def receipt_json(receipt: ErasureReceipt) -> dict[str, Any]:
    return {"id": receipt.id, "at": receipt.at.isoformat(),
            "anonymous_id": receipt.anonymous_id, "performed_by": receipt.performed_by,
            "removed": receipt.removed}


async def erase_member(db: AsyncSession, member_id: str, *, redis: Redis | None,
                       kafka_options: dict[str, Any] | None, data_dir: Path | None,
                       principal: Principal | None) -> ErasureReceipt:
    """Erase ``member_id`` everywhere; commits and returns the receipt.

    Raises :class:`api.privacy.collect.NoSuchMember` for an unknown (or erased) member.
    """
    anonymous = anonymous_id()
    try:
        needles, classes, database = await erase_rows(db, member_id, anonymous)
        removed: dict[str, Any] = {"database": database, "classes_kept_anonymised":
                                   len(classes)}
        removed["redis"] = (await erase_redis(redis, needles) if redis is not None
                            else "not deployed")
        removed["kafka"] = ((await erase_kafka(kafka_options, needles, anonymous)).counts()
                            if kafka_options is not None else "not deployed")
        removed["edge_files"] = (erase_files(data_dir, needles) if data_dir is not None
                                 else "not on this machine")
        receipt = ErasureReceipt(id=new_id(), anonymous_id=anonymous, removed=removed,
                                 performed_by=principal.user_id if principal else None)
        db.add(receipt)
        db.add(DataAccess(actor_user_id=principal.user_id if principal else None,
                          actor_role=principal.role if principal else "system",
                          member_id=anonymous, action="erase", resource="all",
                          detail=f"erasure receipt {receipt.id}"))
        await db.commit()
    except BaseException:
        await db.rollback()
        raise
    await db.refresh(receipt)
    if db.get_bind().dialect.name == "sqlite":  # old page copies leave the write-ahead log
        await db.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        await db.commit()
    log.info("member erased", anonymous_id=anonymous, receipt=receipt.id,
             tables=sorted(database))
    return receipt
