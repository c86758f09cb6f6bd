from datetime import UTC, datetime

from celery import Celery

from tasks.controllers import register_task, running_task
from tasks.delivery.gateway import TelegramGateway
from tasks.names import TaskName
from tasks.notifications.broadcast import Broadcaster
from tasks.notifications.health import HealthProbe, HealthSnapshot, now_text, render
from tasks.notifications.schedule import NotificationSchedule
from tasks.registry import TasksRegistry
from tasks.results import BroadcastReport

DEFAULT_QUEUE = "celery"


class HealthNotificationController:
    """`notifications.fan_out`: the scheduled health report, sent to every subscribed chat.

    Beat calls it on NOTIFICATIONS_SCHEDULE. By hand, `celery -A tasks.app call notifications.fan_out`
    joins the current tick (a no-op if that tick was already sent); pass `--kwargs '{"tick": "manual-1"}'`
    for an extra round.
    """

    NOTIFICATION = "health"

    def __init__(
        self,
        broadcaster: Broadcaster,
        probe: HealthProbe,
        schedule: NotificationSchedule,
        gateway: TelegramGateway,
    ) -> None:
        self._broadcaster = broadcaster
        self._probe = probe
        self._schedule = schedule
        self._gateway = gateway

    def register(self, app: Celery) -> None:
        self._app = app
        self._registry = TasksRegistry(app)
        register_task(app, TaskName.FAN_OUT, self.fan_out)

    def fan_out(self, tick: str | None = None) -> BroadcastReport:
        _, task_id = running_task(self._app)
        return self._broadcaster.broadcast(
            self._registry.deliver,
            self.NOTIFICATION,
            tick or self._schedule.tick_id(datetime.now(UTC)),
            owner=task_id,
            render=self.report,
        )

    def report(self) -> str:
        depth, redis_ms, subscribers = self._gateway.run(self._probe.storage(DEFAULT_QUEUE))
        workers, ping_ms = self._probe.workers(self._app)
        snapshot: HealthSnapshot = {
            "at": now_text(),
            "workers": workers,
            "queue_depth": depth,
            "redis_ms": redis_ms,
            "ping_ms": ping_ms,
            "subscribers": subscribers,
        }
        return render(snapshot)
