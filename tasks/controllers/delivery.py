import time
from typing import Any, cast

import structlog
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init, worker_process_shutdown

from core.settings import CelerySettings, DeliverySettings
from core.subscriptions import Subscriber
from tasks.controllers import register_task, running_task
from tasks.delivery.gateway import TelegramGateway
from tasks.delivery.job import DeliveryJob
from tasks.delivery.sender import ChunkSender, DeliveryInterruptedError, Outcome, backoff
from tasks.names import TaskName
from tasks.registry import ChatPayload
from tasks.results import DeliveryReport

log = structlog.get_logger(__name__)
DEADLINE_MARGIN = 15.0
MAX_RETRY_COUNTDOWN = 300.0


class DeliveryController:
    """`notifications.deliver(tick, text, chats)`: one chunk of a fan-out, sent by this process's gateway."""

    def __init__(
        self,
        gateway: TelegramGateway,
        sender: ChunkSender,
        delivery: DeliverySettings,
        celery: CelerySettings,
    ) -> None:
        self._gateway = gateway
        self._sender = sender
        self._settings = delivery
        self._budget = max(1.0, celery.task_soft_time_limit - DEADLINE_MARGIN)

    def register(self, app: Celery) -> None:
        self._app = app
        register_task(app, TaskName.DELIVER, self.deliver, ignore_result=True)
        worker_process_init.connect(self._start_gateway, weak=False)
        worker_process_shutdown.connect(self._close_gateway, weak=False)

    def deliver(self, tick: str, text: str, chats: ChatPayload) -> DeliveryReport:
        task, task_id = running_task(self._app)
        subscribers = [Subscriber(int(chat_id), str(kind)) for chat_id, kind in chats]
        job = DeliveryJob(tick, text, task_id, time.monotonic() + self._budget, self._settings.concurrency)
        try:
            outcomes = self._gateway.run(self._sender.send_chunk(self._gateway.bot, job, subscribers))
        except (DeliveryInterruptedError, SoftTimeLimitExceeded) as exc:
            log.warning("chunk_interrupted", tick=tick, error=repr(exc))
            raise task.retry(countdown=_countdown(task.request.retries), max_retries=None) from exc
        report = cast(DeliveryReport, {outcome.value: len(outcomes[outcome]) for outcome in Outcome})
        log.info("chunk_delivered", tick=tick, **report)
        self._retry_unsent(task, tick, text, outcomes[Outcome.RETRY])
        return report

    def _retry_unsent(self, task: Task[Any, Any], tick: str, text: str, unsent: list[Subscriber]) -> None:
        if not unsent:
            return
        chat_ids = [s.chat_id for s in unsent]
        if task.request.retries >= self._settings.max_retries:
            log.error("delivery_gave_up", tick=tick, chat_ids=chat_ids, retries=task.request.retries)
            return
        countdown = _countdown(task.request.retries)
        log.warning("delivery_retry_scheduled", tick=tick, chat_ids=chat_ids, countdown=countdown)
        payload = [[s.chat_id, s.chat_type] for s in unsent]
        raise task.retry(args=(tick, text, payload), countdown=countdown, max_retries=None)

    def _start_gateway(self, **_: object) -> None:
        self._gateway.start()

    def _close_gateway(self, **_: object) -> None:
        self._gateway.close()


def _countdown(retries: int) -> float:
    """Seconds before retry number `retries + 1`: backoff with jitter, capped far below the
    visibility timeout (a countdown longer than that makes Redis redeliver the task early)."""
    return min(MAX_RETRY_COUNTDOWN, backoff(retries + 2))
