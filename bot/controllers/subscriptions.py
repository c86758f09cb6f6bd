from datetime import UTC, datetime

from aiogram import Bot, Router
from aiogram.types import Message

from bot.commands import STATUS, SUBSCRIBE, UNSUBSCRIBE
from bot.schedules.admins import may_edit
from bot.schedules.rendering import plural
from bot.throttling import RateLimit
from core.schedules.store import ScheduleStore
from core.subscriptions import SubscriptionStore
from tasks.schedule import NotificationSchedule

# No Celery task behind these and they are idempotent: a rate, no in-flight lock (one round trip less).
LIMITED = {"rate_limit": RateLimit(calls=5, period=10.0, one_in_flight=False)}


class SubscriptionCommandController:
    """/subscribe, /unsubscribe, /status: this chat and the scheduled notifications. All idempotent.
    /unsubscribe also removes the chat's own schedules (/every, /daily, /cron) when its sender may
    (in a group: an administrator); a member's /unsubscribe leaves them and says so."""

    def __init__(
        self, store: SubscriptionStore, schedule: NotificationSchedule, schedules: ScheduleStore
    ) -> None:
        self._store = store
        self._schedule = schedule
        self._schedules = schedules

    def register(self, router: Router) -> None:
        SUBSCRIBE.register(router, self.subscribe, flags=LIMITED)
        UNSUBSCRIBE.register(router, self.unsubscribe, flags=LIMITED)
        STATUS.register(router, self.status, flags=LIMITED)

    async def subscribe(self, message: Message) -> None:
        if await self._store.subscribe(message.chat.id, message.chat.type):
            await message.answer(f"Subscribed. {self._next_line()}")
        else:
            await message.answer(f"This chat is already subscribed. {self._next_line()}")

    async def unsubscribe(self, message: Message, bot: Bot) -> None:
        chat_id = message.chat.id
        if await may_edit(bot, message):
            removed = await self._schedules.forget_chat(chat_id)
            also = f" Removed its {plural(removed, 'schedule')} too." if removed else ""
        else:
            kept = await self._schedules.list_chat(chat_id)
            also = " Its schedules stay: only its administrators can remove them." if kept else ""
        if await self._store.unsubscribe(chat_id):
            await message.answer(f"Unsubscribed. No more scheduled notifications here.{also}")
        elif also:
            await message.answer(f"This chat was not subscribed.{also}")
        else:
            await message.answer("This chat was not subscribed; nothing to do.")

    async def status(self, message: Message) -> None:
        if await self._store.is_subscribed(message.chat.id):
            await message.answer(f"This chat is subscribed. {self._next_line()}")
        else:
            await message.answer("This chat is not subscribed. Send /subscribe to get notifications.")

    def _next_line(self) -> str:
        if not self._schedule.enabled:
            return "Scheduled notifications are switched off on this deployment."
        due = self._schedule.next_due(datetime.now(UTC))
        return f"Next notification: {due:%Y-%m-%d %H:%M:%S} UTC ({self._schedule.describe()})."
