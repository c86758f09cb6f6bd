"""Idempotency guards in Redis: one fan-out per (notification, tick), one message per (tick, chat).

A guard is a `SET NX` key whose value is the id of the task that claimed it. Celery keeps a task's id
across redeliveries and retries, so the same task can claim its own key again (it may not have sent),
while a duplicate task (a second beat, a re-run fan-out) cannot. A delivered chat's key is confirmed
to `sent`, after which nobody claims it. The window left: Telegram accepted a message and the process
died before `confirm` — the redelivered task sends that one message again.
"""

from redis.asyncio import Redis

CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0
"""
SENT = "sent"


class DeliveryLedger:
    def __init__(self, redis: Redis, ttl: int, prefix: str = "notifications") -> None:
        self._redis = redis
        self._ttl = ttl
        self._prefix = prefix
        self._claim = redis.register_script(CLAIM)

    async def claim_tick(self, notification: str, tick: str, owner: str) -> bool:
        return await self._claim_key(f"{self._prefix}:tick:{notification}:{tick}", owner)

    async def claim_chat(self, tick: str, chat_id: int, owner: str) -> bool:
        return await self._claim_key(self._chat_key(tick, chat_id), owner)

    async def confirm_chat(self, tick: str, chat_id: int) -> None:
        await self._redis.set(self._chat_key(tick, chat_id), SENT, ex=self._ttl)

    async def _claim_key(self, key: str, owner: str) -> bool:
        return bool(await self._claim(keys=[key], args=[owner, self._ttl]))

    def _chat_key(self, tick: str, chat_id: int) -> str:
        return f"{self._prefix}:sent:{tick}:{chat_id}"
