"""A broadcast's fan-out: every subscriber, streamed with HSCAN, as `broadcasts.deliver` chunk tasks
published on one producer connection (flat memory at any count). It stops publishing when the
broadcast is stopped meanwhile.

HSCAN may return a chat twice (the hash rehashing mid-scan): each page passes a Redis set of the chats
already queued (one script call per page), so `total` counts every chat once and the progress reaches it.
"""

from collections.abc import Iterator

import structlog
from redis.asyncio import Redis

from core.broadcasts.store import BroadcastStore, State
from core.settings import DeliverySettings
from core.subscriptions import Subscriber, SubscriptionStore
from tasks.contracts import DeliveryReport, Recipient
from tasks.delivery.chunking import subscriber_chunks
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.registry import TaskRef

log = structlog.get_logger(__name__)
QUEUED_TTL = 7 * 86400
# KEYS: the broadcast's queued set. ARGV: ttl, chat ids. Returns the ids not queued before.
FIRST_SEEN = """
local fresh = {}
for i = 2, #ARGV do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then fresh[#fresh + 1] = ARGV[i] end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return fresh
"""
STATE_CHECK_EVERY = 50  # chunks
DeliverChunk = TaskRef[[int, list[Recipient]], DeliveryReport]


class BroadcastFanOut:
    def __init__(
        self,
        event_loop: WorkerEventLoop,
        redis: Redis,
        subscribers: SubscriptionStore,
        broadcasts: BroadcastStore,
        settings: DeliverySettings,
    ) -> None:
        self._loop = event_loop
        self._subscribers = subscribers
        self._broadcasts = broadcasts
        self._chunk_size = settings.chunk_size
        self._redis = redis
        self._first_seen = self._redis.register_script(FIRST_SEEN)

    def publish(self, deliver: DeliverChunk, broadcast_id: int) -> tuple[int, int]:
        """Publishes the chunks; returns (chats, chunks) published."""
        chats = chunks = 0
        self._loop.run(self._forget_queued(broadcast_id))  # a re-run queues afresh
        with deliver.app.producer_or_acquire() as producer:
            for chunk in self._chunks(broadcast_id):
                if chunks % STATE_CHECK_EVERY == 0 and not self._running(broadcast_id):
                    log.info("broadcast_fan_out_stopped", broadcast_id=broadcast_id, chats=chats)
                    break
                recipients = [Recipient(chat_id=s.chat_id, chat_type=s.chat_type) for s in chunk]
                deliver.apply_async((broadcast_id, recipients), producer=producer)
                chats, chunks = chats + len(chunk), chunks + 1
        return chats, chunks

    def _chunks(self, broadcast_id: int) -> Iterator[list[Subscriber]]:
        async def fresh(page: list[Subscriber]) -> list[Subscriber]:
            return await self._fresh(broadcast_id, page)

        return subscriber_chunks(self._loop, self._subscribers, self._chunk_size, keep=fresh)

    def _running(self, broadcast_id: int) -> bool:
        return self._loop.run(self._broadcasts.state(broadcast_id)) is State.RUNNING

    async def _forget_queued(self, broadcast_id: int) -> None:
        await self._redis.delete(self._queued_key(broadcast_id))

    def _queued_key(self, broadcast_id: int) -> str:
        return f"{self._broadcasts.counts_key(broadcast_id)}:queued"

    async def _fresh(self, broadcast_id: int, page: list[Subscriber]) -> list[Subscriber]:
        if not page:
            return page
        args = [QUEUED_TTL, *(s.chat_id for s in page)]
        fresh = {int(c) for c in await self._first_seen(keys=[self._queued_key(broadcast_id)], args=args)}
        return [s for s in page if s.chat_id in fresh]
