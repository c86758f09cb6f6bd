"""The Redis transport workaround (tasks/transport.py) against kombu's own transport, on the sequence
Celery's consumer runs when Redis goes away: a message delivered and not acked, a BRPOP in flight on
two channels, Redis stopped, then `Connection.collect()` and `Connection.close()`."""

import socket
from collections.abc import Iterator

import pytest
from kombu import Connection, Consumer, Message, Queue
from kombu.utils import functional as kombu_functional

from tasks.transport import TRANSPORT, PendingRestores, PromptlyReconnecting
from tests.support.restartable_redis import RestartableRedis

KOMBU_REDIS = "redis"


@pytest.fixture
def server() -> Iterator[RestartableRedis]:
    server = RestartableRedis()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def no_pending_restores() -> Iterator[None]:
    PendingRestores.tags.clear()
    yield
    PendingRestores.tags.clear()


def lose_redis_mid_task(server: RestartableRedis, transport: str) -> Connection:
    """A consumer holding one unacked message, BRPOPs in flight on two channels, then Redis stops."""
    connection = Connection(server.url, transport=transport)
    tasks, control = Queue("tasks"), Queue("control")
    with connection.Producer() as producer:
        producer.publish({"n": 1}, routing_key="tasks", declare=[tasks])
    delivered: list[Message] = []
    Consumer(connection.default_channel, [tasks], callbacks=[lambda _, m: delivered.append(m)]).consume()
    Consumer(connection.channel(), [control], callbacks=[lambda _, m: None]).consume()  # Celery's pidbox
    connection.drain_events(timeout=2)
    with pytest.raises(socket.timeout):
        connection.drain_events(timeout=0.2)  # the queue is empty: the BRPOPs stay in flight
    assert len(delivered) == 1
    server.terminate()
    connection.collect(socket_timeout=1)  # Celery's consumer on a connection loss, then close()
    return connection


def test_kombus_transport_still_crashes(server: RestartableRedis) -> None:
    """Upstream bug pinned: when this fails, kombu is fixed and tasks/transport.py may go."""
    connection = lose_redis_mid_task(server, KOMBU_REDIS)
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'hostname'"):
        connection.close()


def test_unacked_message_is_restored_when_redis_returns(server: RestartableRedis) -> None:
    connection = lose_redis_mid_task(server, TRANSPORT)
    connection.close()
    assert len(PendingRestores.tags) == 1
    server.start()
    assert server.client.llen("tasks") == 0
    assert server.client.hlen("unacked") == 1, "the message waits in Redis (append-only file)"

    with Connection(server.url, transport=TRANSPORT) as again:
        Consumer(again.default_channel, [Queue("tasks")], callbacks=[lambda _, m: None]).consume()
    assert PendingRestores.tags == set()
    assert server.client.hlen("unacked") == 0
    assert server.client.llen("tasks") == 1, "back in its queue, once"


class EnoughError(Exception):
    pass


def test_reconnection_attempts_are_at_most_two_seconds_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kombu_functional, "sleep", lambda _: None)  # the intervals, not the waiting
    intervals: list[float] = []

    def record(_: Exception, interval: float) -> None:  # called before each sleep
        intervals.append(interval)
        if len(intervals) == 5:
            raise EnoughError

    connection = PromptlyReconnecting("redis://127.0.0.1:1/0", transport=TRANSPORT)  # nothing listens
    with pytest.raises(EnoughError):
        connection.ensure_connection(record, max_retries=None, reraise_as_library_errors=False)
    assert intervals == [0.5, 1.0, 1.5, 2.0, 2.0]
