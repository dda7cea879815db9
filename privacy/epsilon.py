"""Epsilon as a value type: validated on construction, stored as integer micro-units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from privacy.constraints import MICRO


class InvalidEpsilon(ValueError):
    """Zero, negative, NaN, infinite or non-numeric epsilon: refused before anything runs."""


@dataclass(frozen=True, order=True)
class Epsilon:
    """A positive, finite privacy loss in micro-units; equal micro-units are the same request."""

    micro: int
    """Epsilon times one million, an exact integer so 0.5 and 0.5000001 canonicalise alike."""

    def __post_init__(self) -> None:
        if isinstance(self.micro, bool) or not isinstance(self.micro, int) or self.micro <= 0:
            raise InvalidEpsilon(f"epsilon must be a positive number, got {self.micro!r} micro")

    @classmethod
    def request(cls, value: object) -> Epsilon:
        """A requested epsilon, rounded down to micro-units: a request never buys more than asked.

        >>> Epsilon.request(0.5000001) == Epsilon.request(0.5)
        True
        """
        return cls(_to_micro(value, ROUND_FLOOR))

    @classmethod
    def charge(cls, value: object) -> Epsilon:
        """A debit, rounded up to micro-units: the ledger never records less than was spent.

        >>> Epsilon.charge(0.1000001).micro
        100001
        """
        return cls(_to_micro(value, ROUND_CEILING))

    @property
    def value(self) -> float:
        """As a float, for OpenDP and display."""
        return self.micro / MICRO

    def __str__(self) -> str:
        return f"{self.value:g}"


def _to_micro(value: object, rounding: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidEpsilon(f"epsilon must be a number, got {type(value).__name__}")
    exact = Decimal(str(value))
    if not exact.is_finite():
        raise InvalidEpsilon(f"epsilon must be finite, got {value!r}")
    micro = (exact * MICRO).to_integral_value(rounding=rounding)
    if micro <= 0:
        raise InvalidEpsilon(f"epsilon must be positive, got {value!r}")
    return int(micro)
