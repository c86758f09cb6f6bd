"""/timezone [IANA name]: shows this chat's time zone, or sets it (in groups: administrators only).
/daily and /cron schedules run in it; the store re-times them so no run is lost or doubled."""

from datetime import UTC, datetime

import structlog
from aiogram import Bot, Router
from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.commands import TIMEZONE
from bot.controllers.schedules import LIMITED
from bot.schedules.admins import ADMINS_ONLY, may_edit
from bot.schedules.arguments import parse_zone
from bot.schedules.parsing import InputError
from bot.schedules.rendering import at, quote
from core.schedules.store import ScheduleStore

CHANGE = "To change it: /timezone <IANA name>, e.g. /timezone Europe/Berlin"
log = structlog.get_logger(__name__)


class TimezoneCommandController:
    def __init__(self, store: ScheduleStore) -> None:
        self._store = store

    def register(self, router: Router) -> None:
        TIMEZONE.register(router, self.timezone, flags=LIMITED)

    async def timezone(self, message: Message, command: CommandObject, bot: Bot) -> None:
        chat_id = message.chat.id
        if not command.args:
            zone = await self._store.timezone(chat_id)
            now = at(datetime.now(UTC), zone)
            await message.answer(quote(f"This chat's time zone is {zone.key} (now {now}). {CHANGE}"))
            return
        if not await may_edit(bot, message):
            await message.answer(quote(ADMINS_ONLY))
            return
        try:
            zone = parse_zone(command.args)
        except InputError as refused:
            await message.answer(quote(str(refused)))
            return
        await self._store.set_timezone(chat_id, zone, datetime.now(UTC))
        log.info("chat_timezone_set", zone=zone.key)
        await message.answer(
            quote(f"Time zone set to {zone.key}: /daily and /cron schedules here now run on its clock.")
        )
