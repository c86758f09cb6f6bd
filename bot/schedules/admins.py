"""Who may create or cancel a chat's schedules (or change its time zone): anyone in a private chat; in a
group or supergroup its administrators only, as Telegram says (`getChatMember`: creator or
administrator), and an anonymous administrator, whose message comes from the group itself. Anyone may
list them."""

import structlog
from aiogram import Bot
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import Message

GROUPS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
EDITORS = frozenset({ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR})
ADMINS_ONLY = "Only this group's administrators can change its schedules (anyone can list them: /schedules)."
log = structlog.get_logger(__name__)


async def may_edit(bot: Bot, message: Message) -> bool:
    """True if the sender may change this chat's schedules (one getChatMember call in a group)."""
    if message.chat.type not in GROUPS:
        return True
    if message.sender_chat is not None:  # an anonymous admin posts as the group; a channel does not
        allowed = message.sender_chat.id == message.chat.id
        if not allowed:
            log.info("schedule_edit_refused", sender_chat_id=message.sender_chat.id)
        return allowed
    if message.from_user is None:
        return False
    member = await bot.get_chat_member(chat_id=message.chat.id, user_id=message.from_user.id)
    if member.status not in EDITORS:
        log.info("schedule_edit_refused", user_id=message.from_user.id, status=member.status)
        return False
    return True
