"""The local redis-server of `make dev`: a free port, append-only persistence under the data folder."""

import shutil
from pathlib import Path

from devtools.devstack.env import DevstackError
from devtools.ports import free_port

HOW_TO_GET_REDIS = (
    "redis-server not found and REDIS_URL not set: install Redis (Debian/Ubuntu: "
    "apt-get install redis-server) or set REDIS_URL=redis://HOST:6379/0"
)


def local_redis(data_dir: Path) -> tuple[list[str], str]:
    """The redis-server command line and the URL it will answer on.

    AOF with fsync every second: at most a second of writes is lost on a crash, and subscriptions and
    schedules survive restarts of `make dev`. Its log goes to stdout, into the interleaved output.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise DevstackError(HOW_TO_GET_REDIS)
    port = free_port()
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    command = [
        binary,
        *("--bind", "127.0.0.1", "--port", str(port), "--protected-mode", "yes"),
        *("--dir", str(redis_dir), "--appendonly", "yes", "--appendfsync", "everysec"),
        *("--save", "", "--logfile", ""),
    ]
    return command, f"redis://127.0.0.1:{port}/0"
