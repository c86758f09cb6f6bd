"""Fan-out: one text to every subscriber, as delivery tasks of `chunk_size` chats each.

Subscribers are streamed with HSCAN (memory stays flat at any count) and the chunks are published on
one producer connection. The tick guard makes a second fan-out of the same tick (a second beat, a
redelivery) a no-op; a redelivered fan-out re-claims its own tick and publishes again, and the
per-chat guards drop what was already sent.
"""

from collections.abc import Callable, Iterator
from typing import Any

import structlog
from celery import Celery, Task

from core.settings import DeliverySettings
from core.subscriptions import Subscriber, SubscriptionStore
from tasks.delivery.gateway import TelegramGateway
from tasks.delivery.ledger import DeliveryLedger
from tasks.results import BroadcastReport

log = structlog.get_logger(__name__)
SCAN_BATCH = 1000


class Broadcaster:
    def __init__(
        self,
        gateway: TelegramGateway,
        ledger: DeliveryLedger,
        store: SubscriptionStore,
        settings: DeliverySettings,
    ) -> None:
        self._gateway = gateway
        self._ledger = ledger
        self._store = store
        self._chunk_size = settings.chunk_size

    def broadcast(
        self,
        deliver: Task[Any, Any],
        notification: str,
        tick: str,
        owner: str,
        render: Callable[[], str],
    ) -> BroadcastReport:
        """Claims the tick, then renders the text once and publishes it in chunks."""
        if not self._gateway.run(self._ledger.claim_tick(notification, tick, owner)):
            log.info("fan_out_duplicate_skipped", notification=notification, tick=tick)
            return {"tick": tick, "duplicate": True, "chats": 0, "chunks": 0}
        text, chats, chunks = render(), 0, 0
        app: Celery = deliver.app
        with app.producer_or_acquire() as producer:
            for chunk in self._chunks():
                payload = [[s.chat_id, s.chat_type] for s in chunk]
                deliver.apply_async((tick, text, payload), producer=producer)
                chats, chunks = chats + len(chunk), chunks + 1
        log.info("fan_out_done", notification=notification, tick=tick, chats=chats, chunks=chunks)
        return {"tick": tick, "duplicate": False, "chats": chats, "chunks": chunks}

    def _chunks(self) -> Iterator[list[Subscriber]]:
        pending: list[Subscriber] = []
        cursor = 0
        while True:
            cursor, page = self._gateway.run(self._store.page(cursor, SCAN_BATCH))
            pending.extend(page)
            while len(pending) >= self._chunk_size:
                yield pending[: self._chunk_size]
                pending = pending[self._chunk_size :]
            if cursor == 0:
                break
        if pending:
            yield pending
