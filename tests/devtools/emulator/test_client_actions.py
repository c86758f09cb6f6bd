"""The page's JSON API beyond text: placeholders, replies, button presses, the person's group status, and
the event stream's `callback_answer` (no browser here)."""

import aiohttp

from tests.devtools.emulator.test_web_chat import next_event
from tests.support.telegram import Telegram

CHAT, GROUP = 8301, -8301
KEYBOARD = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}


async def post(
    session: aiohttp.ClientSession, path: str, body: object, method: str = "POST"
) -> tuple[int, str]:
    async with session.request(method, path, json=body) as response:
        return response.status, await response.text()


async def test_photo_document_and_reply_are_posted_and_checked(telegram: Telegram) -> None:
    telegram.state.add_chat(CHAT)
    async with aiohttp.ClientSession(telegram.base_url) as session:
        path = f"/emulator/api/chats/{CHAT}/messages"
        assert (await post(session, path, {"photo": "cat.jpg", "caption": "Cat"}))[0] == 201
        assert (await post(session, path, {"document": "a.pdf", "reply_to": 1}))[0] == 201
        status, text = await post(session, path, {"text": "hi", "reply_to": 999})
        assert (status, text) == (400, "the message replied to is not in this chat")
        status, text = await post(session, path, {"photo": "x.jpg", "caption": "x" * 1025})
        assert status == 400
        assert "caption too long" in text
        assert (await post(session, path, {}))[0] == 400
        assert (await post(session, path, {"text": "hi", "reply_to": "first"}))[0] == 400
    photo, document = telegram.state.messages[CHAT]
    assert (photo.kind, photo.caption, photo.media and photo.media.file_name) == ("photo", "Cat", "cat.jpg")
    assert (document.kind, document.reply_to) == ("document", photo.message_id)
    assert telegram.state.pending_count() == 2


async def test_press_and_answer_reach_the_event_stream(telegram: Telegram) -> None:
    state = telegram.state
    state.add_chat(CHAT)
    sent = await state.bot_says(CHAT, "Ready?", None, reply_markup=KEYBOARD)
    async with aiohttp.ClientSession(telegram.base_url) as session:
        path = f"/emulator/api/chats/{CHAT}/messages/{sent.message_id}/press"
        assert (await post(session, path, {"data": "nope"}))[0] == 400
        async with session.post(path, json={"data": "go"}) as response:
            assert response.status == 201
            query_id = (await response.json())["callback_query_id"]
        assert await state.answer_callback(query_id, {"text": "Going", "show_alert": False})
        async with session.get("/emulator/api/events") as stream:
            events = [await next_event(stream) for _ in range(4)]  # chats, message, answer, status
    assert ("callback_answer", {"id": query_id, "text": "Going", "show_alert": False}) in events


async def test_the_persons_status_in_a_group(telegram: Telegram) -> None:
    state = telegram.state
    state.add_chat(CHAT)
    async with aiohttp.ClientSession(telegram.base_url) as session:
        status, _ = await post(session, "/emulator/api/chats", {"id": GROUP, "type": "group", "title": "G"})
        assert status == 201
        assert state.members.status(GROUP, state.user_id) == "creator"  # the page's person made it
        path = f"/emulator/api/chats/{GROUP}/me"
        assert (await post(session, path, {"status": "administrator"}, "PUT"))[0] == 200
        assert (await post(session, path, {"status": "boss"}, "PUT"))[0] == 400
        assert (await post(session, f"/emulator/api/chats/{CHAT}/me", {"status": "member"}, "PUT"))[0] == 400
        async with session.get("/emulator/api/chats") as response:
            chats = {chat["id"]: chat for chat in (await response.json())["chats"]}
    assert chats[GROUP]["my_status"] == "administrator"
    assert "my_status" not in chats[CHAT]
