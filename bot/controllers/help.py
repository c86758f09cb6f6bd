from aiogram import Router
from aiogram.filters import CommandStart
from aiogram.types import Message

from bot.commands import HELP, help_text


class HelpCommandController:
    """/start and /help: what the bot can do."""

    def register(self, router: Router) -> None:
        router.message.register(self.start, CommandStart())
        HELP.register(router, self.help)

    async def start(self, message: Message) -> None:
        await message.answer("Hi! I run tasks on Celery workers.\n\n" + help_text())

    async def help(self, message: Message) -> None:
        await message.answer(help_text())
