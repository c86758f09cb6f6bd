"""The bot's replies under Telegram's flood limits: a 429 is honoured through the limits deliveries keep.

- Replies to one chat go one at a time, in order (an in-process turn per chat: the bot is the only
  poller of its token), so a chat's second reply is not already on its way when its first gets a 429.
- A 429 sets the shared pause (`core.limiter`, in Redis: every worker's deliveries wait it out too) and
  marks the chat limited for `window` seconds: from then on its replies each take a slot from the shared
  limiter first (pause, per-chat, per-group and global limits), and the refused reply goes once more.
- A reply that would wait longer than `max_wait` is not sent: `TelegramRetryAfter` goes to the errors
  controller, which logs it and sends nothing into that chat.

Chats that never answered 429 cost no Redis call (a /ping's reply goes at once); if Redis does not answer
within `LIMITER_BUDGET`, a reply goes unlimited (a "busy" reply about that same Redis must still arrive).
"""

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import structlog
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import CopyMessage, EditMessageText, Response, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from redis.exceptions import RedisError

from core.limiter import TelegramRateLimiter

log = structlog.get_logger(__name__)
T = TypeVar("T")
MAX_WAIT = 10.0  # seconds a reply may wait for its slot
WINDOW = 60.0  # seconds a chat's replies take limiter slots after it answered 429
LIMITER_BUDGET = 0.5  # seconds the shared limiter may take before a reply goes without it
ATTEMPTS = 2  # a reply answered 429 goes once more, when its slot comes
# What the bot sends into a chat: replies, an admin's broadcast preview (a copy), its panel's edits.
REPLIES = (SendMessage, CopyMessage, EditMessageText)
REPLY_MARGIN = 0.05  # seconds added to a limited chat's interval: a reply's way to Telegram varies more


class ReplyLimits(BaseRequestMiddleware):
    def __init__(
        self, limiter: TelegramRateLimiter, max_wait: float = MAX_WAIT, window: float = WINDOW
    ) -> None:
        self._limiter, self._max_wait, self._window = limiter, max_wait, window
        self._limited: dict[int, float] = {}  # chat id → until when (monotonic) its replies take slots
        self._turns: dict[int, tuple[asyncio.Lock, list[int]]] = {}  # chat id → its lock, users of it

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        send = method  # narrowed apart: `method` keeps its type for make_request
        if not isinstance(send, REPLIES) or not isinstance(send.chat_id, int):
            return await make_request(bot, method)
        chat_id, deadline = send.chat_id, asyncio.get_running_loop().time() + self._max_wait
        async with self._turn(chat_id):
            for attempt in range(1, ATTEMPTS + 1):
                if self._limited.get(chat_id, 0.0) > time.monotonic():
                    await self._slot(send, chat_id, deadline)
                try:
                    return await make_request(bot, method)
                except TelegramRetryAfter as error:
                    await self._refused(chat_id, error)
                    if attempt == ATTEMPTS:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    @asynccontextmanager
    async def _turn(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._turns.setdefault(chat_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._turns[chat_id]

    async def _refused(self, chat_id: int, error: TelegramRetryAfter) -> None:
        log.warning("reply_flood_wait", chat_id=chat_id, retry_after=error.retry_after)
        now = time.monotonic()
        if len(self._limited) > 10_000:
            self._limited = {chat: until for chat, until in self._limited.items() if until > now}
        self._limited[chat_id] = now + self._window
        await self._shared(self._limiter.pause(error.retry_after), chat_id)

    async def _slot(self, method: TelegramMethod[Any], chat_id: int, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        while wait := await self._shared(self._limiter.try_acquire(chat_id, is_group=chat_id < 0), chat_id):
            if loop.time() + wait > deadline:
                message = "reply held back by the flood limits"
                raise TelegramRetryAfter(method=method, message=message, retry_after=math.ceil(wait))
            await asyncio.sleep(wait)

    async def _shared(self, call: Awaitable[T], chat_id: int) -> T | None:
        """The limiter's answer, or None (logged) if Redis does not give it within LIMITER_BUDGET."""
        try:
            async with asyncio.timeout(LIMITER_BUDGET):
                return await call
        except (RedisError, OSError, TimeoutError) as error:
            log.warning("reply_limiter_unavailable", chat_id=chat_id, error=repr(error))
            return None
