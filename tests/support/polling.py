"""Running a real Dispatcher against the emulator for the length of a `with` block."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import punq
from aiogram import Bot, Dispatcher

from bot.polling import run_polling
from devtools.emulator.state import EmulatorState
from tests.support.waiting import async_wait_for


@asynccontextmanager
async def polling(container: punq.Container, state: EmulatorState) -> AsyncIterator[Dispatcher]:
    """The container's bot; yields once start-up is over and it long-polls (its first getUpdates)."""
    dispatcher = container.resolve(Dispatcher)
    async with dispatcher_polling(dispatcher, container.resolve(Bot), state):
        yield dispatcher


@asynccontextmanager
async def dispatcher_polling(dispatcher: Dispatcher, bot: Bot, state: EmulatorState) -> AsyncIterator[None]:
    state.method_calls.clear()
    task = asyncio.create_task(run_polling(dispatcher, bot, handle_signals=False))
    try:
        await async_wait_for(lambda: task.done() or "getUpdates" in state.method_calls, 15, "the bot to poll")
        if task.done():
            task.result()
        yield
    finally:
        if not task.done():
            await dispatcher.stop_polling()
            await asyncio.wait_for(task, 15)
        await bot.session.close()
