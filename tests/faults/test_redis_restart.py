"""One prefork worker (-c 2) living through Redis faults, one after the other: redis-server stopped
(SIGTERM) and started again while a delivery chunk runs; a restart while the worker idles, then a
fan-out on its stale connections; a hang (SIGSTOP, then SIGCONT) mid-chunk. Its own redis-server, with
append-only persistence as in production, so queues and unacked messages survive a restart."""

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.controllers.errors import BUSY, NOT_RESPONDING
from tasks.contracts import PingResult
from tasks.registry import TasksRegistry
from tests.support.chat import ChatClient
from tests.support.containers import make_container
from tests.support.logs import events
from tests.support.notifications import fan_out, received, subscribe_chats
from tests.support.polling import polling
from tests.support.processes import CeleryBeat, CeleryWorker
from tests.support.restartable_redis import RestartableRedis
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.workers import alive, wait_ready

pytestmark = pytest.mark.faults
CONCURRENCY = 2  # sends in flight per chunk: the most that may repeat after a fault mid-chunk
PONG = re.compile(r"pong — \d+ ms")
BEAT_SCHEDULE = {"NOTIFICATIONS_SCHEDULE": "1"}  # beat and workers share it (the tick grid); only the
# last test starts a beat, the others name their ticks


@dataclass
class Rig:
    server: RestartableRedis
    worker: CeleryWorker
    registry: TasksRegistry

    def settled(self, tick: str) -> bool:
        """`tick`'s chunk has completed and nothing is queued or unacknowledged."""
        log = self.worker.log()
        done = alive(self.worker) and any(line["tick"] == tick for line in events(log, "chunk_delivered"))
        return done and not self.server.client.llen("celery") and not self.server.client.hlen("unacked")

    async def ping_after_return(self) -> float:
        """Seconds from now until a ping is answered."""
        back = time.monotonic()
        result = self.registry.ping.apply_async()
        answer: PingResult = await asyncio.to_thread(result.get, timeout=15)
        assert answer["pong"]
        return time.monotonic() - back


@pytest.fixture(scope="module")
async def rig(project_env: dict[str, str]) -> AsyncIterator[Rig]:
    server = RestartableRedis()
    env = {**project_env, "REDIS_URL": server.url, "DELIVERY_CONCURRENCY": str(CONCURRENCY), **BEAT_SCHEDULE}
    worker = CeleryWorker(env, concurrency=2, name="faults")
    try:
        await wait_ready(worker)
        registry = make_container(server.url, project_env["TELEGRAM_API_BASE_URL"]).resolve(TasksRegistry)
        yield Rig(server, worker, registry)
        assert "Unrecoverable error" not in worker.log()
    finally:
        server.resume()
        # In a thread: the emulator serves on this loop, and a task still sending needs it to finish.
        await asyncio.to_thread(worker.stop)
        server.stop()


async def start_chunk(rig: Rig, telegram: Telegram, chats: list[int], tick: str) -> None:
    subscribe_chats(rig.server.client, chats, state=telegram.state)
    telegram.faults.send_delay = 0.2
    await fan_out(rig.registry, tick)
    await async_wait_for(lambda: len(received(telegram.state)) >= 4, 20, "the chunk under way")


def assert_each_chat_got_it(telegram: Telegram, chats: list[int]) -> None:
    """Every chat got the tick; the sends in flight when Redis went away reached Telegram unconfirmed,
    so the redelivered chunk may send those (CONCURRENCY at most) once more."""
    assert set(received(telegram.state)) == set(chats)
    repeated = [chat for chat, count in received(telegram.state).items() if count != 1]
    assert len(repeated) <= CONCURRENCY, f"only sends in flight may repeat, got {repeated}"


