"""The three systems the ping benchmark drives alike: raw Celery, a bare echo bot, the project's bot.

The bots run in processes of their own (bench/_processes.py); they are driven through their emulators'
`/bench/...` endpoints, which time each reply on the emulator's side. Raw Celery runs in this process,
on one thread whose CPU time is its client's cost.
"""

import asyncio
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench._cpu import cpu_seconds
from bench._processes import BotUnderTest
from bench._support import Burst, plain_celery

RAW_BURST = 2000
BOT_BURST = 1000  # one /ping from each of 1,000 chats
SEQUENTIAL_FIRST_CHAT = 1  # a new chat per round trip, so no user's rate limit is ever reached
BURST_FIRST_CHAT = 100_000
PONG = re.compile(r"pong — \d+ ms")


@dataclass(frozen=True)
class Subject:
    """One system under test, driven the same way as the others: round trip `n`, burst round `n`,
    and the CPU seconds its process (or thread) has used so far."""

    name: str
    unit: str
    round_trip: Callable[[int], Awaitable[float]]
    burst: Callable[[int], Awaitable[Burst]]
    cpu: Callable[[], float]


class RawCelery:
    """The stock Celery app, called from one dedicated thread (its client blocks; the loop idles)."""

    def __init__(self, redis_url: str) -> None:
        self._app = plain_celery(redis_url)
        self._ping = self._app.signature("ping")
        self._thread = ThreadPoolExecutor(1, "raw-celery")
        self._cpu = 0.0

    def subject(self) -> Subject:
        return Subject("raw Celery delay().get()", "tasks", self.round_trip, self.burst, lambda: self._cpu)

    async def round_trip(self, _: int) -> float:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._timed_call)

    async def burst(self, _: int) -> Burst:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._burst)

    def close(self) -> None:
        self._thread.submit(self._forget_results).result()
        self._thread.shutdown()
        self._app.close()

    def _forget_results(self) -> None:
        """An AsyncResult collected later unsubscribes from its channel, and at interpreter exit Redis is
        gone (Celery then retries it for 20 s, printing errors): the run is over, forget them all now.
        In the calling thread: `app.backend` is one per thread."""
        consumer = getattr(self._app.backend, "result_consumer", None)  # Redis's: it subscribes
        if consumer is None:
            return
        consumer.stop()
        consumer.subscribed_to.clear()

    def _timed_call(self) -> float:
        cpu, started = time.thread_time(), time.perf_counter()
        self._ping.delay().get(timeout=10)
        elapsed = time.perf_counter() - started
        self._cpu += time.thread_time() - cpu
        return elapsed * 1e3

    def _burst(self) -> Burst:
        cpu, started = time.thread_time(), time.perf_counter()
        results = [self._ping.delay() for _ in range(RAW_BURST)]
        ok = sum(result.get(timeout=60).get("pong") is True for result in results)
        elapsed = time.perf_counter() - started
        self._cpu += time.thread_time() - cpu
        return Burst(RAW_BURST, elapsed, ok)


class RemoteBot:
    """A bot process, driven through its emulator's bench endpoints."""

    def __init__(
        self, session: aiohttp.ClientSession, under: BotUnderTest, is_ok: Callable[[str], bool]
    ) -> None:
        self._session, self._under, self._is_ok = session, under, is_ok

    def subject(self) -> Subject:
        return Subject(self._under.name, "updates", self.round_trip, self.burst, self.cpu)

    def cpu(self) -> float:
        return cpu_seconds(self._under.pid)

    async def polling(self) -> bool:
        if self._under.bot.process.poll() is not None:
            raise RuntimeError(f"{self._under.name} exited:\n{self._under.bot.output()}")
        answer = await self._get("/bench/ready")
        return bool(answer["polling"])

    async def round_trip(self, number: int) -> float:
        answer = await self._post("/bench/round_trip", chat_id=SEQUENTIAL_FIRST_CHAT + number, text="/ping")
        if not self._is_ok(answer["text"]):
            raise RuntimeError(f"{self._under.name} answered {answer['text']!r}")
        return float(answer["ms"])

    async def burst(self, number: int) -> Burst:
        first = BURST_FIRST_CHAT + number * BOT_BURST
        answer = await self._post("/bench/burst", first_chat=first, count=BOT_BURST, text="/ping")
        ok = sum(self._is_ok(text) for text in answer["replies"])
        others = Counter(text for text in answer["replies"] if not self._is_ok(text))
        if others:
            print(f"  {self._under.name}: other replies {dict(others.most_common(3))}", flush=True)
        return Burst(len(answer["replies"]), float(answer["seconds"]), ok)

    async def flood(self, chat_id: int, count: int, seconds: float) -> None:
        """One user sends `count` /ping over `seconds` (in the background, on the emulator's side)."""
        await self._post("/bench/flood", chat_id=chat_id, count=count, seconds=seconds, text="/ping")

    async def replies(self, chat_id: int) -> list[str]:
        answer = await self._get(f"/bench/replies?chat_id={chat_id}")
        return list(answer["replies"])

    async def _get(self, path: str) -> Any:
        async with self._session.get(self._under.emulator_url + path) as response:
            response.raise_for_status()
            return await response.json()

    async def _post(self, path: str, **body: Any) -> Any:
        async with self._session.post(self._under.emulator_url + path, json=body) as response:
            response.raise_for_status()
            return await response.json()


def is_echo_pong(text: str) -> bool:
    return text == "pong"


def is_project_pong(text: str) -> bool:
    return PONG.fullmatch(text) is not None
