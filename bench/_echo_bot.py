"""`python -m bench._echo_bot`: the bare aiogram baseline, a process of its own like the project's bot.

Answers /ping with "pong" and nothing else; no Celery, no Redis, no middleware, aiogram's defaults.
Reads TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL.
"""

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import Message


async def pong(message: Message) -> None:
    await message.answer("pong")


async def run() -> None:
    server = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE_URL"])
    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=AiohttpSession(api=server))
    dispatcher = Dispatcher()
    dispatcher.message.register(pong, Command("ping"))
    async with bot.session:
        await dispatcher.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(run())
