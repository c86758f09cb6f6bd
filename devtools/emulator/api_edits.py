"""Bot API methods on what is already there: editMessageText, editMessageCaption,
editMessageReplyMarkup, answerCallbackQuery, getChatMember.

Edits pass the same flood limits as sends (Telegram counts them too) and note their time on the message.
"""

from typing import Any

from devtools.emulator.api_common import Params, chat_id_of, inline_keyboard, int_param
from devtools.emulator.faults import ApiError, Faults
from devtools.emulator.members import chat_member
from devtools.emulator.messages import ChatMessage
from devtools.emulator.state import EmulatorState
from devtools.emulator.validation import visible_caption, visible_text

QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def _editable(state: EmulatorState, faults: Faults, params: Params) -> ChatMessage:
    if params.get("inline_message_id"):
        raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")  # inline messages: not emulated
    chat_id = chat_id_of(state, params)
    message = state.find_message(chat_id, int_param(params, "message_id", "message_id is empty"))
    if message is None:
        raise ApiError(400, "Bad Request: message to edit not found")
    if not message.from_bot:
        raise ApiError(400, "Bad Request: message can't be edited")
    return message


async def _edit(
    state: EmulatorState, faults: Faults, message: ChatMessage, text: str | None, params: Params
) -> Any:
    """Without `reply_markup`, an edit removes the inline keyboard, as Telegram's does."""
    markup = inline_keyboard(params)
    parse_mode = params.get("parse_mode") or None
    current = message.caption if message.media else message.text
    if (
        text is None or (text, parse_mode) == (current, message.parse_mode)
    ) and markup == message.reply_markup:
        raise ApiError(400, "Bad Request: message is not modified")
    faults.check_send(message.chat_id, state.chats[message.chat_id].type != "private")
    await state.bot_edits(message, text, parse_mode, reply_markup=markup)
    return state.message_to_api(message)


async def edit_message_text(state: EmulatorState, faults: Faults, params: Params) -> Any:
    message = _editable(state, faults, params)
    if message.media is not None or message.service:
        raise ApiError(400, "Bad Request: there is no text in the message to edit")
    text = str(params.get("text", ""))
    visible_text(text, params.get("parse_mode") or None)
    return await _edit(state, faults, message, text, params)


async def edit_message_caption(state: EmulatorState, faults: Faults, params: Params) -> Any:
    message = _editable(state, faults, params)
    if message.media is None:
        raise ApiError(400, "Bad Request: there is no caption in the message to edit")
    caption = str(params.get("caption") or "")
    visible_caption(caption, params.get("parse_mode") or None)
    return await _edit(state, faults, message, caption, params)


async def edit_message_reply_markup(state: EmulatorState, faults: Faults, params: Params) -> Any:
    return await _edit(state, faults, _editable(state, faults, params), None, params)


async def answer_callback_query(state: EmulatorState, faults: Faults, params: Params) -> Any:
    """Each query is answered once; the chat page shows the text as a toast (an alert if asked)."""
    query_id = str(params.get("callback_query_id") or "")
    text = str(params.get("text") or "")
    if len(text) > 200:
        raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
    show_alert = str(params.get("show_alert", "")).lower() in ("true", "1")
    if not await state.answer_callback(query_id, {"text": text, "show_alert": show_alert}):
        raise ApiError(400, QUERY_INVALID)
    return True


async def get_chat_member(state: EmulatorState, faults: Faults, params: Params) -> Any:
    chat_id = chat_id_of(state, params)
    user_id = int_param(params, "user_id", "invalid user_id specified")
    user = state.bot_user() if user_id == state.bot_id else state.person(user_id)
    if state.chats[chat_id].type == "private":
        if user_id not in (chat_id, state.bot_id):
            raise ApiError(400, "Bad Request: user not found")
        return chat_member("member", user)
    status = state.members.status(chat_id, user_id)
    if user_id == state.bot_id and status == "left":
        status = "member"  # the bot is in every group the emulator knows
    return chat_member(status, user)
