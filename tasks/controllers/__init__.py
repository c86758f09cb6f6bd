"""Task controllers: plain classes whose `register(app)` adds their task bodies to the worker's app."""

from typing import Any, Protocol

from celery import Celery, Task


class TaskController(Protocol):
    def register(self, app: Celery) -> None: ...


def running_task(app: Celery) -> tuple[Task[Any, Any], str]:
    """The task being executed by this worker process and its id (for methods registered as tasks)."""
    task = app.current_task
    if task is None or task.request.id is None:
        raise RuntimeError("called outside a running Celery task")
    return task, task.request.id
