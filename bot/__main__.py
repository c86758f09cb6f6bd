"""`python -m bot`: run the bot with long polling."""

import asyncio
import sys

from aiogram import Bot, Dispatcher

from core.settings import BotSettings
from core.settings_loader import ConfigurationError
from ioc.bot import build_bot_container
from ioc.common import configure_process


async def _run() -> None:
    container = build_bot_container()
    configure_process(container)
    bot = container.resolve(Bot)
    dispatcher = container.resolve(Dispatcher)
    async with bot.session:
        limit = container.resolve(BotSettings).max_concurrent_updates
        await dispatcher.start_polling(bot, handle_signals=True, tasks_concurrency_limit=limit)


def main() -> None:
    try:
        asyncio.run(_run())
    except ConfigurationError as exc:
        sys.exit(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
