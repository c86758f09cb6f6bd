"""An admin's broadcast end to end: the polling bot, a real worker on its own Redis database, the emulator
with Telegram's flood limits. Non-admins refused, bad input answered, Cancel, Send (twice), live progress
at most one edit per 3 s, the final summary, Stop, then /stats."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from core.broadcasts.panel import EDIT_INTERVAL, Action, BroadcastButton
from devtools.emulator.flood import FloodLimits
from devtools.emulator.messages import Media
from devtools.emulator.state import ChatMessage, EmulatorState
from tests.support.broadcasts import admin_container, answer_to, bot_message_after, button, copies, gaps
from tests.support.databases import database
from tests.support.notifications import subscribe_chats
from tests.support.polling import polling
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.workers import wait_ready

ADMIN, STRANGER, SECOND_ADMIN = 9100, 9101, 9102
CHATS = list(range(9300, 9450))  # 150 chats: 5 s of sending at 30 messages/s
NOT_ADMIN = "This command is for the bot's admins."


@contextmanager
def worker_on(env: dict[str, str]) -> Iterator[CeleryWorker]:
    worker = CeleryWorker(env, concurrency=2, name="broadcast")
    try:
        yield worker
    finally:
        worker.stop()


async def post_and_reply(state: EmulatorState, chat: int, caption: str, command: str) -> int:
    """A photo captioned `caption` in `chat`, then `command` as a reply to it; returns the command's id."""
    photo = await state.user_posts(chat, media=Media.new("photo", "sale.jpg"), caption=caption)
    return (await state.user_posts(chat, command, reply_to=photo.message_id)).message_id


async def posted_earlier(state: EmulatorState, chat: int, *captions: str) -> dict[str, int]:
    """Photos the admin posted before the bot ran (it never sees them, so gives them no hint): the
    message id of each caption."""
    posted = {c: await state.user_posts(chat, media=Media.new("photo", "x.jpg"), caption=c) for c in captions}
    state.drop_updates()
    return {caption: message.message_id for caption, message in posted.items()}


async def reply(state: EmulatorState, chat: int, to: int, command: str) -> int:
    return (await state.user_posts(chat, command, reply_to=to)).message_id


def broadcast_of(panel: ChatMessage) -> int:
    """The broadcast id a draft's panel buttons carry."""
    data = (panel.reply_markup or {})["inline_keyboard"][0][0]["callback_data"]
    return BroadcastButton.unpack(data).id


async def draft(state: EmulatorState, admin: int, photo: int) -> ChatMessage:
    """`admin`'s /broadcast of `photo`: the panel asking to send it."""
    asked = await reply(state, admin, photo, "/broadcast")
    return await bot_message_after(state, admin, asked, "Send the message above to 150 subscribed chats?")


async def test_refusals_and_bad_input(telegram: Telegram, redis_server: RedisServer) -> None:
    url, client = database(redis_server, 26)
    state = telegram.state
    state.add_chat(ADMIN)
    state.add_chat(STRANGER)
    async with polling(admin_container(url, telegram.base_url, ADMIN), state):
        asked = await post_and_reply(state, STRANGER, "x", "/broadcast")
        await bot_message_after(state, STRANGER, asked, NOT_ADMIN)
        asked = (await state.user_says(STRANGER, "/stats")).message_id
        await bot_message_after(state, STRANGER, asked, NOT_ADMIN)
        asked = (await state.user_says(ADMIN, "/broadcast")).message_id
        await bot_message_after(state, ADMIN, asked, "Usage: reply to the message to broadcast")
        joined = await state.user_posts(ADMIN, service={"new_chat_title": "x"})
        asked = (await state.user_posts(ADMIN, "/broadcast", reply_to=joined.message_id)).message_id
        await bot_message_after(state, ADMIN, asked, "That message can't be copied")
    answers = [m.text for m in state.bot_messages(STRANGER)]
    assert answers.count(NOT_ADMIN) == 2, answers  # (the photo itself gets the private chat's hint)
    assert not [m for m in state.bot_messages(STRANGER) if m.caption or m.text.startswith("Send")]
    assert not client.keys("broadcasts:*"), "a refusal writes nothing"


