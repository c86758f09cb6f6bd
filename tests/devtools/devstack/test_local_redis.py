"""The local redis-server of `make dev`: its data survives restarts."""

import subprocess
from functools import partial
from pathlib import Path

import redis

from devtools.devstack.local_redis import local_redis
from tests.support.waiting import wait_for


def test_local_redis_keeps_its_data_across_restarts(tmp_path: Path) -> None:
    for attempt in ("write", "read"):
        command, url = local_redis(tmp_path)
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(url, decode_responses=True)
        try:
            wait_for(partial(_answers, client), 10, "the local redis-server")
            if attempt == "write":
                client.set("survives", "yes")
            else:
                assert client.get("survives") == "yes"
        finally:
            client.close()
            server.terminate()  # what `make dev` sends on Ctrl-C: Redis fsyncs its AOF and exits
            server.wait(10)


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
