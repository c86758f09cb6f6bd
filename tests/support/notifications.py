"""Subscribing chats straight in Redis and counting what the emulator received."""

import asyncio
from collections import Counter
from collections.abc import Sequence

import redis
from redis.typing import EncodableT, FieldT

from core.subscriptions import SUBSCRIBERS_KEY
from devtools.emulator.state import ChatType, EmulatorState
from tasks.contracts import FanOutReport
from tasks.registry import TasksRegistry

BATCH = 10_000  # fields per HSET: 100,000 chats take a second


def subscribe_chats(
    client: redis.Redis,
    chat_ids: Sequence[int],
    group_ids: Sequence[int] = (),
    *,
    state: EmulatorState | None = None,
) -> None:
    """Replaces every subscription with these private chats and groups, in one pipeline; with `state`,
    the emulator knows the chats too."""
    chats: list[tuple[int, ChatType]] = [(c, "private") for c in chat_ids] + [(g, "group") for g in group_ids]
    if state is not None:
        for chat_id, chat_type in chats:
            state.add_chat(chat_id, chat_type)
    with client.pipeline() as pipe:
        pipe.delete(SUBSCRIBERS_KEY)
        for start in range(0, len(chats), BATCH):
            mapping: dict[FieldT, EncodableT] = {str(c): kind for c, kind in chats[start : start + BATCH]}
            pipe.hset(SUBSCRIBERS_KEY, mapping=mapping)
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
