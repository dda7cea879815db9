"""Whom failures count against: X-Forwarded-For only from a trusted proxy, never the sender's pick."""

from __future__ import annotations

import pytest

from privacy.accounts import Client, TrustedProxies

NONE = TrustedProxies.from_env({})
LOCAL = TrustedProxies.from_env({"HEARTH_TRUSTED_PROXIES": "127.0.0.1 ::1"})
REMOTE = TrustedProxies.from_env({"HEARTH_TRUSTED_PROXIES": "10.0.0.0/8"})


def test_with_no_trusted_proxy_the_forwarded_header_is_ignored() -> None:
    # uvicorn has already swapped the loopback peer for the header's last hop: still not believed.
    assert NONE.client("203.0.113.7", "203.0.113.7", "tab-1") == Client("browser", "tab-1")
    assert NONE.client(None, None, "tab-1") == Client("browser", "tab-1")


def test_a_direct_peer_is_no_proxy_and_its_forged_header_is_ignored() -> None:
    assert LOCAL.client("192.0.2.50", "203.0.113.7", "tab-1") == Client("browser", "tab-1")


def test_a_trusted_local_proxy_vouches_for_the_hop_it_appended() -> None:
    # nginx appends the real peer after whatever the client sent; uvicorn picked that last hop.
    assert LOCAL.client("192.0.2.50", "203.0.113.7, 192.0.2.50", "tab-1") == Client.address("192.0.2.50")


def test_a_trusted_remote_proxy_vouches_for_the_last_untrusted_hop() -> None:
    seen = "10.1.2.3"  # the proxy itself: uvicorn does not rewrite a peer that is not loopback
    assert REMOTE.client(seen, "198.51.100.4, 192.0.2.50, 10.9.9.9", "tab-1") == Client.address("192.0.2.50")


def test_an_untrusted_peer_cannot_pose_as_a_trusted_proxy_by_naming_one() -> None:
    assert REMOTE.client("192.0.2.50", "203.0.113.7, 10.1.2.3", "tab-1") == Client("browser", "tab-1")


def test_a_hop_that_is_not_an_address_vouches_for_nothing() -> None:
    assert LOCAL.client("not-an-ip", "not-an-ip", "tab-1") == Client("browser", "tab-1")


def test_every_hop_trusted_leaves_no_vouched_client() -> None:
    assert LOCAL.client(None, "127.0.0.1", "tab-1") == Client("browser", "tab-1")


def test_ipv6_clients_count_by_their_64() -> None:
    one = LOCAL.client("2001:db8:1:2::1", "2001:db8:1:2::1", "a")
    other = LOCAL.client("2001:db8:1:2:ffff::9", "2001:db8:1:2:ffff::9", "b")
    assert one == other == Client("address", "2001:db8:1:2::/64")


def test_a_malformed_setting_stops_start_up() -> None:
    with pytest.raises(ValueError, match="HEARTH_TRUSTED_PROXIES"):
        TrustedProxies.from_env({"HEARTH_TRUSTED_PROXIES": "10.0.0.0/8, proxy.example"})


def test_an_issued_id_never_collides_with_an_address() -> None:
    assert Client("browser", "192.0.2.1").key != Client.address("192.0.2.1").key
