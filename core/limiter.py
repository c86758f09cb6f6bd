"""Telegram's flood limits held by all processes together (the workers' deliveries and the bot's
replies): GCRA in one Redis Lua script.

Each limit is a GCRA key holding its theoretical arrival time (TAT, server microseconds). One call
checks the shared pause key and every applicable limit; only if all admit does it record them all.
Burst is 1 everywhere (Telegram punishes bursts); the global limit alone may run `tolerance` seconds
early, which absorbs the wake-up jitter of the waiters without lowering the long-run rate.
"""

import asyncio
import math

from redis.asyncio import Redis

from core.settings import DeliverySettings

# KEYS[1]: pause key; KEYS[2..n]: GCRA keys. ARGV: interval_us, tolerance_us for each GCRA key.
# Returns 0 (admitted, all recorded) or the milliseconds to wait (nothing recorded).
GCRA_SCRIPT = """
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return paused end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local wait, tats = 0, {}
for i = 2, #KEYS do
  local interval, tolerance = tonumber(ARGV[2 * i - 3]), tonumber(ARGV[2 * i - 2])
  local tat = math.max(tonumber(redis.call('GET', KEYS[i]) or 0), now)
  wait = math.max(wait, tat - tolerance - now)
  tats[i] = tat + interval
end
if wait > 0 then return math.ceil(wait / 1000) end
for i = 2, #KEYS do
  local ttl = math.max(1, math.ceil((tats[i] - now) / 1000))
  redis.call('SET', KEYS[i], string.format('%.3f', tats[i]), 'PX', ttl)
end
return 0
"""

# KEYS[1]: pause key; ARGV[1]: milliseconds. Never shortens a longer pause already set.
PAUSE_SCRIPT = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return redis.call('PTTL', KEYS[1])
"""

MICROS = 1_000_000


class TelegramRateLimiter:
    """Reserves send slots for Telegram messages, shared through Redis by every process.

    Limits: `global_per_second` over all chats, `chat_per_second` per chat and, for groups,
    `group_per_minute` per group; plus a shared pause after a 429's `retry_after`.
    """

    def __init__(
        self,
        redis: Redis,
        settings: DeliverySettings,
        key_prefix: str = "tg:limit",
        *,
        tolerance: float = 0.003,
        chat_margin: float = 0.0,
    ) -> None:
        self._redis = redis
        self._prefix = key_prefix
        self._pause_key = f"{key_prefix}:pause"
        self._global = (MICROS / settings.global_per_second, tolerance * MICROS)
        # chat_margin: seconds added to the per-chat and per-group intervals, for a sender whose
        # requests reach Telegram with more jitter than the slack Telegram grants (the bot's replies)
        self._chat = (MICROS / settings.chat_per_second + chat_margin * MICROS, 0.0)
        self._group = (60 * MICROS / settings.group_per_minute + chat_margin * MICROS, 0.0)
        self._short = self._global[0] / MICROS + 0.001  # a wait up to this long is the global limit's
        self._turn = asyncio.Lock()
        self._check = redis.register_script(GCRA_SCRIPT)
        self._pause = redis.register_script(PAUSE_SCRIPT)

    async def try_acquire(self, chat_id: int, is_group: bool) -> float:
        """One atomic check: 0.0 if a slot is now reserved, else seconds to wait (nothing recorded)."""
        limits = [(f"{self._prefix}:global", self._global), (f"{self._prefix}:chat:{chat_id}", self._chat)]
        if is_group:
            limits.append((f"{self._prefix}:group:{chat_id}", self._group))
        keys = [self._pause_key, *(key for key, _ in limits)]
        args = [f"{value:.3f}" for _, pair in limits for value in pair]
        return int(await self._check(keys=keys, args=args)) / 1000

    async def acquire(self, chat_id: int, is_group: bool) -> float:
        """Wait until a slot for `chat_id` is reserved; return the seconds slept (0.0: at once).

        Within a process, one sender at a time waits out the global limit (the others queue behind
        it), so N senders are not all woken to race for each slot; a longer wait (its chat, its
        group, a pause) is slept out of the queue.
        """
        waited = 0.0
        while True:
            async with self._turn:
                wait = await self.try_acquire(chat_id, is_group)
                while 0 < wait <= self._short:
                    await asyncio.sleep(wait)
                    waited += wait
                    wait = await self.try_acquire(chat_id, is_group)
            if wait == 0:
                return waited
            await asyncio.sleep(wait)
            waited += wait

    async def pause(self, seconds: float) -> None:
        """Stop every process sending for `seconds` (after a 429); a longer pause already set stays."""
        if seconds > 0:
            await self._pause(keys=[self._pause_key], args=[math.ceil(seconds * 1000)])

    async def paused_for(self) -> float:
        """Seconds left of the shared pause (0.0: not paused)."""
        return max(0, int(await self._redis.pttl(self._pause_key))) / 1000
