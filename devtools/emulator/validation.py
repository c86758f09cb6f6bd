"""Checks Telegram applies to outgoing text: length and, for HTML parse mode, well-formed markup."""

from html.parser import HTMLParser

from devtools.emulator.faults import ApiError

MAX_TEXT_LENGTH = 4096
HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
     "tg-spoiler", "tg-emoji", "blockquote"}
)  # fmt: skip


class _TagBalance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: unexpected end tag "{tag}"')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a reader sees; raises ApiError(400) where Telegram would refuse the message."""
    if parse_mode and parse_mode.upper() == "HTML":
        parser = _TagBalance()
        parser.feed(text)
        parser.close()
        if parser.open:
            raise ApiError(400, f'Bad Request: can\'t parse entities: unclosed tag "{parser.open[-1]}"')
        text = "".join(parser.visible)
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise ApiError(400, "Bad Request: message is too long")
    return text
