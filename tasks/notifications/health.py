"""The default scheduled notification: a short report on the system's health."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from celery import Celery
from redis.asyncio import Redis

from core.subscriptions import SubscriptionStore
from tasks.delivery.worker_loop import WorkerEventLoop

CONTROL_PING_TIMEOUT = 1.0
DEFAULT_QUEUE = "celery"


@dataclass(frozen=True, slots=True)
class StorageFigures:
    queue_depth: int
    redis_ms: float
    subscribers: int


@dataclass(frozen=True, slots=True)
class WorkerFigures:
    answering: int
    ping_ms: float | None  # round trip to the first answer; None when no worker answered


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    at: str
    storage: StorageFigures
    workers: WorkerFigures


class HealthProbe:
    def __init__(self, redis: Redis, store: SubscriptionStore, app: Celery) -> None:
        self._redis = redis
        self._store = store
        self._app = app

    async def storage(self, queue: str) -> StorageFigures:
        started = time.perf_counter()
        await self._redis.ping()
        redis_ms = (time.perf_counter() - started) * 1000
        depth = int(await self._redis.llen(queue))
        return StorageFigures(depth, redis_ms, await self._store.count())

    def workers(self) -> WorkerFigures:
        """Workers answering a control ping (blocking, up to CONTROL_PING_TIMEOUT)."""
        started = time.perf_counter()
        first: list[float] = []

        def on_reply(_: object) -> None:
            if not first:
                first.append((time.perf_counter() - started) * 1000)

        replies = self._app.control.ping(timeout=CONTROL_PING_TIMEOUT, callback=on_reply)
        return WorkerFigures(len(replies or []), first[0] if first else None)


class HealthNotification:
    """The health report as a scheduled notification: measured and rendered when a fan-out runs."""

    name = "health"

    def __init__(self, probe: HealthProbe, event_loop: WorkerEventLoop) -> None:
        self._probe = probe
        self._loop = event_loop

    def render(self) -> str:
        storage = self._loop.run(self._probe.storage(DEFAULT_QUEUE))
        return render(HealthSnapshot(now_text(), storage, self._probe.workers()))


def render(snapshot: HealthSnapshot) -> str:
    """HTML for the Bot API (parse mode HTML); every value escaped."""
    storage, workers = snapshot.storage, snapshot.workers
    return (
        f"<b>System health</b> · {escape(snapshot.at)}\n"
        f"Workers answering: <b>{workers.answering}</b>\n"
        f"Queue depth: {storage.queue_depth}\n"
        f"Worker ping round trip: {_ms(workers.ping_ms)}\n"
        f"Redis round trip: {storage.redis_ms:.1f} ms\n"
        f"Subscribers: {storage.subscribers}"
    )


def _ms(value: float | None) -> str:
    return "no answer" if value is None else f"{value:.1f} ms"


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
