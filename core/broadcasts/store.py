"""Broadcasts in Redis: one hash per broadcast, its state changed only by compare-and-set scripts.

    draft ──Send──▶ running ──all counted──▶ done
      │               │
    Cancel          Stop ──▶ stopping ──(chunks stopped)──▶ stopped
      ▼
    cancelled

Progress counters (`sent`, `failed`, `blocked`) are incremented by the delivery ledger when a chat's
claim is first confirmed (tasks/delivery/ledger.py), so a redelivered chunk never counts a chat twice;
`total` is written once the start task has enqueued every chunk.
"""

import time
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from core.broadcasts.scripts import COMPLETE, TRANSITION

PREFIX = "broadcasts"
KEEP_SECONDS = 7 * 86400


class State(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    DONE = "done"
    CANCELLED = "cancelled"


FINAL = frozenset({State.DONE, State.STOPPED, State.CANCELLED})


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    state: State
    admin_chat: int
    source_chat: int
    source_message: int
    panel_message: int
    total: int | None
    sent: int
    failed: int
    blocked: int
    started: float | None
    summarized: bool
    changed: float | None = None  # when the state last moved (epoch seconds)

    @property
    def counted(self) -> int:
        return self.sent + self.failed + self.blocked


class BroadcastStore:
    def __init__(self, redis: Redis, prefix: str = PREFIX) -> None:
        self._redis = redis
        self._prefix = prefix
        self._active = f"{prefix}:active"
        self._transition = redis.register_script(TRANSITION)
        self._complete = redis.register_script(COMPLETE)

    def counts_key(self, broadcast_id: int) -> str:
        """The hash the ledger counts confirmed chats into (fields sent, failed, blocked)."""
        return f"{self._prefix}:{broadcast_id}"

    async def create(self, admin_chat: int, source_chat: int, source_message: int) -> int:
        broadcast_id = int(await self._redis.incr(f"{self._prefix}:seq"))
        key = self.counts_key(broadcast_id)
        fields: dict[FieldT, EncodableT] = {
            "state": State.DRAFT.value,
            "admin_chat": admin_chat,
            "source_chat": source_chat,
            "source_message": source_message,
            "panel_message": 0,
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=fields)
            pipe.expire(key, KEEP_SECONDS)
            await pipe.execute()
        return broadcast_id

    async def set_panel(self, broadcast_id: int, message_id: int) -> None:
        await self._redis.hset(self.counts_key(broadcast_id), "panel_message", message_id)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        raw = await self._redis.hgetall(self.counts_key(broadcast_id))
        if not raw:
            return None
        v = {_text(key): _text(value) for key, value in raw.items()}
        return Broadcast(
            broadcast_id, State(v["state"]), int(v["admin_chat"]), int(v["source_chat"]),
            int(v["source_message"]), int(v["panel_message"]),
            int(v["total"]) if "total" in v else None, int(v.get("sent", 0)), int(v.get("failed", 0)),
            int(v.get("blocked", 0)), float(v["started"]) if "started" in v else None, "summarized" in v,
            float(v["changed"]) if "changed" in v else None,
        )  # fmt: skip

    async def state(self, broadcast_id: int) -> State | None:
        value = await self._redis.hget(self.counts_key(broadcast_id), "state")
        return State(_text(value)) if value is not None else None

    async def move(self, broadcast_id: int, to: State, *allowed: State) -> bool:
        """Compare-and-set: `to` if the state is one of `allowed`; False otherwise (nothing changed)."""
        keys = [self.counts_key(broadcast_id), self._active]
        args = [to.value, broadcast_id, f"{time.time():.3f}", *(state.value for state in allowed)]
        return bool(await self._transition(keys=keys, args=args))

    async def complete(self, broadcast_id: int) -> bool:
        """running → done once sent + failed + blocked reached the total; True for the one who moved it."""
        return bool(
            await self._complete(keys=[self.counts_key(broadcast_id), self._active], args=[broadcast_id])
        )

    async def set_total(self, broadcast_id: int, total: int) -> None:
        await self._redis.hset(self.counts_key(broadcast_id), "total", total)

    async def add_failed(self, broadcast_id: int, count: int) -> None:
        await self._redis.hincrby(self.counts_key(broadcast_id), "failed", count)

    async def mark_summarized(self, broadcast_id: int) -> None:
        await self._redis.hset(self.counts_key(broadcast_id), "summarized", 1)

    async def active(self) -> list[int]:
        return sorted(int(_text(member)) for member in await self._redis.smembers(self._active))

    async def take_edit_slot(self, broadcast_id: int, seconds: float) -> float:
        """0.0 if this caller may edit the panel now (the slot is then held `seconds`); else the seconds
        until the slot is free. Shared by every process: one edit per slot."""
        if await self._redis.set(self._slot_key(broadcast_id), 1, nx=True, px=int(seconds * 1000)):
            return 0.0
        return max(1, int(await self._redis.pttl(self._slot_key(broadcast_id)))) / 1000

    async def rearm_edit_slot(self, broadcast_id: int, seconds: float) -> None:
        """After an edit was answered: the next one waits `seconds` from now, however long this one
        took to reach Telegram (a wait for the limiter, a slow request)."""
        await self._redis.set(self._slot_key(broadcast_id), 1, px=int(seconds * 1000))

    def _slot_key(self, broadcast_id: int) -> str:
        return f"{self._prefix}:{broadcast_id}:edit-slot"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
