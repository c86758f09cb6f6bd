from datetime import UTC, datetime

import structlog
from celery import Celery

from core.connection_errors import CONNECTION_ERRORS
from tasks.contracts import FanOutReport
from tasks.controllers import running_task
from tasks.controllers.retrying import retry_countdown, retry_later
from tasks.notifications.fan_out import FanOut
from tasks.notifications.health import HealthNotification
from tasks.registry import TasksRegistry
from tasks.schedule import NotificationSchedule

log = structlog.get_logger(__name__)
MAX_RETRY_COUNTDOWN = 30.0


class HealthNotificationController:
    """`notifications.fan_out`: the scheduled health report, sent to every subscribed chat.

    Beat calls it on NOTIFICATIONS_SCHEDULE. By hand, `celery -A tasks.worker call notifications.fan_out`
    joins the current tick (a no-op if that tick was already sent); pass `--kwargs '{"tick": "manual-1"}'`
    for an extra round. Redis failing midway (a restart, a stale connection) retries the same tick with
    backoff, as often as it takes; the tick guard and the per-chat guards make the re-run safe.
    """

    def __init__(
        self,
        app: Celery,
        registry: TasksRegistry,
        fan_out: FanOut,
        notification: HealthNotification,
        schedule: NotificationSchedule,
    ) -> None:
        self._app = app
        self._registry = registry
        self._fan_out = fan_out
        self._notification = notification
        self._schedule = schedule

    def register(self, app: Celery) -> None:
        self._registry.fan_out.register_body(app, self.fan_out, max_retries=None)

    def fan_out(self, tick: str | None = None) -> FanOutReport:
        task, task_id = running_task(self._app)
        tick = tick or self._schedule.current_tick(datetime.now(UTC))
        try:
            return self._fan_out.send(self._registry.deliver, self._notification, tick, owner=task_id)
        except CONNECTION_ERRORS as exc:
            countdown = retry_countdown(task, MAX_RETRY_COUNTDOWN)
            log.warning("fan_out_interrupted", tick=tick, error=repr(exc), countdown=countdown)
            retry_later(task, countdown, kwargs={"tick": tick})
