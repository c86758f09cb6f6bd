"""Update claims on a real Redis (database 17): a replica whose lease ran out cannot touch the claim
another replica took since."""

from redis.asyncio import Redis

from bot.webhook.claims import Claim, UpdateClaims
from core.webhook_settings import WebhookSettings
from tests.support.databases import database
from tests.support.processes import RedisServer
from tests.support.waiting import async_wait_for

CLAIMS_DB = 17


async def test_a_late_replica_neither_releases_nor_finishes_the_claim_another_took(
    redis_server: RedisServer,
) -> None:
    url, sync = database(redis_server, CLAIMS_DB)
    redis = Redis.from_url(url)
    try:
        slow = UpdateClaims(redis, WebhookSettings(claim_lease=0.05))
        other = UpdateClaims(redis, WebhookSettings())
        assert await slow.claim(5) is Claim.CLAIMED
        await async_wait_for(lambda: not sync.exists("bot:update:5"), 5, "the slow replica's lease to end")
        assert await other.claim(5) is Claim.CLAIMED  # Telegram's redelivery, at the other replica
        await slow.release(5)
        assert await slow.claim(5) is Claim.IN_FLIGHT  # still the other's
        await slow.finish(5)
        assert sync.get("bot:update:5") != b"done"
        await other.finish(5)
        assert sync.get("bot:update:5") == b"done"
        assert await slow.claim(5) is Claim.DONE
    finally:
        await redis.aclose()
