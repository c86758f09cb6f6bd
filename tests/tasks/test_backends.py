"""PublishingRedisBackend overrides Celery's `on_task_call` hook, which this Celery version calls on every
publish to SUBSCRIBE to the task's result channel. Pinned here: stock Celery subscribes (so the override
still has a job) and the project's backend does not (so it still does it)."""

import punq
import redis
from celery import Celery

from tasks.registry import TasksRegistry
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.processes import RedisServer
from tests.support.telegram import Telegram


def subscribers(client: redis.Redis, task_id: str) -> int:
    [(_, count)] = client.pubsub_numsub(f"celery-task-meta-{task_id}")
    return int(count)


def test_stock_celery_subscribes_on_every_publish(redis_server: RedisServer) -> None:
    url, client = database(redis_server, 7)  # no worker consumes it
    stock = Celery("stock", broker=url, backend=url, set_as_current=False)
    try:
        result = stock.send_task("ping", task_id="stock-publish")
        assert subscribers(client, "stock-publish") == 1
        result.forget()
    finally:
        stock.close()


def test_the_projects_backend_does_not(redis_server: RedisServer, telegram: Telegram) -> None:
    url, client = database(redis_server, 7)  # no worker consumes it
    container: punq.Container = make_container(url, telegram.base_url)
    container.resolve(TasksRegistry).ping.apply_async(task_id="project-publish")
    assert subscribers(client, "project-publish") == 0
    container.resolve(Celery).close()
