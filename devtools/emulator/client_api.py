"""The person's half of the emulator: a small JSON API to write in chats and read what the bot said.

Tests drive the bot through it, and the sandbox chat page uses the same endpoints.
"""

from contextlib import suppress
from typing import Any

from aiohttp import web

from devtools.emulator.api import STATE
from devtools.emulator.state import ChatType
from devtools.emulator.validation import MAX_TEXT_LENGTH


def _chat_id(request: web.Request) -> int:
    try:
        return int(request.match_info["chat_id"])
    except ValueError:
        raise web.HTTPBadRequest(text="chat id must be an integer") from None


async def list_chats(request: web.Request) -> web.Response:
    state = request.app[STATE]
    chats = [
        {"id": c.id, "type": c.type, "title": c.title, "messages": len(state.messages[c.id])}
        for c in state.chats.values()
    ]
    return web.json_response({"chats": chats, "bot": state.bot_user()})


async def create_chat(request: web.Request) -> web.Response:
    body: dict[str, Any] = await request.json()
    chat_type: ChatType = body.get("type", "private")
    if chat_type not in ("private", "group", "supergroup"):
        raise web.HTTPBadRequest(text="type must be private, group or supergroup")
    chat = request.app[STATE].add_chat(int(body["id"]), chat_type, str(body.get("title", "")))
    return web.json_response(chat.to_api(), status=201)


async def status(request: web.Request) -> web.Response:
    """`{"bot": "polling"}` once the bot has called getUpdates, `{"bot": "starting"}` until then."""
    return web.json_response({"bot": "polling" if request.app[STATE].bot_polling else "starting"})


async def post_message(request: web.Request) -> web.Response:
    body: dict[str, Any] = await request.json()
    text = str(body.get("text", "")).strip()
    if not text:
        raise web.HTTPBadRequest(text="text is required")
    if len(text) > MAX_TEXT_LENGTH:
        raise web.HTTPBadRequest(
            text=f"text too long: {len(text):,} characters; Telegram allows {MAX_TEXT_LENGTH:,} at most"
        )
    message = await request.app[STATE].user_says(_chat_id(request), text)
    return web.json_response(message.to_client(), status=201)


async def list_messages(request: web.Request) -> web.Response:
    """Messages with an id above `after`, waiting up to `wait` seconds for one (edits: the event stream)."""
    state = request.app[STATE]
    after = int(request.query.get("after", "0"))
    wait = min(float(request.query.get("wait", "0")), 30.0)
    chat_id = _chat_id(request)

    def newer() -> list[dict[str, Any]]:
        return [m.to_client() for m in state.messages.get(chat_id, []) if m.message_id > after]

    if wait and not newer():
        with suppress(TimeoutError):
            await state.wait_changed(wait)
    return web.json_response({"messages": newer()})


def add_client_routes(app: web.Application) -> None:
    app.router.add_get("/emulator/api/status", status)
    app.router.add_get("/emulator/api/chats", list_chats)
    app.router.add_post("/emulator/api/chats", create_chat)
    app.router.add_get("/emulator/api/chats/{chat_id}/messages", list_messages)
    app.router.add_post("/emulator/api/chats/{chat_id}/messages", post_message)
