"""A webhook replica's HTTP server: the update route, `/healthz` and `/readyz`, and a graceful stop."""

import asyncio
import signal
from typing import Any

import structlog
from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.webhook.claims import UpdateClaims
from bot.webhook.handler import STORE_ERRORS, ClaimingRequestHandler
from core.webhook_settings import WebhookSettings

log = structlog.get_logger(__name__)
READY_CHECK_TIMEOUT = 2.0


class WebhookServer:
    """Serves one replica until SIGTERM/SIGINT; then stops taking requests, lets the updates in hand
    finish (at most WEBHOOK_SHUTDOWN_TIMEOUT seconds), runs the bot's shutdown and closes its session."""

    def __init__(
        self,
        settings: WebhookSettings,
        dispatcher: Dispatcher,
        bot: Bot,
        handler: ClaimingRequestHandler,
        claims: UpdateClaims,
    ) -> None:
        self._settings, self._handler, self._claims = settings, handler, claims
        self.stopping = False
        self.app = web.Application()
        self.app.router.add_post(settings.path, handler.handle)
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/readyz", self.readyz)
        self.app.on_shutdown.append(self._drain)  # before the dispatcher's shutdown, set up next
        setup_application(self.app, dispatcher, bot=bot)
        self.app.on_cleanup.append(self._close_session)
        self.runner = web.AppRunner(self.app, handle_signals=False, access_log=None, shutdown_timeout=1.0)

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(self, request: web.Request) -> web.Response:
        """Ready while Redis (where updates are claimed) answers and the replica is not stopping."""
        if self.stopping:
            return web.json_response({"status": "stopping"}, status=503)
        try:
            await asyncio.wait_for(self._claims.ping(), READY_CHECK_TIMEOUT)
        except STORE_ERRORS as exc:
            return web.json_response({"status": "redis unavailable", "error": type(exc).__name__}, status=503)
        return web.json_response({"status": "ready"})

    async def start(self, port: int | None = None) -> int:
        """Listens on WEBHOOK_HOST and WEBHOOK_PORT (or `port`; 0 picks a free one); the bound port."""
        await self.runner.setup()
        site = web.TCPSite(self.runner, self._settings.host, self._settings.port if port is None else port)
        await site.start()
        bound: int = self.runner.addresses[0][1]
        log.info("webhook_listening", host=self._settings.host, port=bound, path=self._settings.path)
        return bound

    async def stop(self) -> None:
        if self.runner.server is None:  # never started, or stopped already
            return
        self.stopping = True
        await self.runner.cleanup()
        log.info("webhook_stopped")

    async def run(self) -> None:
        """`python -m bot` in webhook mode: serves until SIGTERM or SIGINT."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await self.start()
        await stop.wait()
        await self.stop()

    async def _drain(self, _: Any) -> None:
        self.stopping = True
        log.info("webhook_draining", in_flight=self._handler.in_flight)
        await self._handler.drain(self._settings.shutdown_timeout)

    async def _close_session(self, _: Any) -> None:
        await self._handler.close()
