"""honcho's process manager with two changes for `make dev`.

- When a process exits and so stops the stack, it says which one.
- Redis is stopped last, once the processes that use it have stopped: a worker's warm shutdown acks its
  tasks and the bot unsubscribes from its result channel, both in Redis.

It overrides two private methods of honcho 2's `Manager` (`_killall`, called to stop processes, and
`_all_stopped`, polled by its loop every 0.1 s); the pinned version in uv.lock is the one this was made for.
"""

from honcho.manager import Manager

STOPPED_LAST = "redis"


class Supervisor(Manager):  # type: ignore[misc]  # honcho has no type hints
    def __init__(self) -> None:
        super().__init__()
        self.exited: str | None = None
        self._signalled: set[str] = set()

    def terminate(self) -> None:
        if not self._terminating:
            for name, process in self._processes.items():
                if "returncode" in process and self.exited is None:
                    self.exited = name
                    self._system_print(f"{name} exited (rc={process['returncode']}): stopping the others\n")
        super().terminate()

    def _killall(self, force: bool = False) -> None:
        if force:
            super()._killall(force=True)
        else:
            self._stop_in_order()

    def _all_stopped(self) -> bool:
        if self._terminating:  # a process may have started, or the others stopped, since the last look
            self._stop_in_order()
        return bool(super()._all_stopped())

    def _stop_in_order(self) -> None:
        running = {name: p for name, p in self._processes.items() if "returncode" not in p}
        others_running = any(name != STOPPED_LAST for name in running)
        for name, process in running.items():
            if name in self._signalled or process.get("pid") is None:
                continue
            if name == STOPPED_LAST and others_running:
                continue
            self._signalled.add(name)
            self._system_print(f"sending SIGTERM to {name} (pid {process['pid']})\n")
            self._procmgr.terminate(process["pid"])
