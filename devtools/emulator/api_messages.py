"""Bot API methods that post a message: sendMessage, sendPhoto, sendDocument, copyMessage.

Every one passes the same gate as Telegram's (`_admit`): a migrated group, a blocked chat, server errors
and the flood limits (per chat, per group, global) apply to all of them alike.
"""

import asyncio
import json
from typing import Any

from devtools.emulator.api_common import Params, chat_id_of, inline_keyboard, int_param, media_of
from devtools.emulator.faults import ApiError, Faults
from devtools.emulator.messages import MediaKind
from devtools.emulator.state import EmulatorState
from devtools.emulator.validation import visible_caption, visible_text


async def _admit(state: EmulatorState, faults: Faults, chat_id: int) -> None:
    """Raises what Telegram would answer a message to `chat_id` with right now, if anything."""
    migrated_to = faults.migrations.get(chat_id)
    if migrated_to is not None and migrated_to not in state.chats:
        state.add_chat(migrated_to, "supergroup", state.chats[chat_id].title)
    faults.check_send(chat_id, state.chats[chat_id].type != "private")
    if faults.send_delay:
        await asyncio.sleep(faults.send_delay)


def _reply_to(state: EmulatorState, chat_id: int, params: Params) -> dict[str, Any]:
    """`reply_to_message_id`, or `reply_parameters.message_id` (in this chat), as a ChatMessage field."""
    raw = params.get("reply_to_message_id") or params.get("reply_parameters")
    if isinstance(raw, str) and raw.startswith("{"):
        raw = json.loads(raw)
    if isinstance(raw, dict):
        raw = raw.get("message_id")
    if not raw:
        return {}
    if state.find_message(chat_id, int(raw)) is None:
        raise ApiError(400, "Bad Request: message to be replied not found")
    return {"reply_to": int(raw)}


async def send_message(state: EmulatorState, faults: Faults, params: Params) -> Any:
    chat_id = chat_id_of(state, params)
    parse_mode = params.get("parse_mode") or None
    text = str(params.get("text", ""))
    visible_text(text, parse_mode)
    markup, reply = inline_keyboard(params), _reply_to(state, chat_id, params)
    await _admit(state, faults, chat_id)
    message = await state.bot_says(chat_id, text, parse_mode, reply_markup=markup, **reply)
    return state.message_to_api(message)


async def _send_media(state: EmulatorState, faults: Faults, params: Params, kind: MediaKind) -> Any:
    chat_id = chat_id_of(state, params)
    parse_mode = params.get("parse_mode") or None
    caption = str(params.get("caption") or "")
    visible_caption(caption, parse_mode)
    media, markup = media_of(state, params, kind), inline_keyboard(params)
    reply = _reply_to(state, chat_id, params)
    await _admit(state, faults, chat_id)
    content = {"media": media, "caption": caption or None, "reply_markup": markup, **reply}
    message = await state.bot_says(chat_id, "", parse_mode, **content)
    return state.message_to_api(message)


async def send_photo(state: EmulatorState, faults: Faults, params: Params) -> Any:
    return await _send_media(state, faults, params, "photo")


async def send_document(state: EmulatorState, faults: Faults, params: Params) -> Any:
    return await _send_media(state, faults, params, "document")


async def copy_message(state: EmulatorState, faults: Faults, params: Params) -> Any:
    """A copy without a link to the original; answers only `{"message_id": n}`, as Telegram does."""
    chat_id = chat_id_of(state, params)
    from_chat_id = chat_id_of(state, params, "from_chat_id")
    source = state.find_message(from_chat_id, int_param(params, "message_id", "message_id is empty"))
    if source is None:
        raise ApiError(400, "Bad Request: message to copy not found")
    if source.service:
        raise ApiError(400, "Bad Request: message can't be copied")
    content: dict[str, Any] = {"media": source.media, "caption": source.caption, "entities": source.entities}
    parse_mode = source.parse_mode
    if "caption" in params and source.media is not None:
        parse_mode = params.get("parse_mode") or None
        content |= {"caption": str(params["caption"]) or None, "entities": None}
        visible_caption(str(params["caption"]), parse_mode)
    content["reply_markup"] = inline_keyboard(params)
    content |= _reply_to(state, chat_id, params)
    await _admit(state, faults, chat_id)
    message = await state.bot_says(chat_id, source.text, parse_mode, **content)
    return {"message_id": message.message_id}
