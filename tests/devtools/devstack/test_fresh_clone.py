"""A newcomer's first `make dev`: a fresh copy of the project with `cp .env.example .env`, its output piped
through `tee`; the ready line, a second `make dev` refused, auto-reload, and Ctrl-C stopping everything."""

import re
import signal
from pathlib import Path

from tests.support.devstack import (
    PRIVATE_CHAT,
    Devstack,
    api,
    command_line,
    descendants,
    project_copy,
    reply_to,
    run_devstack,
    survivors,
)  # fmt: skip
from tests.support.waiting import wait_for

READY = r"system\s+\| ready: chat with the bot at (http://127\.0\.0\.1:\d+)/$"
POLLING = "Run polling for bot"


def devstack_pid(stack: Devstack) -> int:
    """The pid of `python -m devtools.devstack` under the `sh -c '... | tee'` of the test."""
    tree = descendants(stack.process.pid)
    return next(pid for pid in tree if command_line(pid).endswith("-m devtools.devstack"))


def status(stack: Devstack) -> dict[str, str] | None:
    try:
        answer: dict[str, str] = api(f"http://127.0.0.1:{stack.sandbox_port}", "/emulator/api/status")
    except OSError:  # not serving yet
        return None
    return answer


def test_env_example_copy_piped_through_tee_reloads_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    copy, log = project_copy(tmp_path), tmp_path / "dev.log"
    stack = Devstack(tmp_path, cwd=copy, tee=log)
    try:
        first_status = wait_for(lambda: status(stack), 60, "the emulator to serve its status")
        assert first_status == {"bot": "starting"}  # the bot takes seconds to start: the page says so
        base_url = stack.wait_for_line(READY, timeout=90).group(1)
        before_ready = stack.lines[: next(n for n, text in enumerate(stack.lines) if re.search(READY, text))]
        assert any(POLLING in text for text in before_ready), "ready before the bot polls"
        assert any(re.search(r"worker\s+\| .*celery@\S+ ready", text) for text in before_ready)
        assert api(base_url, "/emulator/api/status") == {"bot": "polling"}
        assert reply_to(stack, base_url, PRIVATE_CHAT, "/ping").startswith("pong")

        second = run_devstack(tmp_path, cwd=copy, DEV_DATA_DIR=str(stack.data_dir))
        assert (second.returncode, second.stdout) == (1, "")
        assert second.stderr.count("\n") == 1, second.stderr
        assert f"already running (pid {devstack_pid(stack)}, chat page {base_url}/)" in second.stderr

        polls = sum(POLLING in text for text in stack.lines)
        with (copy / "bot" / "__init__.py").open("a") as source:
            source.write("# edited while make dev runs\n")
        for name in ("bot", "worker", "beat"):
            stack.wait_for_line(rf"{name}\s+\| reload: bot/__init__\.py changed: restarting")
        wait_for(lambda: sum(POLLING in text for text in stack.lines) > polls, 60, "the bot to poll again")
        assert reply_to(stack, base_url, PRIVATE_CHAT, "/ping", timeout=60).startswith("pong")

        tree = descendants(stack.process.pid)
        stack.signal(signal.SIGINT)  # Ctrl-C: python, sh and tee alike; then nobody reads the output
        wait_for(lambda: not survivors(tree), 30, f"every process to stop: {survivors(tree)}")
    finally:
        stack.kill()
    assert re.search(READY, log.read_text(), re.MULTILINE)
    assert Path(f"{log}.rc").read_text() == "0\n", "a stop asked for, though its output had gone"
