"""Keeps secrets (the bot token, Redis passwords) out of every rendered log line and error text.

Secrets are also caught percent-encoded (a URL-echoing error page quotes `:` as `%3A`), in any mix of
encoded and plain characters, upper- or lower-case hex, and encoded twice (`%253A`).
"""

import re
from collections.abc import Iterable

REDACTED = "***"
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
_TOKEN_SHAPE = re.compile(r"(?<![0-9])\d{5,}(?::|%3a|%253a)[A-Za-z0-9_-]{30,}", re.IGNORECASE)


def _quoted_forms(secret: str) -> str:
    """A pattern matching `secret` with any of its characters percent-encoded once or twice."""
    parts = []
    for char in secret:
        encoded = "".join(f"%(?:25)?{byte:02x}" for byte in char.encode())
        parts.append(f"(?:{re.escape(char)}|{encoded})")
    return "".join(parts)


class SecretRedactor:
    """Replaces known secrets and anything shaped like a bot token or URL password."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._quoted: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if len(secret) >= 4 and secret not in self._secrets:
            self._secrets.add(secret)
            forms = sorted(self._secrets, key=len, reverse=True)
            self._quoted = re.compile("|".join(map(_quoted_forms, forms)), re.IGNORECASE)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        if "%" in text and self._quoted is not None:
            text = self._quoted.sub(REDACTED, text)
        text = _TOKEN_SHAPE.sub(REDACTED, text)
        return _URL_PASSWORD.sub(rf"\g<scheme>\g<user>:{REDACTED}@", text)

    def __repr__(self) -> str:
        return f"SecretRedactor(secrets={len(self._secrets)})"
