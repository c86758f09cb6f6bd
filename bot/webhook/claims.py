"""Each update handled once across replicas and Telegram's redeliveries: its `update_id` claimed in Redis.

A claim is taken with `SET NX` as a lease (`WEBHOOK_CLAIM_LEASE`) before handling and turned into a
`done` mark for a day (`WEBHOOK_CLAIM_TTL`, as long as Telegram keeps an update) once handled. A replica
that dies mid-handling leaves only the lease: Telegram, which got no answer, redelivers the update, and
once the lease has run out the redelivery is handled. A handler that raises releases its claim at once.
"""

from enum import StrEnum

from redis.asyncio import Redis

from core.webhook_settings import WebhookSettings

KEY_PREFIX = "bot:update:"
IN_FLIGHT, DONE = b"in-flight", b"done"


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

    async def claim(self, update_id: int) -> Claim:
        key = f"{KEY_PREFIX}{update_id}"
        if await self._redis.set(key, IN_FLIGHT, nx=True, px=self._lease):
            return Claim.CLAIMED
        held = await self._redis.get(key)
        return Claim.DONE if held == DONE else Claim.IN_FLIGHT

    async def finish(self, update_id: int) -> None:
        await self._redis.set(f"{KEY_PREFIX}{update_id}", DONE, ex=self._ttl)

    async def release(self, update_id: int) -> None:
        await self._redis.delete(f"{KEY_PREFIX}{update_id}")

    async def ping(self) -> bool:
        return bool(await self._redis.ping())
