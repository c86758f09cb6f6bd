"""Retrying a task whose Redis went away (a restart, a stale connection, a hang), without losing it.

Celery's `Task.retry` publishes a copy of the task; when that publish fails too (Redis still away), it
raises `Reject(requeue=False)` and the message is dropped. Here that becomes `Reject(requeue=True)`:
the message goes back to its queue, or, while Redis is down, stays in the `unacked` hash until the
worker's transport restores it on reconnection (tasks/transport.py).
"""

from typing import Any, NoReturn

import structlog
from celery import Task
from celery.exceptions import Reject

from tasks.delivery.sender import backoff

log = structlog.get_logger(__name__)


def retry_later(task: Task[Any, Any], countdown: float, **options: Any) -> NoReturn:
    """Retries the running task after `countdown` seconds (`options` go to `Task.retry`: `args` for new
    arguments); requeues it if the retry cannot be published. Register the task with
    `max_retries=None` for no limit on the count: `Task.retry(max_retries=None)` means the task's own
    limit (3 by default), not "none"."""
    try:
        raise task.retry(countdown=countdown, **options)
    except Reject as unpublished:
        reason = unpublished.args[0] if unpublished.args else None  # the publish error
        log.warning("retry_unpublished_requeued", countdown=countdown, error=repr(reason))
        raise Reject(reason, requeue=True) from None


def retry_countdown(task: Task[Any, Any], cap: float) -> float:
    """Seconds before the running task's next retry: backoff with jitter (about 2 s, 4 s, 8 s …), at most
    `cap`, which stays far below CELERY_VISIBILITY_TIMEOUT (a longer countdown is redelivered early)."""
    return min(cap, backoff(task.request.retries + 2))
