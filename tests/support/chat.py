"""Talking to the bot through the emulator's client API, as a person in a chat would."""

from devtools.emulator.state import ChatMessage, ChatType, EmulatorState
from tests.support.waiting import async_wait_for


class ChatClient:
    def __init__(self, state: EmulatorState, chat_id: int, chat_type: ChatType = "private") -> None:
        self.state = state
        self.chat_id = chat_id
        if chat_id not in state.chats:
            state.add_chat(chat_id, chat_type)

    async def send(self, text: str) -> ChatMessage:
        return await self.state.user_says(self.chat_id, text)

    async def reply_to(self, text: str, timeout: float = 15) -> ChatMessage:
        """Sends `text` and returns the first bot message that follows it."""
        sent = await self.send(text)

        def reply() -> ChatMessage | None:
            later = [m for m in self.state.bot_messages(self.chat_id) if m.message_id > sent.message_id]
            return later[0] if later else None

        return await async_wait_for(reply, timeout, f"a reply to {text!r} in chat {self.chat_id}")
