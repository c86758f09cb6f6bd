"""Driving an admin's broadcast through the emulator, and reading what it did."""

from collections import Counter
from itertools import pairwise

import punq
from redis.asyncio import Redis

from core.broadcasts.panel import Action, BroadcastButton
from core.broadcasts.store import BroadcastStore, State
from core.settings import AdminSettings
from devtools.emulator.messages import Media
from devtools.emulator.state import ChatMessage, EmulatorState
from tests.support.containers import make_container
from tests.support.waiting import async_wait_for


def admin_container(redis_url: str, api_base_url: str, *admins: int) -> punq.Container:
    """The bot's container on this Redis and emulator, with these admins."""
    container = make_container(redis_url, api_base_url, task_timeout=10)
    container.register(AdminSettings, instance=AdminSettings(user_ids=frozenset(admins)))
    return container


def copies(state: EmulatorState, caption: str, chats: set[int] | None = None) -> Counter[int]:
    """How many copies of a photo captioned `caption` the bot put in each chat (of `chats`)."""
    return Counter(
        m.chat_id
        for messages in state.messages.values()
        for m in messages
        if m.from_bot and m.caption == caption and (chats is None or m.chat_id in chats)
    )


def button(action: Action, broadcast_id: int) -> str:
    return BroadcastButton(action=action, id=broadcast_id).pack()


async def bot_message_after(state: EmulatorState, chat_id: int, after: int, starts: str) -> ChatMessage:
    """The first bot message in `chat_id` after message `after` whose text starts with `starts`."""

    def found() -> ChatMessage | None:
        later = [m for m in state.bot_messages(chat_id) if m.message_id > after and m.text.startswith(starts)]
        return later[0] if later else None

    return await async_wait_for(found, 20, f"a bot message starting {starts!r} in chat {chat_id}")


async def answer_to(state: EmulatorState, query_id: str) -> str:
    """The text the bot answered a button press with."""
    answer = await async_wait_for(lambda: state.callback_answers.get(query_id), 15, "the button's answer")
    return str(answer.get("text", ""))


def gaps(message: ChatMessage) -> list[float]:
    """Seconds between consecutive edits of `message`."""
    return [later - earlier for earlier, later in pairwise(message.edit_times)]


async def running_broadcast(redis_url: str, state: EmulatorState, admin: int, caption: str) -> int:
    """A broadcast already sent by `admin` (as the Send button leaves it): the photo to copy and the panel
    in the admin's chat, the broadcast running in Redis. Returns its id; publish `broadcasts.start`."""
    if admin not in state.chats:
        state.add_chat(admin)
    photo = await state.user_posts(admin, media=Media.new("photo", "sale.jpg"), caption=caption)
    panel = await state.bot_says(admin, "Broadcast: starting…", None)
    redis = Redis.from_url(redis_url)
    try:
        store = BroadcastStore(redis)
        broadcast_id = await store.create(admin, admin, photo.message_id)
        await store.set_panel(broadcast_id, panel.message_id)
        assert await store.move(broadcast_id, State.RUNNING, State.DRAFT)
    finally:
        await redis.aclose()
    return broadcast_id
