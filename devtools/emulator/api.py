"""The Bot API half of the emulator: `/bot<token>/<method>`, answered as Telegram answers."""

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from devtools.emulator.api_common import Params, Upload
from devtools.emulator.api_edits import (
    answer_callback_query,
    edit_message_caption,
    edit_message_reply_markup,
    edit_message_text,
    get_chat_member,
)
from devtools.emulator.api_messages import copy_message, send_document, send_message, send_photo
from devtools.emulator.breakdowns import breakdown_response
from devtools.emulator.faults import ApiError, Faults
from devtools.emulator.state import EmulatorState
from devtools.emulator.webhook import (
    delete_webhook,
    get_webhook_info,
    refuse_polling_while_webhook,
    set_webhook,
)

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
    return {key: _form_value(value) for key, value in form.items()}


def _form_value(value: Any) -> Any:
    """A multipart field: its text, or for a file part only its name (placeholders keep no bytes)."""
    if isinstance(value, web.FileField):
        return Upload(value.filename)
    return value if isinstance(value, str) else bytes(value).decode(errors="replace")


async def get_me(state: EmulatorState, faults: Faults, params: Params) -> Any:
    return state.bot_user()


async def get_updates(state: EmulatorState, faults: Faults, params: Params) -> Any:
    offset = int(params.get("offset") or 0)
    limit = int(params.get("limit") or 100)
    timeout = float(params.get("timeout") or 0)
    refuse_polling_while_webhook(state)
    return await state.take_updates(offset, limit, timeout)


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
    "sendphoto": send_photo,
    "senddocument": send_document,
    "copymessage": copy_message,
    "editmessagetext": edit_message_text,
    "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup,
    "answercallbackquery": answer_callback_query,
    "getchatmember": get_chat_member,
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