async def test_worker_survives_redis_restart_mid_chunk(rig: Rig, telegram: Telegram) -> None:
    chats = list(range(8000, 8030))
    await start_chunk(rig, telegram, chats, "restart")
    rig.server.terminate()
    await async_wait_for(lambda: "Connection to broker lost" in rig.worker.log(), 10, "the worker to notice")
    rig.server.start()

    assert await rig.ping_after_return() <= 10, "the worker answers within 10 s of Redis returning"
    await async_wait_for(lambda: rig.settled("restart"), 60, "the interrupted chunk to complete")
    assert_each_chat_got_it(telegram, chats)
    assert "unacked_message_restored" in rig.worker.log()


async def test_the_polling_bot_answers_ping_again_after_a_restart(rig: Rig, telegram: Telegram) -> None:
    """The bot's own Redis clients (publisher, result subscription, throttle) reconnect by themselves:
    during the outage /ping gets the "busy" or "not responding" reply, after it a pong within 10 s."""
    container = make_container(rig.server.url, telegram.base_url, task_timeout=5)
    async with polling(container, telegram.state):
        chat = ChatClient(telegram.state, 8100)
        assert PONG.fullmatch((await chat.reply_to("/ping")).text)
        rig.server.terminate()
        assert (await chat.reply_to("/ping")).text in {BUSY, NOT_RESPONDING}
        rig.server.start()
        back = time.monotonic()

        async def pong_again() -> bool:
            # A new person each time: a refused or throttled /ping must not hide the answer.
            fresh = ChatClient(telegram.state, 8101 + int((time.monotonic() - back) * 10))
            return bool(PONG.fullmatch((await fresh.reply_to("/ping", timeout=6)).text))

        while not await pong_again():
            assert time.monotonic() - back < 10, "no pong within 10 s of Redis returning"


async def test_first_fan_out_after_a_restart_completes(rig: Rig, telegram: Telegram) -> None:
    chats = list(range(8100, 8110))
    subscribe_chats(rig.server.client, chats, state=telegram.state)
    await fan_out(rig.registry, "before")  # every pool of the worker holds a connection now
    await async_wait_for(lambda: rig.settled("before"), 20, "the tick before the restart")
    rig.server.terminate()
    rig.server.start()

    report = await fan_out(rig.registry, "after")  # on connections Redis closed
    assert report["chats"] == len(chats)
    await async_wait_for(lambda: rig.settled("after"), 30, "the tick after the restart")
    assert received(telegram.state) == dict.fromkeys(chats, 2)


async def test_worker_rides_out_a_redis_hang_mid_chunk(rig: Rig, telegram: Telegram) -> None:
    chats = list(range(8400, 8430))
    await start_chunk(rig, telegram, chats, "hang")
    rig.server.pause()  # SIGSTOP: connections stay open, nothing answers
    await async_wait_for(lambda: events(rig.worker.log(), "chunk_interrupted"), 30, "the chunk to time out")
    rig.server.resume()

    assert await rig.ping_after_return() <= 10, "the worker answers within 10 s of Redis returning"
    await async_wait_for(lambda: rig.settled("hang"), 60, "the interrupted chunk to complete")
    assert_each_chat_got_it(telegram, chats)


async def test_beat_keeps_its_schedule_across_a_restart(
    rig: Rig, telegram: Telegram, project_env: dict[str, str]
) -> None:
    subscribe_chats(rig.server.client, [8500], state=telegram.state)
    env = {**project_env, "REDIS_URL": rig.server.url, **BEAT_SCHEDULE}
    beat = CeleryBeat(env)
    try:
        await async_wait_for(lambda: received(telegram.state)[8500] >= 1, 30, "a scheduled tick")
        rig.server.terminate()
        rig.server.start()
        before = received(telegram.state)[8500]
        await async_wait_for(
            lambda: received(telegram.state)[8500] >= before + 2, 25, "two ticks after the restart"
        )
        assert beat.process.poll() is None, f"beat exited:\n{beat.log()}"
    finally:
        beat.stop()
    await async_wait_for(lambda: rig.settled(received_tick(rig)), 30, "the last tick to finish")


def received_tick(rig: Rig) -> str:
    """The tick of the last fan-out the worker ran."""
    ticks: list[str] = [line["tick"] for line in events(rig.worker.log(), "fan_out_done")]
    return ticks[-1]
