"""The one middleware that reads the front door's handler flags: `rate_limit` and `task`.

    router.message.register(handler, Command("ping"),
                            flags={"rate_limit": RateLimit(3, 5.0), "task": registry.ping})

`rate_limit` throttles a user per command, in every chat together (shared through Redis by every bot
process); `task` names
the Celery task the handler waits for, whose queue, if deeper than BOT_QUEUE_MAX_DEPTH, gets the
"busy" reply at once. Both are decided in one Redis round trip; handlers without them cost nothing.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiogram import BaseMiddleware, Dispatcher
from aiogram.dispatcher.flags import get_flag
from aiogram.types import Message, TelegramObject
from redis.exceptions import RedisError

from bot.celery_client.caller import BrokerUnavailableError
from bot.celery_client.publisher import AsyncTaskPublisher
from bot.controllers.errors import BUSY
from bot.throttling import Admission, RateLimit, Throttle, Verdict
from core.settings import BotSettings
from tasks.registry import TaskRef

SLOW_DOWN = "You are sending that too fast. Wait a few seconds, then try again."
log = structlog.get_logger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class FrontDoorMiddleware(BaseMiddleware):
    def __init__(self, throttle: Throttle, publisher: AsyncTaskPublisher, settings: BotSettings) -> None:
        self._throttle = throttle
        self._publisher = publisher
        self._settings = settings
        self._queues: dict[str, str] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        limit: RateLimit | None = get_flag(data, "rate_limit")
        task: TaskRef[Any, Any] | None = get_flag(data, "task")
        if (limit is None and task is None) or not isinstance(event, Message):
            return await handler(event, data)
        command = (limit and limit.shared_as) or data["handler"].callback.__qualname__
        # Who sent it: an anonymous group admin or a channel posts as a chat (its from_user is a shared
        # stand-in), so that chat is the sender; else the user; else the chat.
        sender = event.sender_chat or event.from_user or event.chat
        user = sender.id
        token = str(data["event_update"].update_id)
        admission = await self._admit(command, str(user), limit, task, token)
        if admission.verdict is not Verdict.ADMITTED:
            return await self._refuse(event, command, admission.verdict)
        try:
            return await handler(event, data)
        finally:
            if admission.lock_key is not None:
                await self._release(admission.lock_key, token)

    async def _admit(
        self, command: str, who: str, limit: RateLimit | None, task: TaskRef[Any, Any] | None, token: str
    ) -> Admission:
        queue = self._queue_of(task) if task is not None else None
        try:
            async with asyncio.timeout(self._settings.dispatch_timeout):
                return await self._throttle.admit(f"{command}:{who}", limit, queue, token)
        except (TimeoutError, RedisError, OSError) as exc:
            log.warning("admission_failed", command=command, error=repr(exc))
            if limit is not None and limit.fail_open and task is None:
                return Admission(Verdict.ADMITTED, None)
            raise BrokerUnavailableError(command) from exc

    async def _refuse(self, message: Message, command: str, verdict: Verdict) -> None:
        if verdict is Verdict.BUSY:
            log.warning("queue_too_deep", command=command, max_depth=self._settings.queue_max_depth)
            await message.answer(BUSY)
        elif verdict is Verdict.THROTTLED_NOTIFY:
            log.info("user_throttled", command=command)
            await message.answer(SLOW_DOWN)

    async def _release(self, lock_key: str, token: str) -> None:
        try:
            async with asyncio.timeout(self._settings.dispatch_timeout):
                await self._throttle.release(lock_key, token)
        except (TimeoutError, RedisError, OSError) as exc:  # the lock expires by itself
            log.warning("in_flight_release_failed", error=repr(exc))

    def _queue_of(self, task: TaskRef[Any, Any]) -> str:
        queue = self._queues.get(task.name)
        if queue is None:
            queue = self._queues[task.name] = self._publisher.queue_for(task, (), {})
        return queue


def guard(dispatcher: Dispatcher, front_door: FrontDoorMiddleware) -> Dispatcher:
    """Every router's message handlers pass the front door (inner middleware: the flags are known)."""
    dispatcher.message.middleware(front_door)
    return dispatcher
