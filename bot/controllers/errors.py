import structlog
from aiogram import Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message

from bot.celery_client.caller import BrokerUnavailableError, TaskFailedError, WorkersNotRespondingError

log = structlog.get_logger(__name__)

BUSY = "The task queue is busy right now, please try again in a minute."
NOT_RESPONDING = "Workers are not responding, try again later."
FAILED = "The task failed on the worker. It has been logged; please try again later."
UNEXPECTED = "Something went wrong while handling that. It has been logged."


class ErrorsController:
    """Turns failures into replies; every error is logged, none is dropped silently."""

    def register(self, router: Router) -> None:
        router.errors.register(self.flood_limited, ExceptionTypeFilter(TelegramRetryAfter))
        router.errors.register(self.forbidden, ExceptionTypeFilter(TelegramForbiddenError))
        router.errors.register(self.busy, ExceptionTypeFilter(BrokerUnavailableError))
        router.errors.register(self.not_responding, ExceptionTypeFilter(WorkersNotRespondingError))
        router.errors.register(self.failed, ExceptionTypeFilter(TaskFailedError))
        router.errors.register(self.unexpected)

    async def flood_limited(self, event: ErrorEvent) -> None:
        """A reply was refused (429) or held back by the flood limits: another message into that chat
        would only be refused too, so nothing is sent."""
        retry_after = getattr(event.exception, "retry_after", None)
        log.warning("reply_flood_limited", retry_after=retry_after, error=str(event.exception))

    async def forbidden(self, event: ErrorEvent) -> None:
        """The chat refuses the bot's messages (blocked, kicked): an error reply could not arrive either."""
        log.warning("reply_forbidden", error=str(event.exception))

    async def busy(self, event: ErrorEvent) -> None:
        log.warning("broker_unavailable", error=str(event.exception))
        await _reply(event, BUSY)

    async def not_responding(self, event: ErrorEvent) -> None:
        log.warning("workers_not_responding", task_id=str(event.exception))
        await _reply(event, NOT_RESPONDING)

    async def failed(self, event: ErrorEvent) -> None:
        log.error("task_failed", error=str(event.exception))
        await _reply(event, FAILED)

    async def unexpected(self, event: ErrorEvent) -> None:
        log.error("update_failed", exc_info=event.exception)
        await _reply(event, UNEXPECTED)


async def _reply(event: ErrorEvent, text: str) -> None:
    """The error reply; if Telegram refuses it too, that is logged, not raised: an exception out of an
    error handler would fail the update again (in webhook mode, Telegram would redeliver it)."""
    message: Message | None = event.update.message
    if message is None:
        return
    try:
        await message.answer(text)
    except (TelegramAPIError, TelegramNetworkError) as exc:
        log.warning("error_reply_failed", chat_id=message.chat.id, error=type(exc).__name__)
