"""`python -m bot`: run the bot with long polling."""

import asyncio
import sys

from aiogram import Bot, Dispatcher

from bot.polling import run_polling
from core.redaction import SecretRedactor
from core.settings import TelegramSettings
from core.settings_loader import ConfigurationError
from core.telegram import BotApiUnavailableError, check_bot_api
from ioc.bot import build_bot_container
from ioc.common import configure_process


async def _run() -> None:
    container = build_bot_container()
    configure_process(container)
    bot = container.resolve(Bot)
    dispatcher = container.resolve(Dispatcher)
    async with bot.session:
        await check_bot_api(bot, container.resolve(TelegramSettings), container.resolve(SecretRedactor))
        await run_polling(dispatcher, bot)


def main() -> None:
    try:
        asyncio.run(_run())
    except (ConfigurationError, BotApiUnavailableError) as exc:
        sys.exit(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
