"""The front door's admission check: per-user rate limits, one task in flight, and the queue guard.

One Lua script decides an update in one Redis round trip, so the limits hold across every bot
process sharing the Redis: is the Celery queue behind the command deeper than allowed (busy), is
this user over the command's rate, is the previous one still running (throttled). The user is told
once per flood, not once per dropped update, whether the answer is "busy" or "too fast"; an update that
already holds the lock (a redelivery of the same update after a restart) is admitted again.
"""

import enum
from dataclasses import dataclass

from redis.asyncio import Redis

KEY_PREFIX = "front-door"

# KEYS: in-flight, rate window, notice, queue. ARGV: in-flight ms (0: no lock), calls per window
# (0: no rate), window ms, notice ms, queue depth allowed (-1: no guard), lock token.
_ADMIT = """
if tonumber(ARGV[5]) >= 0 and redis.call('LLEN', KEYS[4]) > tonumber(ARGV[5]) then
  if redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[4]) then return 3 end
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
  return 2
end
local admitted = true
if ARGV[2] ~= '0' then
  local calls = redis.call('INCR', KEYS[2])
  if calls == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
  admitted = calls <= tonumber(ARGV[2])
end
if admitted and ARGV[1] ~= '0' then
  admitted = redis.call('SET', KEYS[1], ARGV[6], 'NX', 'PX', ARGV[1]) ~= false
    or redis.call('GET', KEYS[1]) == ARGV[6]
end
if admitted then return 0 end
if redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[4]) then return 1 end
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return 2
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A handler flag (`flags={"rate_limit": RateLimit(...)}`): per user and command, at most `calls`
    updates per `period` seconds and, with `one_in_flight`, one handled at a time. A throttled user
    is told once; the notice is not repeated while the flood goes on (`notice_quiet` s of silence).
    `shared_as`: handlers whose limits carry the same name share one count per user (else each
    handler counts on its own). `fail_open`: for handlers that need no Redis, an unreachable throttle
    admits instead of answering "busy"."""

    calls: int
    period: float
    one_in_flight: bool = True
    notice_quiet: float = 10.0
    shared_as: str | None = None
    fail_open: bool = False


class Verdict(enum.IntEnum):
    ADMITTED = 0
    THROTTLED_NOTIFY = 1
    THROTTLED_SILENT = 2
    BUSY = 3


@dataclass(frozen=True, slots=True)
class Admission:
    verdict: Verdict
    lock_key: str | None  # to release once the handler is done


class Throttle:
    """Runs the admission script. `lock_ms` bounds a lock whose holder died; a queue longer than
    `max_depth` is busy."""

    def __init__(self, redis: Redis, lock_ms: int, max_depth: int) -> None:
        self._lock_ms = lock_ms
        self._max_depth = max_depth
        self._admit = redis.register_script(_ADMIT)
        self._release = redis.register_script(_RELEASE)

    async def admit(self, subject: str, limit: RateLimit | None, queue: str | None, token: str) -> Admission:
        """`subject`: whose use of what (command and user); `queue`: the Celery queue to guard."""
        base = f"{KEY_PREFIX}:{subject}"
        locked = limit is not None and limit.one_in_flight
        keys = [f"{base}:in-flight", f"{base}:calls", f"{base}:notice", queue or f"{base}:no-queue"]
        args: list[int | str] = [
            self._lock_ms if locked else 0,
            limit.calls if limit else 0,
            int(limit.period * 1000) if limit else 1,
            int(limit.notice_quiet * 1000) if limit else 1,
            self._max_depth if queue else -1,
            token,
        ]
        verdict = Verdict(int(await self._admit(keys=keys, args=args)))
        lock_key = keys[0] if locked and verdict is Verdict.ADMITTED else None
        return Admission(verdict, lock_key)

    async def release(self, lock_key: str, token: str) -> None:
        await self._release(keys=[lock_key], args=[token])
