"""The three systems the ping benchmark drives alike: raw Celery, a bare echo bot, the project's bot."""

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import Message
from redis.asyncio import Redis

from bench._support import Burst, burst, emulator, plain_celery, round_trip
from tests.support.containers import make_container
from tests.support.polling import dispatcher_polling
from tests.support.stamped import StampedEmulatorState
from tests.support.telegram import TEST_TOKEN

RAW_BURST = 2000
BOT_BURST = range(10_000, 11_000)  # one /ping from each of 1,000 chats
SEQUENTIAL_CHAT = 1
PONG = re.compile(r"pong — \d+ ms")


@dataclass(frozen=True)
class Subject:
    """One system under test, driven the same way as the others."""

    name: str
    unit: str
    round_trip: Callable[[], Awaitable[float]]
    burst: Callable[[], Awaitable[Burst]]


class RawCelery:
    """The stock Celery app, called from one dedicated thread (its client blocks; the loop idles)."""

    def __init__(self, redis_url: str) -> None:
        self._app = plain_celery(redis_url)
        self._ping = self._app.signature("ping")
        self._thread = ThreadPoolExecutor(1, "raw-celery")

    def subject(self) -> Subject:
        return Subject("raw Celery delay().get()", "tasks", self.round_trip, self.burst)

    async def round_trip(self) -> float:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._timed_call)

    async def burst(self) -> Burst:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._burst)

    def close(self) -> None:
        self._thread.shutdown()
        self._app.close()

    def _timed_call(self) -> float:
        started = time.perf_counter()
        self._ping.delay().get(timeout=10)
        return (time.perf_counter() - started) * 1e3

    def _burst(self) -> Burst:
        started = time.perf_counter()
        results = [self._ping.delay() for _ in range(RAW_BURST)]
        ok = sum(result.get(timeout=60).get("pong") is True for result in results)
        return Burst(RAW_BURST, time.perf_counter() - started, ok)


def echo_dispatcher() -> Dispatcher:
    async def pong(message: Message) -> None:
        await message.answer("pong")

    dispatcher = Dispatcher()
    dispatcher.message.register(pong, Command("ping"))
    return dispatcher


def bot_subject(name: str, state: StampedEmulatorState, is_ok: Callable[[str], bool]) -> Subject:
    return Subject(
        name,
        "updates",
        partial(round_trip, state, SEQUENTIAL_CHAT, "/ping"),
        partial(burst, state, BOT_BURST, "/ping", is_ok),
    )


@asynccontextmanager
async def echo_bot() -> AsyncIterator[Subject]:
    async with emulator() as (state, url):
        bot = Bot(TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
        async with dispatcher_polling(echo_dispatcher(), bot, state):
            yield bot_subject("bare aiogram echo bot", state, lambda text: text == "pong")


@asynccontextmanager
async def project_bot(redis_url: str) -> AsyncIterator[Subject]:
    async with emulator() as (state, url):
        container = make_container(redis_url, url, task_timeout=10)
        try:
            async with dispatcher_polling(container.resolve(Dispatcher), container.resolve(Bot), state):
                yield bot_subject("project bot /ping", state, lambda text: PONG.fullmatch(text) is not None)
        finally:
            await container.resolve(Redis).aclose()
