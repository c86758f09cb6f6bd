"""`python -m devtools.devstack.wait [--redis] [--http URL] -- COMMAND...`: exec COMMAND once services answer.

`make dev` starts everything at once; this keeps the worker, beat and the bot from racing Redis (waits for
a PING to $REDIS_URL) and the sandbox (waits for its port), then becomes COMMAND (exec: same pid).
"""

import argparse
import os
import socket
import sys
import time
from collections.abc import Callable
from functools import partial
from urllib.parse import urlsplit

import redis

DEADLINE = 30.0
POLL = 0.05


def redis_answers(url: str, timeout: float = 1) -> bool:
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def redacted(url: str) -> str:
    """A Redis URL fit to print: its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def http_listens(url: str) -> bool:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.devstack.wait")
    parser.add_argument("--redis", action="store_true", help="wait for $REDIS_URL to answer PING")
    parser.add_argument("--http", action="append", default=[], help="wait for this URL's port to listen")
    parser.add_argument("command", nargs="+", help="what to run then (after --)")
    args = parser.parse_args(argv)
    checks: list[tuple[str, Callable[[], bool]]] = (
        [("Redis (REDIS_URL)", partial(redis_answers, os.environ["REDIS_URL"]))] if args.redis else []
    )
    checks += [(url, partial(http_listens, url)) for url in args.http]
    deadline = time.monotonic() + DEADLINE
    for what, check in checks:
        while not check():
            if time.monotonic() > deadline:
                sys.exit(f"gave up after {DEADLINE:.0f}s waiting for {what} to answer")
            time.sleep(POLL)
    os.execvp(args.command[0], args.command)  # noqa: S606  # an argv list, as given


if __name__ == "__main__":
    main()
