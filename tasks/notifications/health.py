"""The default scheduled notification: a short report on the system's health."""

import time
from datetime import UTC, datetime
from html import escape
from typing import TypedDict

from celery import Celery
from redis.asyncio import Redis

from core.subscriptions import SubscriptionStore

CONTROL_PING_TIMEOUT = 1.0


class HealthSnapshot(TypedDict):
    at: str
    workers: int
    queue_depth: int
    redis_ms: float
    ping_ms: float | None
    subscribers: int


class HealthProbe:
    def __init__(self, redis: Redis, store: SubscriptionStore) -> None:
        self._redis = redis
        self._store = store

    async def storage(self, queue: str) -> tuple[int, float, int]:
        """(queue depth, Redis round trip in ms, subscriber count), measured on the gateway loop."""
        started = time.perf_counter()
        await self._redis.ping()
        redis_ms = (time.perf_counter() - started) * 1000
        depth = int(await self._redis.llen(queue))
        return depth, redis_ms, await self._store.count()

    @staticmethod
    def workers(app: Celery) -> tuple[int, float | None]:
        """(workers answering a control ping, round trip to the first answer in ms or None)."""
        started = time.perf_counter()
        first: list[float] = []

        def on_reply(_: object) -> None:
            if not first:
                first.append((time.perf_counter() - started) * 1000)

        replies = app.control.ping(timeout=CONTROL_PING_TIMEOUT, callback=on_reply)
        return len(replies or []), (first[0] if first else None)


def render(snapshot: HealthSnapshot) -> str:
    """HTML for the Bot API (parse mode HTML); every value escaped."""
    return (
        f"<b>System health</b> · {escape(snapshot['at'])}\n"
        f"Workers answering: <b>{snapshot['workers']}</b>\n"
        f"Queue depth: {snapshot['queue_depth']}\n"
        f"Worker ping round trip: {_ms(snapshot['ping_ms'])}\n"
        f"Redis round trip: {snapshot['redis_ms']:.1f} ms\n"
        f"Subscribers: {snapshot['subscribers']}"
    )


def _ms(value: float | None) -> str:
    return "no answer" if value is None else f"{value:.1f} ms"


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
