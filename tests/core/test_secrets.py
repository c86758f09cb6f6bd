"""Secrets from files (Docker/compose secrets, docker-compose.secrets.yml): a file named like the variable
in the secrets directory (/run/secrets in a container) gives its value when the environment does not."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import TelegramSettings
from core.settings_loader import describe_errors
from tests.support.telegram import TEST_TOKEN


@pytest.fixture
def secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    directory = tmp_path / "secrets"
    directory.mkdir()
    return directory


def test_the_token_comes_from_its_file(secrets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (secrets / "telegram_bot_token").write_text(TEST_TOKEN + "\n")  # as `echo` writes it
    assert TelegramSettings(_secrets_dir=secrets).bot_token.get_secret_value() == TEST_TOKEN
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")  # `TELEGRAM_BOT_TOKEN=` from .env.example: unset
    assert TelegramSettings(_secrets_dir=secrets).bot_token.get_secret_value() == TEST_TOKEN
    other = TEST_TOKEN.replace("123", "321", 1)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", other)  # the environment wins over the file
    assert TelegramSettings(_secrets_dir=secrets).bot_token.get_secret_value() == other


def test_a_missing_file_is_one_clear_line(secrets: Path) -> None:
    with pytest.raises(ValidationError) as error:
        TelegramSettings(_secrets_dir=secrets)
    assert describe_errors(TelegramSettings, error.value) == (
        "configuration error: TELEGRAM_BOT_TOKEN is required but not set (see .env.example)"
    )


def test_a_file_with_a_wrong_token_is_named_without_its_value(secrets: Path) -> None:
    (secrets / "telegram_bot_token").write_text("hunter2-not-a-token")
    with pytest.raises(ValidationError) as error:
        TelegramSettings(_secrets_dir=secrets)
    line = describe_errors(TelegramSettings, error.value)
    assert line.startswith("configuration error: TELEGRAM_BOT_TOKEN does not look like a bot token")
    assert "hunter2" not in line
