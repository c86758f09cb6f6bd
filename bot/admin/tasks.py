"""Publishing a broadcast's tasks from the bot: `broadcasts.start` on Send, `broadcasts.finish` on Stop.
Fire and forget (the workers report on the panel), within BOT_DISPATCH_TIMEOUT."""

import asyncio
import uuid
from typing import Any

import structlog
from redis.exceptions import RedisError

from bot.celery_client.publisher import AsyncTaskPublisher
from core.correlation import correlation_headers
from core.settings import BotSettings
from tasks.registry import TaskRef, TasksRegistry

log = structlog.get_logger(__name__)
TASK_EXPIRES = 86400.0


class BroadcastTasks:
    def __init__(self, publisher: AsyncTaskPublisher, registry: TasksRegistry, settings: BotSettings) -> None:
        self._publisher, self._registry, self._settings = publisher, registry, settings

    async def start(self, broadcast_id: int) -> bool:
        return await self._publish(self._registry.broadcast_start, broadcast_id)

    async def finish(self, broadcast_id: int) -> bool:
        return await self._publish(self._registry.broadcast_finish, broadcast_id)

    async def _publish(self, task: TaskRef[Any, Any], broadcast_id: int) -> bool:
        """True once published; False (logged) if the broker did not take it in time."""
        try:
            async with asyncio.timeout(self._settings.dispatch_timeout):
                await self._publisher.publish(
                    task, (broadcast_id,), {}, task_id=str(uuid.uuid4()), expires=TASK_EXPIRES,
                    headers=correlation_headers(),
                )  # fmt: skip
        except (TimeoutError, RedisError, OSError) as exc:
            log.warning("task_publish_failed", task=task.name, error=repr(exc))
            return False
        return True
