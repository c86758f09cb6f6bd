"""Binds update_id, chat_id and a fresh correlation id to every log line of an update."""

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update

from core.correlation import new_correlation_id


class LogContextMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        update_id = event.update_id if isinstance(event, Update) else None
        # Bound, not scoped: aiogram handles each polled update in its own asyncio task (its own
        # context copy), and the errors router runs after this returns but must log the same fields.
        structlog.contextvars.bind_contextvars(
            update_id=update_id,
            chat_id=chat.id if chat else None,
            correlation_id=new_correlation_id(),
        )
        return await handler(event, data)
