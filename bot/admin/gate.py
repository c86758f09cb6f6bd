"""The admin gate: a router middleware letting only ADMIN_USER_IDS through to that router's handlers.

Anyone else gets exactly one neutral line (a message) or alert (a button press) and nothing else: the
handler does not run, so no draft, no task, no Redis write (the front door's throttling aside).
"""

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from bot.commands import CommandSpec
from core.settings import AdminSettings

NOT_ADMIN = "This command is for the bot's admins."
log = structlog.get_logger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

BROADCAST = CommandSpec("broadcast", "Reply with it to a message to send it to every subscribed chat")
BROADCAST_STOP = CommandSpec("broadcast_stop", "Stop the running broadcast")
STATS = CommandSpec("stats", "Subscribers, queue, workers, deliveries of the last hour and day")


class AdminGate(BaseMiddleware):
    def __init__(self, settings: AdminSettings) -> None:
        self._admins = settings.user_ids

    def guard(self, router: Router) -> None:
        """Puts every message and button handler of `router` behind the gate."""
        router.message.middleware(self)
        router.callback_query.middleware(self)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is not None and user.id in self._admins:
            return await handler(event, data)
        log.info("admin_command_refused", user_id=user.id if user else None)
        if isinstance(event, Message):
            await event.answer(NOT_ADMIN)
        elif isinstance(event, CallbackQuery):
            await event.answer(NOT_ADMIN, show_alert=True)
        return None
