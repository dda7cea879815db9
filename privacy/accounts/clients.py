"""Who is guessing: an address only when a trusted proxy vouches for it, else one browser session."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK = "127.0.0.1"
"""What a peer is taken to be when Streamlit shows no address: it hides loopback peers as None."""


@dataclass(frozen=True)
class Client:
    """What sign-in failures are counted against, besides the name: never a value the client chose."""

    kind: Literal["address", "browser", "session"]
    """`address`: vouched for by a trusted proxy; `browser`: an id the server issued to one browser
    session; `session`: a signed-in session re-entering its password (change of password)."""
    value: str
    """The address's group (IPv6 by /64), the issued id, or the session token's digest."""

    @classmethod
    def address(cls, text: str) -> Client:
        """A vouched-for address, counted by the network one host controls."""
        return cls("address", address_group(text))

    @property
    def key(self) -> str:
        """The text the throttle digests; the kind keeps an id from ever colliding with an address."""
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class TrustedProxies:
    """`HEARTH_TRUSTED_PROXIES`: the proxies whose `X-Forwarded-For` Hearth believes; none by default."""

    networks: tuple[Network, ...] = ()
    """Addresses or CIDR blocks of the reverse proxies in front of Hearth, nothing else."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> TrustedProxies:
        """Parse a comma- or space-separated list; a malformed entry stops start-up rather than trusting less.

        >>> TrustedProxies.from_env({"HEARTH_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}).networks
        (IPv4Network('127.0.0.1/32'), IPv4Network('10.0.0.0/8'))
        >>> TrustedProxies.from_env({}).networks
        ()
        """
        raw = environ.get("HEARTH_TRUSTED_PROXIES", "").replace(",", " ").split()
        try:
            return cls(tuple(ipaddress.ip_network(entry, strict=False) for entry in raw))
        except ValueError:
            raise ValueError("HEARTH_TRUSTED_PROXIES holds an entry that is not an address or CIDR") from None

    def trusts(self, host: str) -> bool:
        """Is `host` one of the configured proxies? Text that is not an address never is."""
        parsed = _ip(host)
        return parsed is not None and any(parsed in network for network in self.networks)

    def client_address(self, seen: str | None, forwarded_for: str | None) -> str | None:
        """The client's address if a trusted proxy vouches for it, else None.

        `seen` is Streamlit's `st.context.ip_address`. The server under Streamlit (uvicorn) already
        replaces a loopback peer's address with the last `X-Forwarded-For` hop that is not loopback,
        so when `seen` is that hop the real peer was loopback. Either reading of an ambiguous request
        yields the same client, so the header's sender cannot pick whom its failures count against.

        >>> local = TrustedProxies.from_env({"HEARTH_TRUSTED_PROXIES": "127.0.0.1"})
        >>> local.client_address("203.0.113.9", "198.51.100.1, 203.0.113.9")
        '203.0.113.9'
        >>> TrustedProxies().client_address("198.51.100.1", "198.51.100.1") is None
        True
        """
        hops = [_host(hop) for hop in (forwarded_for or "").split(",") if hop.strip()]
        peer = seen or LOOPBACK
        if hops and peer == _uvicorn_pick(hops):
            peer = LOOPBACK
        if not self.trusts(peer):
            return None
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop if _ip(hop) is not None else None
        return None

    def client(self, seen: str | None, forwarded_for: str | None, browser_id: str) -> Client:
        """The address a trusted proxy vouches for, else the id this server issued to the browser."""
        address = self.client_address(seen, forwarded_for)
        return Client.address(address) if address is not None else Client("browser", browser_id)


def address_group(address: str) -> str:
    """The unit an address is counted in: an IPv6 host owns a whole /64, so that is one address.

    >>> address_group("2001:db8::1")
    '2001:db8::/64'
    >>> address_group("::ffff:192.0.2.7")
    '192.0.2.7'
    """
    parsed = _ip(address)
    if parsed is None:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def _uvicorn_pick(hops: list[str]) -> str:
    """The hop uvicorn makes the client of a loopback peer: the last that is not loopback, else the first."""
    return next((hop for hop in reversed(hops) if hop not in {"127.0.0.1", "::1"}), hops[0])


def _host(hop: str) -> str:
    """A forwarded hop without its port (`[v6]:port`, `v4:port`), as uvicorn reads it.

    >>> _host(" [2001:db8::1]:443 "), _host("192.0.2.1:8080"), _host("2001:db8::2")
    ('2001:db8::1', '192.0.2.1', '2001:db8::2')
    """
    hop = hop.strip()
    if hop.startswith("[") and "]" in hop:
        return hop[1 : hop.index("]")]
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None
