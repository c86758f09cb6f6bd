"""Per-chat schedules end to end: real Redis, worker, two beats and the emulator. Runs arrive in their
chats on schedule and exactly once although two beats run the engine; a run published twice posts
once; a cancelled one posts nothing; a run whose task fails (or is no longer schedulable) says so in its
chat, once; a blocked chat loses its schedules; a migrated group keeps them. Database 21."""

import itertools
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import redis
from redis.asyncio import Redis

from core.schedules.codec import to_ms
from core.schedules.model import ScheduleSpec
from core.schedules.store import ScheduleStore
from core.settings import SchedulesSettings
from core.subscriptions import SubscriptionStore
from tasks.controllers.schedules import run_callbacks
from tasks.registry import TasksRegistry
from tasks.schedules.contracts import ScheduledRun, StartedRun
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.logs import events
from tests.support.notifications import received
from tests.support.processes import CeleryBeat, CeleryWorker, RedisServer
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.workers import wait_ready

PRIVATE, GROUP, BLOCKED, OLD_GROUP, NEW_GROUP = 8101, -8102, 8103, -8104, -1008104
BY_HAND, FAILING, UNRUNNABLE = 8105, 8106, 8107
SENT_KEY = re.compile(r"notifications:sent:schedule-(\w{5})-(\d+):(-?\d+)")


def schedule_env(project_env: dict[str, str], url: str) -> dict[str, str]:
    return {
        **project_env,
        "REDIS_URL": url,
        "NOTIFICATIONS_ENABLED": "false",
        "SCHEDULES_POLL_INTERVAL": "0.2",
        # not a test of Telegram's limits: a group may get a run a second here
        "DELIVERY_CHAT_PER_SECOND": "10",
        "DELIVERY_GROUP_PER_MINUTE": "600",
    }


def sent_runs(client: redis.Redis) -> dict[str, list[int]]:
    """Each schedule's fire times (ms) whose message the ledger confirmed sent, in order."""
    runs: dict[str, list[int]] = {}
    for key in client.scan_iter(match="notifications:sent:schedule-*"):
        match = SENT_KEY.fullmatch(key.decode())
        assert match, key
        runs.setdefault(match[1], []).append(int(match[2]))
    return {schedule_id: sorted(dues) for schedule_id, dues in runs.items()}


def settled(client: redis.Redis) -> bool:
    return not client.llen("celery") and not client.hlen("unacked")


async def seed(store: ScheduleStore) -> dict[str, int]:
    """The schedules, by id: their chat. Every second from 3 s from now (the processes start meanwhile)."""
    start, chats = datetime.now(UTC) + timedelta(seconds=2), {}
    for chat, chat_type, task in [
        (PRIVATE, "private", "ping"),
        (GROUP, "group", "report"),
        (BLOCKED, "private", "ping"),
        (OLD_GROUP, "group", "ping"),
        (BY_HAND, "private", "ping"),
        (FAILING, "private", "ping"),
        (UNRUNNABLE, "private", "gone"),  # a task no longer schedulable (a deploy removed it)
    ]:
        first = start if chat in (PRIVATE, GROUP, BLOCKED, OLD_GROUP) else start + timedelta(days=1)
        added = await store.add(chat, chat_type, ScheduleSpec.every(1, "1s"), task, (), 1, first)
        assert added.schedule is not None
        chats[added.schedule.id] = chat
    return chats


def fire_twice_and_a_cancelled_one(registry: TasksRegistry, schedule_id: str) -> None:
    run = ScheduledRun(schedule_id=schedule_id, due_ms=to_ms(datetime.now(UTC)))
    registry.fire_schedules.delay([run])
    registry.fire_schedules.delay([run, ScheduledRun(schedule_id="gone0", due_ms=run["due_ms"])])


def fail_twice(registry: TasksRegistry, schedule_id: str) -> None:
    """One run whose task fails (ping takes no argument), started twice: its chat hears of it once."""
    now = to_ms(datetime.now(UTC))
    run = StartedRun(schedule_id=schedule_id, due_ms=now, started_ms=now)
    for _ in range(2):
        registry.ping.apply_async(("unexpected",), **run_callbacks(registry, run), ignore_result=True)


