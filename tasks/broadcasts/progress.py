"""Editing the admin's panel message from the workers: at most once per EDIT_SLOT over all of them.

Each running chunk offers an edit every WATCH_INTERVAL; the edit slot (`SET NX PX`) lets one through per
interval. The final summary waits for the slot rather than skipping it, and is written once.
"""

import asyncio
import time

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

from core.broadcasts.panel import EDIT_HOLD, EDIT_SLOT, progress_text, stop_keyboard, summary_text
from core.broadcasts.store import FINAL, Broadcast, BroadcastStore, State
from core.connection_errors import CONNECTION_ERRORS
from core.limiter import TelegramRateLimiter

log = structlog.get_logger(__name__)
WATCH_INTERVAL = 0.5  # a Stop is seen by every running chunk within this (well inside 2 s)
STOP_GRACE = 2.0  # seconds from a Stop to its summary


class ProgressPanel:
    """Edits take a slot of the shared limiter like any message (Telegram counts edits too)."""

    def __init__(self, store: BroadcastStore, limiter: TelegramRateLimiter) -> None:
        self._store = store
        self._limiter = limiter

    async def watch(self, bot: Bot, broadcast_id: int, stop: asyncio.Event) -> None:
        """While a chunk runs: sets `stop` once the broadcast is no longer running; offers edits."""
        while not stop.is_set():
            try:
                if await self._store.state(broadcast_id) is not State.RUNNING:
                    stop.set()
                    return
                await self.offer_edit(bot, broadcast_id)
            except CONNECTION_ERRORS as exc:  # a Redis blip must not end the watch: a Stop would go unseen
                log.warning("broadcast_watch_interrupted", broadcast_id=broadcast_id, error=repr(exc))
            await asyncio.sleep(WATCH_INTERVAL)

    async def offer_edit(self, bot: Bot, broadcast_id: int) -> None:
        if await self._store.take_edit_slot(broadcast_id, EDIT_HOLD) > 0:
            return
        broadcast = await self._store.get(broadcast_id)
        if broadcast is None or broadcast.state is not State.RUNNING:
            await self._store.rearm_edit_slot(broadcast_id, 0.001)  # nothing edited: the slot is free
            return
        try:
            async with asyncio.timeout(EDIT_HOLD - EDIT_SLOT):
                await self._edit(bot, broadcast, progress_text(broadcast), with_stop=True)
        except TimeoutError:  # the next offer edits the fresher figures
            log.warning("broadcast_panel_edit_skipped", broadcast_id=broadcast_id)

    async def close(self, bot: Bot, broadcast_id: int) -> None:
        """`broadcasts.finish`: running → done once every chat is counted, or stopping → stopped once
        the chunks have seen the Stop (STOP_GRACE); then the summary, once."""
        await self._store.complete(broadcast_id)
        broadcast = await self._store.get(broadcast_id)
        if broadcast is not None and broadcast.state is State.STOPPING:
            # the chunks see a Stop within WATCH_INTERVAL; their last messages in flight land meanwhile
            await asyncio.sleep(max(0.0, (broadcast.changed or 0.0) + STOP_GRACE - time.time()))
            await self._store.move(broadcast_id, State.STOPPED, State.STOPPING)
        await self.summarize(bot, broadcast_id)

    async def summarize(self, bot: Bot, broadcast_id: int) -> bool:
        """The final summary, once the broadcast is done or stopped; True if it was written now."""
        broadcast = await self._store.get(broadcast_id)
        if broadcast is None or broadcast.state not in FINAL or broadcast.summarized:
            return False
        while (wait := await self._store.take_edit_slot(broadcast_id, EDIT_HOLD)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)  # the slot is another process's: there is nothing to await
        broadcast = await self._store.get(broadcast_id)
        if broadcast is None or broadcast.summarized:  # another finish task wrote it meanwhile
            return False
        await self._edit(bot, broadcast, summary_text(broadcast), with_stop=False)
        await self._store.mark_summarized(broadcast_id)
        log.info("broadcast_summarized", broadcast_id=broadcast_id, state=broadcast.state.value,
                 total=broadcast.total, sent=broadcast.sent, failed=broadcast.failed,
                 blocked=broadcast.blocked)  # fmt: skip
        return True

    async def _edit(self, bot: Bot, broadcast: Broadcast, text: str, *, with_stop: bool) -> None:
        """Under the shared limiter; the slot re-armed once the edit is answered."""
        await self._limiter.acquire(broadcast.admin_chat, is_group=broadcast.admin_chat < 0)
        try:
            await _edit(bot, broadcast, text, with_stop=with_stop)
        finally:
            await self._store.rearm_edit_slot(broadcast.id, EDIT_SLOT)


async def _edit(bot: Bot, broadcast: Broadcast, text: str, *, with_stop: bool) -> None:
    """A failed edit is logged, never raised: the panel is a view, the delivery goes on."""
    markup = stop_keyboard(broadcast.id) if with_stop else None
    try:
        await bot.edit_message_text(
            text=text, chat_id=broadcast.admin_chat, message_id=broadcast.panel_message, reply_markup=markup
        )
    except (TelegramAPIError, TelegramNetworkError) as error:
        if "message is not modified" not in str(error):
            log.warning("broadcast_panel_edit_failed", broadcast_id=broadcast.id, error=str(error)[:200])
