"""Calling Celery tasks from the event loop without ever blocking it."""

import asyncio
import time
import uuid
from typing import Any, ParamSpec, TypeVar

import structlog
from celery import states
from redis.exceptions import RedisError

from bot.celery_client.publisher import AsyncTaskPublisher
from bot.celery_client.result_waiter import ResultWaiter
from core.correlation import correlation_headers
from core.settings import BotSettings
from tasks.registry import TaskRef

P = ParamSpec("P")
R = TypeVar("R")
log = structlog.get_logger(__name__)


class BrokerUnavailableError(Exception):
    """Redis did not take the task in time: the user should try again later."""


class WorkersNotRespondingError(Exception):
    """The task was queued but no worker finished it in time."""


class TaskFailedError(Exception):
    """A worker ran the task and it failed."""


class TaskCaller:
    """Publishes with `AsyncTaskPublisher` and awaits the result through `ResultWaiter`, both on the
    event loop: a waiting update is a future, not a thread, and nothing blocks the loop."""

    def __init__(self, publisher: AsyncTaskPublisher, waiter: ResultWaiter, settings: BotSettings) -> None:
        self._publisher = publisher
        self._waiter = waiter
        self._settings = settings

    async def call(self, task: TaskRef[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        task_id = self._waiter.new_task_id()
        result = self._waiter.expect(task_id)
        started = time.perf_counter()
        try:
            await self._publish(task, task_id, args, kwargs)
            meta = await self._await_result(task_id, result)
        finally:
            result.cancel()
        log.debug("task_done", task_id=task_id, ms=round((time.perf_counter() - started) * 1e3, 2))
        if meta["status"] != states.SUCCESS:
            raise TaskFailedError(f"task {task.name} ended {meta['status']}")
        value: R = meta["result"]
        return value

    async def send(self, task: TaskRef[Any, Any], args: tuple[Any, ...], *, expires: float) -> None:
        """Publishes without waiting for a result (the worker reports some other way); a task still
        queued after `expires` seconds is dropped. BrokerUnavailableError as for `call`."""
        await self._publish(task, str(uuid.uuid4()), args, {}, expires=expires)

    async def _publish(
        self,
        task: TaskRef[Any, Any],
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        expires: float | None = None,
    ) -> None:
        try:
            async with asyncio.timeout(self._settings.dispatch_timeout):
                await self._publisher.publish(
                    task,
                    args,
                    kwargs,
                    task_id=task_id,
                    expires=expires or self._settings.task_timeout,
                    headers=correlation_headers(),
                )
        except (TimeoutError, RedisError, OSError) as exc:
            log.warning("task_publish_failed", task=task.name, error=repr(exc))
            raise BrokerUnavailableError(task.name) from exc

    async def _await_result(self, task_id: str, result: "asyncio.Future[dict[str, Any]]") -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._settings.task_timeout):
                return await result
        except TimeoutError:
            meta = await self._last_look(task_id)
            if meta is None:
                raise WorkersNotRespondingError(task_id) from None
            return meta

    async def _last_look(self, task_id: str) -> dict[str, Any] | None:
        try:
            async with asyncio.timeout(self._settings.dispatch_timeout):
                return await self._waiter.fetch(task_id)
        except (TimeoutError, RedisError, OSError):
            return None
