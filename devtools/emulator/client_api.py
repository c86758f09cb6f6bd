"""The person's half of the emulator: a small JSON API to write in chats and read what the bot said.

Tests drive the bot through it, and the sandbox chat page uses the same endpoints (buttons and the
member status: devtools/emulator/client_actions.py).
"""

from contextlib import suppress
from typing import Any

from aiohttp import web

from devtools.emulator.api import STATE
from devtools.emulator.messages import ChatType, Media, MediaKind
from devtools.emulator.state import EmulatorState
from devtools.emulator.validation import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH


def _chat_id(request: web.Request) -> int:
    try:
        return int(request.match_info["chat_id"])
    except ValueError:
        raise web.HTTPBadRequest(text="chat id must be an integer") from None


def chats_payload(state: EmulatorState) -> list[dict[str, Any]]:
    """Each chat, and in a group what the page's person is there (`creator`, `administrator`...)."""
    return [
        {"id": c.id, "type": c.type, "title": c.title}
        | ({} if c.type == "private" else {"my_status": state.members.status(c.id, state.user_id)})
        for c in state.chats.values()
    ]


async def list_chats(request: web.Request) -> web.Response:
    state = request.app[STATE]
    chats = [chat | {"messages": len(state.messages[chat["id"]])} for chat in chats_payload(state)]
    return web.json_response({"chats": chats, "bot": state.bot_user()})


async def create_chat(request: web.Request) -> web.Response:
    """A new chat; the page's person creates a group, so is its `creator`."""
    state = request.app[STATE]
    body: dict[str, Any] = await request.json()
    chat_type: ChatType = body.get("type", "private")
    if chat_type not in ("private", "group", "supergroup"):
        raise web.HTTPBadRequest(text="type must be private, group or supergroup")
    chat = state.add_chat(int(body["id"]), chat_type, str(body.get("title", "")), creator=state.user_id)
    return web.json_response(chat.to_api(), status=201)


async def status(request: web.Request) -> web.Response:
    """`{"bot": "polling"}` once the bot has called getUpdates, `{"bot": "starting"}` until then."""
    return web.json_response({"bot": "polling" if request.app[STATE].bot_polling else "starting"})


def _content(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The text and ChatMessage fields of a posted message: a text, or a placeholder photo/document
    (`{"photo": "cat.jpg", "caption": "..."}`), possibly a reply (`reply_to`: a message id)."""
    text, content = str(body.get("text", "")).strip(), dict[str, Any]()
    kind: MediaKind | None = "photo" if body.get("photo") else "document" if body.get("document") else None
    if kind is not None:
        caption = str(body.get("caption", "")).strip()
        if len(caption) > MAX_CAPTION_LENGTH:
            raise web.HTTPBadRequest(text=f"caption too long: Telegram allows {MAX_CAPTION_LENGTH:,} at most")
        text, content = "", {"media": Media.new(kind, str(body[kind])), "caption": caption or None}
    elif not text:
        raise web.HTTPBadRequest(text="text is required (or a photo or document)")
    elif len(text) > MAX_TEXT_LENGTH:
        raise web.HTTPBadRequest(
            text=f"text too long: {len(text):,} characters; Telegram allows {MAX_TEXT_LENGTH:,} at most"
        )
    if body.get("reply_to"):
        try:
            content["reply_to"] = int(body["reply_to"])
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text="reply_to must be a message id") from None
    return text, content


async def post_message(request: web.Request) -> web.Response:
    state, chat_id = request.app[STATE], _chat_id(request)
    text, content = _content(await request.json())
    if "reply_to" in content and state.find_message(chat_id, content["reply_to"]) is None:
        raise web.HTTPBadRequest(text="the message replied to is not in this chat")
    message = await state.user_posts(chat_id, text, **content)
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
