"""WebhookSettings: the secret's shape, and the values webhook mode and `webhook set` require."""

import pytest
from pydantic import SecretStr

from core.settings_loader import ConfigurationError, load_settings
from core.webhook_settings import WebhookSettings
from tests.support.processes import ROOT


@pytest.mark.parametrize(
    "secret", ["has spaces and more than 16", "x" * 257, "semi;colon-and-more-than-16", "é" * 16, "a" * 15]
)
def test_a_malformed_secret_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigurationError) as raised:
        load_settings(WebhookSettings)
    message = str(raised.value)
    assert message == (
        "configuration error: WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and - "
        "(e.g. openssl rand -hex 32)"
    )
    assert secret not in message


@pytest.mark.parametrize("secret", ["a" * 16, "A-z_09" * 42 + "abcd"])
def test_secrets_of_telegram_shape_are_accepted(secret: str) -> None:
    assert WebhookSettings(secret=SecretStr(secret)).secret_token() == secret


def test_secret_and_url_are_required_only_where_used() -> None:
    settings = WebhookSettings(secret=None, url=None)
    with pytest.raises(ConfigurationError, match="WEBHOOK_SECRET is required when BOT_MODE=webhook"):
        settings.secret_token()
    with pytest.raises(ConfigurationError, match="WEBHOOK_URL is required to register the webhook"):
        settings.public_url()
    assert "s3cret-s3cret-s3cret" not in repr(WebhookSettings(secret=SecretStr("s3cret-s3cret-s3cret")))


def test_max_connections_is_telegrams_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_MAX_CONNECTIONS", "101")
    with pytest.raises(ConfigurationError, match="WEBHOOK_MAX_CONNECTIONS"):
        load_settings(WebhookSettings)


def test_env_example_lists_every_webhook_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    for field in WebhookSettings.model_fields:
        assert f"WEBHOOK_{field}=".upper() in example, field
    assert "BOT_MODE=polling" in example
