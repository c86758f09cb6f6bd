"""Each update handled once across replicas and Telegram's redeliveries: its `update_id` claimed in Redis.

A claim is taken with `SET NX` as a lease (`WEBHOOK_CLAIM_LEASE`) before handling and turned into a
`done` mark for a day (`WEBHOOK_CLAIM_TTL`, as long as Telegram keeps an update) once handled. A replica
that dies mid-handling leaves only the lease: Telegram, which got no answer, redelivers the update, and
once the lease has run out the redelivery is handled. A handler that raises releases its claim at once.
A claim holds its replica's id: a replica whose lease ran out cannot finish or release the claim another
replica took since (compare-and-set in one script each).
"""

import uuid
from enum import StrEnum

from redis.asyncio import Redis

from core.webhook_settings import WebhookSettings

KEY_PREFIX = "bot:update:"
DONE = b"done"
# KEYS[1]: the claim. ARGV[1]: this replica's lease value; then `done` and its TTL (finish).
_FINISH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return false
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Claim(StrEnum):
    CLAIMED = "claimed"  # ours to handle
    DONE = "done"  # handled already: acknowledge without handling
    IN_FLIGHT = "in-flight"  # another replica handles it right now: ask Telegram to come back later


class UpdateClaims:
    """Raises redis.RedisError (and OSError) when Redis cannot answer: the caller answers 503."""

    def __init__(self, redis: Redis, settings: WebhookSettings) -> None:
        self._redis = redis
        self._lease = max(1, round(settings.claim_lease * 1000))
        self._ttl = settings.claim_ttl
        self._held = f"in-flight:{uuid.uuid4().hex}".encode()  # this replica's lease value
        self._finish = redis.register_script(_FINISH)
        self._release = redis.register_script(_RELEASE)

    async def claim(self, update_id: int) -> Claim:
        key = f"{KEY_PREFIX}{update_id}"
        if await self._redis.set(key, self._held, nx=True, px=self._lease):
            return Claim.CLAIMED
        held = await self._redis.get(key)
        return Claim.DONE if held == DONE else Claim.IN_FLIGHT

    async def finish(self, update_id: int) -> None:
        await self._finish(keys=[f"{KEY_PREFIX}{update_id}"], args=[self._held, DONE, self._ttl])

    async def release(self, update_id: int) -> None:
        await self._release(keys=[f"{KEY_PREFIX}{update_id}"], args=[self._held])

    async def ping(self) -> bool:
        return bool(await self._redis.ping())
