"""What the dashboard may render: noisy values with their intervals, and typed refusals."""

from __future__ import annotations

from dataclasses import dataclass

from privacy.epsilon import Epsilon
from privacy.queries import QuerySpec


@dataclass(frozen=True)
class Release:
    """One differentially private answer, with everything needed to read it honestly."""

    spec: QuerySpec
    """The catalog statistic this answers."""
    labels: tuple[str, ...]
    """One label per value: a week's Monday, a weekday, an hour, a bin, or a member's display name."""
    values: tuple[float, ...]
    """Noisy values (for the champion: 1.0 for the chosen member, 0.0 for the others)."""
    lower: tuple[float, ...]
    """Lower end of each value's 95% interval."""
    upper: tuple[float, ...]
    """Upper end of each value's 95% interval."""
    unit: str
    """Units of the values, for axis labels: 'steps per member-day', 'share of member-days', ..."""
    epsilon: Epsilon
    """What this release cost when first made (OpenDP's privacy map, rounded up)."""
    mechanism: str
    """Mechanism name, e.g. 'discrete Laplace' or 'report noisy max (Gumbel)'."""
    scale: float
    """Noise scale of the mechanism, on the values' own units before any public division."""
    privacy_unit: str
    """The privacy unit in words."""
    replayed: bool
    """True when served from the ledger at zero cost; False when freshly spent."""
    data_version: int
    """The store's data version it was computed on."""
    released_at: str
    """UTC time it was first made (ISO 8601)."""

    @property
    def margins(self) -> tuple[float, ...]:
        """Half-width of each interval: the '+/- steps' shown beside a value."""
        return tuple((hi - lo) / 2 for lo, hi in zip(self.lower, self.upper, strict=True))


@dataclass(frozen=True)
class Preview:
    """What a release would cost and how wide its interval would be, without touching data."""

    spec: QuerySpec
    epsilon: Epsilon
    """The charge the ledger would record (OpenDP's privacy map, rounded up)."""
    margin: float
    """Expected 95% half-width of each value, in the release's units."""
    mechanism: str
    scale: float


class Refused(Exception):
    """A release that was not made; nothing was spent. The message is safe to show."""


class OverCap(Refused):
    """The requested epsilon exceeds the per-view safe maximum."""


class BudgetExhausted(Refused):
    """Not enough budget left this period (the viewer's, or the member cap)."""

    def __init__(self, requested: Epsilon, remaining_micro: int, renews_on: str) -> None:
        super().__init__(
            f"This view costs epsilon {requested}, but only {remaining_micro / 1e6:g} remains;"
            f" the budget renews on {renews_on}."
        )
        self.requested = requested
        self.remaining_micro = remaining_micro
        self.renews_on = renews_on


class NotAllowed(Refused):
    """The caller is not signed in, or asked for data that is not theirs."""


class LedgerUnavailable(Refused):
    """The ledger could not be read or written: fail closed, release nothing, reset nothing."""
