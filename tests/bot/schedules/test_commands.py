"""The schedule commands' handlers: the bot's real Dispatcher fed updates, a session answering
getChatMember, the schedule store (end-to-end tests with worker, beat and emulator: test_schedules_e2e)."""

import re
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import pytest
from aiogram.types import Chat, Message, Update

from bot.schedules.admins import ADMINS_ONLY
from core.settings import SchedulesSettings
from tests.support.processes import RedisServer
from tests.support.schedules import USER, ScheduleBot, schedule_bot

GROUP = -100500
WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
ADMINS_ONLY_HTML = ADMINS_ONLY  # nothing to escape


DB = 24  # this module's database of the session's redis-server


def bot_on(
    server: RedisServer,
    min_interval: int = 60,
    max_per_chat: int = 10,
    statuses: dict[int, str] | None = None,
) -> AbstractAsyncContextManager[ScheduleBot]:
    settings = SchedulesSettings(min_interval=min_interval, max_per_chat=max_per_chat)
    return schedule_bot(server, DB, settings, statuses)


async def test_every_confirms_with_the_first_run_and_lists_it(redis_server: RedisServer) -> None:
    async with bot_on(redis_server) as bot:
        reply = await bot.reply_to("/every 30m ping")
        found = re.fullmatch(
            rf"Scheduled (\w+): every 30m — ping\. First run: ({WHEN}) UTC\. Remove it with /cancel \1\.",
            reply,
        )
        assert found, reply
        [(schedule, _)] = await bot.store.list_chat(7)
        assert (schedule.id, schedule.task, schedule.args, schedule.created_by) == (
            found[1],
            "ping",
            (),
            USER,
        )
        listed = await bot.reply_to("/schedules")
        assert (
            listed
            == f"Schedules in this chat (time zone UTC):\n{found[1]} — every 30m — ping — next {found[2]} UTC"
        )
        assert bot.session.member_calls == []  # a private chat: no admin check


async def test_times_are_in_the_chats_zone(redis_server: RedisServer) -> None:
    async with bot_on(redis_server) as bot:
        assert (await bot.reply_to("/timezone")).startswith("This chat's time zone is UTC (now ")
        assert await bot.reply_to("/timezone europe/berlin") == (
            "Time zone set to Europe/Berlin: /daily and /cron schedules here now run on its clock."
        )
        reply = await bot.reply_to("/daily 09:00 report")
        assert re.fullmatch(
            r"Scheduled \w+: daily 09:00 — report\. First run: \S+ 09:00:00 CES?T \(Europe/Berlin\)\. .*",
            reply,
        )
        assert re.search(r"— next \S+ 09:00:00 CES?T \(Europe/Berlin\)$", await bot.reply_to("/schedules"))
        assert "time zone is Europe/Berlin" in await bot.reply_to("/timezone")


async def test_cron_and_cancel(redis_server: RedisServer) -> None:
    async with bot_on(redis_server) as bot:
        first = re.search(r"Scheduled (\w+)", await bot.reply_to("/cron 0 9 * * 1-5 report"))
        await bot.reply_to("/every 1h ping")
        assert first
        assert await bot.reply_to(f"/cancel {first[1]}") == f"Removed schedule {first[1]}."
        assert (
            await bot.reply_to(f"/cancel {first[1]}")
            == f"No schedule “{first[1]}” in this chat. /schedules lists the ids."
        )
        assert await bot.reply_to("/cancel all") == "Removed this chat's 1 schedule."
        assert await bot.reply_to("/cancel all") == "This chat has no schedules; nothing to remove."
        assert await bot.reply_to("/schedules") == (
            "No schedules in this chat. Create one, e.g. /every 30m ping or /daily 09:00 report."
        )


async def test_another_chats_schedule_cannot_be_cancelled(redis_server: RedisServer) -> None:
    async with bot_on(redis_server) as bot:
        found = re.search(r"Scheduled (\w+)", await bot.reply_to("/every 1h ping", chat_id=8))
        assert found
        assert (
            await bot.reply_to(f"/cancel {found[1]}")
            == f"No schedule “{found[1]}” in this chat. /schedules lists the ids."
        )
        assert len(await bot.store.list_chat(8)) == 1


async def test_too_many_schedules_is_one_line(redis_server: RedisServer) -> None:
    async with bot_on(redis_server, max_per_chat=2) as bot:
        for _ in range(2):
            assert (await bot.reply_to("/every 1h ping")).startswith("Scheduled ")
        assert await bot.reply_to("/every 1h ping") == (
            "This chat already has 2 schedules, the most allowed. Remove one first: /cancel &lt;id&gt;."
        )


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        (
            "/every 30m <b>",
            "Unknown task “&lt;b&gt;”. Schedulable tasks: ping (the workers' round trip), "
            "report (the health report). Usage: /every",
        ),
        ("/every 4s ping", "Every 4s is too often: the shortest interval here is 5s. Usage: /every"),
        ("/every", "Usage: /every &lt;N&gt;&lt;s|m|h|d&gt; &lt;task&gt; [args], e.g. /every 30m ping"),
        ("/daily 25:00 ping", "“25:00” is not a time of day: write HH:MM, 00:00 to 23:59. Usage: /daily"),
        ("/cron 0 24 * * * ping", "Bad hour field: allowed 0-23. Usage: /cron"),
        ("/cancel", "Usage: /cancel &lt;id&gt;|all, e.g. /cancel k3x9a"),
        (
            "/timezone Mars/Base",
            "Unknown time zone “Mars/Base”. Use an IANA name, e.g. /timezone Europe/Berlin",
        ),
        ("/schedules please", "/schedules takes no arguments. Send just: /schedules"),
    ],
)
async def test_bad_input_gets_one_escaped_line(text: str, reply: str, redis_server: RedisServer) -> None:
    async with bot_on(redis_server, min_interval=5) as bot:
        [answer] = await bot.replies_to(text)
        assert answer.startswith(reply)
        assert "\n" not in answer
        assert await bot.store.list_chat(7) == []


