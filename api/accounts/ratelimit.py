"""Login throttling: a fixed window per client address, in Redis when it is up.

Falls back to a per-process counter when Redis is down, so a Redis outage neither
blocks logins nor lifts the limit.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

# OWASP's authentication cheat sheet asks for throttling without fixing numbers; ten tries
# a minute per address (SPOTTER_LOGIN_ATTEMPTS_PER_MINUTE) stops online guessing while a
# fumbling trainer never meets it.
LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_S = 60

_local: dict[str, tuple[float, int]] = {}


async def allow_login_attempt(redis: Redis, client: str, limit: int = LOGIN_ATTEMPTS) -> bool:
    key = f"spotter:login:{client}"
    try:
        count = int(await redis.incr(key))
        if count == 1:
            await redis.expire(key, LOGIN_WINDOW_S)
        return count <= limit
    except (RedisError, OSError):
        now = time.monotonic()
        started, count = _local.get(key, (now, 0))
        if now - started > LOGIN_WINDOW_S:
            started, count = now, 0
        _local[key] = (started, count + 1)
        return count + 1 <= limit
