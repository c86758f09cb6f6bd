"""How the bot long-polls: only the update types its handlers use, and no update that stops polling."""

from aiogram import Bot, Dispatcher


async def run_polling(
    dispatcher: Dispatcher,
    bot: Bot,
    *,
    tasks_concurrency_limit: int | None = None,
    handle_signals: bool = True,
) -> None:
    """`start_polling` with `allowed_updates` derived from the registered handlers: Telegram does not
    send what nothing would handle (a saved `allowed_updates` from an earlier run is replaced too).
    `tasks_concurrency_limit` bounds the updates handled at once (BOT_MAX_CONCURRENT_UPDATES)."""
    await dispatcher.start_polling(
        bot,
        handle_signals=handle_signals,
        allowed_updates=dispatcher.resolve_used_update_types(),
        tasks_concurrency_limit=tasks_concurrency_limit,
    )
