"""`python -m devtools.devstack.reload DIR -- COMMAND`: COMMAND restarted on a code change, stopped with
its process group, and its own exit passed on until the first reload."""

import os
import signal
import sys
from contextlib import suppress
from pathlib import Path

from tests.support.devstack import descendants, survivors
from tests.support.processes import CapturedProcess
from tests.support.waiting import wait_for

COMMAND = [sys.executable, "-c", "import os, time; print('child', os.getpid(), flush=True); time.sleep(30)"]


def reloader(watched: Path, *command: str) -> CapturedProcess:
    argv = [sys.executable, "-m", "devtools.devstack.reload", str(watched), "--", *command]
    return CapturedProcess(argv, watched, {}, own_group=True)


def children(process: CapturedProcess) -> list[str]:
    return [line for line in process.lines if line.startswith("child ")]


def test_a_python_change_restarts_the_command_and_a_signal_stops_both(tmp_path: Path) -> None:
    process = reloader(tmp_path, *COMMAND)
    try:
        wait_for(lambda: children(process), 15, "the command to start")
        (tmp_path / "notes.txt").write_text("not code")
        (tmp_path / "module.py").write_text("X = 1\n")
        wait_for(lambda: len(children(process)) >= 2, 15, f"a restart:\n{process.output()}")
        assert "reload: module.py changed: restarting" in process.lines
        assert not any("notes.txt" in line for line in process.lines)
        tree = descendants(process.process.pid)
        os.killpg(process.process.pid, signal.SIGTERM)  # as honcho stops it
        assert process.process.wait(15) == 128 + signal.SIGTERM, process.output()
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.process.pid, signal.SIGKILL)
    assert survivors(tree) == []


def test_a_command_that_exits_before_any_change_ends_the_reloader_with_its_code(tmp_path: Path) -> None:
    process = reloader(tmp_path, sys.executable, "-c", "raise SystemExit(3)")
    assert process.process.wait(15) == 3


def test_a_command_that_fails_after_a_change_waits_for_the_next_change(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("X = 1\n")
    fails_if_broken = "import module, os, time; print('child', os.getpid(), flush=True); time.sleep(30)"
    process = reloader(tmp_path, sys.executable, "-c", fails_if_broken)
    try:
        wait_for(lambda: children(process), 15, "the command to start")
        module.write_text("X = \n")  # a syntax error being typed
        wait_for(lambda: any("exited (rc=1)" in line for line in process.lines), 15, process.output())
        assert process.process.poll() is None, "the reloader must wait for a fix, not exit"
        module.write_text("X = 2\n")
        wait_for(lambda: len(children(process)) >= 2, 15, f"a restart after the fix:\n{process.output()}")
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.process.pid, signal.SIGKILL)
