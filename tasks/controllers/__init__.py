"""Task controllers: plain classes whose `register(app)` adds their tasks to the Celery app."""

from collections.abc import Callable
from typing import Any, Protocol

from celery import Celery, Task

from tasks.names import TaskName


class TaskController(Protocol):
    def register(self, app: Celery) -> None: ...


def running_task(app: Celery) -> tuple[Task[Any, Any], str]:
    """The task being executed by this worker process and its id (for methods registered as tasks)."""
    task = app.current_task
    if task is None or task.request.id is None:
        raise RuntimeError("called outside a running Celery task")
    return task, task.request.id


def register_task(app: Celery, name: TaskName, method: Callable[..., Any], **options: Any) -> None:
    """Registers a controller's bound method as the task `name`.

    `shared=False`: Celery would otherwise add the task to every app created later in the process,
    bound to this controller instance. `typing=False`: Celery's publish-time argument check reads the
    method's signature including `self` and would reject every call; producers are checked by mypy
    through `TasksRegistry` instead.
    """
    app.task(name=str(name), shared=False, typing=False, **options)(method)  # type: ignore[no-untyped-call]
