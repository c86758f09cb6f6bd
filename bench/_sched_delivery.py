"""A sample of fires delivered: CHATS private chats, each with a schedule due at the same second, run by
the engine's beat (its own process) and two real workers (2 prefork children each) that post the results
to the emulator, which enforces Telegram's limits (L msg/s overall, 1/s per chat) and stamps what it
accepts. Figures: messages, rate against L from the first to the last accepted, 429s, duplicates, lost.
"""

import asyncio
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench._metering import STALL, RunMeter, metered
from bench._notifications_support import StampedTelegram, running_workers, serving_emulator, worker_env
from bench._processes import start
from bench._sched_engine import beat_command, chat_of, seed
from devtools.emulator.flood import FloodLimits
from tests.support.notifications import received
from tests.support.processes import RedisServer
from tests.support.timing import max_in_window
from tests.support.waiting import async_wait_for
from tests.support.workers import wait_ready

CHATS = 1_000
LIMIT = 30  # Telegram's: about 30 messages per second overall
LEAD = timedelta(seconds=15)  # the beat's start before the due time
QUIET = 5.0
EMULATOR_NICENESS = -10  # as in the notifications benchmark: Telegram does not share our CPU


@dataclass(frozen=True)
class Delivery:
    chats: int
    limit: int
    sent: int
    seconds: float
    max_1s: int
    rejected: int
    duplicates: int
    lost: int
    worst_stall: float
    rejected_after_stall: int
    first_after_due: float
    cpu_ms: dict[str, float]  # CPU ms per message sent, by part (bench/_metering.py)

    @property
    def ratio(self) -> float:
        return (self.sent - 1) / self.seconds / self.limit if self.seconds > 0 else 0.0


async def run_delivery(server: RedisServer, chats: int = CHATS, limit: int = LIMIT) -> Delivery:
    server.client.flushall()
    names = [f"d{n}" for n in range(chats)]
    limits = FloodLimits(global_per_second=limit, chat_per_second=1, group_per_minute=20)
    async with serving_emulator(limits) as telegram:
        for name in names:
            telegram.state.add_chat(chat_of(name))
        env = worker_env(server.url, telegram.base_url, limit)
        with running_workers(env, 2, "sched-") as workers, ExitStack() as stack:
            await wait_ready(*workers)
            at = datetime.now(UTC).replace(microsecond=0) + LEAD
            await asyncio.to_thread(seed, server.url, [(name, at) for name in names])
            command, beat_env = beat_command(server.url, env)
            start(command, beat_env, stack)
            async with metered(workers, server, EMULATOR_NICENESS) as meter:
                await _delivered(telegram, chats, at)
    return _figures(telegram, names, limit, at, meter)


async def _delivered(telegram: StampedTelegram, chats: int, at: datetime) -> None:
    """Until every chat got its message, or nothing came for QUIET s after the first."""

    def done() -> bool:
        stamps = telegram.state.stamps
        return len(stamps) >= chats or bool(stamps and time.monotonic() - stamps[-1] > QUIET)

    wait = (at - datetime.now(UTC)).total_seconds() + 120 + chats / 10
    await async_wait_for(done, wait, "the scheduled messages to be delivered")
    await asyncio.sleep(1.0)  # a duplicate right after the last one is still counted


def _span(telegram: StampedTelegram) -> tuple[float, float]:
    stamps = telegram.state.stamps or [0.0]
    return stamps[0], stamps[-1]


def _figures(
    telegram: StampedTelegram, names: list[str], limit: int, at: datetime, meter: RunMeter
) -> Delivery:
    first, last = _span(telegram)
    sent = max(1, len(telegram.state.stamps))
    counts = received(telegram.state, marker="")
    first_wall = time.time() - (time.monotonic() - first)
    return Delivery(
        chats=len(names), limit=limit, sent=len(telegram.state.stamps), seconds=last - first,
        max_1s=max_in_window(telegram.state.stamps), rejected=len(telegram.faults.rejections),
        duplicates=sum(1 for n in counts.values() if n > 1),
        lost=sum(1 for name in names if counts[chat_of(name)] == 0),
        worst_stall=max(meter.lateness_between(first, last) or [0.0]),
        rejected_after_stall=meter.rejected_after_stall(telegram.faults.rejections),
        first_after_due=first_wall - at.timestamp(),
        cpu_ms={part: seconds * 1e3 / sent for part, seconds in meter.cpu.items()},
    )  # fmt: skip


def print_delivery(row: Delivery) -> None:
    print(f"\nDelivery of {row.chats:,} fires due at once: the engine's beat, 2 workers x 2 children,")
    print(f"the emulator enforcing L = {row.limit}/s overall and 1/s per chat")
    columns = ("sent", 8), ("secs", 8), ("rate/L", 9), ("max 1s", 8), ("429s", 6), ("dup", 5), ("lost", 6)
    print("".join(f"{name:>{width}}" for name, width in columns) + f"{'first after due':>17}")
    print(
        f"{row.sent:>8,}{row.seconds:>8.1f}{row.ratio:>9.3f}{row.max_1s:>8}{row.rejected:>6}"
        f"{row.duplicates:>5}{row.lost:>6}{row.first_after_due:>15.2f} s"
    )
    print(
        f"target: rate/L >= 0.95, 0 x 429, 0 dup, 0 lost. Emulator loop: worst stall"
        f" {row.worst_stall * 1000:.0f} ms (one over {STALL * 1000:.0f} ms bunches arrivals);"
        f" 429s within 100 ms after such a stall: {row.rejected_after_stall} of {row.rejected}"
    )
    print("CPU per message sent: " + ", ".join(f"{k} {v:.2f} ms" for k, v in row.cpu_ms.items()))
