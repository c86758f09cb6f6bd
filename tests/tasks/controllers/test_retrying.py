"""retry_later: Celery's retry while Redis answers; a requeue (not a drop) when the retry cannot be
published. A real Celery app whose broker is a real redis-server, or a port nobody listens on."""

from typing import Any

import pytest
from celery import Celery, Task
from celery.exceptions import Reject, Retry
from pydantic import SecretStr

from core.settings import CelerySettings, RedisSettings
from devtools.ports import free_port
from tasks.celery_config import create_celery_app
from tasks.controllers.retrying import retry_later
from tests.support.databases import database
from tests.support.processes import RedisServer


def running(app: Celery) -> Task[Any, Any]:
    @app.task(name="flaky", shared=False, max_retries=None)
    def flaky() -> None: ...

    task: Task[Any, Any] = app.tasks["flaky"]
    task.push_request(id="flaky-1", retries=7, args=[], kwargs={}, called_directly=False)
    return task


def app_on(url: str) -> Celery:
    redis = RedisSettings(url=SecretStr(url), socket_timeout=0.5, socket_connect_timeout=0.5)
    return create_celery_app(redis, CelerySettings(publish_max_retries=1))


def test_retry_is_published_while_redis_answers(redis_server: RedisServer) -> None:
    url, client = database(redis_server, 5)
    task = running(app_on(url))
    with pytest.raises(Retry):
        retry_later(task, countdown=30)
    assert client.llen("celery") == 1, "the retry waits in the queue"
    [message] = client.lrange("celery", 0, -1)
    assert b'"retries": 8' in message, "retry number 8: no limit on the count"


def test_unpublishable_retry_requeues_the_message() -> None:
    task = running(app_on(f"redis://127.0.0.1:{free_port()}/0"))  # nobody listens there
    with pytest.raises(Reject) as rejected:
        retry_later(task, countdown=30)
    assert rejected.value.args[1] is True, "requeue"
