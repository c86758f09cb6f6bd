"""ChunkSender's error policy, one Bot API answer at a time: real Redis, limiter, ledger and store."""

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from core.limiter import TelegramRateLimiter
from core.settings import DeliverySettings
from core.subscriptions import Subscriber, SubscriptionStore
from tasks.delivery import sender as sender_module
from tasks.delivery.job import DeliveryJob
from tasks.delivery.ledger import DeliveryLedger
from tasks.delivery.outcomes import Outcome, TokenRevokedError
from tasks.delivery.sender import TRANSIENT_ATTEMPTS, ChunkSender
from tests.support.mocked_bot import ApiError, MockedBot, NetworkDown, RawAnswer, Reply
from tests.support.notifications import received
from tests.support.processes import RedisServer
from tests.support.telegram import Telegram, emulated_bot
from tests.support.waiting import POLL

SETTINGS = DeliverySettings(global_per_second=1000, chat_per_second=1000, group_per_minute=60_000)
TICK, TEXT, OWNER = "c202501010900", "System health: all good", "delivery-task-1"
ALICE, GROUP = Subscriber(1001, "private"), Subscriber(-5, "group")
SUPERGROUP_ID = -1_005
BACKOFF_BASE = 0.01


@dataclass
class Parts:
    sender: ChunkSender
    ledger: DeliveryLedger
    store: SubscriptionStore
    redis: Redis


@pytest.fixture
async def parts(redis_server: RedisServer) -> AsyncIterator[Parts]:
    redis = Redis.from_url(redis_server.url.rsplit("/", 1)[0] + "/11")  # this module's own database
    await redis.flushdb()
    ledger, store = DeliveryLedger(redis, ttl=60), SubscriptionStore(redis)
    for subscriber in (ALICE, GROUP):
        await store.subscribe(subscriber.chat_id, subscriber.chat_type)
    yield Parts(ChunkSender(TelegramRateLimiter(redis, SETTINGS), ledger, store), ledger, store, redis)
    await redis.aclose()


@pytest.fixture
def bot(monkeypatch: pytest.MonkeyPatch) -> MockedBot:
    monkeypatch.setattr(sender_module, "BACKOFF_BASE", BACKOFF_BASE)
    return MockedBot()


def job(deadline_in: float = 10.0) -> DeliveryJob:
    return DeliveryJob(TICK, TEXT, OWNER, time.monotonic() + deadline_in, concurrency=4)


async def claimable_by_another_task(parts: Parts, chat_id: int) -> bool:
    return await parts.ledger.claim_chat(TICK, chat_id, "delivery-task-2")


async def test_sent_chat_is_confirmed_and_never_claimed_again(parts: Parts, bot: MockedBot) -> None:
    assert await parts.sender.send_chunk(bot, job(), [ALICE, GROUP]) == {Outcome.SENT: [ALICE, GROUP]}
    assert sorted(bot.session.delivered) == [(GROUP.chat_id, TEXT), (ALICE.chat_id, TEXT)]
    assert not await claimable_by_another_task(parts, ALICE.chat_id)
    assert await parts.sender.send_chunk(bot, job(), [ALICE]) == {Outcome.DUPLICATE: [ALICE]}
    assert len(bot.session.requests) == 2


async def test_chat_claimed_by_another_task_is_a_duplicate(parts: Parts, bot: MockedBot) -> None:
    assert await claimable_by_another_task(parts, ALICE.chat_id)
    assert await parts.sender.send_chunk(bot, job(), [ALICE]) == {Outcome.DUPLICATE: [ALICE]}
    assert bot.session.requests == []


async def test_past_deadline_leaves_the_chat_for_a_retry(parts: Parts, bot: MockedBot) -> None:
    assert await parts.sender.send_chunk(bot, job(deadline_in=-1), [ALICE]) == {Outcome.RETRY: [ALICE]}
    assert bot.session.requests == []
    assert await claimable_by_another_task(parts, ALICE.chat_id)


async def wait_paused(limiter: TelegramRateLimiter) -> float:
    deadline = time.monotonic() + 5
    while not (left := await limiter.paused_for()):
        assert time.monotonic() < deadline, "no shared pause was set"
        await asyncio.sleep(POLL)
    return left


