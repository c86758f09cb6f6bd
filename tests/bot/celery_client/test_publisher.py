"""The bot's asyncio publisher writes the very message kombu would, so any Celery worker takes it."""

import base64
import json
from typing import Any

import punq
import pytest
import redis

from bot.celery_client.publisher import AsyncTaskPublisher
from tasks.registry import TasksRegistry
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.processes import RedisServer
from tests.support.telegram import Telegram

VARYING_HEADERS = {"id", "root_id", "expires", "origin"}
VARYING_PROPERTIES = {"correlation_id", "delivery_tag", "reply_to"}


@pytest.fixture
def quiet_db(redis_server: RedisServer, telegram: Telegram) -> tuple[punq.Container, redis.Redis]:
    """A database no worker consumes, so the published messages stay in the queue."""
    url, client = database(redis_server, 8)
    return make_container(url, telegram.base_url), client


def queued(client: redis.Redis) -> dict[str, Any]:
    raw = client.rpop("celery")
    assert isinstance(raw, bytes)
    message: dict[str, Any] = json.loads(raw)
    return message


async def test_envelope_matches_kombus(quiet_db: tuple[punq.Container, redis.Redis]) -> None:
    container, client = quiet_db
    registry = container.resolve(TasksRegistry)
    headers = {"x_correlation_id": "c0ffee"}
    registry.ping.apply_async(task_id="by-kombu", expires=10, headers=headers)
    await container.resolve(AsyncTaskPublisher).publish(
        registry.ping, (), {}, task_id="by-asyncio", expires=10, headers=headers
    )
    theirs, ours = queued(client), queued(client)  # LPUSH + RPOP: the first pushed comes out first

    assert ours.keys() == theirs.keys()
    assert {k: v for k, v in ours.items() if k not in ("headers", "properties")} == {
        k: v for k, v in theirs.items() if k not in ("headers", "properties")
    }
    assert _without(ours["headers"], VARYING_HEADERS) == _without(theirs["headers"], VARYING_HEADERS)
    assert _without(ours["properties"], VARYING_PROPERTIES) == _without(
        theirs["properties"], VARYING_PROPERTIES
    )
    assert ours["headers"]["id"] == ours["headers"]["root_id"] == "by-asyncio"
    assert ours["properties"]["correlation_id"] == "by-asyncio"
    assert json.loads(base64.b64decode(ours["body"])) == [[], {}, _EMBED]


def test_routes_to_the_tasks_queue(quiet_db: tuple[punq.Container, redis.Redis]) -> None:
    container, _ = quiet_db
    publisher, registry = container.resolve(AsyncTaskPublisher), container.resolve(TasksRegistry)
    assert publisher.queue_for(registry.ping, (), {}) == "celery"


_EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}


def _without(mapping: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in keys}