async def test_the_minimum_interval_comes_from_the_settings(redis_server: RedisServer) -> None:
    async with bot_on(redis_server, min_interval=5) as bot:
        assert (await bot.reply_to("/every 5s ping")).startswith("Scheduled ")


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
@pytest.mark.parametrize(
    "text", ["/every 1h ping", "/daily 09:00 ping", "/cron * * * * * ping", "/cancel all", "/timezone UTC"]
)
async def test_in_groups_members_may_not_change_schedules(
    chat_type: str, text: str, redis_server: RedisServer
) -> None:
    async with bot_on(redis_server) as bot:
        assert await bot.reply_to(text, GROUP, chat_type) == ADMINS_ONLY_HTML
        assert bot.session.member_calls == [(GROUP, USER)]
        assert await bot.store.list_chat(GROUP) == []


async def test_a_members_unsubscribe_leaves_the_groups_schedules(redis_server: RedisServer) -> None:
    async with bot_on(redis_server, statuses={USER: "creator"}) as bot:
        assert (await bot.reply_to("/every 1h ping", GROUP, "group")).startswith("Scheduled ")
        bot.session.statuses[USER] = "member"
        assert await bot.reply_to("/unsubscribe", GROUP, "group") == (
            "This chat was not subscribed. Its schedules stay: only its administrators can remove them."
        )
        assert len(await bot.store.list_chat(GROUP)) == 1
        bot.session.statuses[USER] = "administrator"
        assert await bot.reply_to("/unsubscribe", GROUP, "group") == (
            "This chat was not subscribed. Removed its 1 schedule too."
        )
        assert await bot.store.list_chat(GROUP) == []


@pytest.mark.parametrize("status", ["creator", "administrator"])
async def test_group_administrators_may(status: str, redis_server: RedisServer) -> None:
    async with bot_on(redis_server, statuses={USER: status}) as bot:
        assert (await bot.reply_to("/every 1h ping", GROUP, "supergroup")).startswith("Scheduled ")
        assert (await bot.reply_to("/cancel all", GROUP, "supergroup")) == "Removed this chat's 1 schedule."


async def test_everyone_may_list_and_see_the_zone(redis_server: RedisServer) -> None:
    async with bot_on(redis_server) as bot:
        assert (await bot.reply_to("/schedules", GROUP, "group")).startswith("No schedules in this chat.")
        assert "time zone is UTC" in await bot.reply_to("/timezone", GROUP, "group")
        assert bot.session.member_calls == []


async def test_an_anonymous_admin_posting_as_the_group_may_and_a_channel_may_not(
    redis_server: RedisServer,
) -> None:
    async with bot_on(redis_server) as bot:
        group = Chat(id=GROUP, type="supergroup")
        reply = await bot.reply_to("/every 1h ping", GROUP, "supergroup", sender_chat=group)
        assert reply.startswith("Scheduled ")
        [(schedule, _)] = await bot.store.list_chat(GROUP)
        assert schedule.created_by == GROUP
        channel = Chat(id=-100777, type="channel")
        assert await bot.reply_to("/cancel all", GROUP, "supergroup", sender_chat=channel) == ADMINS_ONLY_HTML
        assert bot.session.member_calls == []


async def test_every_schedule_command_is_throttled(redis_server: RedisServer) -> None:
    async with bot_on(redis_server) as bot:
        limited = {
            handler.callback.__qualname__
            for router in bot.dispatcher.sub_routers
            for handler in router.message.handlers
            if handler.flags.get("rate_limit") is not None
        }
    commands = ("every", "daily", "cron", "list_schedules", "cancel")
    assert {f"ScheduleCommandController.{name}" for name in commands} <= limited
    assert {"TimezoneCommandController.timezone", "SubscriptionCommandController.unsubscribe"} <= limited


async def test_a_group_that_becomes_a_supergroup_keeps_its_schedules_at_once(
    redis_server: RedisServer,
) -> None:
    async with schedule_bot(redis_server, 30, SchedulesSettings()) as bot:
        await bot.reply_to("/every 30m ping", GROUP, "group", sender_chat=Chat(id=GROUP, type="group"))
        supergroup = Chat(id=-1000000100500, type="supergroup")
        service = Message(message_id=2, date=datetime.now(UTC), chat=supergroup, migrate_from_chat_id=GROUP)
        await bot.dispatcher.feed_update(bot.bot, Update(update_id=2, message=service))
        assert await bot.store.list_chat(GROUP) == []
        [(schedule, _)] = await bot.store.list_chat(supergroup.id)
        assert (schedule.chat_id, schedule.task) == (supergroup.id, "ping")
        assert bot.session.delivered[1:] == [], "a service message gets no answer"
