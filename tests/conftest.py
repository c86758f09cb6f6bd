"""Shared fixtures: one real redis-server, one Bot API emulator and one Celery worker for the session."""

from collections.abc import AsyncIterator, Iterator

import punq
import pytest
from aiogram import Dispatcher
from celery.exceptions import TimeoutError as CeleryTimeoutError

from devtools.emulator.faults import Faults
from devtools.emulator.server import RunningEmulator, start_emulator
from devtools.emulator.state import EmulatorState
from tasks.registry import TasksRegistry
from tests.support.containers import make_container
from tests.support.polling import polling
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.telegram import TEST_TOKEN, Telegram
from tests.support.waiting import wait_for


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def running_emulator() -> AsyncIterator[tuple[RunningEmulator, EmulatorState, Faults]]:
    state, faults = EmulatorState(TEST_TOKEN), Faults()
    emulator = await start_emulator(state, faults)
    yield emulator, state, faults
    await emulator.stop()


@pytest.fixture
def telegram(
    running_emulator: tuple[RunningEmulator, EmulatorState, Faults],
) -> Telegram:
    emulator, state, faults = running_emulator
    state.reset()
    faults.reset()
    return Telegram(state, faults, emulator.base_url)


@pytest.fixture(scope="session")
def project_env(
    redis_server: RedisServer, running_emulator: tuple[RunningEmulator, EmulatorState, Faults]
) -> dict[str, str]:
    """What a project process of this run needs in its environment."""
    return {
        "REDIS_URL": redis_server.url,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": running_emulator[0].base_url,
        # Fast deliveries for the suite; tests of the limits start workers with the real defaults.
        "DELIVERY_GLOBAL_PER_SECOND": "300",
    }


@pytest.fixture
def container(redis_server: RedisServer, telegram: Telegram) -> punq.Container:
    return make_container(redis_server.url, telegram.base_url, task_timeout=10)


@pytest.fixture(scope="session")
def celery_worker(project_env: dict[str, str], redis_server: RedisServer) -> Iterator[CeleryWorker]:
    worker = CeleryWorker(project_env)
    registry = make_container(redis_server.url, project_env["TELEGRAM_API_BASE_URL"]).resolve(TasksRegistry)

    def answers() -> bool:
        assert worker.process.poll() is None, f"worker exited:\n{worker.log()}"
        try:
            return bool(registry.ping.apply_async().get(timeout=1))
        except CeleryTimeoutError:
            return False

    wait_for(answers, 30, "the Celery worker to answer ping")
    yield worker
    worker.stop()


@pytest.fixture
async def running_bot(container: punq.Container, telegram: Telegram) -> AsyncIterator[Dispatcher]:
    """The real Dispatcher long-polling the emulator on this loop."""
    async with polling(container, telegram.state) as dispatcher:
        yield dispatcher
