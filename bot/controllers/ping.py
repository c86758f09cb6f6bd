import time

import structlog
from aiogram import Router
from aiogram.types import Message

from bot.celery_client.caller import TaskCaller
from bot.commands import PING
from bot.throttling import RateLimit
from tasks.registry import TasksRegistry

log = structlog.get_logger(__name__)
PING_LIMIT = RateLimit(calls=3, period=5.0)


class PingCommandController:
    """/ping: runs the `ping` task on a worker and answers with the measured round trip."""

    def __init__(self, caller: TaskCaller, registry: TasksRegistry) -> None:
        self._caller = caller
        self._registry = registry

    def register(self, router: Router) -> None:
        PING.register(router, self.ping, flags={"rate_limit": PING_LIMIT, "task": self._registry.ping})

    async def ping(self, message: Message) -> None:
        started = time.perf_counter()
        await self._caller.call(self._registry.ping)
        elapsed_ms = (time.perf_counter() - started) * 1000
        await message.answer(f"pong — {elapsed_ms:.0f} ms")
        log.info("ping_answered", round_trip_ms=round(elapsed_ms, 2))
