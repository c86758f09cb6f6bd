"""The project's container, wired to a test's Redis and emulator."""

import punq
from pydantic import AnyHttpUrl, SecretStr

from core.settings import BotSettings, RedisSettings, TelegramSettings
from ioc.container import build_container
from tests.support.telegram import TEST_TOKEN


def make_container(redis_url: str, api_base_url: str, **bot: float) -> punq.Container:
    """`build_container()` with these Redis and Bot API addresses, the test token and `BotSettings(**bot)`."""
    container = build_container()
    container.register(RedisSettings, instance=RedisSettings(url=SecretStr(redis_url)))
    container.register(
        TelegramSettings,
        instance=TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(api_base_url)),
    )
    container.register(BotSettings, instance=BotSettings(**bot))  # type: ignore[arg-type]
    return container
