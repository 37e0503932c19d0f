"""Free ports for the stacks tests start: outside the range the kernel uses for outgoing connections."""

from __future__ import annotations

import socket

from bot.core.ports import _first_ephemeral, free_ports


def test_free_ports_are_distinct_bindable_and_below_the_outgoing_range():
    ports = free_ports(5)
    assert len(set(ports)) == 5
    assert all(port < _first_ephemeral() for port in ports)
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))
