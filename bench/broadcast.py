"""Admin broadcasts: the enqueue of 100,000 recipients, and a delivery under Telegram's limits.

Each part runs in its own spawned process, against a throwaway redis-server. Enqueue: `broadcasts.start`'s
fan-out (`BroadcastFanOut.publish`) over 10,000 and 100,000 subscribers, its RSS sampled every 10 ms,
beside the notifications' `FanOut.send` over 100,000 as the baseline. Delivery: a broadcast to 600
chats with two workers against the emulator enforcing L = 30 messages/s (20 s of sending), the workers
settled first (their CPU calm), beside the notifications' fan-out to the same chats in the same run;
the emulator stamps every message and every edit of the admin's panel.
"""

import multiprocessing
from collections.abc import Callable
from typing import Any, TypeVar

from bench._broadcast_support import DeliveryFigures, EnqueueFigures, delivery_in_process, enqueue_in_process
from bench._notifications_support import FanOutFigures, fan_out_in_process
from tests.support.databases import database
from tests.support.notifications import subscribe_chats
from tests.support.processes import RedisServer

T = TypeVar("T")
FIRST_CHAT = 3_000_000
ENQUEUE_COUNTS = (10_000, 100_000)
DELIVERY_CHATS, LIMIT = 600, 30.0
ENQUEUE_TARGET, RATE_TARGET, EDIT_INTERVAL = 5.0, 0.95, 3.0


def in_process(function: Callable[..., T], *args: Any) -> T:
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # terminated on any exit
        return pool.apply_async(function, args).get(timeout=600)


def enqueue(server: RedisServer, count: int) -> tuple[EnqueueFigures, FanOutFigures | None]:
    url, client = database(server, 1)
    subscribe_chats(client, range(FIRST_CHAT, FIRST_CHAT + count))
    print(f"running the broadcast enqueue of {count:,} subscribers ...", flush=True)
    figures = in_process(enqueue_in_process, url)
    baseline = None
    if count == ENQUEUE_COUNTS[-1]:
        client.delete("celery")
        print(f"running the notifications' fan-out of {count:,} (baseline) ...", flush=True)
        baseline = in_process(fan_out_in_process, url, "baseline")
    client.flushdb()
    return figures, baseline


def deliver(server: RedisServer, kind: str) -> DeliveryFigures:
    url, _ = database(server, 2)
    print(f"running the {kind} delivery to {DELIVERY_CHATS} chats at L={LIMIT:.0f}/s ...", flush=True)
    return in_process(delivery_in_process, url, kind, DELIVERY_CHATS, LIMIT)


def print_enqueues(rows: list[tuple[EnqueueFigures, FanOutFigures | None]]) -> None:
    print(f"\nEnqueue (target: 100,000 in <= {ENQUEUE_TARGET:.0f} s, flat memory)")
    print(f"{'run':<42}{'chats':>9}{'chunks':>8}{'secs':>8}{'RSS MB':>8}{'peak +MB':>10}{'sampled +MB':>13}")
    for figures, baseline in rows:
        print(f"{'broadcasts.start fan-out':<42}{figures.chats:>9,}{figures.chunks:>8}{figures.seconds:>8.2f}"
              f"{figures.rss_kb / 1024:>8.1f}{figures.peak_growth_kb / 1024:>10.1f}"
              f"{figures.sampled_growth_kb / 1024:>13.1f}")  # fmt: skip
        if baseline is not None:
            b = baseline
            print(f"{'baseline: notifications FanOut.send':<42}{b.chats:>9,}{b.chunks:>8}{b.seconds:>8.2f}"
                  f"{b.rss_kb / 1024:>8.1f}{b.rss_growth_kb / 1024:>10.1f}{'-':>13}")  # fmt: skip


def print_deliveries(rows: list[DeliveryFigures]) -> None:
    print(f"\nDelivery: 2 workers x 2 prefork children, emulator limit L={LIMIT:.0f}/s (target: rate/L >= "
          f"{RATE_TARGET}, 0 x 429, panel edits >= {EDIT_INTERVAL:.0f} s apart)")  # fmt: skip
    print(f"{'run':<28}{'sent':>6}{'secs':>7}{'rate/L':>8}{'max 1s':>8}{'429s':>6}{'dup':>5}{'lost':>6}"
          f"{'edits':>7}{'min gap':>9}{'settled':>9}{'429 after stall':>17}")  # fmt: skip
    for r in rows:
        gap = f"{min(r.edit_gaps):.2f}" if r.edit_gaps else "-"
        name = "broadcast (copyMessage)" if r.kind == "broadcast" else "baseline: notifications"
        print(f"{name:<28}{r.sent:>6}{r.seconds:>7.1f}{r.ratio:>8.3f}{r.max_1s:>8}{r.rejected:>6}"
              f"{r.duplicates:>5}{r.lost:>6}{len(r.edit_gaps) + 1 if r.edit_gaps else 0:>7}{gap:>9}"
              f"{r.settled_in:>8.1f}s{r.rejected_after_stall:>17}")  # fmt: skip


def main() -> None:
    server = RedisServer()
    try:
        enqueues = [enqueue(server, count) for count in ENQUEUE_COUNTS]
        deliveries = [deliver(server, "broadcast"), deliver(server, "notifications")]
    finally:
        server.stop()
    print_enqueues(enqueues)
    print_deliveries(deliveries)


if __name__ == "__main__":
    main()
