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
# KEYS: guards; ARGV[1]: owner. Deletes the guards still held by owner (not the `sent` ones).
RELEASE = """
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released
"""
# KEYS: guard, progress hash (optional). ARGV: ttl, progress field. Counts the chat once, on the first
# confirmation: a redelivered chunk confirming it again counts nothing.
CONFIRM = """
if redis.call('GET', KEYS[1]) == 'sent' then return 0 end
redis.call('SET', KEYS[1], 'sent', 'EX', ARGV[1])
if KEYS[2] then redis.call('HINCRBY', KEYS[2], ARGV[2], 1) end
return 1
"""
SENT = "sent"
GLOB_SPECIAL = str.maketrans({c: f"\\{c}" for c in "*?[]\\"})


class DeliveryLedger:
    def __init__(self, redis: Redis, ttl: int, prefix: str = "notifications") -> None:
        self._redis = redis
        self._ttl = ttl
        self._prefix = prefix
        self._claim = redis.register_script(CLAIM)
        self._release = redis.register_script(RELEASE)
        self._confirm = redis.register_script(CONFIRM)

    async def claim_tick(self, notification: str, tick: str, owner: str) -> bool:
        return await self._claim_key(f"{self._prefix}:tick:{notification}:{tick}", owner)

    async def claim_chat(self, tick: str, chat_id: int, owner: str) -> bool:
        return await self._claim_key(self._chat_key(tick, chat_id), owner)

    async def confirm_chat(self, tick: str, chat_id: int, count_into: tuple[str, str] | None = None) -> None:
        """Marks the chat done for `tick`; `count_into` (hash, field): HINCRBY it if this is the first
        confirmation (a broadcast's progress)."""
        if count_into is None:
            await self._redis.set(self._chat_key(tick, chat_id), SENT, ex=self._ttl)
            return
        keys = [self._chat_key(tick, chat_id), count_into[0]]
        await self._confirm(keys=keys, args=[self._ttl, count_into[1]])

    async def release_chats(self, tick: str, chat_ids: list[int], owner: str) -> int:
        """Frees the chat guards `owner` holds (a given-up chunk); returns how many it freed."""
        if not chat_ids:
            return 0
        return int(await self._release(keys=[self._chat_key(tick, c) for c in chat_ids], args=[owner]))

    async def release_tick(self, tick: str) -> int:
        """Frees the fan-out guards of `tick` (of every notification), so a later fan-out of the tick
        runs and sends what was given up. Rare (a chunk gave up), so a SCAN is fine."""
        pattern = f"{self._prefix}:tick:*:{tick.translate(GLOB_SPECIAL)}"
        keys = [key async for key in self._redis.scan_iter(match=pattern, count=1000)]
        return int(await self._redis.delete(*keys)) if keys else 0

    async def _claim_key(self, key: str, owner: str) -> bool:
        return bool(await self._claim(keys=[key], args=[owner, self._ttl]))

    def _chat_key(self, tick: str, chat_id: int) -> str:
        return f"{self._prefix}:sent:{tick}:{chat_id}"
