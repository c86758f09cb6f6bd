"""Shared fixtures: one real redis-server, one Bot API emulator and one Celery worker for the session."""

from collections.abc import AsyncIterator, Iterator

import punq
import pytest
import redis
from aiogram import Dispatcher
from playwright.async_api import Browser

from core.subscriptions import SUBSCRIBERS_KEY
from devtools.emulator.faults import Faults
from devtools.emulator.state import EmulatorState
from tasks.registry import TasksRegistry
from tests.support.browser import launched_browser
from tests.support.containers import make_container
from tests.support.polling import polling
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.telegram import TEST_TOKEN, Telegram, serving
from tests.support.workers import wait_answering


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def running_emulator() -> AsyncIterator[Telegram]:
    state, faults = EmulatorState(TEST_TOKEN), Faults()
    async with serving(state, faults) as base_url:
        yield Telegram(state, faults, base_url)


@pytest.fixture
def telegram(running_emulator: Telegram) -> Telegram:
    running_emulator.state.reset()
    running_emulator.faults.reset()
    return running_emulator


@pytest.fixture(scope="session")
def project_env(redis_server: RedisServer, running_emulator: Telegram) -> dict[str, str]:
    """What a project process of this run needs in its environment."""
    return {
        "REDIS_URL": redis_server.url,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": running_emulator.base_url,
        # Fast deliveries for the suite; tests of the limits start workers with the real defaults.
        "DELIVERY_GLOBAL_PER_SECOND": "300",
    }


@pytest.fixture
def container(redis_server: RedisServer, telegram: Telegram) -> punq.Container:
    return make_container(redis_server.url, telegram.base_url, task_timeout=10)


@pytest.fixture(scope="session")
def celery_worker(project_env: dict[str, str], redis_server: RedisServer) -> Iterator[CeleryWorker]:
    worker = CeleryWorker(project_env)
    try:
        container = make_container(redis_server.url, project_env["TELEGRAM_API_BASE_URL"])
        wait_answering(worker, container.resolve(TasksRegistry).ping.apply_async, 30)
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def registry(redis_server: RedisServer, telegram: Telegram) -> TasksRegistry:
    """The task registry, publishing to the session worker's Redis."""
    return make_container(redis_server.url, telegram.base_url).resolve(TasksRegistry)


@pytest.fixture
def subscribers_redis(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """The session Redis, its subscriber hash emptied afterwards."""
    yield redis_server.client
    redis_server.client.delete(SUBSCRIBERS_KEY)


@pytest.fixture
async def running_bot(container: punq.Container, telegram: Telegram) -> AsyncIterator[Dispatcher]:
    """The real Dispatcher long-polling the emulator on this loop."""
    async with polling(container, telegram.state) as dispatcher:
        yield dispatcher


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium for the chat page's tests (skipped where it is not installed)."""
    async with launched_browser() as browser:
        yield browser
