"""The typed registry: producers publish by name without the bodies; the worker has every body."""

import punq
import pytest
from celery import Celery
from pydantic import SecretStr

from core.settings import CelerySettings, RedisSettings, TelegramSettings
from ioc.beat import beat_app, build_beat_container
from ioc.bot import build_bot_container
from ioc.worker import build_worker_container, worker_app
from tasks.names import TaskName
from tasks.registry import TasksRegistry
from tests.support.contracts import entries
from tests.support.telegram import TEST_TOKEN

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing here connects


def offline(container: punq.Container) -> punq.Container:
    redis = RedisSettings(url=SecretStr(UNREACHABLE), socket_timeout=2.5)
    container.register(RedisSettings, instance=redis)
    container.register(CelerySettings, instance=CelerySettings(result_expires=600))
    container.register(TelegramSettings, instance=TelegramSettings(bot_token=SecretStr(TEST_TOKEN)))
    return container


@pytest.fixture
def worker() -> Celery:
    return worker_app(offline(build_worker_container()))


def test_the_worker_registers_a_body_for_every_task_name(worker: Celery) -> None:
    assert {str(name) for name in TaskName} <= set(worker.tasks)


def test_producers_hold_contracts_not_bodies() -> None:
    container = offline(build_bot_container())
    app, registry = container.resolve(Celery), container.resolve(TasksRegistry)
    assert not {str(name) for name in TaskName} & set(app.tasks)
    assert sorted(ref.name for ref in entries(registry).values()) == sorted(TaskName)
    assert registry.deliver.options == {"ignore_result": True}


def test_reliability_settings(worker: Celery) -> None:
    conf = worker.conf
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


def test_beat_schedules_the_fan_out_by_name() -> None:
    app = beat_app(offline(build_beat_container()))
    assert app.conf.beat_schedule["health-notification"]["task"] == "notifications.fan_out"
    assert not {str(name) for name in TaskName} & set(app.tasks)


def test_tasks_are_not_shared_between_apps(worker: Celery) -> None:
    """Bodies register with shared=False: a later app does not inherit this one's tasks."""
    later = Celery("later", set_as_current=False)
    assert TaskName.PING not in later.tasks
