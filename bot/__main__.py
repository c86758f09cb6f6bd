"""`python -m bot`: run the bot, long polling or (`BOT_MODE=webhook`) serving a webhook;
`python -m bot webhook set|delete|info` manages the webhook."""

import asyncio
import sys

from aiogram import Bot, Dispatcher

from bot.webhook import entry as webhook
from core.settings import BotSettings
from core.settings_loader import ConfigurationError
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
        await dispatcher.start_polling(bot, handle_signals=True)


def main() -> None:
    try:
        asyncio.run(webhook.command(sys.argv[2:]) if sys.argv[1:2] == ["webhook"] else _run())
    except ConfigurationError as exc:
        sys.exit(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
