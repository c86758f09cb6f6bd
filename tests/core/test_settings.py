"""Bad settings stop every entry point at start with one line naming the variable, and no secret; so do a
Bot API that refuses the token or cannot be reached when the bot starts.

Every case is one real process start; they all run at once (a few at a time) in a module fixture, as
each costs seconds of imports, and the tests read their results.
"""

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.settings_loader import ConfigurationError, load_settings
from devtools.ports import free_port
from ioc.common import SETTINGS
from tests.support.processes import ROOT, project_env
from tests.support.telegram import TEST_TOKEN, Telegram

PY = sys.executable
PREFIXES = tuple(str(c.model_config.get("env_prefix", "")) for c in SETTINGS)
BOT = [PY, "-m", "bot"]
WORKER = [PY, "-m", "celery", "-A", "tasks.worker", "worker"]
BEAT = [PY, "-m", "celery", "-A", "tasks.beat", "beat"]
EMULATOR = [PY, "-m", "devtools.emulator", "--port"]
DEVSTACK = [PY, "-m", "devtools.devstack"]
PASSWORD = "hunter2-redis-password"
VALID = {"REDIS_URL": f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0", "TELEGRAM_BOT_TOKEN": TEST_TOKEN}
BAD_PORT = f"redis://:{PASSWORD}@127.0.0.1:63x9/0"
AT_ONCE = 4
CRONTAB = "NOTIFICATIONS_SCHEDULE is not a valid crontab"
PORT = "REDIS_URL has an invalid host or port"
DATABASE = "REDIS_URL has an invalid database number"


@dataclass(frozen=True)
class Case:
    command: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    expected: str  # the start of the one line

    @classmethod
    def of(cls, command: list[str], env: dict[str, str], expected: str) -> "Case":
        return cls(tuple(command), tuple(env.items()), expected)


C = "configuration error: "
# One process start per process kind and kind of failure: each costs seconds of imports. What each bad
# setting is called is checked in-process below, for every settings class.
CASES = {
    "bot-redis-database": Case.of(
        BOT, {**VALID, "REDIS_URL": f"redis://:{PASSWORD}@h:6379/zero"}, C + DATABASE
    ),
    "bot-api-refused": Case.of(
        BOT,
        {**VALID, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}"},
        "telegram error: cannot reach the Bot API at http://127.0.0.1:",
    ),
    "worker-crontab": Case.of(WORKER, {**VALID, "NOTIFICATIONS_SCHEDULE": "61 9 * * *"}, C + CRONTAB),
    "worker-no-redis-url": Case.of(WORKER, {"TELEGRAM_BOT_TOKEN": TEST_TOKEN}, C + "REDIS_URL is required"),
    "beat-crontab": Case.of(BEAT, {**VALID, "NOTIFICATIONS_SCHEDULE": "*/0 * * * *"}, C + CRONTAB),
    "beat-redis-port": Case.of(BEAT, {**VALID, "REDIS_URL": BAD_PORT}, C + PORT),
    "emulator-port": Case.of([*EMULATOR, "eighty"], {}, "emulator: " + C + "argument --port"),
    "devstack-crontab": Case.of(DEVSTACK, {"NOTIFICATIONS_SCHEDULE": "0 9 * * 7"}, f"devstack: {C}{CRONTAB}"),
}
BAD_SETTINGS: list[tuple[dict[str, str | None], str]] = [
    ({"REDIS_URL": None}, "REDIS_URL is required but not set (see .env.example)"),
    ({"TELEGRAM_BOT_TOKEN": None}, "TELEGRAM_BOT_TOKEN is required but not set (see .env.example)"),
    ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN does not look like a bot token"),
    ({"TELEGRAM_API_BASE_URL": "http://h:port"}, "TELEGRAM_API_BASE_URL Input should be a valid URL"),
    ({"REDIS_URL": "http://example"}, "REDIS_URL must start with redis://, rediss:// or unix://"),
    ({"REDIS_URL": BAD_PORT}, PORT),
    ({"REDIS_URL": f"redis://:{PASSWORD}@h:99999/0"}, PORT),
    ({"REDIS_URL": f"redis://:{PASSWORD}@h:6379/zero"}, DATABASE),
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT Input should be 'console' or 'json'"),
    ({"BOT_TASK_TIMEOUT": "soon"}, "BOT_TASK_TIMEOUT Input should be a valid number"),
    (
        {"NOTIFICATIONS_SCHEDULE": "every day"},
        "NOTIFICATIONS_SCHEDULE must be seconds (e.g. 300) or a 5-field",
    ),
    ({"NOTIFICATIONS_SCHEDULE": "61 9 * * *"}, CRONTAB + ": Invalid end range: 61 > 59."),
    ({"NOTIFICATIONS_SCHEDULE": "0 9 31 2 *"}, CRONTAB),  # Celery: 31 February never occurs
    ({"NOTIFICATIONS_SCHEDULE": "0 9 L * *"}, CRONTAB),
    ({"NOTIFICATIONS_SCHEDULE": "0 9 1 * 1"}, CRONTAB + " here: restrict the day of the month or"),
    ({"NOTIFICATIONS_TIMEZONE": "Mars/Olympus"}, "NOTIFICATIONS_TIMEZONE is not a known IANA time zone"),
    ({"CELERY_TASK_TIME_LIMIT": "4000"}, "CELERY_TASK_TIME_LIMIT must be below CELERY_VISIBILITY_TIMEOUT"),
    ({"DELIVERY_CHUNK_SIZE": "0"}, "DELIVERY_CHUNK_SIZE Input should be greater than or equal to 1"),
    ({"SCHEDULES_DEFAULT_TIMEZONE": "Moon/Tycho"}, "SCHEDULES_DEFAULT_TIMEZONE is not a known IANA"),
    ({"SCHEDULES_MIN_INTERVAL": "0"}, "SCHEDULES_MIN_INTERVAL Input should be greater than or equal to 1"),
]
WRONG_TOKEN = "987654321:WRONG-token-the-emulator-does-not-know_01234"


@dataclass(frozen=True)
class Ended:
    returncode: int
    stdout: str
    stderr: str


async def _start(case: Case, cwd: Path, gate: asyncio.Semaphore) -> Ended:
    env = project_env({"DEV_DATA_DIR": str(cwd / "data"), **dict(case.env)})
    async with gate:
        process = await asyncio.create_subprocess_exec(
            *case.command, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return Ended(process.returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace"))


@pytest.fixture(scope="module")
async def ended(
    running_emulator: Telegram, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Ended, Case]]:
    """Every case started at once (AT_ONCE at a time); async, so the emulator answers meanwhile."""
    cases = {
        **CASES,
        "bot-api-401": Case.of(
            BOT,
            {**VALID, "TELEGRAM_BOT_TOKEN": WRONG_TOKEN, "TELEGRAM_API_BASE_URL": running_emulator.base_url},
            f"telegram error: the Bot API at {running_emulator.base_url} (TELEGRAM_API_BASE_URL) refused "
            "TELEGRAM_BOT_TOKEN (401 Unauthorized)",
        ),
    }
    gate = asyncio.Semaphore(AT_ONCE)
    dirs = {name: tmp_path_factory.mktemp(name) for name in cases}
    results = await asyncio.gather(*(_start(case, dirs[name], gate) for name, case in cases.items()))
    return {name: (result, cases[name]) for name, result in zip(cases, results, strict=True)}


@pytest.mark.timeout(300)  # the module fixture starts every process, on a machine that may be busy
@pytest.mark.parametrize("name", [*CASES, "bot-api-401"])
def test_a_bad_setting_or_an_unusable_bot_api_is_one_clear_line(
    name: str, ended: dict[str, tuple[Ended, Case]]
) -> None:
    done, case = ended[name]
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(case.expected), lines[0]
    for secret in (TEST_TOKEN, WRONG_TOKEN, PASSWORD, "not-a-token"):
        assert secret not in done.stderr + done.stdout


def load_every_setting() -> None:
    for settings_class in SETTINGS:
        load_settings(settings_class)


@pytest.mark.parametrize(("env", "expected"), BAD_SETTINGS, ids=[",".join(env) for env, _ in BAD_SETTINGS])
def test_each_bad_setting_is_named_without_its_value(
    env: dict[str, str | None], expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in [name for name in os.environ if name.startswith(PREFIXES)]:
        monkeypatch.delenv(name)
    for name, value in {**VALID, **env}.items():
        if value is not None:
            monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as refused:
        load_every_setting()
    assert str(refused.value).startswith(C + expected)
    assert "\n" not in str(refused.value)
    for value in (*VALID.values(), *env.values()):
        assert not value or value not in str(refused.value)


def test_env_example_lists_every_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    for settings_class in SETTINGS:
        prefix = str(settings_class.model_config.get("env_prefix", ""))
        for field in settings_class.model_fields:
            assert f"{prefix}{field}".upper() + "=" in example, f"{prefix}{field} missing"
