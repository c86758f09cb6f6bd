"""Sending one text to a chunk of chats, concurrently, under the shared limiter and the error policy.

| Telegram answers                     | policy                                                     |
|--------------------------------------|------------------------------------------------------------|
| 429 retry_after                      | every worker pauses that long (shared), then retry          |
| 403; 400 "chat not found"            | unsubscribe the chat, log, no retry                         |
| 400 with migrate_to_chat_id          | move the subscription, send once to the new id              |
| 5xx, network error                   | bounded retries with exponential backoff and jitter         |
| 401                                  | stop the chunk, log an error (TokenRevokedError)            |
| other 400                            | log an error, no retry (the message itself is wrong)        |

What is still unsent when the attempts or the chunk's deadline run out comes back as RETRY, for the
Celery task to retry later; nothing is dropped without a log line.
"""

import asyncio
import random
import time
from collections import defaultdict
from enum import StrEnum

import structlog
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from redis.exceptions import RedisError

from core.limiter import TelegramRateLimiter
from core.subscriptions import Subscriber, SubscriptionStore
from tasks.delivery.job import DeliveryJob
from tasks.delivery.ledger import DeliveryLedger

log = structlog.get_logger(__name__)
TRANSIENT_ATTEMPTS = 3
BACKOFF_BASE = 0.5


class Outcome(StrEnum):
    SENT = "sent"
    DUPLICATE = "duplicate"
    UNSUBSCRIBED = "unsubscribed"
    MIGRATED = "migrated"
    FAILED = "failed"
    RETRY = "retry"


class TokenRevokedError(RuntimeError):
    """401 from the Bot API: the token was revoked; nothing can be sent until it is replaced."""


class DeliveryInterruptedError(RuntimeError):
    """The chunk could not finish (Redis failed); the task retries it whole under its own id."""


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: 0.5 s, 1 s, 2 s … scaled by a random factor."""
    return float(BACKOFF_BASE * 2.0**attempt * random.uniform(0.5, 1.5))


class ChunkSender:
    def __init__(
        self, limiter: TelegramRateLimiter, ledger: DeliveryLedger, store: SubscriptionStore
    ) -> None:
        self._limiter = limiter
        self._ledger = ledger
        self._store = store

    async def send_chunk(
        self, bot: Bot, job: DeliveryJob, subscribers: list[Subscriber]
    ) -> dict[Outcome, list[Subscriber]]:
        gate = asyncio.Semaphore(job.concurrency)

        async def one(subscriber: Subscriber) -> Outcome:
            async with gate:
                return await self._send_one(bot, job, subscriber)

        try:
            async with asyncio.TaskGroup() as group:
                running = [(s, group.create_task(one(s))) for s in subscribers]
        except* TelegramUnauthorizedError:
            log.error("telegram_token_revoked", hint="replace TELEGRAM_BOT_TOKEN; sending stopped")
            raise TokenRevokedError("the Bot API answered 401 Unauthorized") from None
        except* (RedisError, OSError) as group:
            raise DeliveryInterruptedError(f"Redis failed mid-chunk: {group.exceptions[0]!r}") from None
        outcomes: dict[Outcome, list[Subscriber]] = defaultdict(list)
        for subscriber, task in running:
            outcomes[task.result()].append(subscriber)
        return outcomes

    async def _send_one(self, bot: Bot, job: DeliveryJob, subscriber: Subscriber) -> Outcome:
        if time.monotonic() > job.deadline:
            return Outcome.RETRY
        if not await self._ledger.claim_chat(job.tick, subscriber.chat_id, job.owner):
            return Outcome.DUPLICATE
        outcome = await self._deliver(bot, job, subscriber)
        if outcome is not Outcome.RETRY:
            await self._ledger.confirm_chat(job.tick, subscriber.chat_id)
        return outcome

    async def _deliver(self, bot: Bot, job: DeliveryJob, subscriber: Subscriber) -> Outcome:
        chat_id, transient_failures = subscriber.chat_id, 0
        while time.monotonic() < job.deadline:
            await self._limiter.acquire(chat_id, subscriber.is_group)
            try:
                await bot.send_message(chat_id, job.text)
                return Outcome.SENT
            except TelegramRetryAfter as error:
                log.warning("telegram_flood_wait", chat_id=chat_id, retry_after=error.retry_after)
                await self._limiter.pause(error.retry_after)
            except TelegramMigrateToChat as error:
                return await self._follow_migration(bot, job, chat_id, error.migrate_to_chat_id)
            except (TelegramForbiddenError, TelegramBadRequest) as error:
                return await self._refused(chat_id, error)
            except (TelegramServerError, TelegramNetworkError) as error:
                transient_failures += 1
                log.warning("telegram_transient_error", chat_id=chat_id, error=str(error))
                if transient_failures >= TRANSIENT_ATTEMPTS:
                    break
                await asyncio.sleep(backoff(transient_failures))
        return Outcome.RETRY

    async def _follow_migration(self, bot: Bot, job: DeliveryJob, old_id: int, new_id: int) -> Outcome:
        await self._store.migrate(old_id, new_id)
        log.info("chat_migrated", chat_id=old_id, new_chat_id=new_id)
        outcome = await self._send_one(bot, job, Subscriber(new_id, "supergroup"))
        return Outcome.MIGRATED if outcome in (Outcome.SENT, Outcome.DUPLICATE) else outcome

    async def _refused(self, chat_id: int, error: TelegramBadRequest | TelegramForbiddenError) -> Outcome:
        gone = isinstance(error, TelegramForbiddenError) or "chat not found" in error.message.lower()
        if not gone:
            log.error("telegram_rejected_message", chat_id=chat_id, error=error.message)
            return Outcome.FAILED
        await self._store.unsubscribe(chat_id)
        log.warning("chat_unsubscribed", chat_id=chat_id, reason=error.message)
        return Outcome.UNSUBSCRIBED
