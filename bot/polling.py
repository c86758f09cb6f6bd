"""How the bot long-polls: only the update types its handlers use, and no update that stops polling."""

from aiogram import Bot, Dispatcher


async def run_polling(dispatcher: Dispatcher, bot: Bot, *, handle_signals: bool = True) -> None:
    """`start_polling` with `allowed_updates` derived from the registered handlers: Telegram does not
    send what nothing would handle (a saved `allowed_updates` from an earlier run is replaced too)."""
    await dispatcher.start_polling(
        bot, handle_signals=handle_signals, allowed_updates=dispatcher.resolve_used_update_types()
    )
