"""Who is what in each group, answered as `getChatMember` answers (aiogram's `ChatMember*` shapes)."""

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]
STATUSES: tuple[str, ...] = get_args(MemberStatus)
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_send_welcome_messages", "can_pin_messages",
)  # fmt: skip


def chat_member(status: MemberStatus, user: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember object: an administrator has every right, a kicked user is banned forever."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "kicked":
        member["until_date"] = 0
    return member


@dataclass
class Members:
    """Each group's known statuses; a user the group has never seen is `left`, as Telegram says."""

    _statuses: dict[int, dict[int, MemberStatus]] = field(default_factory=dict)

    def set(self, chat_id: int, user_id: int, status: MemberStatus) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        self._statuses.setdefault(chat_id, {})[user_id] = status

    def saw(self, chat_id: int, sender_id: int, service: dict[str, Any] | None) -> None:
        """A message in the group: its sender, and members it says joined, are members (unless the group
        knows better); a member it says left is `left`."""
        statuses = self._statuses.setdefault(chat_id, {})
        joined = [sender_id, *(user["id"] for user in (service or {}).get("new_chat_members", []))]
        for user_id in joined:
            if statuses.get(user_id, "left") == "left":
                statuses[user_id] = "member"
        if service and "left_chat_member" in service:
            statuses[service["left_chat_member"]["id"]] = "left"

    def status(self, chat_id: int, user_id: int) -> MemberStatus:
        return self._statuses.get(chat_id, {}).get(user_id, "left")
