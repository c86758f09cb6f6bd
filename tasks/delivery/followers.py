"""Who else follows a chat that goes away (403) or migrates: the sender tells them after the subscription
store. Injected in ioc/worker.py (the per-chat schedules' store); nobody by default."""

from typing import Protocol


class ChatFollower(Protocol):
    async def forget_chat(self, chat_id: int) -> int: ...

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int: ...


class NoFollower:
    async def forget_chat(self, chat_id: int) -> int:
        return 0

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        return 0
