"""Publishing Celery tasks from the event loop: Celery builds the message, redis.asyncio sends it.

Celery's `apply_async` is a blocking call (kombu over a synchronous Redis client). Here the message is
made by Celery itself (`app.amqp.create_task_message`, the protocol-2 headers and body a worker expects)
and wrapped in the envelope kombu's Redis transport uses, then LPUSHed to the task's queue with the
process's asyncio Redis client: no thread, no blocking, one round trip. A test
(`tests/bot/celery_client/test_publisher.py`) pins the envelope against kombu's own. Only
direct-exchange routing, Celery's default on Redis, is supported: a task routed elsewhere raises
instead of being published to the wrong place.
"""

import base64
import uuid
from typing import Any

from celery import Celery
from kombu.utils.json import dumps
from redis.asyncio import Redis

from tasks.registry import TaskRef

DELIVERY_MODE_PERSISTENT = 2


class UnsupportedRoutingError(ValueError):
    """The task's route is not a direct-exchange queue."""


class AsyncTaskPublisher:
    def __init__(self, app: Celery, redis: Redis) -> None:
        self._app = app
        self._redis = redis

    async def publish(
        self,
        task: TaskRef[Any, Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        task_id: str,
        expires: float,
        headers: dict[str, str],
    ) -> None:
        queue = self.queue_for(task, args, kwargs)
        envelope = self.envelope(task, args, kwargs, queue, task_id=task_id, expires=expires, headers=headers)
        await self._redis.lpush(queue, dumps(envelope))

    def queue_for(self, task: TaskRef[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        route = self._app.amqp.router.route({}, task.name, args, kwargs)
        queue = route.get("queue")
        if queue is None or queue.exchange.type != "direct":
            raise UnsupportedRoutingError(f"task {task.name} is not routed to a direct-exchange queue")
        return str(queue.name)

    def envelope(
        self,
        task: TaskRef[Any, Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        queue: str,
        *,
        task_id: str,
        expires: float,
        headers: dict[str, str],
    ) -> dict[str, Any]:
        """The message exactly as kombu's Redis transport stores it in `queue`."""
        options = task.options  # as `send_task` reads them: the worker's configuration fills the rest
        message = self._app.amqp.create_task_message(
            task_id, task.name, args, kwargs,
            expires=expires,
            reply_to=self._app.thread_oid,
            time_limit=options.get("time_limit"),
            soft_time_limit=options.get("soft_time_limit"),
            ignore_result=options.get("ignore_result"),
        )  # fmt: skip
        message.headers.update(headers)
        body = base64.b64encode(dumps(message.body).encode("utf-8")).decode("ascii")
        properties = {
            **message.properties,
            "delivery_mode": DELIVERY_MODE_PERSISTENT,
            "expiration": str(int(expires * 1000)),
            "delivery_info": {"exchange": "", "routing_key": queue},
            "priority": 0,
            "body_encoding": "base64",
            "delivery_tag": str(uuid.uuid4()),
        }
        return {
            "body": body,
            "content-encoding": "utf-8",
            "content-type": "application/json",
            "headers": message.headers,
            "properties": properties,
        }
