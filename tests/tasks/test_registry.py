"""The typed registry: every TaskName is registered, and an unknown name fails clearly."""

import pytest
from celery import Celery
from pydantic import SecretStr

from core.settings import CelerySettings, RedisSettings, TelegramSettings
from ioc.container import build_container
from tasks.names import TaskName
from tasks.registry import TasksRegistry, UnknownTaskError
from tests.support.telegram import TEST_TOKEN


@pytest.fixture
def app() -> Celery:
    container = build_container()
    redis = RedisSettings(url=SecretStr("redis://127.0.0.1:1/0"), socket_timeout=2.5)
    container.register(RedisSettings, instance=redis)
    container.register(CelerySettings, instance=CelerySettings(result_expires=600))
    container.register(TelegramSettings, instance=TelegramSettings(bot_token=SecretStr(TEST_TOKEN)))
    return container.resolve(Celery)


def test_every_task_name_is_registered(app: Celery) -> None:
    registry = TasksRegistry(app)
    assert registry.ping.name == TaskName.PING
    assert registry.fan_out.name == TaskName.FAN_OUT
    assert registry.deliver.name == TaskName.DELIVER
    assert {str(name) for name in TaskName} <= set(app.tasks)


def test_unknown_task_names_raise_a_clear_error() -> None:
    bare = Celery("bare", set_as_current=False)
    with pytest.raises(UnknownTaskError, match=r"task 'ping' is not registered; add its controller"):
        _ = TasksRegistry(bare).ping


def test_reliability_settings(app: Celery) -> None:
    conf = app.conf
    assert conf.task_acks_late
    assert conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.task_time_limit < conf.broker_transport_options["visibility_timeout"]
    assert (
        conf.broker_transport_options["visibility_timeout"]
        == conf.result_backend_transport_options["visibility_timeout"]
    )
    assert conf.broker_connection_max_retries is None
    assert conf.broker_transport_options["socket_timeout"] == 2.5  # as the app's settings say
    assert conf.redis_socket_timeout == 2.5
    assert conf.result_expires == 600
    assert conf.beat_schedule["health-notification"]["task"] == "notifications.fan_out"


def test_tasks_are_not_shared_between_apps(app: Celery) -> None:
    """Controllers register with shared=False: a later app does not inherit this one's tasks."""
    later = Celery("later", set_as_current=False)
    assert TaskName.PING not in later.tasks
