"""A port already in use, for the tests of what a server says when it cannot listen."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def port_in_use() -> Iterator[int]:
    """A loopback port a socket listens on for the block."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]
