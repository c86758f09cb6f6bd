"""The project's result backend: Celery's Redis backend without the per-publish SUBSCRIBE."""

from typing import Any

from celery.backends.redis import RedisBackend


class PublishingRedisBackend(RedisBackend):
    """Celery's Redis backend SUBSCRIBEs to a task's result channel on every publish, for a later
    `AsyncResult.get()`: one more blocking round trip per task and a subscription that lives until
    the AsyncResult is garbage-collected. The bot awaits results through its own pattern
    subscription (`bot.celery_client.result_waiter.ResultWaiter`), and beat and workers never join;
    `AsyncResult.get()` still works, reading the stored result and subscribing when it is called.
    `on_task_call` is a hook of Celery's backends, not a documented API: tests/tasks/test_backends.py
    pins that this Celery version subscribes there and that this override stops it.
    """

    def on_task_call(self, producer: Any, task_id: str) -> None:
        return None


def backend_url(redis_url: str) -> str:
    """`result_backend` value selecting this class for `redis_url`."""
    return f"{PublishingRedisBackend.__module__}:{PublishingRedisBackend.__name__}+{redis_url}"
