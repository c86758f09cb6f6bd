"""The project's containers, wired to a test's Redis and emulator (tests override registrations)."""

import punq
from pydantic import AnyHttpUrl, SecretStr

from core.settings import BotSettings, RedisSettings, TelegramSettings
from ioc.bot import build_bot_container
from ioc.worker import build_worker_container
from tests.support.telegram import TEST_TOKEN


def make_container(redis_url: str, api_base_url: str, **bot: float) -> punq.Container:
    """The bot's container (the registry included) with these Redis and Bot API addresses, the test
    token and `BotSettings(**bot)`."""
    container = with_servers(build_bot_container(), redis_url, api_base_url)
    container.register(BotSettings, instance=BotSettings(**bot))  # type: ignore[arg-type]
    return container


def make_worker_container(redis_url: str, api_base_url: str) -> punq.Container:
    """A worker's container, for running its parts (fan-out, sender) in the test process."""
    return with_servers(build_worker_container(), redis_url, api_base_url)


def with_servers(container: punq.Container, redis_url: str, api_base_url: str) -> punq.Container:
    container.register(RedisSettings, instance=RedisSettings(url=SecretStr(redis_url)))
    container.register(
        TelegramSettings,
        instance=TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(api_base_url)),
    )
    return container
