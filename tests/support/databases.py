"""Databases of the suite's redis-server (it has 32), apart from the session worker's database 0."""

import redis

from tests.support.processes import RedisServer


def database(server: RedisServer, db: int) -> tuple[str, redis.Redis]:
    """Database `db` of `server`, emptied: its URL and a client."""
    url = server.url.rsplit("/", 1)[0] + f"/{db}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    return url, client
