import time

import structlog
from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.dispatching import TaskDispatcher
from tasks.registry import TasksRegistry

log = structlog.get_logger(__name__)


class PingCommandController:
    """/ping: runs the `ping` task on a worker and answers with the measured round trip."""

    def __init__(self, dispatcher: TaskDispatcher, registry: TasksRegistry) -> None:
        self._dispatcher = dispatcher
        self._registry = registry

    def register(self, router: Router) -> None:
        router.message.register(self.ping, Command("ping"))

    async def ping(self, message: Message, command: CommandObject) -> None:
        if command.args:
            await message.answer("/ping takes no arguments. Send just: /ping")
            return
        started = time.perf_counter()
        await self._dispatcher.call(self._registry.ping)
        elapsed_ms = (time.perf_counter() - started) * 1000
        await message.answer(f"pong — {elapsed_ms:.0f} ms")
        log.info("ping_answered", round_trip_ms=round(elapsed_ms, 2))
