"""The worker's side of per-chat schedules: start each due run's task, then post its result to the chat.

`schedules.fire(runs)` (published by beat's engine) claims each run's idempotency key, schedule and fire
time, in the delivery ledger, so a run that beat published twice (a lease taken over) starts once, and
starts the schedulable task with `schedules.deliver` linked to it (`schedules.failed` if it fails).
`schedules.deliver(result, run)` renders the result and sends it through the ChunkSender (shared limiter,
ledger, error policy); `schedules.failed` posts a line saying the run failed the same way. A schedule
cancelled meanwhile posts nothing: every step reads it again first.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from celery import Celery, Signature

from core.connection_errors import CONNECTION_ERRORS
from core.schedules.codec import to_ms
from core.schedules.model import Schedule
from core.schedules.store import ScheduleStore
from core.settings import SchedulesSettings
from tasks.controllers import running_task
from tasks.controllers.retrying import retry_countdown, retry_later
from tasks.delivery.ledger import DeliveryLedger
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.registry import TaskRef, TasksRegistry
from tasks.schedules.contracts import FireReport, ScheduledRun, StartedRun

log = structlog.get_logger(__name__)
LEDGER_NAME = "schedules"
MAX_RETRY_COUNTDOWN = 30.0


def run_tick(run: ScheduledRun) -> str:
    """The run's idempotency key in the ledger (its "tick"): schedule and fire time."""
    return f"schedule-{run['schedule_id']}-{run['due_ms']}"


def run_callbacks(registry: TasksRegistry, run: StartedRun) -> dict[str, Signature[Any]]:
    """A run's task's `link` (its result, posted) and `link_error` (a line saying it failed): both post
    under the run's key in the ledger, so a chat gets one message per run either way."""
    return {"link": registry.deliver_run.signature(run), "link_error": registry.run_failed.signature(run)}


class ScheduleFireController:
    def __init__(
        self,
        *,
        app: Celery,
        registry: TasksRegistry,
        event_loop: WorkerEventLoop,
        store: ScheduleStore,
        ledger: DeliveryLedger,
        settings: SchedulesSettings,
    ) -> None:
        self._app = app
        self._registry = registry
        self._loop = event_loop
        self._store = store
        self._ledger = ledger
        self._expires = timedelta(seconds=settings.fire_expires)

    def register(self, app: Celery) -> None:
        self._registry.fire_schedules.register_body(app, self.fire, max_retries=None)

    def fire(self, runs: list[ScheduledRun]) -> FireReport:
        task, task_id = running_task(self._app)
        try:
            to_start, report = self._loop.run(self._claim(runs, task_id))
            self._start(to_start)
        except CONNECTION_ERRORS as error:  # claims are ours (the task id): the retry re-claims them
            countdown = retry_countdown(task, MAX_RETRY_COUNTDOWN)
            log.warning("schedules_fire_interrupted", error=repr(error), countdown=countdown)
            retry_later(task, countdown)
        log.info("schedules_fire_done", **report)
        return report

    async def _claim(
        self, runs: list[ScheduledRun], owner: str
    ) -> tuple[list[tuple[ScheduledRun, Schedule]], FireReport]:
        schedules = await self._store.get_many([run["schedule_id"] for run in runs])
        live = [(run, schedules[run["schedule_id"]]) for run in runs if run["schedule_id"] in schedules]
        claimed = await asyncio.gather(
            *(self._ledger.claim_tick(LEDGER_NAME, run_tick(run), owner) for run, _ in live)
        )
        to_start = [pair for pair, mine in zip(live, claimed, strict=True) if mine]
        report = FireReport(
            started=len(to_start), duplicate=len(live) - len(to_start), cancelled=len(runs) - len(live)
        )
        return to_start, report

    def _start(self, runs: list[tuple[ScheduledRun, Schedule]]) -> None:
        now = datetime.now(UTC)
        with self._app.producer_or_acquire() as producer:
            for run, schedule in runs:
                started = StartedRun(
                    schedule_id=run["schedule_id"], due_ms=run["due_ms"], started_ms=to_ms(now)
                )
                call = self._call(schedule)
                if call is None:  # the chat hears of it as of a failed run (the way to /cancel it)
                    self._registry.run_failed.apply_async(("", started), producer=producer)
                    continue
                ref, args = call
                ref.apply_async(
                    args,
                    **run_callbacks(self._registry, started),
                    producer=producer,
                    expires=now + self._expires,
                    ignore_result=True,
                )

    def _call(self, schedule: Schedule) -> tuple[TaskRef[..., Any], tuple[Any, ...]] | None:
        """The schedule's task and arguments; None (logged) if the task is no longer schedulable so (a
        deploy removed it or changed its arguments)."""
        declared = self._registry.schedulable.get(schedule.task)
        try:
            if declared is None:
                raise ValueError("not a schedulable task")
            return declared.ref, declared.parse_args(list(schedule.args))
        except ValueError as error:
            log.error("schedule_not_runnable", schedule_id=schedule.id, task=schedule.task, error=str(error))
            return None
