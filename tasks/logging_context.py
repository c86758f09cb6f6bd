"""Carries the bot's correlation id into task headers and binds it, with the task id, to worker logs."""

from typing import Any

import structlog
from celery import Task
from celery.signals import task_postrun, task_prerun

CORRELATION_HEADER = "x_correlation_id"


def correlation_headers() -> dict[str, str]:
    """Headers for a task published now: the correlation id bound in the caller's log context."""
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
    return {CORRELATION_HEADER: str(correlation_id)} if correlation_id else {}


def _bind_task_context(task_id: str, task: Task[Any, Any], **_: object) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        task_id=task_id,
        task_name=task.name,
        correlation_id=getattr(task.request, CORRELATION_HEADER, None) or task_id,
    )


def _clear_task_context(**_: object) -> None:
    structlog.contextvars.clear_contextvars()


def connect_logging_context() -> None:
    """Idempotent: Celery signals keep one receiver per (function, sender) with weak=False."""
    task_prerun.connect(_bind_task_context, weak=False)
    task_postrun.connect(_clear_task_context, weak=False)
