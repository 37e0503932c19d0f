"""Free local ports, for stacks started by tests, `bot eval` and `bot bench`.

Ports are chosen below the kernel's range for outgoing connections. A port the kernel
hands out for "any free port" comes from that range, so a connection opened between
choosing the port and the server binding it (Rasa takes many seconds to start) could take
it: "address already in use", seen in CI.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10000


def _first_ephemeral() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def is_free(port: int) -> bool:
    """Whether a server could bind this port on 127.0.0.1 now."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """`count` distinct ports that nothing listens on now, outside the outgoing-connection range."""
    highest = _first_ephemeral() - 1
    if highest - LOWEST < 100 * count:
        return _kernel_ports(count)
    chosen: list[int] = []
    for _ in range(1000):
        port = random.randint(LOWEST, highest)
        if port not in chosen and is_free(port):
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    return _kernel_ports(count)


def _kernel_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()
