"""Building aiogram `Bot` objects that talk to the configured Bot API server without leaking the token."""

import asyncio
from typing import Any

import structlog
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from core.redaction import SecretRedactor
from core.settings import TelegramSettings

log = structlog.get_logger(__name__)
START_ATTEMPTS = 4  # getMe at start: a 5xx or a 429 is tried again, 1 + 2 + 4 s apart


class RedactingAiohttpSession(AiohttpSession):
    """aiohttp errors quote the request URL, which holds the token, and a non-JSON answer (a proxy's
    error page) may quote it too: re-raise them redacted, as the same class (policies tell a 413 from
    other network errors by it)."""

    def __init__(self, redactor: SecretRedactor, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._redactor = redactor

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        redact = self._redactor.redact
        try:
            return await super().make_request(bot, method, timeout)
        except TelegramNetworkError as exc:
            error: Exception = type(exc)(method=method, message=redact(exc.message))
        except ClientDecodeError as exc:
            data = redact(exc.data) if isinstance(exc.data, str) else exc.data
            error = ClientDecodeError(redact(exc.message), exc.original, data)
        # Raised outside the handler: neither __cause__ nor __context__ keeps the original's URL.
        raise error


def create_bot(settings: TelegramSettings, redactor: SecretRedactor) -> Bot:
    """A Bot for the configured server; each event loop that sends messages needs its own."""
    token = settings.bot_token.get_secret_value()
    redactor.add(token)
    session = RedactingAiohttpSession(
        redactor,
        api=TelegramAPIServer.from_base(settings.api_base, is_local=False),
        timeout=settings.request_timeout,
    )
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


class BotApiUnavailableError(Exception):
    """The Bot API could not be used at start; the message is one line, safe to print."""


async def check_bot_api(
    bot: Bot, settings: TelegramSettings, redactor: SecretRedactor, *, first_delay: float = 1.0
) -> None:
    """`getMe` (aiogram caches the answer): a wrong token or an unreachable server, named in one line.
    A server saying "later" (a 5xx, a 429) is asked again a few times first; a refused connection, a DNS
    failure, a 401 or an answer that is not JSON (a proxy page: its status is not kept) is named at once."""
    where = f"the Bot API at {redactor.redact(settings.api_base)} (TELEGRAM_API_BASE_URL)"
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            await bot.me()
            return
        except (TelegramServerError, TelegramRetryAfter) as exc:
            if attempt == START_ATTEMPTS:
                problem = _problem(where, exc)
                break
            delay = first_delay * 2 ** (attempt - 1)
            if isinstance(exc, TelegramRetryAfter):
                delay = max(delay, float(exc.retry_after))
            log.warning("bot_api_not_ready", attempt=attempt, retry_in=delay, error=type(exc).__name__)
            await asyncio.sleep(delay)
        except (TelegramAPIError, ClientDecodeError) as exc:
            problem = _problem(where, exc)
            break
    raise BotApiUnavailableError("telegram error: " + redactor.redact(problem).replace("\n", " "))


def _problem(where: str, error: Exception) -> str:
    if isinstance(error, TelegramUnauthorizedError):
        return f"{where} refused TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token from @BotFather"
    if isinstance(error, TelegramNetworkError):
        return f"cannot reach {where}: {error.message}"
    if isinstance(error, TelegramAPIError):
        return f"{where} answered getMe with an error: {error.message}"
    return f"{where} does not answer as a Bot API does (not JSON)"
