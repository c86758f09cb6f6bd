"""Awaiting Celery results on the event loop, through the Redis result backend's pub/sub channel.

The Celery Redis backend PUBLISHes every stored result on its key (`celery-task-meta-<task_id>`, as
`app.backend.get_key_for_task` names it, global key prefix included). The bot gives
its tasks ids with a per-process prefix and PSUBSCRIBEs to that prefix once, so waiting for a result
costs no extra round trip and no thread. If the subscription was down when a result was published,
the final `fetch` reads the stored result key instead.
"""

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from celery import Celery, states
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)
RECONNECT_DELAY = 0.5
STOP_GRACE = 2.0


class ResultWaiter:
    def __init__(self, redis: Redis, app: Celery) -> None:
        self._redis = redis
        # Key-value backends (Redis) name result keys here; celery-types does not declare it.
        self._result_key: Callable[[str], bytes] = app.backend.get_key_for_task  # type: ignore[attr-defined]
        self._prefix = f"bot-{uuid.uuid4().hex[:12]}-"
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._listener: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    def new_task_id(self) -> str:
        return f"{self._prefix}{uuid.uuid4().hex}"

    def expect(self, task_id: str) -> asyncio.Future[dict[str, Any]]:
        future = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda _: self._pending.pop(task_id, None))
        self._pending[task_id] = future
        return future

    async def fetch(self, task_id: str) -> dict[str, Any] | None:
        """The stored result, if the task is finished; for results the channel may have missed."""
        raw = await self._redis.get(self._result_key(task_id))
        return _ready_meta(raw)

    def start(self) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="result-waiter")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            # Closing the subscription talks to Redis; a hung server must not hold up shutdown.
            await asyncio.wait([self._listener], timeout=STOP_GRACE)
            self._listener = None
        for future in list(self._pending.values()):
            future.cancel()

    async def _listen(self) -> None:
        pattern = self._result_key(self._prefix) + b"*"
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.psubscribe(pattern)
                    self.subscribed.set()
                    async for message in pubsub.listen():
                        self._deliver(message)
            except (RedisError, OSError) as exc:
                self.subscribed.clear()
                log.warning("result_channel_lost", error=str(exc))
                await asyncio.sleep(RECONNECT_DELAY)

    def _deliver(self, message: dict[str, Any]) -> None:
        meta = _ready_meta(message.get("data"))
        if meta is None:
            return
        future = self._pending.get(str(meta.get("task_id")))
        if future is not None and not future.done():
            future.set_result(meta)


def _ready_meta(raw: bytes | str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    meta: dict[str, Any] = json.loads(raw)
    return meta if meta.get("status") in states.READY_STATES else None
