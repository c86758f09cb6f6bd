from datetime import UTC, datetime

from celery import Celery

from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.notifications.health import DEFAULT_QUEUE, HealthProbe
from tasks.registry import TasksRegistry
from tasks.schedules.contracts import HealthReport


class ReportTaskController:
    """`report`: the health report's figures, measured now (a schedulable task: /every 1h report)."""

    def __init__(self, registry: TasksRegistry, probe: HealthProbe, event_loop: WorkerEventLoop) -> None:
        self._registry = registry
        self._probe = probe
        self._loop = event_loop

    def register(self, app: Celery) -> None:
        self._registry.report.register_body(app, self.report)

    def report(self) -> HealthReport:
        storage = self._loop.run(self._probe.storage(DEFAULT_QUEUE))
        workers = self._probe.workers()
        return {
            "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "workers_answering": workers.answering,
            "worker_ping_ms": workers.ping_ms,
            "queue_depth": storage.queue_depth,
            "redis_ms": storage.redis_ms,
            "subscribers": storage.subscribers,
        }
