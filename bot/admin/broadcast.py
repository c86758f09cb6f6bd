"""/broadcast (as a reply), its Send / Cancel / Stop buttons and /broadcast_stop: an admin's broadcast.

The replied-to message is copied into the admin's chat as the preview (so a message that cannot be
copied is refused here, not at every recipient), then a panel asks "Send to N subscribed chats?". The
draft lives in Redis (core/broadcasts/store.py); Send moves it draft → running at most once and
publishes `broadcasts.start`; the workers do the rest and keep the panel up to date.
"""

import structlog
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from bot.admin.gate import BROADCAST, BROADCAST_STOP, AdminGate
from bot.admin.tasks import BroadcastTasks
from bot.controllers.errors import BUSY
from bot.throttling import RateLimit
from core.broadcasts.panel import (
    EDIT_HOLD,
    EDIT_SLOT,
    Action,
    BroadcastButton,
    confirm_keyboard,
    confirm_text,
    stop_keyboard,
)
from core.broadcasts.store import BroadcastStore, State
from core.subscriptions import SubscriptionStore

log = structlog.get_logger(__name__)
LIMITED = {"rate_limit": RateLimit(calls=5, period=10.0, one_in_flight=False)}
USAGE = "Usage: reply to the message to broadcast with /broadcast (text, photo, document, …)."
NOT_COPYABLE = "That message can't be copied, so it can't be broadcast. Reply to a regular message."


class BroadcastCommandController:
    def __init__(
        self,
        *,
        gate: AdminGate,
        broadcasts: BroadcastStore,
        subscribers: SubscriptionStore,
        tasks: BroadcastTasks,
    ) -> None:
        self._gate, self._broadcasts, self._subscribers, self._tasks = gate, broadcasts, subscribers, tasks

    def register(self, router: Router) -> None:
        self._gate.guard(router)
        BROADCAST.register(router, self.broadcast, flags=LIMITED)
        BROADCAST_STOP.register(router, self.stop_command, flags=LIMITED)
        button = BroadcastButton.filter
        router.callback_query.register(self.send, button(F.action == Action.SEND))
        router.callback_query.register(self.cancel, button(F.action == Action.CANCEL))
        router.callback_query.register(self.stop_button, button(F.action == Action.STOP))

    async def broadcast(self, message: Message, bot: Bot) -> None:
        source = message.reply_to_message
        if source is None:
            await message.answer(USAGE)
            return
        try:
            await bot.copy_message(message.chat.id, source.chat.id, source.message_id)
        except TelegramBadRequest as error:
            log.info("broadcast_not_copyable", error=error.message)
            await message.answer(NOT_COPYABLE)
            return
        broadcast_id = await self._broadcasts.create(message.chat.id, source.chat.id, source.message_id)
        recipients = await self._subscribers.count()
        panel = await message.answer(confirm_text(recipients), reply_markup=confirm_keyboard(broadcast_id))
        await self._broadcasts.set_panel(broadcast_id, panel.message_id)
        log.info("broadcast_drafted", broadcast_id=broadcast_id, recipients=recipients)

    async def send(self, query: CallbackQuery, callback_data: BroadcastButton, bot: Bot) -> None:
        broadcast_id = callback_data.id
        if not await self._broadcasts.move(broadcast_id, State.RUNNING, State.DRAFT):
            await query.answer(await self._not_draft(broadcast_id))
            return
        if not await self._tasks.start(broadcast_id):
            await self._broadcasts.move(broadcast_id, State.DRAFT, State.RUNNING)
            await query.answer(BUSY, show_alert=True)
            return
        log.info("broadcast_started", broadcast_id=broadcast_id)
        await query.answer("Sending…")
        await self._edit_panel(query, bot, f"Broadcast #{broadcast_id}: starting…", broadcast_id)

    async def cancel(self, query: CallbackQuery, callback_data: BroadcastButton, bot: Bot) -> None:
        broadcast_id = callback_data.id
        if not await self._broadcasts.move(broadcast_id, State.CANCELLED, State.DRAFT):
            await query.answer(await self._not_draft(broadcast_id))
            return
        await query.answer("Cancelled.")
        await self._edit_panel(query, bot, f"Broadcast #{broadcast_id}: cancelled, nothing was sent.", None)

    async def stop_button(self, query: CallbackQuery, callback_data: BroadcastButton) -> None:
        stopped = await self._stop(callback_data.id)
        await query.answer("Stopping…" if stopped else "This broadcast is not running.")

    async def stop_command(self, message: Message) -> None:
        stopped = [b for b in await self._broadcasts.active() if await self._stop(b)]
        if not stopped:
            await message.answer("No broadcast is running.")
            return
        await message.answer("Stopping broadcast " + ", ".join(f"#{b}" for b in stopped) + "…")

    async def _stop(self, broadcast_id: int) -> bool:
        """running → stopping (the chunks see it within 0.5 s); `broadcasts.finish` writes the summary.
        A Stop is never undone (chunks may have handed their chats back already): a finish that could
        not be published goes with the next Stop (stopping → stopping)."""
        if not await self._broadcasts.move(broadcast_id, State.STOPPING, State.RUNNING, State.STOPPING):
            return False
        published = await self._tasks.finish(broadcast_id)
        log.info("broadcast_stopping", broadcast_id=broadcast_id, finish_published=published)
        return True

    async def _not_draft(self, broadcast_id: int) -> str:
        state = await self._broadcasts.state(broadcast_id)  # not a draft: sent, cancelled or expired
        if state is None:
            return "Unknown broadcast."
        return "This broadcast was cancelled." if state is State.CANCELLED else "Already sent."

    async def _edit_panel(self, query: CallbackQuery, bot: Bot, text: str, stop_for: int | None) -> None:
        """A running broadcast's panel: under its edit slot, so the workers' edits keep their spacing."""
        message = query.message
        if message is None:
            return
        if stop_for is not None and await self._broadcasts.take_edit_slot(stop_for, EDIT_HOLD):
            return
        markup = stop_keyboard(stop_for) if stop_for is not None else None
        try:
            await bot.edit_message_text(
                text=text, chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
            )
        finally:
            if stop_for is not None:
                await self._broadcasts.rearm_edit_slot(stop_for, EDIT_SLOT)
