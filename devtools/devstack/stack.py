"""`make dev` (`python -m devtools.devstack`): the whole stack in one terminal, supervised by honcho.

Redis (a local redis-server unless REDIS_URL is set), the Celery worker and beat, and the bot, with their
logs interleaved and prefixed by process name. Without TELEGRAM_BOT_TOKEN it runs in sandbox mode: the
Bot API emulator runs as well, the others get a sandbox token and its address, and its web chat page is
where you talk to the bot. If one process exits the others are stopped; Ctrl-C or SIGTERM stops them all.
The local Redis starts first and stops last (devtools.devstack.local_redis).
"""

import os
import shlex
import sys
from dataclasses import dataclass, field

from core.settings_loader import ConfigurationError, load_settings
from devtools.devstack.env import ROOT, DevSettings, DevstackError, choose_port, data_dir_lock
from devtools.devstack.local_redis import RedisServer, local_redis
from devtools.devstack.supervisor import Supervisor
from devtools.devstack.webhook import plan_webhook
from devtools.emulator.sandbox import DEFAULT_PORT, sandbox_token

PYTHON = sys.executable
WORKER = [PYTHON, "-m", "celery", "-A", "tasks.worker", "worker", "-P", "prefork", "-c", "2", "-l", "INFO"]
BEAT = [PYTHON, "-m", "celery", "-A", "tasks.beat", "beat", "-l", "INFO"]


@dataclass
class Stack:
    """What to run: the local redis-server if any, then process name → command line; their environment."""

    redis: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    bot_waits_for: list[str] = field(default_factory=list)


def plan_redis(settings: DevSettings, stack: Stack) -> None:
    if settings.redis_url is not None:
        stack.env["REDIS_URL"] = settings.redis_url.get_secret_value()
        stack.notes.append("redis: using REDIS_URL")
        return
    command, url = local_redis(settings.dev_data_dir)
    stack.redis = command
    stack.env["REDIS_URL"] = url
    stack.notes.append(f"redis: local redis-server on {url}, data in {settings.dev_data_dir / 'redis'}")


def plan_telegram(settings: DevSettings, stack: Stack) -> None:
    if settings.telegram_bot_token is not None:
        stack.notes.append(f"telegram: TELEGRAM_BOT_TOKEN set, talking to {settings.telegram_api_base_url}")
        return
    port = choose_port(settings.sandbox_port, "SANDBOX_PORT", preferred=DEFAULT_PORT)
    base_url = f"http://127.0.0.1:{port}"
    stack.env.update(TELEGRAM_BOT_TOKEN=sandbox_token(), TELEGRAM_API_BASE_URL=base_url)
    stack.processes["emulator"] = [
        PYTHON,
        "-m",
        "devtools.emulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    stack.bot_waits_for += ["--http", base_url]
    stack.notes.append("sandbox: no TELEGRAM_BOT_TOKEN, so the bot talks to a local Telegram emulator")
    stack.notes.append(f"sandbox: chat with the bot at {base_url}/")


def plan_project(settings: DevSettings, stack: Stack) -> None:
    """Worker, beat and bot, each started once what it needs answers (see devtools.devstack.wait)."""
    wait = [PYTHON, "-m", "devtools.devstack.wait", "--redis"]
    schedule = str(settings.dev_data_dir / "celerybeat-schedule")
    stack.processes["worker"] = [*wait, "--", *WORKER]
    stack.processes["beat"] = [*wait, "--", *BEAT, "-s", schedule]
    stack.processes["bot"] = [*wait, *stack.bot_waits_for, "--", PYTHON, "-m", "bot"]


def plan(settings: DevSettings) -> Stack:
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    stack = Stack(env={**os.environ, "PYTHONPATH": pythonpath, "PYTHONUNBUFFERED": "1"})
    plan_redis(settings, stack)
    plan_telegram(settings, stack)
    plan_project(settings, stack)
    plan_webhook(stack)  # BOT_MODE=webhook: devtools.devstack.webhook
    return stack


def supervise(stack: Stack) -> int:
    """Runs every process until one exits or a signal arrives; the exit code for `make dev`."""
    supervisor = Supervisor()
    for name, command in stack.processes.items():
        supervisor.add_process(name, f"exec {shlex.join(command)}", env=stack.env)
    supervisor.handle_signals()  # once it has them all: a stop then waits until they have all started
    redis = RedisServer(stack.redis, stack.env, supervisor) if stack.redis else None
    try:
        if redis is None or redis.answers(stack.env["REDIS_URL"]):
            supervisor.loop()
    finally:
        if redis is not None:
            redis.stop()
    code = int(supervisor.returncode or 0)
    if supervisor.exited is not None:
        print(f"devstack: stopped because {supervisor.exited} exited", file=sys.stderr, flush=True)
        return code or 1
    return code


def main() -> None:
    try:
        settings = load_settings(DevSettings)
        with data_dir_lock(settings.dev_data_dir):
            stack = plan(settings)
            for note in stack.notes:
                print(f"devstack: {note}", flush=True)
            code = supervise(stack)
    except (ConfigurationError, DevstackError) as exc:
        sys.exit(f"devstack: {exc}")
    sys.exit(code)


if __name__ == "__main__":
    main()
