"""`/every 1s ping` end to end: the bot polling the emulator, a worker and beat of their own on Redis
database 25; the results arrive in the chat from the stated first run on, and stop after /cancel."""

import os
import signal
from datetime import UTC, datetime

from devtools.emulator.state import ChatMessage
from tests.support.chat import ChatClient
from tests.support.processes import CeleryBeat, CeleryWorker, RedisServer
from tests.support.schedules import SCHEDULED, polling_schedules_bot
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.workers import wait_ready

DB = 25


def pongs(telegram: Telegram, chat_id: int) -> list[ChatMessage]:
    return [m for m in telegram.state.bot_messages(chat_id) if "pong from" in m.text]


async def every_second(chat: ChatClient) -> tuple[str, datetime]:
    """Schedules `/every 1s ping` in `chat`: its id and its first run as the confirmation states it."""
    confirmation = SCHEDULED.fullmatch((await chat.reply_to("/every 1s ping")).text)
    assert confirmation, "a confirmation"
    first_run = datetime.strptime(confirmation[3], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)
    return confirmation[1], first_run


async def test_every_second_ping_posts_its_results_until_cancelled(
    redis_server: RedisServer, telegram: Telegram, project_env: dict[str, str]
) -> None:
    async with polling_schedules_bot(redis_server, DB, telegram, min_interval=1) as url:  # DB emptied
        env = {**project_env, "REDIS_URL": url, "SCHEDULES_MIN_INTERVAL": "1"}
        worker, beat = CeleryWorker(env, concurrency=1, name="schedules"), CeleryBeat(env)
        try:
            await wait_ready(worker)
            chat, marker = ChatClient(telegram.state, 5401), ChatClient(telegram.state, 5402)
            schedule_id, first_run = await every_second(chat)
            await async_wait_for(lambda: len(pongs(telegram, 5401)) >= 2, 30, "two results of /every 1s ping")
            first = pongs(telegram, 5401)[0]
            assert first.date >= int(first_run.timestamp()), "not before the stated first run"
            assert (await chat.reply_to(f"/cancel {schedule_id}")).text == f"Removed schedule {schedule_id}."
            after_cancel = len(pongs(telegram, 5401))
            await every_second(marker)  # two of its runs: beat has gone round since the /cancel
            await async_wait_for(
                lambda: len(pongs(telegram, 5402)) >= 2, 30, "two results in the marker chat"
            )
            assert len(pongs(telegram, 5401)) - after_cancel <= 1, "at most the run already under way"
        finally:
            for process in (worker, beat):  # nothing of theirs is needed any more: no warm shutdown
                os.killpg(process.process.pid, signal.SIGKILL)
                process.stop()
