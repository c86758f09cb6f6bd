"""The notifications benchmark's figures and how they are printed."""

import os
from collections.abc import Sequence
from dataclasses import dataclass

from bench._metering import STALL, RunMeter
from bench._notifications_support import PASSED_THROUGH, FanOutFigures

WORKERS = 2
TARGET_RATE = 0.95


@dataclass(frozen=True)
class Scenario:
    name: str
    chats: int
    limit: int
    db: int


@dataclass(frozen=True)
class DeliveryFigures:
    scenario: Scenario
    sent: int
    seconds: float
    max_1s: int
    rejected: int
    rejected_after_stall: int
    worst_stall: float
    long_stalls: int
    duplicates: int
    lost: int
    meter: RunMeter
    worker_fan_out: float | None

    @property
    def ratio(self) -> float:
        return (self.sent - 1) / self.seconds / self.scenario.limit if self.seconds > 0 else 0.0


def settings_line() -> str:
    chosen = {key: os.environ.get(key, "default") for key in PASSED_THROUGH}
    return ", ".join(f"{key}={value}" for key, value in chosen.items())


COLUMNS = (("run", 40), ("chats", 7), ("sent", 7), ("secs", 7), ("rate/L", 8), ("max 1s", 8), ("429s", 6),
           ("dup", 5), ("lost", 6))  # fmt: skip


def table_row(*cells: object) -> str:
    return "".join(
        f"{cell!s:<{width}}" if n == 0 else f"{cell!s:>{width}}"
        for n, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
    )


def print_deliveries(rows: Sequence[DeliveryFigures]) -> None:
    print(f"\nDelivery: {WORKERS} workers x 2 prefork children; {settings_line()}")
    print("rate/L: (sent - 1) / (last - first accepted message) / L; max 1s: most accepted in any 1 s")
    print("(above L by at most L x 20 ms: the slack of the emulator, 3 ms of it the limiter's tolerance)")
    print(table_row(*(name for name, _ in COLUMNS)))
    print(table_row("target", "", "", "", f">={TARGET_RATE}", "~L", 0, 0, 0))
    for row in rows:
        print(
            table_row(row.scenario.name, row.scenario.chats, row.sent, f"{row.seconds:.1f}",
                      f"{row.ratio:.3f}", row.max_1s, row.rejected, row.duplicates, row.lost)
        )  # fmt: skip
    print(table_row("python-telegram-bot AIORateLimiter (*)", 300, "", "", "0.93", "", 46, "", ""))
    print("(*) reference figure quoted in the issue (300 messages at L=30/s), not measured here")


def print_costs(rows: Sequence[DeliveryFigures]) -> None:
    print("\nWhere the time went, fan-out to settled. CPU: ms per message (% of one core over first..last);")
    print("others: the rest of the machine. Emulator loop: lateness of its 5 ms wake-ups while sending;")
    print(f"a stall over {STALL * 1000:.0f} ms (the emulator's flood slack) makes it see bunched arrivals.")
    for row in rows:
        meter, sent, span = row.meter, max(1, row.sent), max(row.seconds, 1e-9)
        cpu = ", ".join(f"{k} {v / sent * 1000:.2f} ms ({v / span:.0%})" for k, v in meter.cpu.items())
        worker = f"{row.worker_fan_out:.2f} s" if row.worker_fan_out is not None else "not logged"
        print(f"{row.scenario.name}:\n  CPU: {cpu}")
        print(
            f"  emulator loop (nice {meter.niceness}): worst stall {row.worst_stall * 1000:.0f} ms,"
            f" {row.long_stalls} over {STALL * 1000:.0f} ms; 429s within 100 ms after such a stall:"
            f" {row.rejected_after_stall} of {row.rejected}"
        )
        print(
            f"  Redis per message: {meter.commands['evalsha'] / sent:.2f} EVALSHA (ledger claim + limiter"
            f" tries), {meter.commands.total() / sent:.1f} commands; fan-out task on its worker: {worker}"
        )


def print_fan_outs(rows: Sequence[FanOutFigures]) -> None:
    print("\nFan-out enqueue: FanOut.send, as notifications.fan_out runs it, in a fresh spawned")
    print("process with its own event loop, against a Redis database no worker consumes; without the task's")
    print("health report (a ~1 s control ping, constant), see the worker's own figure above.")
    print(
        f"{'subscribers':>12}{'chunks':>8}{'seconds':>9}{'chats/s':>10}{'RSS before':>13}{'peak growth':>14}"
    )
    for row in rows:
        rate = row.chats / row.seconds if row.seconds > 0 else 0.0
        print(
            f"{row.chats:>12,}{row.chunks:>8}{row.seconds:>9.2f}{rate:>10,.0f}"
            f"{row.rss_kb:>10,} kB{row.rss_growth_kb:>11,} kB"
        )
    small, large = rows[0].rss_growth_kb, rows[-1].rss_growth_kb
    if small > 0:
        verdict = f"{large / small:.1f}x"
    else:
        verdict = "no growth at either size" if large == 0 else f"{large:,} kB vs none"
    print(
        f"peak RSS growth, {rows[-1].chats:,} vs {rows[0].chats:,}: {verdict} (target: flat, far below 10x;"
    )
    print("for scale: 100,000 Subscriber objects held at once take ~8 MB)")
