"""`python -m bot webhook set|delete|info`: registering the webhook is a deploy step, not a start-up
side effect, so a rolling restart of the replicas never drops the updates Telegram holds for the bot."""

import argparse
import json

from aiogram import Bot, Dispatcher

from core.webhook_settings import WebhookSettings

PROG = "python -m bot webhook"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    set_ = commands.add_parser("set", help="register WEBHOOK_URL with the secret, the handled update types")
    delete = commands.add_parser("delete", help="remove the webhook (back to long polling)")
    for command in (set_, delete):
        command.add_argument(
            "--drop-pending-updates", action="store_true", help="also drop the updates Telegram holds"
        )
    commands.add_parser("info", help="print getWebhookInfo (no secrets)")
    return parser.parse_args(argv)


class WebhookCommands:
    def __init__(self, bot: Bot, dispatcher: Dispatcher, settings: WebhookSettings) -> None:
        self._bot, self._dispatcher, self._settings = bot, dispatcher, settings

    async def run(self, args: argparse.Namespace) -> str:
        """Runs the command; the line to print."""
        if args.command == "set":
            return await self.set(drop_pending_updates=args.drop_pending_updates)
        if args.command == "delete":
            await self._bot.delete_webhook(drop_pending_updates=args.drop_pending_updates)
            return "webhook deleted" + (", pending updates dropped" if args.drop_pending_updates else "")
        return await self.info()

    async def set(self, *, drop_pending_updates: bool) -> str:
        url, secret = self._settings.public_url(), self._settings.secret_token()
        allowed = self._dispatcher.resolve_used_update_types()
        await self._bot.set_webhook(
            url=url,
            secret_token=secret,
            allowed_updates=allowed,
            max_connections=self._settings.max_connections,
            drop_pending_updates=drop_pending_updates,
        )
        dropped = ", pending updates dropped" if drop_pending_updates else ""
        return f"webhook set: {url} allowed_updates={','.join(allowed)} max_connections=" + (
            f"{self._settings.max_connections}{dropped}"
        )

    async def info(self) -> str:
        info = await self._bot.get_webhook_info()  # holds no secret: Telegram never returns it
        return json.dumps(info.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False)
