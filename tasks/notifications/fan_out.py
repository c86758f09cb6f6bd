"""Fan-out: one notification's text to every subscriber, as delivery tasks of `chunk_size` chats each.

Subscribers are streamed with HSCAN (memory stays flat at any count) and the chunks are published on
one producer connection. The tick guard makes a second fan-out of the same tick (a second beat, a
redelivery) a no-op; a redelivered fan-out re-claims its own tick and publishes again, and the
per-chat guards drop what was already sent.
"""

from typing import Protocol

import structlog

from core.settings import DeliverySettings
from core.subscriptions import SubscriptionStore
from tasks.contracts import DeliveryReport, FanOutReport, Recipient
from tasks.delivery.chunking import subscriber_chunks
from tasks.delivery.ledger import DeliveryLedger
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.registry import TaskRef

log = structlog.get_logger(__name__)
Deliver = TaskRef[[str, str, list[Recipient]], DeliveryReport]


class Notification(Protocol):
    """A scheduled notification: its name (part of its idempotency keys) and how to render its text."""

    @property
    def name(self) -> str: ...

    def render(self) -> str: ...


class FanOut:
    def __init__(
        self,
        event_loop: WorkerEventLoop,
        ledger: DeliveryLedger,
        store: SubscriptionStore,
        settings: DeliverySettings,
    ) -> None:
        self._loop = event_loop
        self._ledger = ledger
        self._store = store
        self._chunk_size = settings.chunk_size

    def send(self, deliver: Deliver, notification: Notification, tick: str, owner: str) -> FanOutReport:
        """Claims the tick for `owner` (a task id), then renders the text once and publishes it in chunks."""
        name = notification.name
        if not self._loop.run(self._ledger.claim_tick(name, tick, owner)):
            log.info("fan_out_duplicate_skipped", notification=name, tick=tick)
            return {"tick": tick, "duplicate": True, "chats": 0, "chunks": 0}
        text, chats, chunks = notification.render(), 0, 0
        with deliver.app.producer_or_acquire() as producer:
            for chunk in subscriber_chunks(self._loop, self._store, self._chunk_size):
                recipients = [Recipient(chat_id=s.chat_id, chat_type=s.chat_type) for s in chunk]
                deliver.apply_async((tick, text, recipients), producer=producer)
                chats, chunks = chats + len(chunk), chunks + 1
        log.info("fan_out_done", notification=name, tick=tick, chats=chats, chunks=chunks)
        return {"tick": tick, "duplicate": False, "chats": chats, "chunks": chunks}
