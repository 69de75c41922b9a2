"""Which local addresses a TCP port listens on, read from /proc/net (standard library only).

Both runtimes' tests use it to prove a server binds to loopback, not to every interface.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

_LISTEN = "0A"  # the TCP state code of a listening socket in /proc/net/tcp


def listening_addresses(port: int) -> set[str]:
    """The addresses with a listening socket on `port` ("127.0.0.1", "0.0.0.0", "::", ...)."""
    found: set[str] = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            address_hex, port_hex = fields[1].split(":")
            if fields[3] != _LISTEN or int(port_hex, 16) != port:
                continue
            raw = bytes.fromhex(address_hex)
            if sys.byteorder == "little":  # the kernel prints each 32-bit word in host order
                raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, raw))
    return found
