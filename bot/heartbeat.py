"""The bot's heartbeat for container healthchecks: BOT_HEARTBEAT_FILE, touched after every answered
getUpdates (`python -m bot.healthcheck` reads its age)."""

from pathlib import Path

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType


class PollingHeartbeat(BaseRequestMiddleware):
    """A request middleware of the polling Bot's session."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        if isinstance(method, GetUpdates):
            self._path.touch()
        return response
