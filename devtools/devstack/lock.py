"""One `make dev` per data folder: two Redis servers on one append-only file would corrupt it.

The lock is an flock on `<data dir>/devstack.lock`, held while `make dev` runs and, through an inherited
descriptor, while its redis-server runs: a redis-server left behind still holds it. The file says who holds
it, so a second `make dev` names the running one in its one-line refusal.
"""

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from devtools.devstack.env import DevstackError


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DevLock:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / "devstack.lock"
        self.info: dict[str, Any] = {}
        self.fd = -1

    def acquire(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise DevstackError(self._refusal()) from None
        self.describe(pid=os.getpid())

    def describe(self, **info: Any) -> None:
        """Adds to what the lock file says about this `make dev` (pids, chat page)."""
        self.info.update(info)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps(self.info).encode(), 0)

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _refusal(self) -> str:
        try:
            holder = json.loads(self.path.read_text())
        except (OSError, ValueError):
            holder = {}
        where = f"with its data in {self.data_dir}"
        if _alive(holder.get("pid")):
            pid, page = holder["pid"], holder.get("chat_page")
            running = f"pid {pid}" + (f", chat page {page}" if page else "")
            return (
                f"`make dev` is already running ({running}) {where}: stop it (Ctrl-C in its terminal, "
                f"or kill {pid}) or set DEV_DATA_DIR to another folder"
            )
        if _alive(holder.get("redis_pid")):
            pid = holder["redis_pid"]
            return f"a redis-server (pid {pid}) left by an earlier `make dev` still runs {where}: kill {pid}"
        return f"another `make dev` is already running {where}: stop it, or set DEV_DATA_DIR to another one"


@contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[DevLock]:
    lock = DevLock(data_dir)
    lock.acquire()
    try:
        yield lock
    finally:
        with suppress(OSError):
            lock.release()
