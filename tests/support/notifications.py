"""Subscribing chats straight in Redis and counting what the emulator received."""

import asyncio
from collections import Counter
from collections.abc import Sequence

import redis

from core.subscriptions import SUBSCRIBERS_KEY
from devtools.emulator.state import EmulatorState
from tasks.contracts import FanOutReport
from tasks.registry import TasksRegistry


def subscribe_chats(
    client: redis.Redis,
    state: EmulatorState,
    chat_ids: list[int],
    group_ids: Sequence[int] = (),
) -> None:
    """Subscribes the chats (and creates them in the emulator) after clearing every subscription."""
    client.delete(SUBSCRIBERS_KEY)
    mapping = {str(c): "private" for c in chat_ids} | {str(g): "group" for g in group_ids}
    for chat_id in chat_ids:
        state.add_chat(chat_id, "private")
    for group_id in group_ids:
        state.add_chat(group_id, "group")
    with client.pipeline() as pipe:
        for key, chat_type in mapping.items():
            pipe.hset(SUBSCRIBERS_KEY, key, chat_type)
        pipe.execute()


async def fan_out(registry: TasksRegistry, tick: str) -> FanOutReport:
    """Runs a fan-out for `tick` and waits for its report in a thread: the emulator shares this loop,
    and blocking it would bunch up the workers' requests (and trip its flood limits)."""
    result = registry.fan_out.apply_async(kwargs={"tick": tick})
    return await asyncio.to_thread(result.get, timeout=20)


def received(state: EmulatorState, marker: str = "System health") -> Counter[int]:
    """How many bot messages containing `marker` each chat received."""
    return Counter(
        message.chat_id
        for messages in state.messages.values()
        for message in messages
        if message.from_bot and marker in message.text
    )
