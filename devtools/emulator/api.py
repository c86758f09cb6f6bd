"""The Bot API half of the emulator: `/bot<token>/<method>`, answered as Telegram answers."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from devtools.emulator.breakdowns import breakdown_response
from devtools.emulator.faults import ApiError, Faults
from devtools.emulator.state import EmulatorState
from devtools.emulator.validation import visible_text
from devtools.emulator.webhook import (
    delete_webhook,
    get_webhook_info,
    refuse_polling_while_webhook,
    set_webhook,
)

Params = dict[str, Any]
Method = Callable[[EmulatorState, Faults, Params], Awaitable[Any]]
STATE = web.AppKey("state", EmulatorState)
FAULTS = web.AppKey("faults", Faults)


async def _params(request: web.Request) -> Params:
    try:
        if request.content_type == "application/json":
            body: Params = await request.json()
            return body
        if request.content_type == "application/x-www-form-urlencoded":  # strict, as Telegram
            return dict(parse_qsl(await request.text(), keep_blank_values=True, errors="strict"))
        form = await request.post()
    except UnicodeDecodeError:
        raise ApiError(400, "Bad Request: strings must be encoded in UTF-8") from None
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _chat_id(state: EmulatorState, params: Params) -> int:
    try:
        chat_id = int(params["chat_id"])
    except (KeyError, ValueError):
        raise ApiError(400, "Bad Request: chat_id is empty") from None
    if chat_id not in state.chats:
        raise ApiError(400, "Bad Request: chat not found")
    return chat_id


async def get_me(state: EmulatorState, faults: Faults, params: Params) -> Any:
    return state.bot_user()


async def get_updates(state: EmulatorState, faults: Faults, params: Params) -> Any:
    offset = int(params.get("offset") or 0)
    limit = int(params.get("limit") or 100)
    timeout = float(params.get("timeout") or 0)
    refuse_polling_while_webhook(state)
    return await state.take_updates(offset, limit, timeout)


async def send_message(state: EmulatorState, faults: Faults, params: Params) -> Any:
    chat_id = _chat_id(state, params)
    parse_mode = params.get("parse_mode") or None
    text = str(params.get("text", ""))
    visible_text(text, parse_mode)
    migrated_to = faults.migrations.get(chat_id)
    if migrated_to is not None and migrated_to not in state.chats:
        state.add_chat(migrated_to, "supergroup", state.chats[chat_id].title)
    faults.check_send(chat_id, state.chats[chat_id].type != "private")
    if faults.send_delay:
        await asyncio.sleep(faults.send_delay)
    message = await state.bot_says(chat_id, text, parse_mode)
    return state.message_to_api(message)


async def edit_message_text(state: EmulatorState, faults: Faults, params: Params) -> Any:
    chat_id = _chat_id(state, params)
    message = state.find_message(chat_id, int(params.get("message_id") or 0))
    if message is None or not message.from_bot:
        raise ApiError(400, "Bad Request: message to edit not found")
    parse_mode = params.get("parse_mode") or None
    text = str(params.get("text", ""))
    visible_text(text, parse_mode)
    if text == message.text:
        raise ApiError(400, "Bad Request: message is not modified")
    await state.bot_edits(message, text, parse_mode)
    return state.message_to_api(message)


async def set_my_commands(state: EmulatorState, faults: Faults, params: Params) -> Any:
    commands = params.get("commands", "[]")
    state.commands = json.loads(commands) if isinstance(commands, str) else commands
    return True


async def get_my_commands(state: EmulatorState, faults: Faults, params: Params) -> Any:
    return state.commands


async def succeed(state: EmulatorState, faults: Faults, params: Params) -> Any:
    return True


METHODS: dict[str, Method] = {
    "getme": get_me,
    "getupdates": get_updates,
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletewebhook": delete_webhook,
    "setwebhook": set_webhook,
    "getwebhookinfo": get_webhook_info,
    "sendchataction": succeed,
}


async def handle_method(request: web.Request) -> web.StreamResponse:
    state, faults = request.app[STATE], request.app[FAULTS]
    method = request.match_info["method"]
    state.method_calls[method] += 1
    breakdown = faults.take_breakdown(method)
    if breakdown is not None:
        return breakdown_response(breakdown, request)
    try:
        if request.match_info["token"] != state.token or faults.token_revoked:
            raise ApiError(401, "Unauthorized")
        if method.lower() in faults.failing_methods:
            raise faults.failing_methods[method.lower()]
        implementation = METHODS.get(method.lower())
        if implementation is None:
            raise ApiError(404, "Not Found")
        result = await implementation(state, faults, await _params(request))
    except ApiError as error:
        return web.json_response(error.to_api(), status=error.code)
    return web.json_response({"ok": True, "result": result})


def add_bot_api_routes(app: web.Application) -> None:
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
