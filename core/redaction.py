"""Keeps secrets (the bot token, Redis passwords) out of every rendered log line and error text."""

import re
from collections.abc import Iterable

REDACTED = "***"
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
_TOKEN_SHAPE = re.compile(r"(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}")


class SecretRedactor:
    """Replaces known secrets and anything shaped like a bot token or URL password."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if len(secret) >= 4:
            self._secrets.add(secret)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _TOKEN_SHAPE.sub(REDACTED, text)
        return _URL_PASSWORD.sub(rf"\g<scheme>\g<user>:{REDACTED}@", text)

    def __repr__(self) -> str:
        return f"SecretRedactor(secrets={len(self._secrets)})"
