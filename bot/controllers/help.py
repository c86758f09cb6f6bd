from aiogram import Router
from aiogram.filters import CommandStart
from aiogram.types import Message

from bot.commands import CHATTER_LIMIT, HELP, help_text


class HelpCommandController:
    """/start and /help: what the bot can do."""

    def register(self, router: Router) -> None:
        flags = {"rate_limit": CHATTER_LIMIT}
        router.message.register(self.start, CommandStart(), flags=flags)
        HELP.register(router, self.help, flags=flags)

    async def start(self, message: Message) -> None:
        await message.answer("Hi! I run tasks on Celery workers.\n\n" + help_text())

    async def help(self, message: Message) -> None:
        await message.answer(help_text())
