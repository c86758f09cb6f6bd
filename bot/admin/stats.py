"""/stats: how the system is doing, for the admins. Every figure is O(1) to read: HLEN, LLEN, a Celery
ping with a short timeout (in a thread: it blocks), one MGET per window of the counters."""

import asyncio

import structlog
from aiogram import Router
from aiogram.types import Message
from celery import Celery
from redis.asyncio import Redis

from bot.admin.broadcast import LIMITED
from bot.admin.gate import STATS, AdminGate
from bot.celery_client.publisher import AsyncTaskPublisher
from core.broadcasts.panel import progress_text
from core.broadcasts.store import BroadcastStore
from core.schedules.store import ScheduleStore
from core.stats import Metric, StatsCounters
from core.subscriptions import SubscriptionStore
from tasks.registry import TasksRegistry

log = structlog.get_logger(__name__)
PING_TIMEOUT = 1.0


class StatsCommandController:
    def __init__(
        self,
        *,
        gate: AdminGate,
        subscribers: SubscriptionStore,
        schedules: ScheduleStore,
        broadcasts: BroadcastStore,
        stats: StatsCounters,
        redis: Redis,
        app: Celery,
        publisher: AsyncTaskPublisher,
        registry: TasksRegistry,
    ) -> None:
        self._gate, self._subscribers, self._broadcasts, self._stats = gate, subscribers, broadcasts, stats
        self._schedules = schedules
        self._redis, self._app = redis, app
        self._queue = publisher.queue_for(registry.ping, (), {})

    def register(self, router: Router) -> None:
        self._gate.guard(router)
        STATS.register(router, self.stats, flags=LIMITED)

    async def stats(self, message: Message) -> None:
        subscribers, depth = await self._subscribers.count(), int(await self._redis.llen(self._queue))
        workers, window = await self._workers_answering(), await self._stats.window()
        lines = [
            f"Subscribers: {subscribers}",
            f"Per-chat schedules: {await self._schedules.count()}",
            f"Queue: {depth} tasks waiting · Workers answering: {workers}",
            "Last hour: " + _figures(window.hour),
            "Last day: " + _figures(window.day),
        ]
        for broadcast_id in await self._broadcasts.active():
            broadcast = await self._broadcasts.get(broadcast_id)
            if broadcast is not None:
                lines.append(progress_text(broadcast))
        await message.answer("\n".join(lines))

    async def _workers_answering(self) -> str:
        try:
            replies = await asyncio.to_thread(self._app.control.ping, timeout=PING_TIMEOUT)
        except Exception as exc:  # noqa: BLE001  # a figure of /stats, not a failure of it
            log.warning("stats_worker_ping_failed", error=repr(exc))
            return "unknown"
        return str(len(replies or []))


def _figures(counts: dict[Metric, int]) -> str:
    return (
        f"{counts[Metric.MESSAGES_SENT]} messages sent, {counts[Metric.MESSAGES_FAILED]} failed, "
        f"{counts[Metric.FLOOD_WAITS]} answered 429; tasks {counts[Metric.TASKS_SUCCEEDED]} done, "
        f"{counts[Metric.TASKS_FAILED]} failed"
    )
