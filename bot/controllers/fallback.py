from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import Message

from bot.commands import CHATTER_LIMIT
from bot.texts import clean, html


class FallbackController:
    """Unknown commands and stray text in private chats get a hint; groups stay quiet.

    Register it last: it matches whatever no other controller took.
    """

    def register(self, router: Router) -> None:
        router.message.register(
            self.hint, F.chat.type == ChatType.PRIVATE, flags={"rate_limit": CHATTER_LIMIT}
        )

    async def hint(self, message: Message) -> None:
        text = message.text or ""
        if text.startswith("/"):
            command = clean(text.split(maxsplit=1)[0])
            await message.answer(html("Unknown command ", command, ". Send /help to see what I can do."))
        else:
            await message.answer("I only understand commands. Send /help to see them.")
