"""What "Redis is away" looks like to a process (a restart, a stale connection, a hang): redis-py's and
kombu's connection errors and socket errors. Worth a retry; other Redis errors (WRONGTYPE, OOM, READONLY)
are not passing trouble and are not retried as if they were."""

from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    OperationalError,
    OSError,
)
