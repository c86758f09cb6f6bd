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

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramMigrateToChat, TelegramRetryAfter

from core.connection_errors import CONNECTION_ERRORS
from core.limiter import TelegramRateLimiter
from core.stats import Metric, StatsCounters
from core.subscriptions import Subscriber, SubscriptionStore
from tasks.delivery.followers import ChatFollower, NoFollower
from tasks.delivery.job import ChunkRun, DeliveryJob
from tasks.delivery.ledger import DeliveryLedger
from tasks.delivery.outcomes import PROGRESS_FIELD, DeliveryInterruptedError, Outcome, TokenRevokedError
from tasks.delivery.policy import Verdict, describe, verdict

log = structlog.get_logger(__name__)
TRANSIENT_ATTEMPTS = 3
BACKOFF_BASE = 0.5


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: 0.5 s, 1 s, 2 s … scaled by a random factor."""
    return float(BACKOFF_BASE * 2.0**attempt * random.uniform(0.5, 1.5))


class ChunkSender:
    def __init__(
        self,
        limiter: TelegramRateLimiter,
        ledger: DeliveryLedger,
        store: SubscriptionStore,
        followers: ChatFollower = NoFollower(),  # noqa: B008  # stateless
        stats: StatsCounters | None = None,
    ) -> None:
        self._limiter, self._ledger, self._store = limiter, ledger, store
        self._followers, self._stats = followers, stats  # stats: /stats counters; None: not counted

    async def send_chunk(
        self, bot: Bot, job: DeliveryJob, subscribers: list[Subscriber]
    ) -> dict[Outcome, list[Subscriber]]:
        run, gate = ChunkRun(bot, job), asyncio.Semaphore(job.concurrency)

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

    async def _send_one(self, run: ChunkRun, subscriber: Subscriber, *, count: bool = True) -> Outcome:
        if run.revoked or run.stopped or time.monotonic() > run.job.deadline:
            return Outcome.RETRY
        if subscriber.chat_id in run.taken:
            return Outcome.DUPLICATE
        run.taken.add(subscriber.chat_id)
        if not await self._ledger.claim_chat(run.job.tick, subscriber.chat_id, run.job.owner):
            return Outcome.DUPLICATE
        outcome = await self._deliver(run, subscriber)
        if outcome is not Outcome.RETRY:
            progress = run.job.progress
            count_into = (progress, PROGRESS_FIELD[outcome]) if progress and count else None
            await self._ledger.confirm_chat(run.job.tick, subscriber.chat_id, count_into)
        if outcome is Outcome.SENT:  # counted once confirmed: no Redis call between a send and its mark
            await self._count(Metric.MESSAGES_SENT)
        return outcome

    async def _deliver(self, run: ChunkRun, subscriber: Subscriber) -> Outcome:
        chat_id, failures = subscriber.chat_id, 0
        while time.monotonic() < run.job.deadline and not run.revoked:
            await self._limiter.acquire(chat_id, subscriber.is_group)
            if run.stopped:
                break
            try:
                await run.send(chat_id)
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

    async def _count(self, metric: Metric) -> None:
        if self._stats is not None:
            await self._stats.add(metric)

    async def _flood_wait(self, chat_id: int, error: Exception) -> None:
        assert isinstance(error, TelegramRetryAfter)
        log.warning("telegram_flood_wait", chat_id=chat_id, retry_after=error.retry_after)
        await self._count(Metric.FLOOD_WAITS)
        await self._limiter.pause(error.retry_after)

    async def _settle(self, run: ChunkRun, chat_id: int, error: Exception, kind: Verdict) -> Outcome:
        """The verdicts that end a chat's sending for this tick."""
        if kind is Verdict.MIGRATED:
            assert isinstance(error, TelegramMigrateToChat)
            return await self._follow_migration(run, chat_id, error.migrate_to_chat_id)
        if kind is Verdict.REVOKED:
            run.revoked = True
            return Outcome.RETRY
        await self._count(Metric.MESSAGES_FAILED)
        if kind is Verdict.REJECTED:
            log.error("telegram_rejected_message", chat_id=chat_id, error=describe(error))
            return Outcome.FAILED
        await self._store.unsubscribe(chat_id)
        await self._followers.forget_chat(chat_id)
        log.warning("chat_unsubscribed", chat_id=chat_id, reason=describe(error))
        return Outcome.UNSUBSCRIBED

    async def _follow_migration(self, run: ChunkRun, old_id: int, new_id: int) -> Outcome:
        await self._store.migrate(old_id, new_id)
        await self._followers.migrate_chat(old_id, new_id)
        log.info("chat_migrated", chat_id=old_id, new_chat_id=new_id)
        outcome = await self._send_one(run, Subscriber(new_id, "supergroup"), count=False)
        return Outcome.MIGRATED if outcome in (Outcome.SENT, Outcome.DUPLICATE) else outcome
