"""`python -m bot`: run the bot, long polling or (`BOT_MODE=webhook`) serving a webhook;
`python -m bot webhook set|delete|info` manages the webhook."""

import asyncio
import sys

from aiogram import Bot, Dispatcher

from bot.polling import run_polling
from bot.webhook import entry as webhook
from core.redaction import SecretRedactor
from core.settings import BotSettings, TelegramSettings
from core.settings_loader import ConfigurationError
from core.telegram import BotApiUnavailableError, check_bot_api
from ioc.bot import build_bot_container
from ioc.common import configure_process


async def _run() -> None:
    container = build_bot_container()
    configure_process(container)
    if container.resolve(BotSettings).mode == "webhook":
        await webhook.serve(container)
        return
    bot = container.resolve(Bot)
    dispatcher = container.resolve(Dispatcher)
    async with bot.session:
        limit = container.resolve(BotSettings).max_concurrent_updates
        await check_bot_api(bot, container.resolve(TelegramSettings), container.resolve(SecretRedactor))
        await run_polling(dispatcher, bot, tasks_concurrency_limit=limit)


def main() -> None:
    try:
        asyncio.run(webhook.command(sys.argv[2:]) if sys.argv[1:2] == ["webhook"] else _run())
    except (ConfigurationError, BotApiUnavailableError) as exc:
        sys.exit(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
