"""Who the client is: the peer address, or `X-Forwarded-For` when the peer is a trusted proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=64)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: tuple[str, ...]
) -> str:
    """The address to rate-limit and log: never taken from a header an untrusted peer sent.

    Walks `X-Forwarded-For` from the right (the entry our proxy appended) past trusted
    proxies; the first untrusted address is the client.
    """
    peer = peer or "unknown"
    if not trusted_proxies or not forwarded_for:
        return peer
    trusted = parse_networks(trusted_proxies)
    if not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ip = ipaddress.ip_address(hop)
        except ValueError:
            # Not an address our proxy could have written: the hop after it is the last
            # one we can vouch for (and a garbage string never becomes a rate-limit key).
            return client
        client = str(ip)
        if not any(ip in network for network in trusted):
            return client
    return client
