"""The schedule commands end to end: the real bot long-polling the emulator, the real store in Redis
(database 25 of the session's redis-server), getChatMember answered by the emulator."""

import re

from bot.front_door import SLOW_DOWN
from bot.schedules.admins import ADMINS_ONLY
from devtools.emulator.state import ChatMessage
from tests.support.chat import ChatClient
from tests.support.processes import RedisServer
from tests.support.schedules import SCHEDULED, polling_schedules_bot
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for

DB = 25


async def says(telegram: Telegram, chat_id: int, user_id: int, text: str) -> ChatMessage:
    """`user_id` writes `text` in the group `chat_id`; the bot's first reply after it."""
    sent = await telegram.state.user_posts(chat_id, text, user_id=user_id)

    def reply() -> ChatMessage | None:
        later = [m for m in telegram.state.bot_messages(chat_id) if m.message_id > sent.message_id]
        return later[0] if later else None

    return await async_wait_for(reply, 15, f"a reply to {text!r} in chat {chat_id}")


async def test_create_list_cancel_and_unsubscribe_in_a_private_chat(
    redis_server: RedisServer, telegram: Telegram
) -> None:
    async with polling_schedules_bot(redis_server, DB, telegram, min_interval=5):
        chat = ChatClient(telegram.state, 5101)
        every = SCHEDULED.fullmatch((await chat.reply_to("/every 10s ping")).text)
        assert every
        assert (every[2], every[3][-4:]) == ("every 10s — ping", " UTC")
        assert (await chat.reply_to("/timezone Europe/Berlin")).text.startswith(
            "Time zone set to Europe/Berlin"
        )
        daily = SCHEDULED.fullmatch((await chat.reply_to("/daily 07:30 report")).text)
        assert daily
        assert re.fullmatch(r"\S+ 07:30:00 CES?T \(Europe/Berlin\)", daily[3]), daily[3]
        listed = (await chat.reply_to("/schedules")).text.splitlines()
        assert listed[0] == "Schedules in this chat (time zone Europe/Berlin):"
        assert [line.split(" — ")[:3] for line in listed[1:]] == [
            [every[1], "every 10s", "ping"],
            [daily[1], "daily 07:30", "report"],
        ]  # fmt: skip  (ordered by next run)
        assert (await chat.reply_to(f"/cancel {every[1]}")).text == f"Removed schedule {every[1]}."
        assert (await chat.reply_to("/every 1s ping")).text.startswith("Every 1s is too often")
        assert (await chat.reply_to("/unsubscribe")).text == (
            "This chat was not subscribed. Removed its 1 schedule too."
        )
        assert (await chat.reply_to("/schedules")).text.startswith("No schedules in this chat.")
        assert (await chat.reply_to("/subscribe")).text.startswith("Subscribed.")
        assert (await chat.reply_to("/every 1h ping")).text.startswith("Scheduled ")
        assert (await chat.reply_to("/every 2h ping")).text.startswith("Scheduled ")
        assert (await chat.reply_to("/unsubscribe")).text == (
            "Unsubscribed. No more scheduled notifications here. Removed its 2 schedules too."
        )
        assert (await chat.reply_to("/schedules")).text.startswith("No schedules in this chat.")


async def test_in_a_group_only_administrators_change_schedules(
    redis_server: RedisServer, telegram: Telegram
) -> None:
    owner, member = 6001, 6002
    telegram.state.add_chat(-5201, "supergroup", creator=owner)
    async with polling_schedules_bot(redis_server, DB, telegram):
        assert (await says(telegram, -5201, member, "/every 1h ping")).text == ADMINS_ONLY
        created = SCHEDULED.fullmatch((await says(telegram, -5201, owner, "/every 1h ping")).text)
        assert created
        assert (await says(telegram, -5201, member, "/schedules")).text.splitlines()[1].startswith(created[1])
        assert (await says(telegram, -5201, member, f"/cancel {created[1]}")).text == ADMINS_ONLY
        telegram.state.set_member_status(-5201, member, "administrator")
        reply = await says(telegram, -5201, member, f"/cancel {created[1]}")
        assert reply.text == f"Removed schedule {created[1]}."
        assert telegram.state.method_calls["getChatMember"] == 4  # /schedules asks nothing


async def test_the_commands_are_throttled_like_the_others(
    redis_server: RedisServer, telegram: Telegram
) -> None:
    async with polling_schedules_bot(redis_server, DB, telegram):
        chat = ChatClient(telegram.state, 5301)
        replies = [(await chat.reply_to("/schedules")).text for _ in range(5)]
        assert all(reply.startswith("No schedules in this chat.") for reply in replies)
        assert (await chat.reply_to("/schedules")).text == SLOW_DOWN  # 5 per 10 s
        assert (await chat.reply_to("/every 1h ping")).text.startswith("Scheduled ")  # another command
