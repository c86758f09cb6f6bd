"""Worker side of the log context: each task's lines carry its id, its name and the correlation id
the producer put in the task's headers (see core.correlation)."""

from typing import Any

import structlog
from celery import Task

from core.correlation import CORRELATION_HEADER


def bind_task_context(task_id: str, task: Task[Any, Any], **_: object) -> None:
    """On `task_prerun`."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        task_id=task_id,
        task_name=task.name,
        correlation_id=getattr(task.request, CORRELATION_HEADER, None) or task_id,
    )


def clear_task_context(**_: object) -> None:
    """On `task_postrun`."""
    structlog.contextvars.clear_contextvars()
