"""Counting every task's outcome for /stats, from Celery's signals in the pool process that ran it.

`task_success` and `task_failure` fire once per task run (a retry is neither); each adds one O(1)
increment (core/stats.py). A failure to count is logged, never raised into the task's outcome.
"""

import structlog
from celery import Celery
from celery.signals import task_failure, task_success

from core.stats import Metric, StatsCounters
from tasks.delivery.worker_loop import WorkerEventLoop

log = structlog.get_logger(__name__)
COUNT_TIMEOUT = 2.0


class TaskStatsController:
    def __init__(self, event_loop: WorkerEventLoop, stats: StatsCounters) -> None:
        self._loop = event_loop
        self._stats = stats

    def register(self, app: Celery) -> None:
        task_success.connect(self._succeeded, weak=False)
        task_failure.connect(self._failed, weak=False)

    def _succeeded(self, **_: object) -> None:
        self._count(Metric.TASKS_SUCCEEDED)

    def _failed(self, **_: object) -> None:
        self._count(Metric.TASKS_FAILED)

    def _count(self, metric: Metric) -> None:
        try:
            self._loop.run(self._stats.add(metric), timeout=COUNT_TIMEOUT)
        except Exception as exc:  # noqa: BLE001  # counting must not change the task's outcome
            log.warning("task_stats_not_counted", metric=metric.value, error=repr(exc))
