"""Checks Telegram applies to outgoing text, with Telegram's answers: UTF-8 only, well-formed HTML in the
HTML parse mode (as tdlib's `parse_html` reads it: a bare `<` or `&` that starts no tag is refused),
1-4,096 characters after entities parsing (counted in UTF-16 code units, as entity offsets are).
"""

import re

from devtools.emulator.faults import ApiError

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
     "tg-spoiler", "tg-emoji", "blockquote"}
)  # fmt: skip
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_TAG_NAME = re.compile(r"[^\s>]*")
_ATTRIBUTES = re.compile(r"""(?:\s+[A-Za-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*\s*>""")


def _refuse(problem: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {problem}")


class _HtmlText:
    """One pass over the text, as tdlib's parser: tags opened and closed in order, entities decoded."""

    def __init__(self, text: str) -> None:
        self.text, self.at, self.open, self.visible = text, 0, list[str](), list[str]()

    def offset(self) -> int:
        return len(self.text[: self.at].encode())

    def parse(self) -> str:
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "<":
                self._tag()
            elif char == "&" and (entity := _ENTITY.match(self.text, self.at)):
                self.visible.append(_decode(entity))
                self.at = entity.end()
            else:
                self.visible.append(char)
                self.at += 1
        if self.open:
            raise _refuse(f'Can\'t find end tag corresponding to start tag "{self.open[-1]}"')
        return "".join(self.visible)

    def _tag(self) -> None:
        start = self.offset()
        if self.text.startswith("</", self.at):
            end = self.text.find(">", self.at)
            if end < 0:
                raise _refuse(f"Unclosed end tag at byte offset {start}")
            name = self.text[self.at + 2 : end].strip().lower()
            if not self.open or self.open[-1] != name:
                raise _refuse(f'Unmatched end tag at byte offset {start}, expected "</{self._top()}>"')
            self.open.pop()
            self.at = end + 1
            return
        name_match = _TAG_NAME.match(self.text, self.at + 1)
        assert name_match is not None  # the pattern matches the empty string
        name = name_match.group().lower()
        if name not in HTML_TAGS:
            raise _refuse(f'Unsupported start tag "{name}" at byte offset {start}')
        rest = _ATTRIBUTES.match(self.text, name_match.end())
        if rest is None:
            raise _refuse(f"Unclosed start tag at byte offset {start}")
        self.open.append(name)
        self.at = rest.end()

    def _top(self) -> str:
        return self.open[-1] if self.open else ""


def _decode(entity: re.Match[str]) -> str:
    named, decimal, hexadecimal = entity.groups()
    if named:
        return _NAMED[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a reader sees; raises ApiError(400) where Telegram would refuse the message."""
    try:
        text.encode()
    except UnicodeEncodeError:
        raise ApiError(400, "Bad Request: strings must be encoded in UTF-8") from None
    if parse_mode and parse_mode.upper() == "HTML":
        text = _HtmlText(text).parse()
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_length(text) > MAX_TEXT_LENGTH:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def visible_caption(caption: str, parse_mode: str | None) -> str:
    """A media's caption as a reader sees it: may be empty, 1,024 UTF-16 units at most."""
    try:
        caption.encode()
    except UnicodeEncodeError:
        raise ApiError(400, "Bad Request: strings must be encoded in UTF-8") from None
    if parse_mode and parse_mode.upper() == "HTML":
        caption = _HtmlText(caption).parse()
    if utf16_length(caption) > MAX_CAPTION_LENGTH:
        raise ApiError(400, "Bad Request: message caption is too long")
    return caption
