"""What the dashboard may render: noisy values with their intervals, and typed refusals."""

from __future__ import annotations

from dataclasses import dataclass

from privacy.epsilon import Epsilon
from privacy.queries import QuerySpec


@dataclass(frozen=True)
class Release:
    """One differentially private answer on the family's noticeboard, with what is needed to read it."""

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
    """What this release charged each block it covers (OpenDP's privacy map, rounded up)."""
    mechanism: str
    """Mechanism name, e.g. 'discrete Laplace' or 'report noisy max'."""
    scale: float
    """Noise scale of the mechanism, on the values' own units before the public division."""
    denominators: tuple[int, ...]
    """Public member-days behind each value: a value's noise scale is `scale / denominator`."""
    privacy_unit: str
    """The privacy unit in words."""
    first: str
    """First day the release covers (ISO date)."""
    last: str
    """Last day the release covers (ISO date)."""
    included: tuple[str, ...]
    """Display names of the members in it: those whose imports covered the period when it was made."""
    left_out: tuple[str, ...]
    """Display names of members left out because their data did not reach the period's end."""
    released_at: str
    """UTC time it was first made (ISO 8601): a later import does not change it."""
    replayed: bool = False
    """True when served from the noticeboard at no cost; False when this request paid for it."""
    combined: int = 1
    """How many releases of the same question this figure combines (more after sharpening)."""
    question: str = ""
    """The noticeboard question it answers, when served from the board: sharpening joins that question."""
    noise: tuple[tuple[float, ...], ...] = ()
    """For a combined figure, each value's independent Laplace scales (value units); empty for one release."""


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
    """A block the release covers has too little budget left; lifetime budgets never renew."""

    def __init__(self, requested: Epsilon, remaining_micro: int, where: str) -> None:
        super().__init__(
            f"This costs epsilon {requested} per day, but only {remaining_micro / 1e6:g} is left in {where};"
            " budgets never renew, so nothing was spent. Newer days bring fresh budget."
        )
        self.requested = requested
        self.remaining_micro = remaining_micro
        self.where = where


class NotYetReleased(Refused):
    """A period that has not ended, or whose members have not all imported it and are still settling."""


class NotAllowed(Refused):
    """The caller is not signed in, or asked for data that is not theirs."""


class LedgerUnavailable(Refused):
    """The ledger could not be read or written: fail closed, release nothing, reset nothing."""
