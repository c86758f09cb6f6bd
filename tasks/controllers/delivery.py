import time
from typing import Any, cast

import structlog
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded
from redis.exceptions import RedisError

from core.settings import CelerySettings, DeliverySettings
from core.subscriptions import Subscriber
from tasks.contracts import DeliveryReport, Recipient
from tasks.controllers import running_task
from tasks.controllers.retrying import retry_countdown, retry_later
from tasks.delivery.job import DeliveryJob
from tasks.delivery.outcomes import DeliveryInterruptedError, Outcome, TokenRevokedError
from tasks.delivery.sender import ChunkSender
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.registry import TasksRegistry

log = structlog.get_logger(__name__)
DEADLINE_MARGIN = 15.0
MAX_RETRY_COUNTDOWN = 300.0  # below CELERY_VISIBILITY_TIMEOUT's minimum (600): see core/settings.py


class DeliveryController:
    """`notifications.deliver(tick, text, recipients)`: one chunk of a fan-out, sent on this process's
    event loop with its Bot."""

    def __init__(
        self,
        *,
        app: Celery,
        registry: TasksRegistry,
        event_loop: WorkerEventLoop,
        sender: ChunkSender,
        delivery: DeliverySettings,
        celery: CelerySettings,
    ) -> None:
        self._app = app
        self._registry = registry
        self._loop = event_loop
        self._sender = sender
        self._settings = delivery
        self._budget = max(1.0, celery.task_soft_time_limit - DEADLINE_MARGIN)

    def register(self, app: Celery) -> None:
        # No limit on Celery retries here: `_retry_unsent` counts them against DELIVERY_MAX_RETRIES.
        self._registry.deliver.register_body(app, self.deliver, max_retries=None)

    def deliver(self, tick: str, text: str, recipients: list[Recipient]) -> DeliveryReport:
        task, task_id = running_task(self._app)
        subscribers = [Subscriber(r["chat_id"], r["chat_type"]) for r in recipients]
        job = DeliveryJob(tick, text, task_id, time.monotonic() + self._budget, self._settings.concurrency)
        try:
            outcomes = self._loop.run(self._sender.send_chunk(self._loop.bot, job, subscribers))
        except (DeliveryInterruptedError, SoftTimeLimitExceeded) as exc:
            log.warning("chunk_interrupted", tick=tick, error=repr(exc))
            retry_later(task, retry_countdown(task, MAX_RETRY_COUNTDOWN))
        except TokenRevokedError as exc:
            self._give_up(tick, task_id, exc.unsent, reason="token_revoked")
            raise
        report = cast(DeliveryReport, {outcome.value: len(outcomes[outcome]) for outcome in Outcome})
        log.info("chunk_delivered", tick=tick, **report)
        self._retry_unsent(task, tick, text, outcomes[Outcome.RETRY])
        return report

    def _retry_unsent(self, task: Task[Any, Any], tick: str, text: str, unsent: list[Subscriber]) -> None:
        if not unsent:
            return
        if task.request.retries >= self._settings.max_retries:
            self._give_up(tick, task.request.id or "", unsent, reason="retries_exhausted")
            return
        countdown = retry_countdown(task, MAX_RETRY_COUNTDOWN)
        log.warning(
            "delivery_retry_scheduled", tick=tick, chat_ids=[s.chat_id for s in unsent], countdown=countdown
        )
        recipients = [Recipient(chat_id=s.chat_id, chat_type=s.chat_type) for s in unsent]
        retry_later(task, countdown, args=(tick, text, recipients))

    def _give_up(self, tick: str, owner: str, unsent: list[Subscriber], reason: str) -> None:
        """Logs the chats given up, then hands them over: a later fan-out of the tick may send them."""
        chat_ids = [s.chat_id for s in unsent]
        log.error("delivery_gave_up", tick=tick, chat_ids=chat_ids, reason=reason)
        try:
            self._loop.run(self._sender.release(tick, owner, unsent))
        except RedisError as exc:  # the claims expire after DELIVERY_LEDGER_TTL all the same
            log.warning("delivery_claims_not_released", tick=tick, chat_ids=chat_ids, error=repr(exc))
