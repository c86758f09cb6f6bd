"""`broadcasts.start`, `broadcasts.deliver`, `broadcasts.finish`: an admin's broadcast on the workers.

start: enqueues the chunks (tasks/broadcasts/fan_out.py) and records the total. deliver: one chunk
(tasks/broadcasts/chunks.py), its unsent chats retried up to DELIVERY_MAX_RETRIES, then counted failed.
finish: running → done once every chat is counted (or stopping → stopped), then the final summary. All
three are acks_late and idempotent, and retried while Redis is away: a killed worker's task runs again
and the ledger drops what was already sent.
"""

from typing import Any, cast

import structlog
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded

from core.broadcasts.store import BroadcastStore, State
from core.connection_errors import CONNECTION_ERRORS
from core.settings import DeliverySettings
from core.subscriptions import Subscriber
from tasks.broadcasts.chunks import BroadcastChunks
from tasks.broadcasts.fan_out import BroadcastFanOut
from tasks.broadcasts.progress import ProgressPanel
from tasks.contracts import DeliveryReport, Recipient
from tasks.controllers import running_task
from tasks.controllers.retrying import retry_countdown, retry_later
from tasks.delivery.outcomes import DeliveryInterruptedError, Outcome, TokenRevokedError
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.registry import TasksRegistry

log = structlog.get_logger(__name__)
MAX_RETRY_COUNTDOWN = 60.0
INTERRUPTED: tuple[type[Exception], ...] = (
    DeliveryInterruptedError,
    SoftTimeLimitExceeded,
    *CONNECTION_ERRORS,
)


class BroadcastController:
    def __init__(
        self,
        *,
        app: Celery,
        registry: TasksRegistry,
        event_loop: WorkerEventLoop,
        store: BroadcastStore,
        fan_out: BroadcastFanOut,
        chunks: BroadcastChunks,
        panel: ProgressPanel,
        delivery: DeliverySettings,
    ) -> None:
        self._app, self._registry, self._loop = app, registry, event_loop
        self._store, self._fan_out, self._chunks, self._panel = store, fan_out, chunks, panel
        self._max_retries = delivery.max_retries

    def register(self, app: Celery) -> None:
        self._registry.broadcast_start.register_body(app, self.start, max_retries=None)
        self._registry.broadcast_deliver.register_body(app, self.deliver, max_retries=None)
        self._registry.broadcast_finish.register_body(app, self.finish, max_retries=None)

    def start(self, broadcast_id: int) -> None:
        task, _ = running_task(self._app)
        try:
            if self._loop.run(self._store.state(broadcast_id)) is not State.RUNNING:
                log.info("broadcast_start_skipped", broadcast_id=broadcast_id)
                return
            chats, chunks = self._fan_out.publish(self._registry.broadcast_deliver, broadcast_id)
            self._loop.run(self._store.set_total(broadcast_id, chats))
            log.info("broadcast_enqueued", broadcast_id=broadcast_id, chats=chats, chunks=chunks)
            self._finish_if_counted(broadcast_id)
        except CONNECTION_ERRORS as exc:
            log.warning("broadcast_start_interrupted", broadcast_id=broadcast_id, error=repr(exc))
            retry_later(task, retry_countdown(task, MAX_RETRY_COUNTDOWN))

    def deliver(self, broadcast_id: int, recipients: list[Recipient]) -> DeliveryReport:
        task, task_id = running_task(self._app)
        subscribers = [Subscriber(r["chat_id"], r["chat_type"]) for r in recipients]
        try:
            outcomes = self._loop.run(self._chunks.send(self._loop.bot, broadcast_id, task_id, subscribers))
            if outcomes is None:
                log.info("broadcast_chunk_skipped", broadcast_id=broadcast_id, chats=len(recipients))
                return _report({})
            log.info("broadcast_chunk_delivered", broadcast_id=broadcast_id, **_report(outcomes))
            self._settle_unsent(task, broadcast_id, outcomes.get(Outcome.RETRY, []))
        except INTERRUPTED as exc:  # the whole chunk again, under its own id: the sent ones are skipped
            log.warning("broadcast_chunk_interrupted", broadcast_id=broadcast_id, error=repr(exc))
            retry_later(task, retry_countdown(task, MAX_RETRY_COUNTDOWN))
        except TokenRevokedError as exc:
            self._loop.run(self._chunks.give_up(broadcast_id, task_id, exc.unsent, reason="token_revoked"))
            raise
        return _report(outcomes)

    def finish(self, broadcast_id: int) -> None:
        task, _ = running_task(self._app)
        try:
            self._loop.run(self._panel.close(self._loop.bot, broadcast_id))
        except CONNECTION_ERRORS as exc:  # a lost finish would leave a Stop without its summary
            log.warning("broadcast_finish_interrupted", broadcast_id=broadcast_id, error=repr(exc))
            retry_later(task, retry_countdown(task, MAX_RETRY_COUNTDOWN))

    def _settle_unsent(self, task: Task[Any, Any], broadcast_id: int, unsent: list[Subscriber]) -> None:
        """Stopped: the unsent stay unsent. Else retry them, up to DELIVERY_MAX_RETRIES, then count
        them failed. Either way, a finished broadcast gets its summary."""
        owner = task.request.id or ""
        if unsent and not self._loop.run(self._chunks.running(broadcast_id)):
            self._loop.run(self._chunks.hand_back(broadcast_id, owner, unsent))
        elif unsent and task.request.retries < self._max_retries:
            self._finish_if_counted(broadcast_id)
            recipients = [Recipient(chat_id=s.chat_id, chat_type=s.chat_type) for s in unsent]
            retry_later(task, retry_countdown(task, MAX_RETRY_COUNTDOWN), args=(broadcast_id, recipients))
        elif unsent:
            self._loop.run(self._chunks.give_up(broadcast_id, owner, unsent, reason="retries_exhausted"))
        self._finish_if_counted(broadcast_id)

    def _finish_if_counted(self, broadcast_id: int) -> None:
        if self._loop.run(self._chunks.counted(broadcast_id)):
            self._registry.broadcast_finish.delay(broadcast_id)


def _report(outcomes: dict[Outcome, list[Subscriber]]) -> DeliveryReport:
    return cast(DeliveryReport, {outcome.value: len(outcomes.get(outcome, [])) for outcome in Outcome})
