"""One chunk of a broadcast on the worker's event loop: copied with copyMessage through the shared
ChunkSender (limiter, ledger per (b<id>, chat), error policy), each chat counted once into the
broadcast's progress by the ledger, while the panel's watcher offers edits and turns a Stop into the
chunk's stop (within WATCH_INTERVAL)."""

import asyncio
import time

import structlog
from aiogram import Bot

from core.broadcasts.store import BroadcastStore, State
from core.settings import CelerySettings, DeliverySettings
from core.subscriptions import Subscriber
from tasks.broadcasts.progress import ProgressPanel
from tasks.delivery.job import CopySource, DeliveryJob
from tasks.delivery.outcomes import Outcome
from tasks.delivery.sender import ChunkSender

log = structlog.get_logger(__name__)
DEADLINE_MARGIN = 15.0


def tick_of(broadcast_id: int) -> str:
    """The ledger's tick for a broadcast: one claim per (b<id>, chat)."""
    return f"b{broadcast_id}"


class BroadcastChunks:
    def __init__(
        self,
        store: BroadcastStore,
        sender: ChunkSender,
        panel: ProgressPanel,
        delivery: DeliverySettings,
        celery: CelerySettings,
    ) -> None:
        self._store, self._sender, self._panel = store, sender, panel
        self._concurrency = delivery.concurrency
        self._budget = max(1.0, celery.task_soft_time_limit - DEADLINE_MARGIN)

    async def send(
        self, bot: Bot, broadcast_id: int, owner: str, subscribers: list[Subscriber]
    ) -> dict[Outcome, list[Subscriber]] | None:
        """The chunk's outcomes, claimed as `owner`; None if the broadcast is not running (skipped)."""
        broadcast = await self._store.get(broadcast_id)
        if broadcast is None or broadcast.state is not State.RUNNING:
            return None
        stop = asyncio.Event()
        job = DeliveryJob(
            tick_of(broadcast_id), "", owner, time.monotonic() + self._budget, self._concurrency,
            copy=CopySource(broadcast.source_chat, broadcast.source_message),
            progress=self._store.counts_key(broadcast_id), stop=stop,
        )  # fmt: skip
        watcher = asyncio.create_task(self._panel.watch(bot, broadcast_id, stop))
        try:
            return await self._sender.send_chunk(bot, job, subscribers)
        finally:
            stop.set()  # ends the watcher
            await asyncio.gather(watcher, return_exceptions=True)

    async def running(self, broadcast_id: int) -> bool:
        return await self._store.state(broadcast_id) is State.RUNNING

    async def hand_back(self, broadcast_id: int, owner: str, unsent: list[Subscriber]) -> None:
        """A stopped broadcast's unsent chats: their claims freed, nothing counted."""
        await self._sender.release(tick_of(broadcast_id), owner, unsent)

    async def give_up(self, broadcast_id: int, owner: str, unsent: list[Subscriber], reason: str) -> None:
        """Chats that could not be sent: logged by id, counted failed, their claims freed."""
        chat_ids = [s.chat_id for s in unsent]
        log.error("broadcast_gave_up", broadcast_id=broadcast_id, chat_ids=chat_ids, reason=reason)
        await self._store.add_failed(broadcast_id, len(unsent))
        await self.hand_back(broadcast_id, owner, unsent)

    async def counted(self, broadcast_id: int) -> bool:
        """True when a running broadcast has counted every chat: time for `broadcasts.finish`."""
        broadcast = await self._store.get(broadcast_id)
        if broadcast is None or broadcast.summarized or broadcast.total is None:
            return False
        return broadcast.counted >= broadcast.total and broadcast.state is State.RUNNING
