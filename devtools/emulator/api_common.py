"""What several Bot API methods read from their parameters, refused as Telegram refuses it."""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from devtools.emulator.faults import ApiError
from devtools.emulator.messages import Media, MediaKind
from devtools.emulator.state import EmulatorState

Params = dict[str, Any]
MAX_CALLBACK_DATA = 64  # bytes


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request: only its name is kept (placeholders have no bytes)."""

    file_name: str


def chat_id_of(state: EmulatorState, params: Params, name: str = "chat_id") -> int:
    try:
        chat_id = int(params[name])
    except (KeyError, ValueError):
        raise ApiError(400, f"Bad Request: {name} is empty") from None
    if chat_id not in state.chats:
        raise ApiError(400, "Bad Request: chat not found")
    return chat_id


def int_param(params: Params, name: str, empty: str) -> int:
    try:
        return int(params[name])
    except (KeyError, ValueError):
        raise ApiError(400, f"Bad Request: {empty}") from None


def inline_keyboard(params: Params) -> dict[str, Any] | None:
    """The `reply_markup` when it is an inline keyboard (the only kind kept on a message), checked."""
    raw = params.get("reply_markup")
    if raw is None or raw == "":
        return None
    try:
        markup = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        markup = None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None  # a reply keyboard or its removal: not part of the message
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays')
    for button in (button for row in rows for button in row):
        _check_button(button)
    return {"inline_keyboard": rows} if any(rows) else None  # an empty one removes the keyboard


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"]:
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text is empty")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if len(button) == 1:
        why = "Text buttons are unallowed in the inline keyboard"
        raise ApiError(400, f"Bad Request: can't parse inline keyboard button: {why}")


def media_of(state: EmulatorState, params: Params, kind: MediaKind) -> Media:
    """The placeholder a sendPhoto/sendDocument names: an upload, a known file_id, or a URL."""
    value = params.get(kind)
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.get(value.removeprefix("attach://"))
    if isinstance(value, Upload):
        media = Media.new(kind, value.file_name or kind)
    elif isinstance(value, str) and value in state.files:
        known = state.files[value]
        media = known if known.kind == kind else Media.new(kind, known.file_name)
    elif isinstance(value, str) and urlparse(value).scheme in ("http", "https"):
        media = Media.new(kind, urlparse(value).path.rsplit("/", 1)[-1] or kind)
    elif value is None or value == "":
        raise ApiError(400, f"Bad Request: there is no {kind} in the request")
    else:
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
    state.files[media.file_id] = media
    return media
