"""Delivering updates to a webhook as Telegram does: POSTs with the secret header, at most
`max_connections` at once, one at a time per chat (in order), retried with backoff until a 2xx."""

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from devtools.emulator.state import CLOSE_CHECK, EmulatorState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  # a header name
RETRY_FIRST, RETRY_MAX = 0.1, 2.0  # seconds; Telegram waits longer, a sandbox should not
POST_TIMEOUT = 60.0  # Telegram gives a webhook about a minute


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat (or user) an update belongs to: updates of one chat are delivered in order. None for an
    update of no recognisable shape (an injected poison update): it is delivered on its own lane."""
    payload = next((v for k, v in update.items() if k != "update_id"), None)
    if not isinstance(payload, dict):
        return None
    message = payload.get("message")
    for owner in (payload.get("chat"), message.get("chat") if isinstance(message, dict) else None):
        if isinstance(owner, dict) and isinstance(owner.get("id"), int):
            return int(owner["id"])
    sender = payload.get("from")
    return int(sender["id"]) if isinstance(sender, dict) and isinstance(sender.get("id"), int) else None


@dataclass
class WebhookDelivery:
    state: EmulatorState
    url: str
    secret: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] = field(default_factory=list)
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0
    _lanes: dict[int | None, deque[dict[str, Any]]] = field(default_factory=dict)
    _lane_tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _task: asyncio.Task[None] | None = None
    _stopping: bool = False

    def start(self) -> None:
        self.state.webhook = self
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Undelivered updates go back to the state's queue (for getUpdates or the next webhook)."""
        self._stopping = True
        if self.state.webhook is self:
            self.state.webhook = None
        if self._task is not None:
            await self._task

    @property
    def active(self) -> bool:
        return self.state.webhook is self and not self.state.closing

    def pending_count(self) -> int:
        return sum(len(lane) for lane in self._lanes.values()) + self.state.pending_count()

    def to_api(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": self.pending_count(),
            "max_connections": self.max_connections,
        }
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            info.update(last_error_date=self.last_error_date, last_error_message=self.last_error_message)
        return info

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            slots = asyncio.Semaphore(self.max_connections)
            offset = 0
            while self.active:
                for update in await self.state.take_updates(offset, 100, CLOSE_CHECK):
                    offset = int(update["update_id"]) + 1
                    self._enqueue(update, session, slots)
            for task in list(self._lane_tasks):
                task.cancel()
            await asyncio.gather(*self._lane_tasks, return_exceptions=True)
        if self._stopping:  # not after a `reset`: the state is then a new one
            await self.state.take_updates(offset, 0, 0)  # confirms what was taken
            self.state.requeue([update for lane in self._lanes.values() for update in lane])

    def _enqueue(
        self, update: dict[str, Any], session: aiohttp.ClientSession, slots: asyncio.Semaphore
    ) -> None:
        kind = next((key for key in update if key != "update_id"), "")
        if self.allowed_updates and kind not in self.allowed_updates:
            return  # Telegram does not keep updates of types the bot did not ask for
        chat = chat_of(update)
        lane = self._lanes.get(chat)
        if lane is None:
            lane = self._lanes[chat] = deque()
            task = asyncio.create_task(self._drain_lane(chat, lane, session, slots))
            self._lane_tasks.add(task)
            task.add_done_callback(self._lane_tasks.discard)
        lane.append(update)

    async def _drain_lane(
        self,
        chat: int | None,
        lane: deque[dict[str, Any]],
        session: aiohttp.ClientSession,
        slots: asyncio.Semaphore,
    ) -> None:
        attempt = 0
        while lane and self.active:
            async with slots:
                error = await self._post(session, lane[0])
            if error is None:
                lane.popleft()
                self.delivered += 1
                attempt = 0
                continue
            self.last_error_date, self.last_error_message = int(time.time()), error
            await asyncio.sleep(min(RETRY_FIRST * 2**attempt, RETRY_MAX))  # backoff before a retry
            attempt += 1
        if not lane:
            del self._lanes[chat]

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> str | None:
        """None once the webhook answered 2xx; else the error getWebhookInfo reports."""
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        try:
            async with session.post(self.url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {type(exc).__name__}"
