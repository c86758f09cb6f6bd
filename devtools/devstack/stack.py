"""`make dev` (`python -m devtools.devstack`): the whole stack in one terminal, supervised by honcho.

Redis (a local redis-server unless REDIS_URL is set), the Celery worker and beat, and the bot, with their
logs interleaved and prefixed by process name. Without TELEGRAM_BOT_TOKEN it runs in sandbox mode: the
Bot API emulator runs as well, the others get a sandbox token and its address, and its web chat page is
where you talk to the bot. The bot, the worker and beat restart when Python code under bot/, tasks/, core/
or ioc/ changes (devtools.devstack.reload). One "ready" line says when everything is ready
(devtools.devstack.ready). If one process exits the others are stopped; Ctrl-C, SIGTERM or SIGHUP (the
terminal closed) stops them all, and the exit status is then 0. The local Redis starts first and stops last
(devtools.devstack.local_redis). One `make dev` per data folder (devtools.devstack.lock).
"""

import os
import shlex
import sys
from dataclasses import dataclass, field

from core.settings_loader import ConfigurationError, load_settings
from devtools.devstack.env import ROOT, DevSettings, DevstackError, choose_port
from devtools.devstack.local_redis import RedisServer, local_redis
from devtools.devstack.lock import DevLock, data_dir_lock
from devtools.devstack.output import say
from devtools.devstack.preflight import check_project_settings
from devtools.devstack.ready import Readiness
from devtools.devstack.supervisor import Supervisor
from devtools.devstack.wait import redacted, redis_answers
from devtools.devstack.webhook import plan_webhook
from devtools.emulator.sandbox import DEFAULT_PORT, PERSON_ID, sandbox_token

PYTHON = sys.executable
WORKER = [PYTHON, "-m", "celery", "-A", "tasks.worker", "worker", "-P", "prefork", "-c", "2", "-l", "INFO"]
BEAT = [PYTHON, "-m", "celery", "-A", "tasks.beat", "beat", "-l", "INFO"]
WATCHED = [str(ROOT / folder) for folder in ("bot", "tasks", "core", "ioc")]
RELOAD = [PYTHON, "-m", "devtools.devstack.reload", *WATCHED, "--"]
SANDBOX_MIN_INTERVAL = 5  # seconds: a newcomer types `/every 10s ping` and watches the results arrive


@dataclass
class Stack:
    """What to run: the local redis-server if any, then process name → command line; their environment."""

    redis: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    bot_waits_for: list[str] = field(default_factory=list)
    chat_page: str | None = None


def plan_redis(settings: DevSettings, stack: Stack) -> None:
    if settings.redis_url is not None:
        url = settings.redis_url.get_secret_value()
        if not redis_answers(url, timeout=3):
            raise DevstackError(
                f"REDIS_URL ({redacted(url)}) does not answer: start that Redis, or unset REDIS_URL "
                "(comment it out in .env) to have `make dev` run a local redis-server"
            )
        stack.env["REDIS_URL"] = url
        stack.notes.append(f"redis: using REDIS_URL ({redacted(url)})")
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
    sandbox_defaults(settings, stack)
    stack.chat_page = f"{base_url}/"
    stack.notes.append("sandbox: no TELEGRAM_BOT_TOKEN, so the bot talks to a local Telegram emulator")
    stack.notes.append(f"sandbox: chat with the bot at {base_url}/ (it answers from the ready line on)")


def sandbox_defaults(settings: DevSettings, stack: Stack) -> None:
    """What the sandbox sets unless `.env` or the environment does: schedules that may run every few
    seconds, and the page's person as the bot's admin (so /broadcast and /stats can be tried)."""
    if settings.schedules_min_interval is None:
        stack.env["SCHEDULES_MIN_INTERVAL"] = str(SANDBOX_MIN_INTERVAL)
        stack.notes.append(
            f"sandbox: schedules may run as often as every {SANDBOX_MIN_INTERVAL}s (/every 10s ping)"
        )
    if settings.admin_user_ids is None:
        stack.env["ADMIN_USER_IDS"] = str(PERSON_ID)
        stack.notes.append("sandbox: you are the bot's admin on the chat page (/broadcast, /stats)")


def plan_project(settings: DevSettings, stack: Stack) -> None:
    """Worker, beat and bot, each started once what it needs answers (see devtools.devstack.wait)."""
    wait = [PYTHON, "-m", "devtools.devstack.wait", "--redis"]
    schedule = str(settings.dev_data_dir / "celerybeat-schedule")
    stack.processes["worker"] = [*wait, "--", *RELOAD, *WORKER]
    stack.processes["beat"] = [*wait, "--", *RELOAD, *BEAT, "-s", schedule]
    stack.processes["bot"] = [*wait, *stack.bot_waits_for, "--", *RELOAD, PYTHON, "-m", "bot"]


def plan(settings: DevSettings) -> Stack:
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    stack = Stack(env={**os.environ, "PYTHONPATH": pythonpath, "PYTHONUNBUFFERED": "1"})
    plan_redis(settings, stack)
    plan_telegram(settings, stack)
    plan_project(settings, stack)
    plan_webhook(stack)  # BOT_MODE=webhook: devtools.devstack.webhook
    return stack


def supervise(stack: Stack, lock: DevLock) -> int:
    """Runs every process until one exits or a signal arrives; the exit code for `make dev`."""
    supervisor = Supervisor()
    for name, command in stack.processes.items():
        supervisor.add_process(name, f"exec {shlex.join(command)}", env=stack.env)
    webhook = stack.env.get("WEBHOOK_PORT") if stack.env.get("BOT_MODE") == "webhook" else None
    webhook_ready = f"http://127.0.0.1:{webhook}/readyz" if webhook else None
    Readiness(supervisor, stack.env["REDIS_URL"], stack.chat_page, webhook_ready)
    supervisor.handle_signals()  # once it has them all: a stop then waits until they have all started
    redis = RedisServer(stack.redis, stack.env, supervisor, lock.fd) if stack.redis else None
    if redis is not None:
        lock.describe(redis_pid=redis.process.pid)
    try:
        if redis is None or redis.answers(stack.env["REDIS_URL"]):
            supervisor.loop()
    finally:
        supervisor.sweep()
        if redis is not None:
            redis.stop()
    if supervisor.exited is not None:
        say(f"devstack: stopped because {supervisor.exited} exited", sys.stderr)
    return supervisor.exit_code


def main() -> None:
    try:
        settings = load_settings(DevSettings)
        with data_dir_lock(settings.dev_data_dir) as lock:
            stack = plan(settings)
            check_project_settings(stack.env)
            lock.describe(chat_page=stack.chat_page)
            for note in stack.notes:
                say(f"devstack: {note}")
            code = supervise(stack, lock)
    except (ConfigurationError, DevstackError) as exc:
        sys.exit(f"devstack: {exc}")
    except KeyboardInterrupt:  # Ctrl-C before anything was started: nothing to stop
        sys.exit(0)
    sys.exit(code)


if __name__ == "__main__":
    main()
