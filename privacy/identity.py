"""Who is asking: a signed-in viewer, checked server side on every call that touches data."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Viewer:
    """A signed-in member; the ledger is keyed by `member_id`, never by browser session."""

    member_id: int
    """The store's member id: the key of the budget and of 'own data' checks."""
    name: str
    """Display label only; never used as a key."""
    is_admin: bool
    """Admins may import for anyone; they see no more of others' data than anyone else."""
    session_token: str = field(repr=False)
    """Server-side session token (only its hash is stored); kept out of repr so logs never carry it."""
