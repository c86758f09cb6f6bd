import asyncio
from dataclasses import dataclass, field

from aiogram import Bot


@dataclass(frozen=True, slots=True)
class CopySource:
    """A message to copy (`copyMessage`) instead of sending a text: a broadcast's."""

    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """One delivery task's work: `text` for tick `tick`, claimed as `owner` (the Celery task id),
    until `deadline` (a `time.monotonic()` value).

    Optional: `copy` sends a copy of that message instead of `text`; `progress` names a Redis hash
    where each chat's outcome is counted once, when its claim is first confirmed (fields `sent`,
    `failed`, `blocked`); `stop`, once set, ends the chunk (what is unsent comes back as RETRY)."""

    tick: str
    text: str
    owner: str
    deadline: float
    concurrency: int
    copy: CopySource | None = None
    progress: str | None = None
    stop: asyncio.Event | None = None


@dataclass
class ChunkRun:
    """One chunk being sent. `taken`: the chats it has taken on, so a chat reached twice within the
    chunk (its own entry and a migrated group's new id) is sent once."""

    bot: Bot
    job: DeliveryJob
    taken: set[int] = field(default_factory=set)
    revoked: bool = False

    async def send(self, chat_id: int) -> None:
        """The job's message into `chat_id`: its text, or a copy of its `copy` source."""
        source = self.job.copy
        if source is None:
            await self.bot.send_message(chat_id, self.job.text)
        else:
            await self.bot.copy_message(chat_id, source.chat_id, source.message_id)

    @property
    def stopped(self) -> bool:
        return self.job.stop is not None and self.job.stop.is_set()
