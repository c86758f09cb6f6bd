"""kombu's Redis transport, with a workaround for a worker crash when Redis restarts mid-task.

kombu 5.7 (celery/kombu#970, #582 class): when Redis goes away while a BRPOP is in flight, Celery's
consumer calls `Connection.collect()` and then `Connection.close()`. In `collect()` the Redis
`Channel.close()` first reads the in-flight BRPOP reply, which raises `ConnectionError` before the
channel is marked closed; `Transport.close_connection` stops at that error, leaving the default
channel open; `collect()` then sets `transport.client = None`. `close()` closes that channel again:
its unacked messages are restored through a new pool whose `_connparams` reads
`transport.client.hostname` -> `AttributeError`, which nobody catches: "Unrecoverable error", exit 1.
And with Redis down the restore fails anyway, so the interrupted tasks would wait out the whole
visibility timeout (an hour) in the `unacked` hash.

Here: a failed read of the in-flight reply does not stop the close; a channel keeps its connection
info after `collect()`; and the delivery tags whose restore (or requeue) failed for want of Redis are
restored as soon as a channel of this process reaches Redis again (on `basic_consume` after the
reconnect, and on kombu's periodic restore sweep). Restoring a tag is idempotent (HGET + HDEL in a
transaction): a tag acked or restored meanwhile is a no-op. `tests/faults/test_redis_restart.py`
pins the crash without this transport and the recovery with it.
"""

from queue import Empty
from typing import Any

import structlog
from celery.app.amqp import AMQP
from kombu import Connection
from kombu.transport import redis as kombu_redis
from kombu.transport.virtual import QoS as VirtualQoS

log = structlog.get_logger(__name__)
# kombu's type stubs leave out the private API overridden here: subclass it untyped.
RedisQoS: Any = kombu_redis.QoS
RedisChannel: Any = kombu_redis.Channel


class PendingRestores:
    """Delivery tags of this process whose messages are still in Redis's `unacked` hash and must go
    back to their queue. Per process: only the consumer that received a message may restore it."""

    tags: set[str] = set()  # deliberately process-wide: it outlives channels

    @classmethod
    def restore(cls, qos: "ResilientQoS") -> None:
        for tag in sorted(cls.tags):
            try:
                qos.restore_by_tag(tag)
            except qos.channel.connection_errors:
                return
            cls.tags.discard(tag)
            log.info("unacked_message_restored", delivery_tag=tag)


class ResilientQoS(RedisQoS):  # type: ignore[misc]
    def restore_unacked(self, client: Any = None) -> None:
        tags = list(self._delivered)
        try:
            super().restore_unacked(client)
        except self.channel.connection_errors as exc:
            PendingRestores.tags.update(tags)
            self._delivered.clear()
            log.warning("unacked_restore_deferred", messages=len(tags), error=repr(exc))

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        try:
            super().reject(delivery_tag, requeue)
        except self.channel.connection_errors as exc:
            if not requeue:
                raise
            PendingRestores.tags.add(delivery_tag)
            VirtualQoS.ack(self, delivery_tag)
            log.warning("requeue_deferred", delivery_tag=delivery_tag, error=repr(exc))

    def restore_visible(self, *args: Any, **kwargs: Any) -> Any:
        PendingRestores.restore(self)
        return super().restore_visible(*args, **kwargs)


class ResilientChannel(RedisChannel):  # type: ignore[misc]
    QoS = ResilientQoS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client_info = self.connection.client

    def basic_consume(self, *args: Any, **kwargs: Any) -> Any:
        PendingRestores.restore(self.qos)
        return super().basic_consume(*args, **kwargs)

    def close(self) -> None:
        if self._in_poll:
            try:
                self._brpop_read()
            except (Empty, *self.connection_errors):
                pass  # the reply is lost with the connection: close the channel all the same
        super().close()

    def _connparams(self, asynchronous: bool = False) -> Any:
        transport = self.connection
        if transport.client is not None:
            return super()._connparams(asynchronous=asynchronous)
        transport.client = self._client_info  # released by Connection.collect(): still ours
        try:
            return super()._connparams(asynchronous=asynchronous)
        finally:
            transport.client = None


class ResilientRedisTransport(kombu_redis.Transport):
    Channel = ResilientChannel


class PromptlyReconnecting(Connection):
    """Celery's consumer reconnects through `ensure_connection` with kombu's defaults: 2 s, 4 s, 6 s …
    up to 30 s between attempts, so after a long outage a worker could come back 30 s after Redis.
    Here the attempts are RECONNECT_INTERVAL_MAX apart at most (one connect each: cheap)."""

    def ensure_connection(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("interval_start", 0.5)
        kwargs.setdefault("interval_step", 0.5)
        kwargs.setdefault("interval_max", RECONNECT_INTERVAL_MAX)
        return super().ensure_connection(*args, **kwargs)


class PromptAMQP(AMQP):
    Connection = PromptlyReconnecting
    BrokerConnection = PromptlyReconnecting


RECONNECT_INTERVAL_MAX = 2.0
TRANSPORT = f"{__name__}:{ResilientRedisTransport.__name__}"
AMQP_CLASS = f"{__name__}:{PromptAMQP.__name__}"
