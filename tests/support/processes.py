"""Real helper processes for the suite: a throwaway redis-server and Celery workers."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path

import redis

from devtools.ports import free_port
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


class RedisServer:
    """A redis-server on a free port, no persistence, owned (and checked) by the test run."""

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server not found on PATH: install it (Debian: apt-get install redis-server)"
            )
        self.port = port or free_port()  # a given port: a restart where clients expect it
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.mkdtemp(prefix="test-redis-")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self._dir, "--databases", "32"]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.client = redis.Redis.from_url(self.url, socket_timeout=2)
        wait_for(partial(answers_ping, self.client), 10, f"redis-server on port {self.port}")
        served_by = self.client.info("server")["process_id"]
        assert served_by == self.process.pid, "another Redis answers on our port"

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.resume()
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self._dir, ignore_errors=True)


def answers_ping(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def child_pids(parent: int) -> list[int]:
    """Direct children of `parent`, read from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def project_env(extra: Mapping[str, str]) -> dict[str, str]:
    """Environment for a project subprocess: PATH and friends, the project on PYTHONPATH, no .env."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", LOG_FORMAT="json")
    env.update(extra)
    return env


class CapturedProcess:
    """A project subprocess whose combined output is collected, line by line, while it runs."""

    def __init__(self, command: list[str], cwd: Path, env: Mapping[str, str], *, own_group: bool) -> None:
        self.process = subprocess.Popen(
            command, cwd=cwd, env=project_env(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=own_group,
        )  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)


class CeleryProcess:
    """`celery -A tasks.<command> <command>` (worker or beat) as a subprocess in its own process group,
    logging to a file."""

    def __init__(self, env: Mapping[str, str], *command: str) -> None:
        self.cwd = tempfile.mkdtemp(prefix=f"test-{command[0]}-")
        self.log_path = Path(self.cwd) / f"{command[0]}.log"
        args = [sys.executable, "-m", "celery", "-A", f"tasks.{command[0]}", *command, "-l", "INFO"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                args, env=project_env(env), cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> list[int]:
        return child_pids(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        shutil.rmtree(self.cwd, ignore_errors=True)


class CeleryWorker(CeleryProcess):
    def __init__(self, env: Mapping[str, str], concurrency: int = 2, name: str = "w1") -> None:
        super().__init__(
            env, "worker", "-P", "prefork", "-c", str(concurrency), "-n", f"{name}@%h",
            "--without-mingle", "--without-gossip",
        )  # fmt: skip


class CeleryBeat(CeleryProcess):
    def __init__(self, env: Mapping[str, str]) -> None:
        super().__init__(env, "beat", "--max-interval", "1")
