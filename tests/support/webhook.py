"""Webhook-mode bot replicas in the test process, each with its own container, Bot and Dispatcher, and
a round-robin balancer in front of them (what a reverse proxy does in production)."""

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.webhook.claims import UpdateClaims
from bot.webhook.handler import SECRET_HEADER, ClaimingRequestHandler
from bot.webhook.server import WebhookServer
from core.webhook_settings import WebhookSettings
from ioc.webhook import add_webhook
from tests.support.containers import make_container

SECRET = "test-webhook-secret_0123456789"


@dataclass
class Replica:
    server: WebhookServer
    handler: ClaimingRequestHandler
    base_url: str
    url: str  # the update route


@asynccontextmanager
async def replica(
    redis_url: str, claims_url: str, api_base_url: str, **webhook: Any
) -> AsyncIterator[Replica]:
    """A replica on a free port: Celery and the result channel on `redis_url`, claims on `claims_url`."""
    container = add_webhook(make_container(redis_url, api_base_url, task_timeout=10))
    settings = WebhookSettings(host="127.0.0.1", secret=SecretStr(SECRET), **webhook)
    claims_redis = Redis.from_url(claims_url, socket_timeout=1, socket_connect_timeout=1)
    container.register(WebhookSettings, instance=settings)
    container.register(UpdateClaims, instance=UpdateClaims(claims_redis, settings))
    server = container.resolve(WebhookServer)
    port = await server.start(port=0)
    base_url = f"http://127.0.0.1:{port}"
    try:
        yield Replica(server, container.resolve(ClaimingRequestHandler), base_url, base_url + settings.path)
    finally:
        await server.stop()
        await claims_redis.aclose()


async def post_update(
    session: aiohttp.ClientSession, url: str, update: dict[str, Any], secret: str | None = SECRET
) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with session.post(url, json=update, headers=headers) as response:
        return response.status


@asynccontextmanager
async def balancer(*urls: str) -> AsyncIterator[str]:
    """POSTs forwarded to `urls` in turn, answered with the replica's status; yields its URL."""
    turns = itertools.cycle(urls)
    async with aiohttp.ClientSession() as session:

        async def forward(request: web.Request) -> web.Response:
            headers = {k: v for k, v in request.headers.items() if k in (SECRET_HEADER, "Content-Type")}
            async with session.post(next(turns), data=await request.read(), headers=headers) as answer:
                body = await answer.read()
                return web.Response(status=answer.status, body=body)

        app = web.Application()
        app.router.add_post("/", forward)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        try:
            yield f"http://127.0.0.1:{runner.addresses[0][1]}/"
        finally:
            await runner.cleanup()
