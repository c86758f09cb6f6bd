"""A redis-server a test may stop, crash, hang and start again on the same port, with its data kept
(append-only file, as in production), so a restart is what an operator's restart is."""

import shutil
import signal
import subprocess
import tempfile
from functools import partial

import redis

from devtools.ports import free_port
from tests.support.processes import answers_ping
from tests.support.waiting import wait_for


class RestartableRedis:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server not found on PATH: install it (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.mkdtemp(prefix="test-redis-restart-")
        self._args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                      "--appendonly", "yes", "--appendfsync", "always", "--dir", self._dir]  # fmt: skip
        self.client = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        """Starts the server (again) on its port, with the data it had; returns once it answers."""
        self.process = subprocess.Popen(self._args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(partial(answers_ping, self.client), 15, f"redis-server on port {self.port}")
        assert self.client.info("server")["process_id"] == self.process.pid, "another Redis answers"

    def terminate(self) -> None:
        """SIGTERM, as an orchestrator stops it: Redis closes every connection and exits."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        self.process.wait(10)
        self.client.connection_pool.disconnect()

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.terminate()
        self.client.close()
        shutil.rmtree(self._dir, ignore_errors=True)
