"""client_address: X-Forwarded-For is believed only as far as trusted proxies vouch for it."""

from __future__ import annotations

import pytest

from mercato.kit.clients import client_address

PROXIES = ("10.0.0.0/8", "192.168.1.1", "fd00::/8")


def test_no_trusted_proxies_ignores_the_header() -> None:
    assert client_address("203.0.113.9", "1.2.3.4", ()) == "203.0.113.9"


def test_untrusted_peer_cannot_claim_another_address() -> None:
    assert client_address("203.0.113.9", "1.2.3.4", PROXIES) == "203.0.113.9"


def test_no_header_from_a_trusted_proxy_is_the_proxy() -> None:
    assert client_address("10.1.2.3", None, PROXIES) == "10.1.2.3"
    assert client_address("10.1.2.3", "", PROXIES) == "10.1.2.3"


def test_missing_peer() -> None:
    assert client_address(None, "1.2.3.4", PROXIES) == "unknown"


def test_walks_from_the_right_past_trusted_hops() -> None:
    # The client forged "6.6.6.6"; our proxies appended what each of them saw.
    forwarded = "6.6.6.6, 198.51.100.7, 192.168.1.1, 10.9.9.9"
    assert client_address("10.0.0.2", forwarded, PROXIES) == "198.51.100.7"


def test_cidr_entries_match_whole_networks() -> None:
    assert client_address("10.200.3.4", "198.51.100.7", PROXIES) == "198.51.100.7"
    assert client_address("fd12::1", "2001:db8::5", PROXIES) == "2001:db8::5"
    # 192.168.1.1 is trusted as a single host, not its neighbour.
    assert client_address("192.168.1.2", "198.51.100.7", PROXIES) == "192.168.1.2"


def test_all_hops_trusted_gives_the_leftmost() -> None:
    assert client_address("10.0.0.2", "10.0.0.7, 10.0.0.8", PROXIES) == "10.0.0.7"


def test_addresses_are_normalised() -> None:
    # One client, one rate-limit key, however its IPv6 address is spelled.
    assert client_address("10.0.0.2", "2001:DB8:0:0::5", PROXIES) == "2001:db8::5"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        (" , ,, ", "10.0.0.2"),
        ("not-an-ip", "10.0.0.2"),
        ("198.51.100.7, <script>", "10.0.0.2"),
        ("x" * 5000, "10.0.0.2"),
        ("1.2.3.4:5678", "10.0.0.2"),
        ("garbage, 198.51.100.7", "198.51.100.7"),
        ("198.51.100.7, junk, 10.0.0.9", "10.0.0.9"),
    ],
)
def test_garbage_never_becomes_the_client(forwarded: str, expected: str) -> None:
    assert client_address("10.0.0.2", forwarded, PROXIES) == expected
