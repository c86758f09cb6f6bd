"""/every, /daily, /cron create a schedule in this chat; /schedules lists them; /cancel removes them.

Arguments are read by bot/schedules/parsing.py (every refusal one line); in groups only administrators
may create or cancel (bot/schedules/admins.py); the store keeps concurrent edits consistent. A group
that becomes a supergroup takes its schedules along."""

from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from aiogram import Bot, F, Router
from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.commands import CANCEL, CRON, DAILY, EVERY, SCHEDULES
from bot.schedules.admins import ADMINS_ONLY, may_edit
from bot.schedules.arguments import ALL, parse_cancel
from bot.schedules.parsing import (
    InputError,
    ScheduleRequest,
    Tasks,
    parse_cron,
    parse_daily,
    parse_every,
)
from bot.schedules.rendering import created, listing, plural, quote
from bot.throttling import RateLimit
from core.schedules.store import ScheduleStore
from core.settings import SchedulesSettings
from tasks.registry import TasksRegistry

# No Celery task behind these: a rate per user, no in-flight lock (the store keeps edits consistent).
LIMITED = {"rate_limit": RateLimit(calls=5, period=10.0, one_in_flight=False)}
NOTHING_TO_REMOVE = "This chat has no schedules; nothing to remove."
log = structlog.get_logger(__name__)


class ScheduleCommandController:
    def __init__(self, store: ScheduleStore, registry: TasksRegistry, settings: SchedulesSettings) -> None:
        self._store = store
        self._tasks: Tasks = registry.schedulable
        self._settings = settings

    def register(self, router: Router) -> None:
        EVERY.register(router, self.every, flags=LIMITED)
        DAILY.register(router, self.daily, flags=LIMITED)
        CRON.register(router, self.cron, flags=LIMITED)
        SCHEDULES.register(router, self.list_schedules, flags=LIMITED)
        CANCEL.register(router, self.cancel, flags=LIMITED)
        router.message.register(self.migrated, F.migrate_from_chat_id)

    async def every(self, message: Message, command: CommandObject, bot: Bot) -> None:
        minimum = self._settings.min_interval
        await self._create(message, bot, lambda: parse_every(command.args, self._tasks, minimum))

    async def daily(self, message: Message, command: CommandObject, bot: Bot) -> None:
        await self._create(message, bot, lambda: parse_daily(command.args, self._tasks))

    async def cron(self, message: Message, command: CommandObject, bot: Bot) -> None:
        minimum = self._settings.min_interval
        await self._create(message, bot, lambda: parse_cron(command.args, self._tasks, minimum))

    async def list_schedules(self, message: Message) -> None:
        chat_id = message.chat.id
        schedules = await self._store.list_chat(chat_id)
        await message.answer(listing(schedules, await self._store.timezone(chat_id)))

    async def cancel(self, message: Message, command: CommandObject, bot: Bot) -> None:
        if not await may_edit(bot, message):
            await message.answer(quote(ADMINS_ONLY))
            return
        try:
            target = parse_cancel(command.args)
        except InputError as refused:
            await message.answer(quote(str(refused)))
            return
        await message.answer(await self._remove(message.chat.id, target))

    async def migrated(self, message: Message) -> None:
        """A group became this supergroup (Telegram's service message in it): its schedules follow now,
        not only at their next run, so /schedules and /cancel here see them at once."""
        old_chat_id = message.migrate_from_chat_id
        assert old_chat_id is not None  # the filter
        moved = await self._store.migrate_chat(old_chat_id, message.chat.id)
        log.info("schedules_migrated", old_chat_id=old_chat_id, count=moved)

    async def _create(self, message: Message, bot: Bot, parse: Callable[[], ScheduleRequest]) -> None:
        if not await may_edit(bot, message):
            await message.answer(quote(ADMINS_ONLY))
            return
        try:
            request = parse()
        except InputError as refused:
            await message.answer(quote(str(refused)))
            return
        chat = message.chat
        sender = message.sender_chat or message.from_user or chat
        added = await self._store.add(
            chat_id=chat.id, chat_type=chat.type, spec=request.spec, task=request.task,
            args=request.args, created_by=sender.id, now=datetime.now(UTC),
        )  # fmt: skip
        if added.schedule is None or added.first_run is None:
            await message.answer(quote(self._too_many()))
            return
        log.info("schedule_created", schedule_id=added.schedule.id, spec=request.spec.describe())
        await message.answer(created(added.schedule, added.first_run, await self._store.timezone(chat.id)))

    async def _remove(self, chat_id: int, target: str) -> str:
        if target == ALL:
            removed = await self._store.cancel_all(chat_id)
            log.info("schedules_cancelled", count=removed)
            return f"Removed this chat's {plural(removed, 'schedule')}." if removed else NOTHING_TO_REMOVE
        if await self._store.cancel(chat_id, target):
            log.info("schedule_cancelled", schedule_id=target)
            return f"Removed schedule {quote(target)}."
        return f"No schedule “{quote(target)}” in this chat. /schedules lists the ids."

    def _too_many(self) -> str:
        most = self._settings.max_per_chat
        return f"This chat already has {most} schedules, the most allowed. Remove one first: /cancel <id>."