async def test_cancel_send_progress_stop_and_stats(
    telegram: Telegram, redis_server: RedisServer, project_env: dict[str, str]
) -> None:
    url, client = database(redis_server, 27)
    state = telegram.state
    subscribe_chats(client, CHATS, state=state)
    state.add_chat(ADMIN)
    state.add_chat(SECOND_ADMIN)
    telegram.faults.enforce_flood_limits(FloodLimits())
    env = {**project_env, "REDIS_URL": url, "DELIVERY_GLOBAL_PER_SECOND": "30"}
    photos = await posted_earlier(state, ADMIN, "Drafted", "Sale")
    photos |= await posted_earlier(state, SECOND_ADMIN, "Oops")  # the Stop, in a chat of its own
    admins = admin_container(url, telegram.base_url, ADMIN, SECOND_ADMIN)
    with worker_on(env) as worker:
        async with polling(admins, state):
            panel = await draft(state, ADMIN, photos["Drafted"])
            assert copies(state, "Drafted") == {ADMIN: 1}, "the preview: a copy in the admin's chat"
            pressed = await state.press_button(ADMIN, panel.message_id, button(Action.CANCEL, 1))
            assert await answer_to(state, pressed) == "Cancelled."
            await async_wait_for(lambda: "cancelled" in panel.text, 10, "the cancelled panel")

            await wait_ready(worker)  # started meanwhile
            sale, oops = await asyncio.gather(  # two chats: neither waits for the other's flood limit
                draft(state, ADMIN, photos["Sale"]), draft(state, SECOND_ADMIN, photos["Oops"])
            )
            sale_id, oops_id = broadcast_of(sale), broadcast_of(oops)
            await state.press_button(SECOND_ADMIN, oops.message_id, button(Action.SEND, oops_id))
            await async_wait_for(lambda: len(copies(state, "Oops", set(CHATS))) >= 10, 20, "sending")
            asked = (await state.user_says(SECOND_ADMIN, "/broadcast_stop")).message_id
            await async_wait_for(
                lambda: client.hget(f"broadcasts:{oops_id}", "state") == b"stopping", 10, "Stop"
            )
            stopped_at = len(copies(state, "Oops", set(CHATS)))

            send = button(Action.SEND, sale_id)  # while the other one stops
            first = await state.press_button(ADMIN, sale.message_id, send)
            second = await state.press_button(ADMIN, sale.message_id, send)
            assert {await answer_to(state, first), await answer_to(state, second)} == {
                "Sending…",
                "Already sent.",
            }
            await bot_message_after(state, SECOND_ADMIN, asked, f"Stopping broadcast #{oops_id}…")
            await async_wait_for(lambda: "stopped" in oops.text, 20, "the stopped summary")
            sent = copies(state, "Oops", set(CHATS))
            assert stopped_at <= sum(sent.values()) <= stopped_at + 2 * 30, "a Stop is honoured within 2 s"
            assert set(sent.values()) == {1}
            assert f"Sent {len(sent)} · " in oops.text

            done = f"Broadcast #{sale_id}: done"
            await async_wait_for(lambda: sale.text.startswith(done), 30, "the summary")
            assert copies(state, "Sale", set(CHATS)) == dict.fromkeys(CHATS, 1)
            assert "Sent 150 · Failed 0 · Blocked 0 of 150 chats" in sale.text
            for panel in (sale, oops):
                assert min(gaps(panel)) >= EDIT_INTERVAL, f"edits too close: {gaps(panel)}"
            assert len(sale.edit_times) >= 3, "starting, at least one progress edit, the summary"

            asked = (await state.user_says(ADMIN, "/stats")).message_id
            stats = await bot_message_after(state, ADMIN, asked, "Subscribers: 150")
    assert f"Last hour: {150 + len(sent)} messages sent, 0 failed, 0 answered 429" in stats.text
    assert "Workers answering: 1" in stats.text
    assert "Per-chat schedules: 0" in stats.text
