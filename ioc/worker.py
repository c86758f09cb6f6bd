"""The Celery worker's composition root: the common part, the task bodies and what they run on."""

import punq
from celery import Celery
from redis.asyncio import Redis

from core.limiter import TelegramRateLimiter
from core.schedules.store import ScheduleStore
from core.settings import DeliverySettings
from core.stats import StatsCounters
from core.subscriptions import SubscriptionStore
from ioc.common import SINGLETON, build_common_container, wired
from tasks.broadcasts.chunks import BroadcastChunks
from tasks.broadcasts.fan_out import BroadcastFanOut
from tasks.broadcasts.progress import ProgressPanel
from tasks.broadcasts.task_stats import TaskStatsController
from tasks.controllers import TaskController
from tasks.controllers.broadcasts import BroadcastController
from tasks.controllers.delivery import DeliveryController
from tasks.controllers.lifecycle import WorkerLifecycleController
from tasks.controllers.notifications import HealthNotificationController
from tasks.controllers.ping import PingTaskController
from tasks.controllers.report import ReportTaskController
from tasks.controllers.schedule_delivery import ScheduleDeliveryController
from tasks.controllers.schedules import ScheduleFireController
from tasks.delivery.followers import ChatFollower
from tasks.delivery.ledger import DeliveryLedger
from tasks.delivery.sender import ChunkSender
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.names import TaskName
from tasks.notifications.fan_out import FanOut
from tasks.notifications.health import HealthNotification, HealthProbe

# Every task body, and the worker's lifecycle hooks: add a task's controller here.
TASK_CONTROLLERS: tuple[type[TaskController], ...] = (
    WorkerLifecycleController,
    PingTaskController,
    HealthNotificationController,
    BroadcastController,
    TaskStatsController,
    ReportTaskController,
    ScheduleFireController,
    ScheduleDeliveryController,
    DeliveryController,
)


class MissingTaskBodyError(LookupError):
    """A TaskName has no body in the worker: its controller is not in TASK_CONTROLLERS."""


def _ledger(redis: Redis, settings: DeliverySettings) -> DeliveryLedger:
    return DeliveryLedger(redis, settings.ledger_ttl)


def _sender(
    *,
    limiter: TelegramRateLimiter,
    ledger: DeliveryLedger,
    store: SubscriptionStore,
    followers: ChatFollower,
    stats: StatsCounters,
) -> ChunkSender:
    return ChunkSender(limiter, ledger, store, followers, stats)


def build_worker_container() -> punq.Container:
    container = build_common_container()
    container.register(WorkerEventLoop, scope=SINGLETON)
    container.register(TelegramRateLimiter, scope=SINGLETON)
    container.register(DeliveryLedger, factory=wired(container, _ledger), scope=SINGLETON)
    # A blocked chat loses its schedules, a migrated group keeps them (the sender tells the store).
    container.register(ChatFollower, factory=lambda: container.resolve(ScheduleStore))
    container.register(ChunkSender, factory=wired(container, _sender), scope=SINGLETON)
    container.register(BroadcastFanOut, scope=SINGLETON)
    container.register(BroadcastChunks, scope=SINGLETON)
    container.register(ProgressPanel, scope=SINGLETON)
    container.register(FanOut, scope=SINGLETON)
    container.register(HealthProbe, scope=SINGLETON)
    container.register(HealthNotification, scope=SINGLETON)
    for controller in TASK_CONTROLLERS:
        container.register(controller, scope=SINGLETON)
    return container


def worker_app(container: punq.Container) -> Celery:
    """The Celery app with every task body registered (once per container)."""
    app: Celery = container.resolve(Celery)
    for controller in TASK_CONTROLLERS:
        container.resolve(controller).register(app)
    missing = sorted(set(TaskName) - set(app.tasks))
    if missing:
        raise MissingTaskBodyError(f"no body registered for {', '.join(missing)}; see ioc/worker.py")
    return app