async def test_flood_wait_pauses_every_sender_then_retries(parts: Parts, bot: MockedBot) -> None:
    bot.session.prepare(ALICE.chat_id, ApiError(429, "Too Many Requests: retry after 1", retry_after=1))
    sending = asyncio.create_task(parts.sender.send_chunk(bot, job(), [ALICE]))

    another_process = TelegramRateLimiter(parts.redis, SETTINGS)
    assert 0 < await wait_paused(another_process) <= 1.0
    assert await sending == {Outcome.SENT: [ALICE]}
    flooded, retried = bot.session.requests
    assert retried.at - flooded.at >= 0.99
    assert bot.session.delivered == [(ALICE.chat_id, TEXT)]


@pytest.mark.parametrize(
    "refusal",
    [ApiError(403, "Forbidden: bot was blocked by the user"), ApiError(400, "Bad Request: chat not found")],
)
async def test_gone_chat_is_unsubscribed(parts: Parts, bot: MockedBot, refusal: ApiError) -> None:
    bot.session.prepare(ALICE.chat_id, refusal)
    assert await parts.sender.send_chunk(bot, job(), [ALICE]) == {Outcome.UNSUBSCRIBED: [ALICE]}
    assert not await parts.store.is_subscribed(ALICE.chat_id)
    assert len(bot.session.requests) == 1
    assert not await claimable_by_another_task(parts, ALICE.chat_id)


@pytest.mark.parametrize(
    "refusal",
    [ApiError(400, "Bad Request: message text is empty"), ApiError(413, "Request Entity Too Large")],
)
async def test_refused_message_fails_without_retry(parts: Parts, bot: MockedBot, refusal: ApiError) -> None:
    bot.session.prepare(ALICE.chat_id, refusal)
    assert await parts.sender.send_chunk(bot, job(), [ALICE]) == {Outcome.FAILED: [ALICE]}
    assert await parts.store.is_subscribed(ALICE.chat_id)
    assert len(bot.session.requests) == 1
    assert not await claimable_by_another_task(parts, ALICE.chat_id)


async def test_migrated_group_is_followed_and_sent_once(parts: Parts, bot: MockedBot) -> None:
    upgraded = ApiError(400, "Bad Request: group chat was upgraded", migrate_to_chat_id=SUPERGROUP_ID)
    bot.session.prepare(GROUP.chat_id, upgraded)
    assert await parts.sender.send_chunk(bot, job(), [GROUP]) == {Outcome.MIGRATED: [GROUP]}
    assert await parts.store.page(0, 10) == (0, [ALICE, Subscriber(SUPERGROUP_ID, "supergroup")])
    assert [request.chat_id for request in bot.session.requests] == [GROUP.chat_id, SUPERGROUP_ID]
    assert bot.session.delivered == [(SUPERGROUP_ID, TEXT)]
    assert not await claimable_by_another_task(parts, SUPERGROUP_ID)


HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
TRANSIENT: list[Reply] = [
    ApiError(500, "Internal Server Error"),
    ApiError(502, "Bad Gateway"),
    NetworkDown(),
    RawAnswer(502, HTML_502),  # aiogram: ClientDecodeError
    RawAnswer(200, '{"ok": true, "result": {"message_'),  # cut-off JSON: ClientDecodeError
    RawAnswer(200, "{}"),  # JSON, but no Bot API answer: ClientDecodeError
    ApiError(404, "Not Found"),  # a proxy or a wrong base URL, not a verdict on the chat
    ApiError(409, "Conflict: terminated by other getUpdates request"),
    ApiError(418, "I'm a teapot"),  # a status nobody foresaw
]


@pytest.mark.parametrize("failure", TRANSIENT)
async def test_transient_errors_are_retried_until_sent(parts: Parts, bot: MockedBot, failure: Reply) -> None:
    bot.session.prepare(ALICE.chat_id, *[failure] * (TRANSIENT_ATTEMPTS - 1))
    assert await parts.sender.send_chunk(bot, job(), [ALICE]) == {Outcome.SENT: [ALICE]}
    assert len(bot.session.requests) == TRANSIENT_ATTEMPTS
    assert bot.session.delivered == [(ALICE.chat_id, TEXT)]


