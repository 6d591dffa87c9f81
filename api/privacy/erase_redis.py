"""Erasing a member from Redis: the live board and anything else that names them.

Redis holds no only copy of anything (``docs/deploy.md``), so erasure may drop rather
than rewrite: a key whose name names the member is deleted; in a hash, each field whose
name or value names them is deleted (tiles, alerts, chart buckets, acknowledgements); a
set or list loses the members that do; a string that does is deleted. Every key is
scanned, not only ``spotter:*``: a studio's Redis may carry login throttles and caches
keyed by email.
"""

from __future__ import annotations

from collections import Counter

from redis.asyncio import Redis

from api.privacy.member_data import Needles
from api.privacy.scrub import mentions

SCAN_BATCH = 500


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


async def erase_redis(redis: Redis, needles: Needles) -> dict[str, int]:
    """Remove the member from every Redis key; returns counts of what went."""
    gone: Counter[str] = Counter()
    async for raw_key in redis.scan_iter(count=SCAN_BATCH):
        key = _text(raw_key)
        if mentions(key, needles):
            gone["keys_deleted"] += await redis.delete(raw_key)
            continue
        kind = _text(await redis.type(raw_key))
        if kind == "hash":
            fields = [f for f, v in (await redis.hgetall(raw_key)).items()
                      if mentions(_text(f), needles) or mentions(_text(v), needles)]
            if fields:
                gone["hash_fields_deleted"] += await redis.hdel(raw_key, *fields)
        elif kind == "set":
            members = [m for m in await redis.smembers(raw_key) if mentions(_text(m), needles)]
            if members:
                gone["set_members_deleted"] += await redis.srem(raw_key, *members)
        elif kind == "zset":
            members = [m for m in await redis.zrange(raw_key, 0, -1)
                       if mentions(_text(m), needles)]
            if members:
                gone["set_members_deleted"] += await redis.zrem(raw_key, *members)
        elif kind == "list":
            for item in set(await redis.lrange(raw_key, 0, -1)):
                if mentions(_text(item), needles):
                    gone["list_items_deleted"] += await redis.lrem(raw_key, 0, item)
        elif kind == "string":
            value = await redis.get(raw_key)
            if value is not None and mentions(_text(value), needles):
                gone["keys_deleted"] += await redis.delete(raw_key)
        elif kind == "stream":
            ids = [i for i, fields in await redis.xrange(raw_key)
                   if any(mentions(_text(k), needles) or mentions(_text(v), needles)
                          for k, v in fields.items())]
            if ids:
                gone["stream_entries_deleted"] += await redis.xdel(raw_key, *ids)
    return dict(gone)
