"""The typed task registry: the one way producers (the bot, beat, other tasks) reach a task.

A `TaskRef[P, R]` is a task's contract: its name, its argument types `P` and its result type `R`. It
publishes by name (`app.send_task`), so it works in a process where the task's body is not registered
(the bot, beat); mypy checks every call site. The worker registers the bodies with `register_body`,
where mypy checks each body against the same contract.
"""

from collections.abc import Callable, Mapping
from typing import Any, Generic, ParamSpec, TypeVar, cast

from celery import Celery, Signature
from celery.result import AsyncResult

from tasks.contracts import DeliveryReport, FanOutReport, PingResult, Recipient
from tasks.names import TaskName
from tasks.schedulable import Schedulable, no_args, render_ping, render_report
from tasks.schedules.contracts import FireReport, HealthReport, ScheduledRun, StartedRun

P = ParamSpec("P")
R = TypeVar("R")


class TaskRef(Generic[P, R]):
    def __init__(self, app: Celery, name: TaskName, **options: Any) -> None:
        self.app = app
        self.name = name
        self.options = options

    def delay(self, *args: P.args, **kwargs: P.kwargs) -> AsyncResult[R]:
        return self.apply_async(args, kwargs)

    def apply_async(
        self, args: tuple[Any, ...] | None = None, kwargs: dict[str, Any] | None = None, **options: Any
    ) -> AsyncResult[R]:
        """Celery's `apply_async` options (`task_id`, `expires`, `producer`, ...) apply."""
        return cast(AsyncResult[R], self.app.send_task(self.name, args, kwargs, **self.options | options))

    def signature(self, *args: Any, **options: Any) -> Signature[R]:
        """A signature by name (for `link=`), partial `args`: a callback gets the parent's result first."""
        return cast(Signature[R], self.app.signature(str(self.name), args=args, **self.options | options))

    def register_body(self, app: Celery, body: Callable[P, R], **options: Any) -> None:
        """Registers `body` (a controller's bound method) as this task in `app` (the worker's).

        `shared=False`: Celery would otherwise add the task to every app created later in the
        process. `typing=False`: Celery's publish-time argument check would read the bound method's
        signature; mypy checks both sides against `P` instead.
        """
        decorate = app.task(name=str(self.name), shared=False, typing=False, **self.options | options)
        decorate(body)  # type: ignore[no-untyped-call]


class TasksRegistry:
    """Properties return `TaskRef[[args], Result]`: `.delay`/`.apply_async` checked by mypy."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    @property
    def broadcast_start(self) -> TaskRef[[int], None]:
        """(broadcast id): enqueues the running broadcast's chunks."""
        return TaskRef(self._app, TaskName.BROADCAST_START, ignore_result=True)

    @property
    def broadcast_deliver(self) -> TaskRef[[int, list[Recipient]], DeliveryReport]:
        """(broadcast id, recipients): one chunk of a broadcast, copied with copyMessage."""
        return TaskRef(self._app, TaskName.BROADCAST_DELIVER, ignore_result=True)

    @property
    def broadcast_finish(self) -> TaskRef[[int], None]:
        """(broadcast id): done or stopped → the final summary on the admin's panel (idempotent)."""
        return TaskRef(self._app, TaskName.BROADCAST_FINISH, ignore_result=True)

    @property
    def ping(self) -> TaskRef[[], PingResult]:
        return TaskRef(self._app, TaskName.PING)

    @property
    def fan_out(self) -> TaskRef[[], FanOutReport]:
        """Keyword `tick` (optional): the tick to send; the current one by default."""
        return TaskRef(self._app, TaskName.FAN_OUT)

    @property
    def report(self) -> TaskRef[[], HealthReport]:
        """The health report's figures (the scheduled notification's, for one chat)."""
        return TaskRef(self._app, TaskName.REPORT)

    @property
    def fire_schedules(self) -> TaskRef[[list[ScheduledRun]], FireReport]:
        """Beat's schedule engine: a chunk of due runs; the worker starts each run's task."""
        return TaskRef(self._app, TaskName.SCHEDULES_FIRE, ignore_result=True)

    @property
    def deliver_run(self) -> TaskRef[[Any, StartedRun], DeliveryReport]:
        """(result, run): a scheduled run's result, rendered and posted to its chat (a link callback)."""
        return TaskRef(self._app, TaskName.SCHEDULES_DELIVER, ignore_result=True)

    @property
    def run_failed(self) -> TaskRef[[str, StartedRun], DeliveryReport]:
        """(failed task's id, run): a scheduled run whose task failed: one line to its chat (link_error)."""
        return TaskRef(self._app, TaskName.SCHEDULES_FAILED, ignore_result=True)

    @property
    def schedulable(self) -> Mapping[str, Schedulable[Any]]:
        """The tasks a chat may schedule, by name: add a task here to make it schedulable."""
        return {
            "ping": Schedulable(self.ping, "the workers' round trip", render_ping, no_args("ping")),
            "report": Schedulable(self.report, "the health report", render_report, no_args("report")),
        }

    @property
    def deliver(self) -> TaskRef[[str, str, list[Recipient]], DeliveryReport]:
        """(tick, text, recipients)"""
        return TaskRef(self._app, TaskName.DELIVER, ignore_result=True)
