"""Scheduled notifications end to end: fan-out, delivery under Telegram's flood limits, enqueue cost.

Everything is real: a throwaway redis-server, the Bot API emulator enforcing the limits on this
process's event loop, and two Celery workers (2 prefork children each) configured with the same
global limit L. One fan-out is triggered as beat would; the emulator timestamps every message it
accepts, and the rate is taken from the first to the last. Then `FanOut.send` alone is
timed for 10,000 and 100,000 subscribers, each in a fresh process, to show its cost and flat memory.
"""

import asyncio
import multiprocessing
import re
from collections.abc import Sequence

from bench._metering import STALL, RunMeter, metered
from bench._notifications_report import (
    WORKERS,
    DeliveryFigures,
    Scenario,
    print_costs,
    print_deliveries,
    print_fan_outs,
)
from bench._notifications_support import (
    FanOutFigures,
    StampedTelegram,
    fan_out_in_process,
    running_workers,
    serving_emulator,
    settle,
    worker_env,
)
from devtools.emulator.flood import FloodLimits
from tasks.registry import TasksRegistry
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.notifications import fan_out, received, subscribe_chats
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.timing import max_in_window
from tests.support.workers import wait_ready

FIRST_CHAT = 1_000_000
FAN_OUT_COUNTS = (10_000, 100_000)
FAN_OUT_DB = 3
# Telegram does not share our CPU: while the workers send, the emulator's loop runs at a higher
# priority, so that other load on the machine stalls it less (its stalls are reported either way).
EMULATOR_NICENESS = -10
WORKER_FAN_OUT = re.compile(r"notifications\.fan_out\[[^\]]+\] succeeded in ([0-9.]+)s")


SCENARIOS = (Scenario("L=300/s, 10,000 chats", 10_000, 300, 1), Scenario("L=30/s, 600 chats", 600, 30, 2))


async def run_delivery(server: RedisServer, scenario: Scenario) -> DeliveryFigures:
    url, client = database(server, scenario.db)
    limits = FloodLimits(global_per_second=scenario.limit, chat_per_second=1, group_per_minute=20)
    print(f"running {scenario.name} ...", flush=True)
    async with serving_emulator(limits) as telegram:
        subscribe_chats(client, range(FIRST_CHAT, FIRST_CHAT + scenario.chats), state=telegram.state)
        env = worker_env(url, telegram.base_url, scenario.limit)
        with running_workers(env, WORKERS, f"bench{scenario.db}-") as workers:
            await wait_ready(*workers)
            registry = make_container(url, telegram.base_url).resolve(TasksRegistry)
            async with metered(workers, server, EMULATOR_NICENESS) as meter:
                await fan_out(registry, f"bench-{scenario.db}")
                await settle(client, telegram.state)
            worker_seconds = fan_out_seconds(workers)
    return delivery_figures(scenario, telegram, meter, worker_seconds)


def fan_out_seconds(workers: Sequence[CeleryWorker]) -> float | None:
    """The fan-out task's run time as its worker logged it ("succeeded in Xs")."""
    found = [float(m) for w in workers for m in WORKER_FAN_OUT.findall(w.log())]
    return found[0] if found else None


def delivery_figures(
    scenario: Scenario, telegram: StampedTelegram, meter: RunMeter, worker_fan_out: float | None
) -> DeliveryFigures:
    stamps, counts = telegram.state.stamps or [0.0], received(telegram.state)
    lateness = meter.lateness_between(stamps[0], stamps[-1]) or [0.0]
    chat_ids = range(FIRST_CHAT, FIRST_CHAT + scenario.chats)
    return DeliveryFigures(
        scenario,
        sent=len(telegram.state.stamps),
        seconds=stamps[-1] - stamps[0],
        max_1s=max_in_window(stamps),
        rejected=len(telegram.faults.rejections),
        rejected_after_stall=meter.rejected_after_stall(telegram.faults.rejections),
        worst_stall=max(lateness),
        long_stalls=sum(1 for late in lateness if late > STALL),
        duplicates=sum(1 for n in counts.values() if n > 1),
        lost=sum(1 for chat_id in chat_ids if counts[chat_id] == 0),
        meter=meter,
        worker_fan_out=worker_fan_out,
    )


def measure_fan_out(server: RedisServer, count: int) -> FanOutFigures:
    """`FanOut.send` over `count` subscribers in a fresh spawned process, against a
    database no worker consumes (the chunks just pile up in its queue)."""
    url, client = database(server, FAN_OUT_DB)
    subscribe_chats(client, range(FIRST_CHAT, FIRST_CHAT + count))
    print(f"running the fan-out of {count:,} subscribers ...", flush=True)
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # terminated on any exit
        figures = pool.apply_async(fan_out_in_process, (url, f"enqueue-{count}")).get(timeout=300)
    client.flushdb()
    return figures


def main() -> None:
    server = RedisServer()
    try:
        deliveries = [asyncio.run(run_delivery(server, scenario)) for scenario in SCENARIOS]
        fan_outs = [measure_fan_out(server, count) for count in FAN_OUT_COUNTS]
    finally:
        server.stop()
    print_deliveries(deliveries)
    print_costs(deliveries)
    print_fan_outs(fan_outs)


if __name__ == "__main__":
    main()
