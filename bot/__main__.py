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
    bot, settings = container.resolve(Bot), container.resolve(BotSettings)
    async with bot.session:
        # A wrong token or an unreachable Bot API: one line at start, in either mode.
        await check_bot_api(bot, container.resolve(TelegramSettings), container.resolve(SecretRedactor))
        if settings.mode == "webhook":
            await webhook.serve(container)
            return
        limit = settings.max_concurrent_updates
        await run_polling(container.resolve(Dispatcher), bot, tasks_concurrency_limit=limit)


def main() -> None:
    try:
        asyncio.run(webhook.command(sys.argv[2:]) if sys.argv[1:2] == ["webhook"] else _run())
    except (ConfigurationError, BotApiUnavailableError) as exc:
        sys.exit(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
