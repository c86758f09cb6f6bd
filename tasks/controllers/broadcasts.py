"""`broadcasts.start`, `broadcasts.deliver`, `broadcasts.finish`: an admin's broadcast on the workers.

start: enqueues the chunks (tasks/broadcasts/fan_out.py) and records the total. deliver: one chunk,
copied with copyMessage through the shared ChunkSender (limiter, ledger per (b<id>, chat), error
policy), progress counted once per chat by the ledger, the panel edited at most every 3 s, a Stop
honoured within WATCH_INTERVAL. finish: running → done once every chat is counted (or stopping →
stopped), then the final summary. All three are acks_late and idempotent: a killed worker's task runs
again and the ledger drops what was already sent.
"""

import asyncio
import time
from typing import Any, cast

import structlog
from aiogram import Bot
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded

from core.broadcasts.store import BroadcastStore, State
from core.connection_errors import CONNECTION_ERRORS
from core.settings import CelerySettings, DeliverySettings
from core.subscriptions import Subscriber
from tasks.broadcasts.fan_out import BroadcastFanOut
from tasks.broadcasts.progress import ProgressPanel
from tasks.contracts import DeliveryReport, Recipient
from tasks.controllers import running_task
from tasks.controllers.retrying import retry_later
from tasks.delivery.job import CopySource, DeliveryJob
from tasks.delivery.outcomes import DeliveryInterruptedError, Outcome, TokenRevokedError
from tasks.delivery.sender import ChunkSender, backoff
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.registry import TasksRegistry

log = structlog.get_logger(__name__)
DEADLINE_MARGIN = 15.0
MAX_RETRY_COUNTDOWN = 60.0


def tick_of(broadcast_id: int) -> str:
    """The ledger's tick for a broadcast: one claim per (b<id>, chat)."""
    return f"b{broadcast_id}"


class BroadcastController:
    def __init__(
        self,
        *,
        app: Celery,
        registry: TasksRegistry,
        event_loop: WorkerEventLoop,
        store: BroadcastStore,
        fan_out: BroadcastFanOut,
        sender: ChunkSender,
        panel: ProgressPanel,
        delivery: DeliverySettings,
        celery: CelerySettings,
    ) -> None:
        self._app, self._registry, self._loop = app, registry, event_loop
        self._store, self._fan_out, self._sender, self._panel = store, fan_out, sender, panel
        self._settings = delivery
        self._budget = max(1.0, celery.task_soft_time_limit - DEADLINE_MARGIN)

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
        except CONNECTION_ERRORS as exc:
            log.warning("broadcast_start_interrupted", broadcast_id=broadcast_id, error=repr(exc))
            retry_later(task, _countdown(task.request.retries))
        log.info("broadcast_enqueued", broadcast_id=broadcast_id, chats=chats, chunks=chunks)
        self._finish_if_counted(broadcast_id)

    def deliver(self, broadcast_id: int, recipients: list[Recipient]) -> DeliveryReport:
        task, task_id = running_task(self._app)
        broadcast = self._loop.run(self._store.get(broadcast_id))
        if broadcast is None or broadcast.state is not State.RUNNING:
            log.info("broadcast_chunk_skipped", broadcast_id=broadcast_id, chats=len(recipients))
            return _report({})
        source = CopySource(broadcast.source_chat, broadcast.source_message)
        job = DeliveryJob(
            tick_of(broadcast_id), "", task_id, time.monotonic() + self._budget, self._settings.concurrency,
            copy=source, progress=self._store.counts_key(broadcast_id), stop=asyncio.Event(),
        )  # fmt: skip
        subscribers = [Subscriber(r["chat_id"], r["chat_type"]) for r in recipients]
        try:
            outcomes = self._loop.run(self._send(job, broadcast_id, subscribers))
        except (DeliveryInterruptedError, SoftTimeLimitExceeded) as exc:
            log.warning("broadcast_chunk_interrupted", broadcast_id=broadcast_id, error=repr(exc))
            retry_later(task, _countdown(task.request.retries))
        except TokenRevokedError as exc:
            self._give_up(broadcast_id, task_id, exc.unsent, reason="token_revoked")
            raise
        report = _report(outcomes)
        log.info("broadcast_chunk_delivered", broadcast_id=broadcast_id, **report)
        self._settle_unsent(task, broadcast_id, job, outcomes[Outcome.RETRY])
        return report

    def finish(self, broadcast_id: int) -> None:
        self._loop.run(self._panel.close(self._loop.bot, broadcast_id))

    async def _send(
        self, job: DeliveryJob, broadcast_id: int, subscribers: list[Subscriber]
    ) -> dict[Outcome, list[Subscriber]]:
        bot: Bot = self._loop.bot
        assert job.stop is not None
        watcher = asyncio.create_task(self._panel.watch(bot, broadcast_id, job.stop))
        try:
            return await self._sender.send_chunk(bot, job, subscribers)
        finally:
            job.stop.set()  # ends the watcher
            await asyncio.gather(watcher, return_exceptions=True)

    def _settle_unsent(
        self, task: Task[Any, Any], broadcast_id: int, job: DeliveryJob, unsent: list[Subscriber]
    ) -> None:
        """Stopped: the unsent stay unsent. Else retry them, up to DELIVERY_MAX_RETRIES, then count
        them failed. Either way, a finished broadcast gets its summary."""
        stopped = self._loop.run(self._store.state(broadcast_id)) is not State.RUNNING
        if unsent and stopped:
            self._loop.run(self._sender.release(job.tick, job.owner, unsent))
        elif unsent and task.request.retries < self._settings.max_retries:
            self._finish_if_counted(broadcast_id)
            recipients = [Recipient(chat_id=s.chat_id, chat_type=s.chat_type) for s in unsent]
            retry_later(task, _countdown(task.request.retries), args=(broadcast_id, recipients))
        elif unsent:
            self._give_up(broadcast_id, job.owner, unsent, reason="retries_exhausted")
        self._finish_if_counted(broadcast_id)

    def _give_up(self, broadcast_id: int, owner: str, unsent: list[Subscriber], reason: str) -> None:
        log.error(
            "broadcast_gave_up",
            broadcast_id=broadcast_id,
            chat_ids=[s.chat_id for s in unsent],
            reason=reason,
        )
        self._loop.run(self._store.add_failed(broadcast_id, len(unsent)))
        self._loop.run(self._sender.release(tick_of(broadcast_id), owner, unsent))

    def _finish_if_counted(self, broadcast_id: int) -> None:
        broadcast = self._loop.run(self._store.get(broadcast_id))
        if broadcast is None or broadcast.summarized or broadcast.total is None:
            return
        if broadcast.counted >= broadcast.total and broadcast.state is State.RUNNING:
            self._registry.broadcast_finish.delay(broadcast_id)


def _report(outcomes: dict[Outcome, list[Subscriber]]) -> DeliveryReport:
    return cast(DeliveryReport, {outcome.value: len(outcomes.get(outcome, [])) for outcome in Outcome})


def _countdown(retries: int) -> float:
    return min(MAX_RETRY_COUNTDOWN, backoff(retries + 2))