def add_chats(telegram: Telegram) -> None:
    for chat in (PRIVATE, BLOCKED, BY_HAND, FAILING, UNRUNNABLE):
        telegram.state.add_chat(chat, "private")
    for chat in (GROUP, OLD_GROUP):
        telegram.state.add_chat(chat, "group")
    telegram.faults.blocked.add(BLOCKED)
    telegram.faults.migrations[OLD_GROUP] = NEW_GROUP


async def assert_followed(
    store: ScheduleStore, subscriptions: SubscriptionStore, chats: dict[str, int]
) -> None:
    """The blocked chat lost its schedule at its first run; the group's followed it to the new id."""
    assert await store.list_chat(BLOCKED) == []
    assert await store.list_chat(OLD_GROUP) == []
    [(moved, _)] = await store.list_chat(NEW_GROUP)
    assert chats[moved.id] == OLD_GROUP
    assert not await subscriptions.is_subscribed(NEW_GROUP), "a run does not subscribe a migrated group"


async def test_runs_arrive_on_schedule_once_each_with_two_beats(
    telegram: Telegram, redis_server: RedisServer, project_env: dict[str, str]
) -> None:
    url, client = database(redis_server, 21)
    add_chats(telegram)
    store = ScheduleStore(Redis.from_url(url), SchedulesSettings())
    chats = await seed(store)
    env = schedule_env(project_env, url)
    worker, beats = CeleryWorker(env, name="sched"), (CeleryBeat(env), CeleryBeat(env))

    def pongs() -> Counter[int]:
        return received(telegram.state, "pong from")

    def failures() -> Counter[int]:
        return received(telegram.state, "failed; the schedule stays")

    try:
        await wait_ready(worker)
        await async_wait_for(lambda: pongs()[PRIVATE] >= 3 and pongs()[NEW_GROUP] >= 2, 40, "pongs")
        await async_wait_for(lambda: received(telegram.state)[GROUP] >= 2, 20, "two health reports")
        await async_wait_for(  # on a loaded machine one beat may start late and find nothing left
            lambda: all(events(beat.log(), "schedules_fired") for beat in beats), 30, "both beats firing"
        )
        for beat in beats:
            beat.process.terminate()  # stop() would remove its log
            beat.process.wait(15)
        by_id = {chat: schedule_id for schedule_id, chat in chats.items()}
        registry = make_container(url, telegram.base_url).resolve(TasksRegistry)
        fire_twice_and_a_cancelled_one(registry, by_id[BY_HAND])
        fail_twice(registry, by_id[FAILING])
        registry.fire_schedules.delay([ScheduledRun(schedule_id=by_id[UNRUNNABLE], due_ms=1)])
        await async_wait_for(
            lambda: settled(client) and pongs()[BY_HAND] and failures()[FAILING] and failures()[UNRUNNABLE],
            20,
            "the last runs to finish",
        )
        fired, fire_reports = [events(beat.log(), "schedules_fired") for beat in beats], worker.log()
    finally:
        worker.stop()
        for beat in beats:
            beat.stop()
    by_chat = {chats[schedule_id]: dues for schedule_id, dues in sent_runs(client).items()}
    messages = Counter({**pongs(), **received(telegram.state)})
    for chat in (PRIVATE, GROUP):
        dues = by_chat[chat]
        assert messages[chat] == len(dues), f"chat {chat}: one message per run"
        assert {b - a for a, b in itertools.pairwise(dues)} == {1000}, "no run skipped or repeated"
    assert all(fired), "both beats ran the engine"
    assert messages[BY_HAND] == 1, "a run published twice posts once"
    assert failures() == {FAILING: 1, UNRUNNABLE: 1}, "a failed run says so, once"
    assert not pongs()[FAILING]
    by_hand_fires = events(fire_reports, "schedules_fire_done")[-3:]  # after the beats stopped
    outcomes = sorted((line["started"], line["duplicate"], line["cancelled"]) for line in by_hand_fires)
    started_first, gone_first = [(0, 1, 1), (1, 0, 0)], [(0, 1, 0), (1, 0, 1)]
    assert outcomes in (sorted([*pair, (1, 0, 0)]) for pair in (started_first, gone_first)), (
        "one start, one duplicate, one gone; and the unrunnable run's start"
    )
    assert BLOCKED not in messages
    await assert_followed(store, SubscriptionStore(Redis.from_url(url)), chats)
    client.flushdb()
