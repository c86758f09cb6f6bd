"""Two webhook replicas on real Redis, a real worker and the emulator: each update handled once."""

import asyncio
import re
from typing import Any

import aiohttp
import pytest
import structlog

from devtools.emulator.state import EmulatorState
from tests.support.chat import ChatClient
from tests.support.databases import database
from tests.support.processes import RedisServer
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.webhook import SECRET, balancer, post_update, replica

CLAIMS_DB = 16


async def queued_update(state: EmulatorState, chat_id: int, text: str) -> dict[str, Any]:
    """What Telegram would POST for `text` written in `chat_id` (no webhook set: it waits in the queue)."""
    await ChatClient(state, chat_id).send(text)
    update: dict[str, Any] = (await state.take_updates(0, 100, 0))[-1]
    return update


def failing(telegram: Telegram) -> dict[str, Any] | None:
    """getWebhookInfo once a delivery has failed."""
    assert telegram.state.webhook is not None
    info = telegram.state.webhook.to_api()
    return info if info.get("last_error_message") else None


def idle(telegram: Telegram) -> bool:
    return telegram.state.webhook is not None and telegram.state.webhook.pending_count() == 0


@pytest.mark.usefixtures("celery_worker")
async def test_the_same_update_posted_to_both_replicas_is_handled_once(
    telegram: Telegram, redis_server: RedisServer
) -> None:
    claims_url, claims = database(redis_server, CLAIMS_DB)
    update = await queued_update(telegram.state, 9101, "/ping")
    async with (
        replica(redis_server.url, claims_url, telegram.base_url) as first,
        replica(redis_server.url, claims_url, telegram.base_url) as second,
        aiohttp.ClientSession() as session,
    ):
        statuses = await asyncio.gather(*(post_update(session, r.url, update) for r in (first, second)))
        assert sorted(statuses) in ([200, 200], [200, 503]), statuses  # 503: "in flight, come back"
        [reply] = telegram.state.bot_messages(9101)
        assert re.fullmatch(r"pong — \d+ ms", reply.text), reply.text
        # Telegram's redelivery, to either replica: acknowledged, not handled again.
        assert await post_update(session, second.url, update) == 200
        assert await post_update(session, first.url, update) == 200
    assert len(telegram.state.bot_messages(9101)) == 1
    assert claims.get(f"bot:update:{update['update_id']}") == b"done"
    assert 0 < claims.ttl(f"bot:update:{update['update_id']}") <= 86_400


async def test_redis_down_answers_503_and_the_emulator_retry_delivers_once(telegram: Telegram) -> None:
    redis = RedisServer()  # its own: this test stops it
    try:
        async with (
            replica(redis.url, redis.url, telegram.base_url) as bot,
            aiohttp.ClientSession() as session,
        ):
            await bot.handler.bot.set_webhook(url=bot.url, secret_token=SECRET)
            redis.stop()
            await ChatClient(telegram.state, 9102).send("/help")
            info = await async_wait_for(lambda: failing(telegram), 15, "a failed webhook delivery")
            assert "503" in info["last_error_message"]
            async with session.get(bot.base_url + "/readyz") as ready:
                assert ready.status == 503
            async with session.get(bot.base_url + "/healthz") as alive:
                assert alive.status == 200
            assert telegram.state.bot_messages(9102) == []
            redis = RedisServer(port=redis.port)
            await async_wait_for(lambda: telegram.state.bot_messages(9102), 20, "the retried update's reply")
            await async_wait_for(lambda: idle(telegram), 10, "no update pending")
            async with session.get(bot.base_url + "/readyz") as ready:
                assert ready.status == 200
        assert len(telegram.state.bot_messages(9102)) == 1
        assert "/ping" in telegram.state.bot_messages(9102)[0].text
    finally:
        redis.stop()


async def test_a_stopping_replica_answers_the_update_in_hand_first(
    telegram: Telegram, redis_server: RedisServer
) -> None:
    claims_url, claims = database(redis_server, CLAIMS_DB + 1)
    telegram.faults.send_delay = 2.0  # longer than aiohttp alone waits (1 s): the drain must wait
    update = await queued_update(telegram.state, 9103, "/help")
    async with replica(redis_server.url, claims_url, telegram.base_url) as bot, aiohttp.ClientSession() as s:
        posting = asyncio.create_task(post_update(s, bot.url, update))
        await async_wait_for(lambda: bot.handler.in_flight == 1, 10, "the update to be in hand")
        await bot.server.stop()
        assert posting.done()
        assert await posting == 200
    assert len(telegram.state.bot_messages(9103)) == 1
    assert claims.get(f"bot:update:{update['update_id']}") == b"done"


@pytest.mark.usefixtures("celery_worker")
async def test_a_burst_spread_over_both_replicas_gets_every_reply_once(
    telegram: Telegram, redis_server: RedisServer
) -> None:
    claims_url, claims = database(redis_server, CLAIMS_DB + 2)
    chats, per_chat = range(20_000, 22_000), 1  # distinct users: one user's flood is throttled
    async with (
        replica(redis_server.url, claims_url, telegram.base_url) as first,
        replica(redis_server.url, claims_url, telegram.base_url) as second,
        balancer(first.url, second.url) as proxy,
    ):
        await first.handler.bot.set_webhook(url=proxy, secret_token=SECRET, max_connections=40)
        for _ in range(per_chat):
            for chat_id in chats:
                await ChatClient(telegram.state, chat_id).send("/ping")

        def replies() -> int | None:
            count = sum(len(telegram.state.bot_messages(chat_id)) for chat_id in chats)
            return count if count >= len(chats) * per_chat else None

        await async_wait_for(replies, 60, "2,000 replies")
        await async_wait_for(lambda: idle(telegram), 10, "every update delivered")
        await first.handler.bot.delete_webhook()
    for chat_id in chats:
        texts = [message.text for message in telegram.state.bot_messages(chat_id)]
        assert len(texts) == per_chat, (chat_id, texts)
        assert all(re.fullmatch(r"pong — \d+ ms", text) for text in texts), texts
    assert claims.dbsize() == len(chats) * per_chat
    assert telegram.state.webhook is None


async def test_a_poison_update_is_answered_and_skipped_and_the_next_one_handled(
    telegram: Telegram, redis_server: RedisServer
) -> None:
    """An update aiogram cannot parse gets 200 (else Telegram redelivers it for a day) and a log line."""
    claims_url, claims = database(redis_server, CLAIMS_DB + 3)
    poison = {"update_id": 777001, "message": {"message_id": "not a number", "chat": "nor a chat"}}
    good = await queued_update(telegram.state, 9105, "/help")
    async with (
        replica(redis_server.url, claims_url, telegram.base_url) as bot,
        aiohttp.ClientSession() as session,
    ):
        with structlog.testing.capture_logs() as logged:
            assert await post_update(session, bot.url, poison) == 200
        assert [line["update_id"] for line in logged if line["event"] == "update_skipped"] == [777001]
        assert claims.exists("bot:update:777001") == 0  # skipped before any claim
        assert await post_update(session, bot.url, good) == 200  # the replica goes on
        assert await post_update(session, bot.url, {"no": "update_id"}) == 400
    assert len(telegram.state.bot_messages(9105)) == 1
    assert claims.get(f"bot:update:{good['update_id']}") == b"done"
