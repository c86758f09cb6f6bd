"""The webhook route: aiogram's handler for one bot, answering Telegram once the update is handled, once.

Handled in the request, not in the background: Telegram gets its 200 only after the handlers ran, so a
replica that dies mid-update leaves it undelivered (Telegram redelivers it), and Telegram's own
`max_connections` plus `BOT_MAX_CONCURRENT_UPDATES` per replica bound the work in progress (back-pressure).
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from redis.exceptions import RedisError

from bot.poison import parse_update
from bot.webhook.claims import Claim, UpdateClaims

log = structlog.get_logger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  # a header name
STORE_ERRORS = (RedisError, OSError, TimeoutError)


class ClaimingRequestHandler(SimpleRequestHandler):
    """401 without the secret (compared in constant time by aiogram), 503 while Redis cannot take the
    update's claim, 200 without handling for an update already handled."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, secret: str, claims: UpdateClaims, max_in_flight: int
    ) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret)
        self._claims = claims
        self._slots = asyncio.Semaphore(max_in_flight)
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            given = "wrong" if SECRET_HEADER in request.headers else "missing"
            log.warning("webhook_unauthorized", secret=given, remote=request.remote)
            return web.Response(status=401, text="Unauthorized")
        try:
            update: dict[str, Any] = await request.json()
            update_id = int(update["update_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("webhook_bad_request", remote=request.remote)
            return web.Response(status=400, text="expected a JSON update with an update_id")
        parsed = parse_update(self.bot, update)
        if parsed is None:  # a poison update: answered, so Telegram does not redeliver it forever
            return web.json_response({})
        async with self._tracked():
            async with self._slots:
                response = await self._handle_once(update_id, parsed)
            # Sent before the update counts as done: a stopping replica's drain covers the answer too.
            await response.prepare(request)
            await response.write_eof()
            return response

    async def _handle_once(self, update_id: int, update: Update) -> web.Response:
        try:
            claim = await self._claims.claim(update_id)
        except STORE_ERRORS as exc:
            log.warning("webhook_claim_unavailable", update_id=update_id, error=type(exc).__name__)
            return web.Response(status=503, text="update store unavailable, retry later")
        if claim is Claim.DONE:
            log.info("webhook_duplicate", update_id=update_id)
            return web.json_response({})
        if claim is Claim.IN_FLIGHT:
            log.info("webhook_in_flight_elsewhere", update_id=update_id)
            return web.Response(status=503, text="update being handled, retry later")
        try:
            result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(
                self.bot, update, **self.data
            )
        except BaseException:
            await self._settle(self._claims.release, update_id)  # Telegram's retry is handled again
            raise
        await self._settle(self._claims.finish, update_id)
        return web.Response(body=self._build_response_writer(bot=self.bot, result=result))

    async def _settle(self, step: Callable[[int], Awaitable[None]], update_id: int) -> None:
        """Best effort: if Redis fails now, the claim's lease runs out by itself."""
        try:
            await step(update_id)
        except STORE_ERRORS as exc:
            log.warning("webhook_claim_not_settled", update_id=update_id, error=type(exc).__name__)

    @asynccontextmanager
    async def _tracked(self) -> AsyncIterator[None]:
        self.in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self._idle.set()

    async def drain(self, timeout: float) -> None:
        """Waits (at most `timeout` seconds) for the updates being handled to be answered."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.warning("webhook_drain_timed_out", in_flight=self.in_flight, waited_s=timeout)
