"""`python -m devtools.devstack` as a subprocess of a test, and the process tree it leaves (or must not)."""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from contextlib import suppress
from pathlib import Path
from typing import Any

from devtools.ports import free_port
from tests.support.processes import ROOT, CapturedProcess, project_env
from tests.support.waiting import wait_for

PRIVATE_CHAT = 424242  # the sandbox's private chat: devtools.emulator.sandbox


class Devstack(CapturedProcess):
    """The whole stack in sandbox mode with a local Redis, its data in a temporary folder.

    The environment has no REDIS_URL and no TELEGRAM_BOT_TOKEN, and the working directory (`cwd`, else
    `tmp_path`) has no `.env` unless the test puts one there. It runs in its own process group, which is
    what a terminal's Ctrl-C signals; with `tee`, as `python -m devtools.devstack 2>&1 | tee FILE` (the
    group then holds the shell and tee too; the runner's exit status lands in FILE.rc).
    """

    def __init__(self, tmp_path: Path, cwd: Path | None = None, tee: Path | None = None, **env: str) -> None:
        self.sandbox_port = free_port()
        self.data_dir = tmp_path / "dev-data"
        environment = {"DEV_DATA_DIR": str(self.data_dir), "SANDBOX_PORT": str(self.sandbox_port), **env}
        command = [sys.executable, "-m", "devtools.devstack"]
        if tee is not None:  # the subshell outlives a signal (trap) to write down the exit status
            status = shlex.quote(f"{tee}.rc")
            run = f"{{ trap : INT TERM HUP; {shlex.join(command)}; echo $? > {status}; }}"
            command = ["sh", "-c", f"{run} 2>&1 | tee {shlex.quote(str(tee))}"]
        super().__init__(command, cwd or tmp_path, environment, own_group=True)

    def wait_for_line(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        def found() -> re.Match[str] | None:
            for line in list(self.lines):
                if match := re.search(pattern, line):
                    return match
            assert self.process.poll() is None, f"devstack exited:\n{self.output()}"
            exited = any(" exited (rc=" in line for line in self.lines)
            assert not exited, f"a process exited:\n{self.output()}"
            return None

        return wait_for(found, timeout, f"a line matching {pattern!r} in:\n{self.output()}")

    def signal(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)

    def wait(self, timeout: float = 30) -> int:
        return self.process.wait(timeout)

    def kill(self) -> None:
        """Last resort for a failed test: the whole tree, whatever group each process is in."""
        for pid in descendants(self.process.pid):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def run_devstack(tmp_path: Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m devtools.devstack` to the end, its data in `tmp_path`/data unless DEV_DATA_DIR says."""
    environment = project_env({"DEV_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [sys.executable, "-m", "devtools.devstack"], cwd=cwd or tmp_path, env=environment,
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def project_copy(tmp_path: Path) -> Path:
    """The project's code and `.env.example` copied as `.env`, as a newcomer's fresh clone after
    `cp .env.example .env`: `make dev` run there watches and runs the copy, not this checkout."""
    copy = tmp_path / "project"
    for folder in ("bot", "tasks", "core", "ioc", "devtools"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".env.example", copy / ".env")
    return copy


def api(base_url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The emulator's client API, as the chat page uses it."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def reply_to(stack: Devstack, base_url: str, chat_id: int, text: str, timeout: float = 20) -> str:
    """What the bot answers to `text` written in the sandbox's chat `chat_id`."""
    assert stack.process.poll() is None, f"devstack exited:\n{stack.output()}"
    sent = api(base_url, f"/emulator/api/chats/{chat_id}/messages", {"text": text})

    def reply() -> str | None:
        assert stack.process.poll() is None, f"devstack exited:\n{stack.output()}"
        path = f"/emulator/api/chats/{chat_id}/messages?after={sent['message_id']}&wait=1"
        answers = [m["text"] for m in api(base_url, path)["messages"] if m["from_bot"]]
        return answers[0] if answers else None

    return wait_for(reply, timeout, f"a reply to {text!r}")


# ---- the process tree, from /proc ----


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a live process, None once it is gone (or a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    state, ppid, start = fields[0], int(fields[1]), int(fields[19])
    return None if state in ("Z", "X") else (ppid, state, start)


def descendants(root: int) -> dict[int, int]:
    """Every live descendant of `root`: pid → start time (to tell a survivor from a reused pid)."""
    parents: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            parents[int(entry.name)] = (stat[0], stat[2])
    found: dict[int, int] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, start) in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = start
                frontier.append(pid)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except FileNotFoundError:
        return ""


def survivors(tree: dict[int, int]) -> list[str]:
    """The processes of `tree` still running (same pid, same start time)."""
    alive = [pid for pid, start in tree.items() if (stat := _stat(pid)) and stat[2] == start]
    return [f"{pid}: {command_line(pid)}" for pid in alive]
