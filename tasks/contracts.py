"""What producers know of tasks besides their names: the shapes of arguments and results.

JSON-serialisable TypedDicts, so a task's payload and result are typed on both sides of the queue.
"""

from typing import TypedDict


class PingResult(TypedDict):
    pong: bool
    worker: str


class FanOutReport(TypedDict):
    """What one run of a notification's fan-out published."""

    tick: str
    duplicate: bool
    chats: int
    chunks: int


class Recipient(TypedDict):
    """One chat a delivery task sends to."""

    chat_id: int
    chat_type: str


class DeliveryReport(TypedDict):
    """Chats per outcome (see tasks.delivery.sender.Outcome)."""

    sent: int
    duplicate: int
    unsubscribed: int
    migrated: int
    failed: int
    retry: int


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
