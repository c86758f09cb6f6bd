import asyncio

import structlog
from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

from bot.celery_client.result_waiter import ResultWaiter
from bot.commands import menu

log = structlog.get_logger(__name__)
SUBSCRIBE_GRACE = 5.0


class LifecycleController:
    """Start-up and shut-down of what the handlers share: the result channel and the command menu."""

    def __init__(self, waiter: ResultWaiter) -> None:
        self._waiter = waiter

    def register(self, router: Router) -> None:
        router.startup.register(self.on_startup)
        router.shutdown.register(self.on_shutdown)

    async def on_startup(self, bot: Bot) -> None:
        self._waiter.start()
        try:
            await asyncio.wait_for(self._waiter.subscribed.wait(), timeout=SUBSCRIBE_GRACE)
        except TimeoutError:
            log.warning("result_channel_not_ready", waited_s=SUBSCRIBE_GRACE)
        try:
            await bot.set_my_commands(menu())
        except (TelegramAPIError, TelegramNetworkError) as exc:
            log.warning("set_my_commands_failed", error=str(exc))

    async def on_shutdown(self) -> None:
        await self._waiter.stop()
