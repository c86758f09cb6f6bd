"""One `make dev` per data folder; the refusal names what holds it."""

import os
import subprocess
from pathlib import Path

import pytest

from devtools.devstack.env import DevstackError
from devtools.devstack.lock import DevLock


def test_a_running_make_dev_is_named_with_its_pid_and_chat_page(tmp_path: Path) -> None:
    holder = DevLock(tmp_path)
    holder.acquire()
    holder.describe(chat_page="http://127.0.0.1:8765/")
    try:
        with pytest.raises(DevstackError) as refused:
            DevLock(tmp_path).acquire()
    finally:
        holder.release()
    assert str(refused.value) == (
        f"`make dev` is already running (pid {os.getpid()}, chat page http://127.0.0.1:8765/) with its "
        f"data in {tmp_path}: stop it (Ctrl-C in its terminal, or kill {os.getpid()}) or set DEV_DATA_DIR "
        "to another folder"
    )
    DevLock(tmp_path).acquire()  # released: the next one may start


def test_a_redis_server_left_behind_keeps_the_lock_and_is_named(tmp_path: Path) -> None:
    holder = DevLock(tmp_path)
    holder.acquire()
    left_behind = subprocess.Popen(["sleep", "30"], pass_fds=(holder.fd,))  # as RedisServer inherits it
    holder.describe(pid=2**22 + 17, redis_pid=left_behind.pid)  # the make dev itself is gone
    holder.release()
    try:
        with pytest.raises(DevstackError) as refused:
            DevLock(tmp_path).acquire()
    finally:
        left_behind.kill()
        left_behind.wait()
    assert str(refused.value) == (
        f"a redis-server (pid {left_behind.pid}) left by an earlier `make dev` still runs with its data in "
        f"{tmp_path}: kill {left_behind.pid}"
    )
    DevLock(tmp_path).acquire()
