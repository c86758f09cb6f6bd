"""The local redis-server of `make dev`: its data survives restarts; it answers before anything else starts,
and stops after everything else, even when Ctrl-C comes first or it exits first."""

import os
import re
import signal
import subprocess
from functools import partial
from pathlib import Path

import redis

from devtools.devstack.local_redis import local_redis
from tests.support.devstack import Devstack, descendants, run_devstack, survivors
from tests.support.waiting import wait_for

OTHERS_STARTED = r"(emulator|worker|beat|bot) started"


def fake_redis_server(tmp_path: Path, script: str) -> str:
    """A PATH on which `redis-server` is this shell script: a Redis that never answers."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "redis-server"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    return f"{bin_dir}{os.pathsep}{os.environ['PATH']}"


def test_ctrl_c_before_redis_answers_stops_it_and_starts_nothing_else(tmp_path: Path) -> None:
    stack = Devstack(tmp_path, PATH=fake_redis_server(tmp_path, "echo not answering; exec sleep 30"))
    try:
        stack.wait_for_line(r"^\S+ redis\s+\| not answering")
        tree = descendants(stack.process.pid)
        stack.signal(signal.SIGINT)
        assert stack.wait() == 0, stack.output()
    finally:
        stack.kill()
    output = stack.output()
    assert survivors(tree) == []
    assert "SIGINT received" in output
    assert re.search(r"system\s+\| redis stopped \(rc=-15\)", output), output
    assert not re.search(OTHERS_STARTED, output), output


def test_redis_exiting_at_start_stops_the_stack_and_says_so(tmp_path: Path) -> None:
    result = run_devstack(tmp_path, PATH=fake_redis_server(tmp_path, "echo cannot start; exit 3"))
    assert result.returncode == 3
    assert re.search(r"redis\s+\| cannot start", result.stdout), result.stdout
    assert re.search(r"system\s+\| redis exited \(rc=3\): stopping the others", result.stdout)
    assert not re.search(OTHERS_STARTED, result.stdout), result.stdout
    assert result.stderr == "devstack: stopped because redis exited\n"


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
