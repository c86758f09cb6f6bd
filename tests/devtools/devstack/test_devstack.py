"""`make dev` (`python -m devtools.devstack`): the whole stack from one command, and stopped by Ctrl-C."""

import fcntl
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.support.devstack import PRIVATE_CHAT, Devstack, api, descendants, run_devstack, survivors
from tests.support.ports import port_in_use
from tests.support.waiting import wait_for

SANDBOX_LINE = r"devstack: sandbox: chat with the bot at (http://127\.0\.0\.1:(\d+))/"
REDIS_LINE = r"devstack: redis: local redis-server on (redis://\S+)"


@pytest.fixture
def devstack(tmp_path: Path) -> Iterator[Devstack]:
    stack = Devstack(tmp_path)
    yield stack
    if stack.process.poll() is None:
        stack.kill()


def reply_to(stack: Devstack, base_url: str, chat_id: int, text: str, timeout: float = 20) -> str:
    assert stack.process.poll() is None, f"devstack exited:\n{stack.output()}"
    sent = api(base_url, f"/emulator/api/chats/{chat_id}/messages", {"text": text})

    def reply() -> str | None:
        assert stack.process.poll() is None, f"devstack exited:\n{stack.output()}"
        path = f"/emulator/api/chats/{chat_id}/messages?after={sent['message_id']}&wait=1"
        answers = [m["text"] for m in api(base_url, path)["messages"] if m["from_bot"]]
        return answers[0] if answers else None

    return wait_for(reply, timeout, f"a reply to {text!r}")


def test_sandbox_stack_answers_ping_and_ctrl_c_stops_every_process(devstack: Devstack) -> None:
    base_url, port = devstack.wait_for_line(SANDBOX_LINE).groups()
    assert int(port) == devstack.sandbox_port
    devstack.wait_for_line(r"^\S+ bot\s+\| .*Run polling for bot")
    devstack.wait_for_line(r"^\S+ worker\s+\| .*ready")

    assert re.fullmatch(r"pong — \d+ ms", reply_to(devstack, base_url, PRIVATE_CHAT, "/ping"))

    client = redis.Redis.from_url(devstack.wait_for_line(REDIS_LINE).group(1), decode_responses=True)
    config = {key: client.config_get(key)[key] for key in ("appendonly", "appendfsync", "dir")}
    assert config == {"appendonly": "yes", "appendfsync": "everysec", "dir": str(devstack.data_dir / "redis")}
    client.close()
    tree = descendants(devstack.process.pid)
    running = " ".join(survivors(tree))
    for expected in ("redis-server", "devtools.emulator", "tasks.worker worker", "tasks.beat beat", "-m bot"):
        assert expected in running, f"{expected} not running: {running}"

    devstack.signal(signal.SIGINT)  # what Ctrl-C in the terminal does: the whole foreground group
    assert devstack.wait() == 130, devstack.output()

    assert survivors(tree) == []
    assert "SIGINT received" in devstack.output()
    stopped = [line.split("| ")[1] for line in devstack.lines if " stopped (rc=" in line]
    assert stopped[-1].startswith("redis stopped"), "Redis must stop last, after those using it"
    assert (devstack.data_dir / "redis" / "appendonlydir").is_dir()


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
    assert code != 0
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


def test_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    result = run_devstack(tmp_path, SANDBOX_PORT="eighty")
    assert result.returncode != 0
    assert result.stderr.startswith("devstack: configuration error: SANDBOX_PORT")
    assert result.stderr.count("\n") == 1


def test_subscribe_and_see_a_scheduled_notification_arrive(tmp_path: Path) -> None:
    stack = Devstack(tmp_path, NOTIFICATIONS_SCHEDULE="2")
    try:
        base_url, _ = stack.wait_for_line(SANDBOX_LINE).groups()
        stack.wait_for_line(r"^\S+ bot\s+\| .*Run polling for bot")
        stack.wait_for_line(r"^\S+ worker\s+\| .*ready")
        subscribed = reply_to(stack, base_url, PRIVATE_CHAT, "/subscribe")  # a fresh data dir: not yet
        assert re.fullmatch(r"Subscribed\. Next notification: [\d :-]+ UTC \(every 2 s\)\.", subscribed)

        def notification() -> str | None:
            messages = api(base_url, f"/emulator/api/chats/{PRIVATE_CHAT}/messages?wait=1")["messages"]
            found = [m["text"] for m in messages if m["from_bot"] and "System health" in m["text"]]
            return found[0] if found else None

        text = wait_for(notification, 30, "a scheduled notification in the private chat")
        assert "Workers answering: <b>1</b>" in text
        tree = descendants(stack.process.pid)
        stack.signal(signal.SIGINT)
        assert stack.wait() == 130, stack.output()
        assert survivors(tree) == []
    finally:
        stack.kill()
