"""Fail-fast settings loading: a bad environment becomes one line naming the variable."""

from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class ConfigurationError(Exception):
    """The environment does not describe a runnable configuration; the message is safe to print."""


def load_settings(settings_class: type[SettingsT]) -> SettingsT:
    try:
        return settings_class()
    except ValidationError as exc:
        raise ConfigurationError(describe_errors(settings_class, exc)) from None


def describe_errors(settings_class: type[BaseSettings], exc: ValidationError) -> str:
    """Name each offending variable with what is wrong, never echoing the value."""
    prefix = str(settings_class.model_config.get("env_prefix", ""))
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "is required but not set (see .env.example)"
        name = f"{prefix}{field}".upper() if field else settings_class.__name__
        problems.append(f"{name} {message}" if field else message)
    return "configuration error: " + "; ".join(problems)