@pytest.mark.parametrize("failure", TRANSIENT)
async def test_transient_errors_give_up_with_backoff(parts: Parts, bot: MockedBot, failure: Reply) -> None:
    bot.session.prepare(ALICE.chat_id, *[failure] * TRANSIENT_ATTEMPTS)
    assert await parts.sender.send_chunk(bot, job(), [ALICE]) == {Outcome.RETRY: [ALICE]}
    stamps = [request.at for request in bot.session.requests]
    assert len(stamps) == TRANSIENT_ATTEMPTS
    for attempt, (earlier, later) in enumerate(itertools.pairwise(stamps), start=1):
        assert later - earlier >= BACKOFF_BASE * 2**attempt * 0.5 * 0.99  # the least jitter allows
    assert await parts.store.is_subscribed(ALICE.chat_id)
    assert not await claimable_by_another_task(parts, ALICE.chat_id)
    assert await parts.ledger.claim_chat(TICK, ALICE.chat_id, OWNER)  # its own retry may send


async def test_revoked_token_stops_the_chunk(parts: Parts, bot: MockedBot) -> None:
    bot.session.prepare(ALICE.chat_id, ApiError(401, "Unauthorized"))
    serial = DeliveryJob(TICK, TEXT, OWNER, time.monotonic() + 10, concurrency=1)
    with pytest.raises(TokenRevokedError) as revoked:
        await parts.sender.send_chunk(bot, serial, [ALICE, GROUP])
    assert revoked.value.unsent == [ALICE, GROUP]
    assert [request.chat_id for request in bot.session.requests] == [ALICE.chat_id], "nothing after the 401"


@pytest.mark.parametrize("order", ["group-first", "supergroup-first"])
async def test_migrated_group_whose_new_id_is_in_the_chunk_gets_one_message(
    parts: Parts, telegram: Telegram, order: str
) -> None:
    """Through the emulator, whose sends take a while: the supergroup's own send is still in flight
    when the group's answer names it as the new id."""
    telegram.state.add_chat(GROUP.chat_id, "group")
    telegram.state.add_chat(SUPERGROUP_ID, "supergroup")
    telegram.faults.migrations[GROUP.chat_id] = SUPERGROUP_ID
    telegram.faults.send_delay = 0.2
    supergroup = Subscriber(SUPERGROUP_ID, "supergroup")
    await parts.store.subscribe(SUPERGROUP_ID, "supergroup")  # subscribed again after the upgrade
    chunk = [GROUP, supergroup] if order == "group-first" else [supergroup, GROUP]
    async with emulated_bot(telegram) as bot:
        outcomes = await parts.sender.send_chunk(bot, job(), chunk)
    assert outcomes[Outcome.MIGRATED] == [GROUP]
    assert received(telegram.state) == {SUPERGROUP_ID: 1}


async def test_release_hands_unsent_chats_and_the_tick_over(parts: Parts, bot: MockedBot) -> None:
    bot.session.prepare(GROUP.chat_id, *[NetworkDown()] * TRANSIENT_ATTEMPTS)
    assert await parts.ledger.claim_tick("health", TICK, "fan-out-task")
    outcomes = await parts.sender.send_chunk(bot, job(), [ALICE, GROUP])
    assert outcomes == {Outcome.SENT: [ALICE], Outcome.RETRY: [GROUP]}
    assert not await claimable_by_another_task(parts, GROUP.chat_id)
    await parts.sender.release(TICK, OWNER, outcomes[Outcome.RETRY])
    assert await parts.ledger.claim_tick("health", TICK, "later-fan-out"), "the tick may run again"
    assert await claimable_by_another_task(parts, GROUP.chat_id), "a later chunk may send it"
    assert not await claimable_by_another_task(parts, ALICE.chat_id), "the sent chat stays sent"


async def test_release_leaves_other_tasks_claims(parts: Parts) -> None:
    assert await parts.ledger.claim_chat(TICK, ALICE.chat_id, "delivery-task-2")
    assert await parts.ledger.release_chats(TICK, [ALICE.chat_id, GROUP.chat_id], OWNER) == 0
    assert not await parts.ledger.claim_chat(TICK, ALICE.chat_id, OWNER)


async def test_release_of_a_tick_matches_it_literally(parts: Parts) -> None:
    for tick in ("manual-[1]", "manual-11"):
        assert await parts.ledger.claim_tick("health", tick, "fan-out-task")
    assert await parts.ledger.release_tick("manual-[1]") == 1
    assert not await parts.ledger.claim_tick("health", "manual-11", "another-fan-out")
