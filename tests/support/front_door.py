"""Front-door helpers: a Throttle that admits everything (handler unit tests without Redis) and a
bounded polling run, as `python -m bot` polls."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import punq
from aiogram import Bot, Dispatcher

from bot.throttling import Admission, RateLimit, Throttle, Verdict
from core.settings import BotSettings
from devtools.emulator.state import EmulatorState
from tests.support.waiting import async_wait_for


class AdmitAll(Throttle):
    def __init__(self) -> None:
        self.admitted = 0

    async def admit(self, subject: str, limit: RateLimit | None, queue: str | None, token: str) -> Admission:
        self.admitted += 1
        return Admission(Verdict.ADMITTED, None)

    async def release(self, lock_key: str, token: str) -> None:
        raise AssertionError("nothing was locked")


@asynccontextmanager
async def bounded_polling(container: punq.Container, state: EmulatorState) -> AsyncIterator[Dispatcher]:
    """The container's Dispatcher polling with BOT_MAX_CONCURRENT_UPDATES, as in `python -m bot`."""
    dispatcher: Dispatcher = container.resolve(Dispatcher)
    bot: Bot = container.resolve(Bot)
    limit = container.resolve(BotSettings).max_concurrent_updates
    state.method_calls.clear()
    options: dict[str, Any] = {"handle_signals": False, "tasks_concurrency_limit": limit}
    task = asyncio.create_task(dispatcher.start_polling(bot, **options))
    try:
        await async_wait_for(lambda: task.done() or "getUpdates" in state.method_calls, 15, "the bot to poll")
        if task.done():
            task.result()
        yield dispatcher
        # Replies are seen in the emulator before their HTTP answers reach the bot: let the handlers
        # finish before the session closes under them (aiogram keeps its handler tasks in this set).
        await async_wait_for(lambda: not dispatcher._handle_update_tasks, 30, "the handlers to finish")
    finally:
        if not task.done():
            await dispatcher.stop_polling()
            await asyncio.wait_for(task, 15)
        await bot.session.close()
