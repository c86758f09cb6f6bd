"""Building aiogram `Bot` objects that talk to the configured Bot API server without leaking the token."""

from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from core.redaction import SecretRedactor
from core.settings import TelegramSettings


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


async def check_bot_api(bot: Bot, settings: TelegramSettings, redactor: SecretRedactor) -> None:
    """`getMe` once (aiogram caches the answer): a wrong token or an unreachable server, named."""
    where = f"the Bot API at {redactor.redact(settings.api_base)} (TELEGRAM_API_BASE_URL)"
    try:
        await bot.me()
    except TelegramUnauthorizedError:
        problem = f"{where} refused TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token from @BotFather"
    except TelegramNetworkError as exc:
        problem = f"cannot reach {where}: {exc.message}"
    except TelegramAPIError as exc:
        problem = f"{where} answered getMe with an error: {exc.message}"
    except ClientDecodeError:
        problem = f"{where} does not answer as a Bot API does (not JSON)"
    else:
        return
    raise BotApiUnavailableError("telegram error: " + redactor.redact(problem).replace("\n", " "))
