"""`make dev` in sandbox mode lets schedules run often (SCHEDULES_MIN_INTERVAL 5 s) and makes the page's
person the bot's admin, unless those are set."""

from pathlib import Path

import pytest
from pydantic import SecretStr

from devtools.devstack.env import DevSettings
from devtools.devstack.stack import SANDBOX_MIN_INTERVAL, plan
from devtools.emulator.sandbox import PERSON_ID
from tests.support.processes import RedisServer


def settings(redis_server: RedisServer, tmp_path: Path, token: str | None = None) -> DevSettings:
    bot_token = SecretStr(token) if token else None
    return DevSettings(
        redis_url=SecretStr(redis_server.url), dev_data_dir=tmp_path, telegram_bot_token=bot_token
    )


def test_the_sandbox_lowers_the_minimum_interval(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_server: RedisServer
) -> None:
    monkeypatch.delenv("SCHEDULES_MIN_INTERVAL", raising=False)
    stack = plan(settings(redis_server, tmp_path))
    assert stack.env["SCHEDULES_MIN_INTERVAL"] == str(SANDBOX_MIN_INTERVAL) == "5"
    assert "sandbox: schedules may run as often as every 5s (/every 10s ping)" in stack.notes


def test_a_minimum_interval_that_is_set_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_server: RedisServer
) -> None:
    monkeypatch.setenv("SCHEDULES_MIN_INTERVAL", "30")
    assert plan(settings(redis_server, tmp_path)).env["SCHEDULES_MIN_INTERVAL"] == "30"


def test_a_real_telegram_keeps_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_server: RedisServer
) -> None:
    monkeypatch.delenv("SCHEDULES_MIN_INTERVAL", raising=False)
    stack = plan(settings(redis_server, tmp_path, token="1:real"))
    assert "SCHEDULES_MIN_INTERVAL" not in stack.env


def test_the_sandbox_person_is_the_bots_admin_unless_admins_are_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_server: RedisServer
) -> None:
    monkeypatch.delenv("ADMIN_USER_IDS", raising=False)
    assert plan(settings(redis_server, tmp_path)).env["ADMIN_USER_IDS"] == str(PERSON_ID)
    monkeypatch.setenv("ADMIN_USER_IDS", "7,8")
    assert plan(settings(redis_server, tmp_path)).env["ADMIN_USER_IDS"] == "7,8"
    monkeypatch.delenv("ADMIN_USER_IDS")
    assert "ADMIN_USER_IDS" not in plan(settings(redis_server, tmp_path, token="1:real")).env
