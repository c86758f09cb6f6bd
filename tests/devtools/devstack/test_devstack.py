"""`make dev` (`python -m devtools.devstack`): the whole stack from one command, and stopped by a signal."""

import fcntl
import os
import re
import signal
from pathlib import Path

import redis

from devtools.ports import free_port
from tests.support.devstack import PRIVATE_CHAT, Devstack, api, descendants, reply_to, run_devstack, survivors
from tests.support.ports import port_in_use
from tests.support.waiting import wait_for

SANDBOX_LINE = r"devstack: sandbox: chat with the bot at (http://127\.0\.0\.1:(\d+))/"
REDIS_LINE = r"devstack: redis: local redis-server on (redis://\S+)"
PROCESSES = ("redis-server", "devtools.emulator", "tasks.worker worker", "tasks.beat beat", "-m bot")


def test_sandbox_stack_answers_notifies_and_sigterm_stops_every_process_redis_last(tmp_path: Path) -> None:
    stack = Devstack(tmp_path, NOTIFICATIONS_SCHEDULE="2", SCHEDULES_MIN_INTERVAL="1")
    try:
        base_url, port = stack.wait_for_line(SANDBOX_LINE).groups()
        assert int(port) == stack.sandbox_port
        stack.wait_for_line(r"system\s+\| ready: chat with the bot at ", timeout=90)
        # A schedule's results arrive (the sandbox's own minimum, 5 s: test_sandbox_schedules.py).
        assert reply_to(stack, base_url, PRIVATE_CHAT, "/every 1s ping").startswith("Scheduled ")
        assert re.fullmatch(r"pong — \d+ ms", reply_to(stack, base_url, PRIVATE_CHAT, "/ping"))
        subscribed = reply_to(stack, base_url, PRIVATE_CHAT, "/subscribe")  # a fresh data dir: not yet
        assert re.fullmatch(r"Subscribed\. Next notification: [\d :-]+ UTC \(every 2 s\)\.", subscribed)

        def notification() -> str | None:
            messages = api(base_url, f"/emulator/api/chats/{PRIVATE_CHAT}/messages?wait=1")["messages"]
            found = [m["text"] for m in messages if m["from_bot"] and "System health" in m["text"]]
            return found[0] if found else None

        assert "Workers answering: <b>1</b>" in wait_for(notification, 30, "a scheduled notification")

        def pong() -> bool:
            messages = api(base_url, f"/emulator/api/chats/{PRIVATE_CHAT}/messages?wait=1")["messages"]
            return any(m["from_bot"] and "pong from" in m["text"] for m in messages)

        wait_for(pong, 30, "a result of /every 1s ping")
        assert reply_to(stack, base_url, PRIVATE_CHAT, "/cancel all") == "Removed this chat's 1 schedule."
        client = redis.Redis.from_url(stack.wait_for_line(REDIS_LINE).group(1), decode_responses=True)
        config = {key: client.config_get(key)[key] for key in ("appendonly", "appendfsync", "dir")}
        assert config == {
            "appendonly": "yes",
            "appendfsync": "everysec",
            "dir": str(stack.data_dir / "redis"),
        }
        client.close()
        tree = descendants(stack.process.pid)
        running = " ".join(survivors(tree))
        for expected in PROCESSES:
            assert expected in running, f"{expected} not running: {running}"

        stack.signal(signal.SIGTERM)
        assert stack.wait() == 0, stack.output()  # a stop that was asked for
    finally:
        stack.kill()
    assert survivors(tree) == []
    assert "SIGTERM received" in stack.output()
    stopped = [line.split("| ")[1] for line in stack.lines if " stopped (rc=" in line]
    assert stopped[-1].startswith("redis stopped"), "Redis must stop last, after those using it"
    assert (stack.data_dir / "redis" / "appendonlydir").is_dir()


def test_sighup_from_a_closed_terminal_stops_every_process(tmp_path: Path) -> None:
    stack = Devstack(tmp_path)
    try:

        def all_running() -> dict[int, int] | None:
            tree = descendants(stack.process.pid)
            running = " ".join(survivors(tree))
            return tree if all(expected in running for expected in PROCESSES) else None

        tree = wait_for(all_running, 60, "every process of the stack to run")
        stack.signal(signal.SIGHUP)  # the terminal's whole foreground group, as on closing it
        assert stack.wait() == 0, stack.output()
    finally:
        stack.kill()
    assert survivors(tree) == []
    assert "SIGHUP received" in stack.output()


def test_a_process_dying_stops_the_others_and_says_which(tmp_path: Path) -> None:
    # With a token set there is no sandbox: the bot would talk to TELEGRAM_API_BASE_URL.
    token = "123456789:" + "t" * 35
    stack = Devstack(tmp_path, TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL="http://127.0.0.1:9")
    try:
        bot_pid = int(stack.wait_for_line(r"system\s+\| bot started \(pid=(\d+)\)").group(1))
        tree = descendants(stack.process.pid)
        os.kill(bot_pid, signal.SIGKILL)
        code = stack.wait()
    finally:
        stack.kill()
    output = stack.output()
    assert code == 128 + signal.SIGKILL
    assert re.search(r"system\s+\| bot exited \(rc=-9\): stopping the others", output), output
    assert "devstack: stopped because bot exited" in output
    assert "emulator" not in output
    assert survivors(tree) == []


def test_no_redis_server_and_no_redis_url_is_one_clear_line(tmp_path: Path) -> None:
    result = run_devstack(tmp_path, PATH=str(tmp_path))  # nothing on PATH: no redis-server
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "apt-get install redis-server" in result.stderr
    assert "REDIS_URL" in result.stderr


def test_redis_url_that_does_not_answer_is_one_clear_line_at_once(tmp_path: Path) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    result = run_devstack(tmp_path, REDIS_URL=url)
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr == (
        f"devstack: REDIS_URL ({url.replace('hunter2', '***')}) does not answer: start that Redis, or unset "
        "REDIS_URL (comment it out in .env) to have `make dev` run a local redis-server\n"
    )


def test_sandbox_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with port_in_use() as port:
        result = run_devstack(tmp_path, SANDBOX_PORT=str(port))
    assert result.returncode != 0
    assert result.stderr == (
        f"devstack: port {port} (SANDBOX_PORT) is already in use: free it or set another SANDBOX_PORT\n"
    )


def test_second_devstack_on_the_same_data_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with (tmp_path / "data" / "devstack.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run_devstack(tmp_path)
    assert result.returncode != 0
    assert result.stderr.startswith("devstack: another `make dev` is already running")
    assert result.stderr.count("\n") == 1


def test_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    result = run_devstack(tmp_path, SANDBOX_PORT="eighty")
    assert result.returncode != 0
    assert result.stderr.startswith("devstack: configuration error: SANDBOX_PORT")
    assert result.stderr.count("\n") == 1
