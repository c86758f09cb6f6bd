"""What the chat page's person does besides writing: press an inline button, be admin (or not) in a group.

- `POST /emulator/api/chats/{chat_id}/messages/{message_id}/press` `{"data": "<callback data>"}`: a
  `callback_query` update for the bot; answers `{"callback_query_id": "..."}`. The bot's
  answerCallbackQuery reaches the page as a `callback_answer` event (devtools/emulator/web_chat.py).
- `PUT /emulator/api/chats/{chat_id}/me` `{"status": "administrator"}`: what getChatMember answers for the
  page's person in that group (creator, administrator, member, left, kicked).
"""

from typing import Any

from aiohttp import web

from devtools.emulator.api import STATE
from devtools.emulator.members import STATUSES


def _ints(request: web.Request, *names: str) -> list[int]:
    try:
        return [int(request.match_info[name]) for name in names]
    except ValueError:
        raise web.HTTPBadRequest(text=f"{' and '.join(names)} must be integers") from None


async def press_button(request: web.Request) -> web.Response:
    chat_id, message_id = _ints(request, "chat_id", "message_id")
    body: dict[str, Any] = await request.json()
    try:
        query_id = await request.app[STATE].press_button(chat_id, message_id, str(body.get("data", "")))
    except LookupError as error:
        raise web.HTTPBadRequest(text=str(error)) from None
    return web.json_response({"callback_query_id": query_id}, status=201)


async def set_my_status(request: web.Request) -> web.Response:
    state, (chat_id,) = request.app[STATE], _ints(request, "chat_id")
    body: dict[str, Any] = await request.json()
    chat = state.chats.get(chat_id)
    if chat is None or chat.type == "private":
        raise web.HTTPBadRequest(text="a status is for a group the emulator knows")
    if body.get("status") not in STATUSES:
        raise web.HTTPBadRequest(text=f"status must be one of {', '.join(STATUSES)}")
    state.set_member_status(chat_id, state.user_id, body["status"])
    await state.changed()
    return web.json_response({"status": body["status"]})


def add_client_action_routes(app: web.Application) -> None:
    app.router.add_post("/emulator/api/chats/{chat_id}/messages/{message_id}/press", press_button)
    app.router.add_put("/emulator/api/chats/{chat_id}/me", set_my_status)
