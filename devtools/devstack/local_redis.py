"""The local redis-server of `make dev`: a free port, append-only persistence under the data folder.

It runs beside honcho rather than under it, so that it answers before the others start and stops after
they have all stopped: a worker's warm shutdown acks its tasks and the bot unsubscribes from its result
channel, both in Redis. Its output, start and stop lines are printed as honcho prints the others'.
"""

import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from devtools.devstack.env import DevstackError
from devtools.devstack.supervisor import Supervisor, line
from devtools.devstack.wait import DEADLINE, POLL, redis_answers
from devtools.ports import free_port

HOW_TO_GET_REDIS = (
    "redis-server not found and REDIS_URL not set: install Redis (Debian/Ubuntu: "
    "apt-get install redis-server) or set REDIS_URL=redis://HOST:6379/0"
)
NAME = "redis"
COLOUR = "34"  # blue: honcho gives the others cyan, yellow, green and magenta
STOP_WAIT = 10.0


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


class RedisServer:
    """redis-server in its own session (Ctrl-C reaches it only through `stop`), its output relayed.

    It inherits `lock_fd`, the data folder's lock (devtools.devstack.lock): while it runs, even if left
    behind, no other `make dev` starts a second redis-server on the same files.
    """

    def __init__(
        self, command: list[str], env: Mapping[str, str], supervisor: Supervisor, lock_fd: int
    ) -> None:
        self.supervisor = supervisor
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            pass_fds=(lock_fd,),
        )  # fmt: skip
        supervisor.printer.write(line(f"{NAME} started (pid={self.process.pid})"))
        self.relay = threading.Thread(target=self._relay, name="redis-output", daemon=True)
        self.relay.start()

    def _relay(self) -> None:
        """Its output, then its stop line, to honcho's `events` (printed by the main thread)."""
        assert self.process.stdout is not None
        for text in self.process.stdout:
            self.supervisor.events.put(line(text.decode(errors="replace").rstrip("\n"), NAME, COLOUR))
        self.supervisor.events.put(line(f"{NAME} stopped (rc={self.process.wait()})"))

    def answers(self, url: str) -> bool:
        """Waits until it answers at `url`: False if it exits first or the stack is being stopped."""
        deadline = time.monotonic() + DEADLINE
        while not self.supervisor.stopping and self.process.poll() is None:
            if redis_answers(url):
                return True
            if time.monotonic() > deadline:
                raise DevstackError(f"redis-server did not answer within {DEADLINE:.0f}s: see its log above")
            self.supervisor.print_events()
            time.sleep(POLL)
        return False

    def stop(self) -> None:
        """SIGTERM (Redis fsyncs its append-only file and exits), SIGKILL if it takes too long."""
        if self.process.poll() is None:
            self.supervisor.terminate()  # so its stop line is not taken for an unexpected exit
            self._signal("SIGTERM", self.process.terminate)
            try:
                self.process.wait(STOP_WAIT)
            except subprocess.TimeoutExpired:
                self._signal("SIGKILL", self.process.kill)
                self.process.wait()
        self.relay.join(STOP_WAIT)
        self.supervisor.print_events(until_stopped=NAME)

    def _signal(self, name: str, send: Callable[[], None]) -> None:
        self.supervisor.printer.write(line(f"sending {name} to {NAME} (pid {self.process.pid})"))
        send()
