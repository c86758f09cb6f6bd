"""/subscribe, /unsubscribe, /status through the real bot and Redis (no worker needed)."""

import re

from tests.support.chat import ChatClient
from tests.support.processes import RedisServer
from tests.support.telegram import Telegram

NOT_SUBSCRIBED = "This chat is not subscribed. Send /subscribe to get notifications."
UNSUBSCRIBED = "Unsubscribed. No more scheduled notifications here."
NEXT = r"Next notification: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(every 300 s\)\."


async def test_subscribe_is_idempotent_and_visible_in_status(
    telegram: Telegram, running_bot: object, redis_server: RedisServer
) -> None:
    chat = ChatClient(telegram.state, 3001)
    redis_server.client.hdel("notifications:subscribers", "3001")

    assert (await chat.reply_to("/status")).text == NOT_SUBSCRIBED
    assert re.fullmatch(f"Subscribed. {NEXT}", (await chat.reply_to("/subscribe")).text)
    assert re.fullmatch(f"This chat is already subscribed. {NEXT}", (await chat.reply_to("/subscribe")).text)
    assert re.fullmatch(f"This chat is subscribed. {NEXT}", (await chat.reply_to("/status")).text)
    assert redis_server.client.hget("notifications:subscribers", "3001") == b"private"

    assert (await chat.reply_to("/unsubscribe")).text == UNSUBSCRIBED
    assert (await chat.reply_to("/unsubscribe")).text == "This chat was not subscribed; nothing to do."
    assert not redis_server.client.hexists("notifications:subscribers", "3001")


async def test_group_subscription_records_the_chat_type(
    telegram: Telegram, running_bot: object, redis_server: RedisServer
) -> None:
    group = ChatClient(telegram.state, -3002, "group")
    redis_server.client.hdel("notifications:subscribers", "-3002")

    assert re.fullmatch(f"Subscribed. {NEXT}", (await group.reply_to("/subscribe")).text)
    assert redis_server.client.hget("notifications:subscribers", "-3002") == b"group"
    assert (await group.reply_to("/unsubscribe")).text == UNSUBSCRIBED


async def test_subscribe_with_arguments_explains_usage(telegram: Telegram, running_bot: object) -> None:
    reply = await ChatClient(telegram.state, 3003).reply_to("/subscribe daily")
    assert reply.text == "/subscribe takes no arguments. Send just: /subscribe"
