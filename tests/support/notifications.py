"""Subscribing chats straight in Redis and counting what the emulator received."""

from collections import Counter

import redis

from bot.emulator.state import EmulatorState
from core.subscriptions import SUBSCRIBERS_KEY


def subscribe_chats(
    client: redis.Redis, state: EmulatorState, chat_ids: list[int], group_ids: list[int] = ()  # type: ignore[assignment]
) -> None:
    """Subscribes the chats (and creates them in the emulator) after clearing every subscription."""
    client.delete(SUBSCRIBERS_KEY)
    mapping = {str(c): "private" for c in chat_ids} | {str(g): "group" for g in group_ids}
    for chat_id in chat_ids:
        state.add_chat(chat_id, "private")
    for group_id in group_ids:
        state.add_chat(group_id, "group")
    if mapping:
        client.hset(SUBSCRIBERS_KEY, mapping=mapping)


def received(state: EmulatorState, marker: str = "System health") -> Counter[int]:
    """How many bot messages containing `marker` each chat received."""
    return Counter(
        message.chat_id
        for messages in state.messages.values()
        for message in messages
        if message.from_bot and marker in message.text
    )
