"""Per-chat schedules: our engine inside beat against celery-redbeat, on the same machine in the same run.

Each scheduler gets a fresh throwaway redis-server database: 100,000 schedules stored (`--schedules N`
for a quick check), a fifth of them due at the same second. Its beat runs in a process of its own,
settled before the due time; nobody consumes the queue, which is watched from this process to time
every message published (see bench/_sched_watch.py). Also timed: a tick with nothing due, in a spawned
process of its own; and two beats at once, to count duplicate fires (redbeat with a short lock time-out,
so that its tick outlasts the lock). Then a sample of fires delivered through real workers to the
emulator with Telegram's limits.
"""

import argparse
import asyncio
import sys

from bench import _sched_engine as engine
from bench import _sched_redbeat as redbeat
from bench._cpu import NeighbourMeter
from bench._sched_delivery import CHATS, Delivery, print_delivery, run_delivery
from bench._sched_report import print_rss, print_runs, print_takeover, print_targets
from bench._sched_run import run
from bench._sched_subject import Run, Subject
from tests.support.processes import RedisServer

DUE_SHARE = 5  # one schedule in DUE_SHARE is due at the same second
TAKEOVER_LOCK = 5  # s: redbeat's lock time-out in the two-beat run, shorter than its busy tick


def redbeat_beat(url: str, extra: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    command = ["-m", "celery", "-A", "bench._sched_redbeat_app", "beat", "-S", "redbeat.RedBeatScheduler",
               "--max-interval", "1", "-l", "WARNING"]  # fmt: skip
    return command, {"REDIS_URL": url, **extra}


ENGINE = Subject("engine", engine.seed, engine.beat_command, engine.QUEUES, engine.fires, engine.idle_ticks)
REDBEAT = Subject("redbeat", redbeat.seed, redbeat_beat, redbeat.QUEUES, redbeat.fires, redbeat.idle_ticks)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench schedules")
    parser.add_argument("--schedules", type=int, default=100_000, help="schedules stored (default 100,000)")
    parser.add_argument("--chats", type=int, default=CHATS, help=f"fires delivered (default {CHATS:,})")
    return parser.parse_args(sys.argv[1:])


def main() -> None:
    chosen = options()
    total = chosen.schedules
    due = total // DUE_SHARE
    neighbours = NeighbourMeter()
    server = RedisServer()
    try:
        print(f"one beat each: {total:,} schedules, {due:,} due together ...", flush=True)
        single = [run(subject, server.url, total, due) for subject in (REDBEAT, ENGINE)]
        print("two beats each ...", flush=True)
        takeover = [run(REDBEAT, server.url, due, due, beats=2,
                        extra={"REDBEAT_LOCK_TIMEOUT": str(TAKEOVER_LOCK)}),
                    run(ENGINE, server.url, due, due, beats=2)]  # fmt: skip
        zones = redbeat.zone_check(server.url)
        print(f"delivering {chosen.chats:,} fires due at once ...", flush=True)
        delivery = asyncio.run(run_delivery(server, chosen.chats))
    finally:
        server.stop()
    report(single, takeover, zones, delivery)
    if (share := neighbours.share()) is not None:
        print(f"other processes used {share:.0%} of the machine during the run")


def report(single: list[Run], takeover: list[Run], zones: str, delivery: Delivery) -> None:
    print_runs(single)
    print_rss(single)
    for one in single:
        print_targets(one)
    print_takeover(takeover, f"redbeat_lock_timeout = {TAKEOVER_LOCK} s")
    print(f"\nTime zones: {zones}")
    print_delivery(delivery)


if __name__ == "__main__":
    main()
