"""Text from users, made safe to quote in a reply: valid UTF-8, short, and escaped by aiogram's formatting
utilities (`aiogram.utils.formatting`), so it can neither break nor inject the reply's HTML."""

from aiogram.utils.formatting import Text

QUOTE_LIMIT = 64  # characters of user text a reply quotes; Telegram's commands are at most 32


def clean(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` with lone surrogates (not encodable as UTF-8) replaced by U+FFFD, cut to `limit` with …"""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def html(*parts: str | Text) -> str:
    """The parts as reply HTML: plain strings escaped, formatting nodes (`Bold`, `Code`…) rendered."""
    return Text(*parts).as_html()
