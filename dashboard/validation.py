"""Pure checks of what the browser sent: each returns a message (a list for a new password) or None."""

from __future__ import annotations

import math
import unicodedata
from datetime import date

from privacy.accounts.passwords import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS
from privacy.constraints import MIN_EPSILON_PER_VIEW

MAX_UPLOAD_MB = 512
"""Per-widget limit: years of zipped Apple Health export fit (uploads are held in memory, so no more)."""


def epsilon_problem(value: object, cap: float) -> str | None:
    """Why `value` is not an epsilon this family allows per view; None when it is.

    The slider's limits hold only in the browser: a forged value arrives here as anything.

    >>> epsilon_problem(0.5, 1.0) is None
    True
    >>> epsilon_problem(1e9, 1.0)
    'Epsilon 1e+09 is above the safe maximum of 1 per view: nothing was spent.'
    >>> epsilon_problem("1", 1.0)
    'Epsilon must be a number: nothing was spent.'
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "Epsilon must be a number: nothing was spent."
    if not math.isfinite(value):
        return "Epsilon must be a finite number: nothing was spent."
    if value < MIN_EPSILON_PER_VIEW:
        return f"Epsilon must be at least {MIN_EPSILON_PER_VIEW:g}: nothing was spent."
    if value > cap:
        return f"Epsilon {value:g} is above the safe maximum of {cap:g} per view: nothing was spent."
    return None


def days_problem(value: object, last_allowed: date, longest: int = 366) -> str | None:
    """Why `value` is not a range of whole days this family may ask about; None when it is.

    A date input's limits hold only in the browser, like a slider's: a forged range arrives as anything.

    >>> days_problem((date(2026, 10, 1), date(2026, 10, 30)), date(2026, 10, 30)) is None
    True
    >>> days_problem((date(2026, 10, 1),), date(2026, 10, 30))
    'Choose a first and a last day: nothing was spent.'
    >>> days_problem((date(2026, 10, 1), date(2026, 11, 5)), date(2026, 10, 30))
    'Ask about whole days up to 2026-10-30: nothing was spent.'
    """
    if not isinstance(value, tuple | list) or len(value) != 2:
        return "Choose a first and a last day: nothing was spent."
    first, last = value
    if not all(isinstance(d, date) and not hasattr(d, "hour") for d in (first, last)):
        return "Choose a first and a last day: nothing was spent."
    if last < first:
        return "The last day comes before the first: nothing was spent."
    if last > last_allowed:
        return f"Ask about whole days up to {last_allowed.isoformat()}: nothing was spent."
    if (last - first).days + 1 > longest:
        return f"Ask about at most {longest} days at a time: nothing was spent."
    return None


def margin_problem(value: object) -> str | None:
    """Why `value` is not a usable accuracy target in steps; None when it is.

    >>> margin_problem(500) is None
    True
    >>> margin_problem(-1)
    'The accuracy target must be a positive number of steps.'
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        return "The accuracy target must be a positive number of steps."
    return None


def upload_problem(size_bytes: int, limit_mb: int = MAX_UPLOAD_MB) -> str | None:
    """Refuse empty or oversized uploads before anything is written to disk.

    >>> upload_problem(0)
    'The file is empty.'
    >>> upload_problem(3 * 1024 * 1024, limit_mb=2)
    'The file is larger than 2 MB.'
    """
    if size_bytes <= 0:
        return "The file is empty."
    if size_bytes > limit_mb * 1024 * 1024:
        return f"The file is larger than {limit_mb} MB."
    return None


def new_password_problems(new: object, repeat: object) -> list[str]:
    """Everything wrong with a new password and its repetition; an empty list when there is nothing.

    Counted as the service counts (after NFKC normalisation), which checks again: this only spares a
    round trip. Messages never repeat the password.

    >>> new_password_problems("long enough", "long enough")
    []
    >>> new_password_problems("short", "shorts")
    ['The new password needs at least 8 characters.', 'The two new passwords differ.']
    >>> new_password_problems("x" * 1025, "x" * 1025)
    ['The new password may have at most 1024 characters.']
    """
    if not isinstance(new, str):
        new = ""
    length = len(unicodedata.normalize("NFKC", new))
    problems = []
    if length < MIN_PASSWORD_CHARS:
        problems.append(f"The new password needs at least {MIN_PASSWORD_CHARS} characters.")
    if max(len(new), length) > MAX_PASSWORD_CHARS:
        problems.append(f"The new password may have at most {MAX_PASSWORD_CHARS} characters.")
    if new != repeat:
        problems.append("The two new passwords differ.")
    return problems
