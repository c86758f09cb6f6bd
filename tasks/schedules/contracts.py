"""The shapes of the per-chat schedules' task payloads and results (JSON TypedDicts, like
tasks/contracts.py; kept apart so that module stays the project's own)."""

from typing import TypedDict


class HealthReport(TypedDict):
    """The `report` task's answer: the health report's figures (rendered by tasks/schedulable.py)."""

    at: str
    workers_answering: int
    worker_ping_ms: float | None
    queue_depth: int
    redis_ms: float
    subscribers: int


class ScheduledRun(TypedDict):
    """One run of a per-chat schedule, as beat publishes it: the schedule and the fire time (ms) it is
    due for; together they are the run's idempotency key."""

    schedule_id: str
    due_ms: int


class StartedRun(ScheduledRun):
    """A run whose task was started (at `started_ms`): what its result's delivery needs."""

    started_ms: int


class FireReport(TypedDict):
    """What one `schedules.fire` chunk did with its runs."""

    started: int
    duplicate: int
    cancelled: int
