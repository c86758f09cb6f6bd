"""The honcho 2 behaviour devtools.devstack.supervisor relies on, through honcho's public API.

The lines its loop prints ("NAME started (pid=N)", "NAME stopped (rc=N)"), the lines it prints for
messages put in `events`, and a `terminate` asked for before its processes have started.
"""

import io
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from devtools.devstack.supervisor import Supervisor, line

LONG = "exec sleep 30"


@pytest.fixture(autouse=True)
def _keep_signal_handlers() -> Iterator[None]:
    """honcho's loop sets its own SIGINT and SIGTERM handlers: not for the rest of this test run."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def run(supervisor: Supervisor) -> list[str]:
    """Runs the loop; the printed lines without their time and name prefix."""
    started = time.monotonic()
    supervisor.loop()
    assert time.monotonic() - started < 10, "a long process was left running"
    return printed(supervisor)


def supervising(**processes: str) -> Supervisor:
    supervisor = Supervisor(io.StringIO())
    for name, command in processes.items():
        supervisor.add_process(name, command)
    return supervisor


def printed(supervisor: Supervisor) -> list[str]:
    return [text.split("| ", 1)[1] for text in supervisor.printer.output.getvalue().splitlines()]


def test_a_process_that_exits_is_named_and_the_others_are_stopped() -> None:
    supervisor = supervising(quick="exit 3", slow=LONG)
    lines = run(supervisor)
    assert supervisor.exited == "quick"
    assert supervisor.returncode == 3
    exited = lines.index("quick exited (rc=3): stopping the others")
    assert lines.index("quick stopped (rc=3)") < exited
    assert [n for n, text in enumerate(lines) if text.startswith("sending SIGTERM to slow")] > [exited]
    assert "slow stopped (rc=-15)" in lines


def test_a_stop_asked_for_before_the_processes_start_waits_for_them() -> None:
    supervisor = supervising(one=LONG, two=LONG)
    supervisor.terminate()  # honcho 2's own `terminate` would look up pids it has not got yet
    lines = run(supervisor)
    assert supervisor.exited is None
    assert {"one stopped (rc=-15)", "two stopped (rc=-15)"} <= set(lines)


def test_lines_put_in_events_are_printed_and_a_stop_line_there_stops_the_others() -> None:
    supervisor = supervising(slow=LONG)
    supervisor.events.put(line("hello from beside", "beside"))
    supervisor.events.put(line("beside stopped (rc=2)"))
    lines = run(supervisor)
    assert supervisor.exited == "beside"
    assert supervisor.returncode == 2
    assert "hello from beside" in lines
    assert lines.index("beside exited (rc=2): stopping the others") < lines.index("slow stopped (rc=-15)")


def test_without_the_loop_lines_are_printed_until_the_stop_line() -> None:
    supervisor = supervising()
    supervisor.terminate()  # as devtools.devstack.local_redis does before it stops Redis
    later = threading.Timer(0.3, supervisor.events.put, [line("beside stopped (rc=0)")])
    supervisor.events.put(line("last words", "beside"))
    later.start()
    supervisor.print_events(until_stopped="beside")
    assert printed(supervisor) == ["last words", "beside stopped (rc=0)"]
    assert supervisor.exited is None


def test_a_stop_asked_for_exits_0_even_if_a_process_had_to_be_killed() -> None:
    supervisor = supervising()
    supervisor.on_signal(signal.SIGTERM, None)
    supervisor.seen("worker stopped (rc=-9)")  # SIGKILLed after honcho's KILL_WAIT
    assert (supervisor.exited, supervisor.exit_code) == (None, 0)


def test_a_process_killed_on_its_own_exits_as_a_shell_would_say() -> None:
    supervisor = supervising()
    supervisor.seen("worker stopped (rc=-9)")
    supervisor.on_signal(signal.SIGINT, None)  # Ctrl-C while the others stop: still the worker's failure
    assert (supervisor.exited, supervisor.exit_code) == ("worker", 128 + signal.SIGKILL)


def test_output_that_has_gone_is_dropped_and_the_stop_goes_on() -> None:
    reader, writer = os.pipe()
    os.close(reader)  # as when tee dies with Ctrl-C
    with os.fdopen(writer, "w") as output:
        supervisor = Supervisor(output)
        for name, command in {"quick": "exit 3", "slow": LONG}.items():
            supervisor.add_process(name, command)
        started = time.monotonic()
        supervisor.loop()
        assert time.monotonic() - started < 10, "a long process was left running"
    assert supervisor.exited == "quick"
    assert supervisor.stopped == {"quick", "slow"}
