"""Running the real Dispatcher against the emulator for the length of a `with` block."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import punq
from aiogram import Bot, Dispatcher

from bot.emulator.state import EmulatorState
from tests.support.waiting import async_wait_for


@asynccontextmanager
async def polling(container: punq.Container, state: EmulatorState) -> AsyncIterator[Dispatcher]:
    """Yields once start-up is over and the bot is long-polling (its first getUpdates arrived)."""
    dispatcher, bot = container.resolve(Dispatcher), container.resolve(Bot)
    state.method_calls.clear()
    task = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    try:
        await async_wait_for(lambda: task.done() or "getUpdates" in state.method_calls, 15, "the bot to poll")
        if task.done():
            task.result()
        yield dispatcher
    finally:
        if not task.done():
            await dispatcher.stop_polling()
            await asyncio.wait_for(task, 10)
        await bot.session.close()
