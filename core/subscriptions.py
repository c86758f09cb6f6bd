"""Which chats receive the scheduled notifications: a Redis hash chat_id → chat type.

Used by the bot (/subscribe, /unsubscribe, /status) and by the workers (fan-out, unsubscribing blocked
chats, following migrated groups). Streaming with HSCAN keeps memory flat for any number of chats.
"""

from dataclasses import dataclass

from redis.asyncio import Redis

SUBSCRIBERS_KEY = "notifications:subscribers"
GROUP_TYPES = frozenset({"group", "supergroup"})
# KEYS: subscribers. ARGV: old chat id, new chat id. Moves the subscription only if there is one.
MIGRATE = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], 'supergroup')
return 1
"""


@dataclass(frozen=True, slots=True)
class Subscriber:
    chat_id: int
    chat_type: str

    @property
    def is_group(self) -> bool:
        return self.chat_type in GROUP_TYPES


class SubscriptionStore:
    def __init__(self, redis: Redis, key: str = SUBSCRIBERS_KEY) -> None:
        self._redis = redis
        self._key = key
        self._migrate = redis.register_script(MIGRATE)

    async def subscribe(self, chat_id: int, chat_type: str) -> bool:
        """True if the chat was not subscribed before."""
        return bool(await self._redis.hset(self._key, str(chat_id), chat_type))

    async def unsubscribe(self, chat_id: int) -> bool:
        """True if the chat was subscribed."""
        return bool(await self._redis.hdel(self._key, str(chat_id)))

    async def is_subscribed(self, chat_id: int) -> bool:
        return bool(await self._redis.hexists(self._key, str(chat_id)))

    async def count(self) -> int:
        return int(await self._redis.hlen(self._key))

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup: its subscription, if it has one, follows it to its new id (a
        scheduled run or a broadcast meets migrations of groups that never subscribed). True if moved."""
        return bool(await self._migrate(keys=[self._key], args=[old_chat_id, new_chat_id]))

    async def page(self, cursor: int, batch: int) -> tuple[int, list[Subscriber]]:
        """One HSCAN step: the next cursor (0 when done) and up to about `batch` subscribers."""
        next_cursor, fields = await self._redis.hscan(self._key, cursor, count=batch)
        assert isinstance(fields, dict)
        subscribers = [Subscriber(int(chat_id), _text(kind)) for chat_id, kind in fields.items()]
        return int(next_cursor), subscribers


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
