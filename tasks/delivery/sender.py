"""Sending one text to a chunk of chats, concurrently, under the shared limiter, the idempotency ledger
and the error policy (every failure has a verdict: tasks/delivery/policy.py).

What is still unsent when the attempts or the chunk's deadline run out comes back as RETRY, for the
Celery task to retry later; a chunk that gives up releases its claims (`release`), so a later fan-out
of the tick can finish it. Nothing is dropped without a log line.
"""

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramMigrateToChat, TelegramRetryAfter

from core.connection_errors import CONNECTION_ERRORS
from core.limiter import TelegramRateLimiter
from core.subscriptions import Subscriber, SubscriptionStore
from tasks.delivery.followers import ChatFollower, NoFollower
from tasks.delivery.job import DeliveryJob
from tasks.delivery.ledger import DeliveryLedger
from tasks.delivery.outcomes import DeliveryInterruptedError, Outcome, TokenRevokedError
from tasks.delivery.policy import Verdict, verdict

log = structlog.get_logger(__name__)
TRANSIENT_ATTEMPTS = 3
BACKOFF_BASE = 0.5
ERROR_TEXT_LIMIT = 200  # an HTML error page is quoted whole in aiogram's ClientDecodeError


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: 0.5 s, 1 s, 2 s … scaled by a random factor."""
    return float(BACKOFF_BASE * 2.0**attempt * random.uniform(0.5, 1.5))


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {str(error)[:ERROR_TEXT_LIMIT]}"


@dataclass
class _Run:
    """One chunk being sent. `taken`: the chats it has taken on, so a chat reached twice within the
    chunk (its own entry and a migrated group's new id) is sent once."""

    bot: Bot
    job: DeliveryJob
    taken: set[int] = field(default_factory=set)
    revoked: bool = False


class ChunkSender:
    def __init__(
        self,
        limiter: TelegramRateLimiter,
        ledger: DeliveryLedger,
        store: SubscriptionStore,
        followers: ChatFollower = NoFollower(),  # noqa: B008  # stateless
    ) -> None:
        self._limiter = limiter
        self._ledger = ledger
        self._store = store
        self._followers = followers

    async def send_chunk(
        self, bot: Bot, job: DeliveryJob, subscribers: list[Subscriber]
    ) -> dict[Outcome, list[Subscriber]]:
        run, gate = _Run(bot, job), asyncio.Semaphore(job.concurrency)

        async def one(subscriber: Subscriber) -> Outcome:
            async with gate:
                return await self._send_one(run, subscriber)

        try:
            async with asyncio.TaskGroup() as group:
                running = [(s, group.create_task(one(s))) for s in subscribers]
        except* CONNECTION_ERRORS as group:
            raise DeliveryInterruptedError(f"Redis failed mid-chunk: {group.exceptions[0]!r}") from None
        outcomes: dict[Outcome, list[Subscriber]] = defaultdict(list)
        for subscriber, task in running:
            outcomes[task.result()].append(subscriber)
        if run.revoked:
            log.error("telegram_token_revoked", hint="replace TELEGRAM_BOT_TOKEN; sending stopped")
            raise TokenRevokedError(outcomes[Outcome.RETRY])
        return outcomes

    async def release(self, tick: str, owner: str, subscribers: list[Subscriber]) -> None:
        """Hands a given-up chunk over: frees the claims `owner` holds on these chats and the tick's
        fan-out claim, so a later fan-out of `tick` sends to them (the sent ones stay sent)."""
        await self._ledger.release_chats(tick, [s.chat_id for s in subscribers], owner)
        await self._ledger.release_tick(tick)

    async def _send_one(self, run: _Run, subscriber: Subscriber) -> Outcome:
        if run.revoked or time.monotonic() > run.job.deadline:
            return Outcome.RETRY
        if subscriber.chat_id in run.taken:
            return Outcome.DUPLICATE
        run.taken.add(subscriber.chat_id)
        if not await self._ledger.claim_chat(run.job.tick, subscriber.chat_id, run.job.owner):
            return Outcome.DUPLICATE
        outcome = await self._deliver(run, subscriber)
        if outcome is not Outcome.RETRY:
            await self._ledger.confirm_chat(run.job.tick, subscriber.chat_id)
        return outcome

    async def _deliver(self, run: _Run, subscriber: Subscriber) -> Outcome:
        chat_id, failures = subscriber.chat_id, 0
        while time.monotonic() < run.job.deadline and not run.revoked:
            await self._limiter.acquire(chat_id, subscriber.is_group)
            try:
                await run.bot.send_message(chat_id, run.job.text)
                return Outcome.SENT
            except Exception as error:  # noqa: BLE001  # every failure has a verdict: policy.py
                kind = verdict(error)
                if kind is Verdict.FLOOD:
                    await self._flood_wait(chat_id, error)
                    continue
                if kind is not Verdict.TRANSIENT:
                    return await self._settle(run, chat_id, error, kind)
                failures += 1
                log.warning(
                    "telegram_transient_error", chat_id=chat_id, attempt=failures, error=describe(error)
                )
                if failures >= TRANSIENT_ATTEMPTS:
                    break
                await asyncio.sleep(backoff(failures))
        return Outcome.RETRY

    async def _flood_wait(self, chat_id: int, error: Exception) -> None:
        assert isinstance(error, TelegramRetryAfter)
        log.warning("telegram_flood_wait", chat_id=chat_id, retry_after=error.retry_after)
        await self._limiter.pause(error.retry_after)

    async def _settle(self, run: _Run, chat_id: int, error: Exception, kind: Verdict) -> Outcome:
        """The verdicts that end a chat's sending for this tick."""
        if kind is Verdict.MIGRATED:
            assert isinstance(error, TelegramMigrateToChat)
            return await self._follow_migration(run, chat_id, error.migrate_to_chat_id)
        if kind is Verdict.REVOKED:
            run.revoked = True
            return Outcome.RETRY
        if kind is Verdict.REJECTED:
            log.error("telegram_rejected_message", chat_id=chat_id, error=describe(error))
            return Outcome.FAILED
        await self._store.unsubscribe(chat_id)
        await self._followers.forget_chat(chat_id)
        log.warning("chat_unsubscribed", chat_id=chat_id, reason=describe(error))
        return Outcome.UNSUBSCRIBED

    async def _follow_migration(self, run: _Run, old_id: int, new_id: int) -> Outcome:
        await self._store.migrate(old_id, new_id)
        await self._followers.migrate_chat(old_id, new_id)
        log.info("chat_migrated", chat_id=old_id, new_chat_id=new_id)
        outcome = await self._send_one(run, Subscriber(new_id, "supergroup"))
        return Outcome.MIGRATED if outcome in (Outcome.SENT, Outcome.DUPLICATE) else outcome
