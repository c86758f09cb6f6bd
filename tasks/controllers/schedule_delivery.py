import time
from collections.abc import Callable
from html import escape
from typing import Any

import structlog
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded
from redis.exceptions import RedisError

from core.connection_errors import CONNECTION_ERRORS
from core.schedules.codec import from_ms
from core.schedules.model import Fire, Schedule
from core.schedules.store import ScheduleStore
from core.settings import CelerySettings, DeliverySettings
from core.subscriptions import Subscriber
from tasks.contracts import DeliveryReport
from tasks.controllers import running_task
from tasks.controllers.delivery import DEADLINE_MARGIN, MAX_RETRY_COUNTDOWN
from tasks.controllers.retrying import retry_countdown, retry_later
from tasks.controllers.schedules import run_tick
from tasks.delivery.job import DeliveryJob
from tasks.delivery.outcomes import DeliveryInterruptedError, Outcome, TokenRevokedError
from tasks.delivery.sender import ChunkSender
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.registry import TasksRegistry
from tasks.schedules.contracts import StartedRun

log = structlog.get_logger(__name__)
NOTHING: DeliveryReport = {o.value: 0 for o in Outcome}  # type: ignore[assignment]


def footer(schedule: Schedule) -> str:
    return f"\n<i>⏰ {escape(schedule.spec.describe())} · {escape(schedule.task)} · /cancel {schedule.id}</i>"


def failure_line(schedule: Schedule) -> str:
    return f"⚠️ This run of <b>{escape(schedule.task)}</b> failed; the schedule stays and runs next time."


class ScheduleDeliveryController:
    """`schedules.deliver(result, run)`: a scheduled run's result, rendered by its task's declaration
    (tasks/schedulable.py) and posted to the schedule's chat with the ChunkSender; `schedules.failed`
    (its task failed): a line saying so, the same way. The run's key (schedule and fire time) is the
    ledger's tick, so a chat gets one message per run, whichever of the two posts it."""

    def __init__(
        self,
        *,
        app: Celery,
        registry: TasksRegistry,
        event_loop: WorkerEventLoop,
        store: ScheduleStore,
        sender: ChunkSender,
        delivery: DeliverySettings,
        celery: CelerySettings,
    ) -> None:
        self._app = app
        self._registry = registry
        self._loop = event_loop
        self._store = store
        self._sender = sender
        self._max_retries = delivery.max_retries
        self._budget = max(1.0, celery.task_soft_time_limit - DEADLINE_MARGIN)

    def register(self, app: Celery) -> None:
        self._registry.deliver_run.register_body(app, self.deliver, max_retries=None)

        def failed(task_id: str, run: StartedRun) -> DeliveryReport:
            return self.failed(task_id, run)

        # Celery calls an errback whose header takes more than the failed task's id inline, in the
        # failed task's process, with (request, exc, traceback); it counts `self` in a bound method's
        # header, so the errback is a plain function: published as a task, retried like `deliver`.
        self._registry.run_failed.register_body(app, failed, max_retries=None)

    def deliver(self, result: Any, run: StartedRun) -> DeliveryReport:
        return self._post(run, lambda schedule: self._render(schedule, result, run))

    def failed(self, task_id: str, run: StartedRun) -> DeliveryReport:
        """The run's task failed (its error is in the worker's log, not for the chat): say so, once."""
        log.warning(
            "schedule_run_failed", schedule_id=run["schedule_id"], due_ms=run["due_ms"], task_id=task_id
        )
        return self._post(run, failure_line)

    def _post(self, run: StartedRun, text: Callable[[Schedule], str]) -> DeliveryReport:
        task, task_id = running_task(self._app)
        schedule = self._schedule(task, run)
        if schedule is None:
            log.info("schedule_run_cancelled", schedule_id=run["schedule_id"], due_ms=run["due_ms"])
            return NOTHING
        tick = run_tick(run)
        deadline = time.monotonic() + self._budget
        job = DeliveryJob(tick, text(schedule) + footer(schedule), task_id, deadline, concurrency=1)
        chat = Subscriber(schedule.chat_id, schedule.chat_type)
        try:
            outcomes = self._loop.run(self._sender.send_chunk(self._loop.bot, job, [chat]))
        except (DeliveryInterruptedError, SoftTimeLimitExceeded) as exc:
            log.warning("schedule_run_interrupted", tick=tick, error=repr(exc))
            retry_later(task, retry_countdown(task, MAX_RETRY_COUNTDOWN))
        except TokenRevokedError:
            self._give_up(tick, task_id, chat, reason="token_revoked")
            raise
        if outcomes[Outcome.RETRY]:
            self._retry_or_give_up(task, tick, chat)
        report: DeliveryReport = {o.value: len(outcomes[o]) for o in Outcome}  # type: ignore[assignment]
        log.info("schedule_run_delivered", schedule_id=schedule.id, tick=tick, **report)
        return report

    def _schedule(self, task: Task[Any, Any], run: StartedRun) -> Schedule | None:
        """The run's schedule as it is now (None: cancelled); Redis away: the task is retried, not lost."""
        try:
            return self._loop.run(self._store.get_many([run["schedule_id"]])).get(run["schedule_id"])
        except CONNECTION_ERRORS as exc:
            log.warning("schedule_run_interrupted", schedule_id=run["schedule_id"], error=repr(exc))
            retry_later(task, retry_countdown(task, MAX_RETRY_COUNTDOWN))

    def _render(self, schedule: Schedule, result: Any, run: StartedRun) -> str:
        fire = Fire(schedule, from_ms(run["due_ms"]), from_ms(run["started_ms"]))
        return self._registry.schedulable[schedule.task].render(result, fire)

    def _retry_or_give_up(self, task: Task[Any, Any], tick: str, chat: Subscriber) -> None:
        if task.request.retries >= self._max_retries:
            self._give_up(tick, task.request.id or "", chat, reason="retries_exhausted")
            return
        retry_later(task, retry_countdown(task, MAX_RETRY_COUNTDOWN))

    def _give_up(self, tick: str, owner: str, chat: Subscriber, reason: str) -> None:
        log.error("delivery_gave_up", tick=tick, chat_ids=[chat.chat_id], reason=reason)
        try:
            self._loop.run(self._sender.release(tick, owner, [chat]))
        except RedisError as exc:  # the claims expire after DELIVERY_LEDGER_TTL all the same
            log.warning("delivery_claims_not_released", tick=tick, chat_ids=[chat.chat_id], error=repr(exc))
