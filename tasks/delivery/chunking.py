"""Every subscriber, streamed with HSCAN page by page (flat memory at any count), regrouped into chunks
of a fixed size: what a fan-out publishes as delivery tasks."""

from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from core.subscriptions import Subscriber, SubscriptionStore
from tasks.delivery.worker_loop import WorkerEventLoop

SCAN_BATCH = 1000
PageFilter = Callable[[list[Subscriber]], Coroutine[Any, Any, list[Subscriber]]]


def subscriber_chunks(
    loop: WorkerEventLoop, store: SubscriptionStore, chunk_size: int, keep: PageFilter | None = None
) -> Iterator[list[Subscriber]]:
    """Chunks of `chunk_size` subscribers (the last one shorter); `keep` filters each page first."""
    pending: list[Subscriber] = []
    cursor = 0
    while True:
        cursor, page = loop.run(store.page(cursor, SCAN_BATCH))
        pending.extend(loop.run(keep(page)) if keep is not None else page)
        while len(pending) >= chunk_size:
            yield pending[:chunk_size]
            pending = pending[chunk_size:]
        if cursor == 0:
            break
    if pending:
        yield pending
