"""Pure words for shared figures: who is in one, its period, its cost and day of release, derived figures.

Every figure on a family page says these four things next to it, and every chart's description repeats
them in text, so a reader without the picture (or without sight) gets the same facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from dashboard import text
from privacy.derived import Estimate
from privacy.release import Release


def period_words(first: date, last: date) -> str:
    """A period as people say it, the shared month and year written once.

    >>> period_words(date(2026, 10, 19), date(2026, 10, 25))
    '19–25 October 2026'
    >>> period_words(date(2026, 9, 7), date(2026, 10, 4))
    '7 September – 4 October 2026'
    >>> period_words(date(2025, 12, 29), date(2026, 1, 4))
    '29 December 2025 – 4 January 2026'
    >>> period_words(date(2025, 1, 1), date(2025, 12, 31))
    'the year 2025'
    """
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return f"the year {first.year}"
    if first == last:
        return f"{first:%-d %B %Y}"
    if first.year != last.year:
        return f"{first:%-d %B %Y} – {last:%-d %B %Y}"
    if first.month != last.month:
        return f"{first:%-d %B} – {last:%-d %B %Y}"
    return f"{first.day}–{last:%-d %B %Y}"


def release_period(release: Release) -> str:
    """The period a release covers, in words."""
    return period_words(date.fromisoformat(release.first), date.fromisoformat(release.last))


def who(release: Release, period_noun: str = "period") -> str:
    """Who a figure includes: 'all 5 members', or '4 of 5: Bea's data not imported for this week'.

    Names are made safe for Markdown by the caller's `text.md`, never trusted here.
    """
    total = len(release.included) + len(release.left_out)
    if not release.left_out:
        return f"all {total} members" if total != 1 else "the one member"
    names = " and ".join(f"{text.safe_name(name)}'s" for name in release.left_out)
    return f"{len(release.included)} of {total}: {names} data not imported for this {period_noun}"


def day_in(moment: str, zone: tzinfo) -> date:
    """The family's calendar day of an ISO 8601 moment (releases are stamped in UTC).

    >>> from zoneinfo import ZoneInfo
    >>> day_in("2026-11-29T17:16:51+00:00", ZoneInfo("Australia/Sydney"))
    datetime.date(2026, 11, 30)
    """
    return datetime.fromisoformat(moment).astimezone(zone).date()


def released_on(release: Release, zone: tzinfo) -> str:
    """'released on 2 November 2026': the family's day it was first made (a replay keeps it)."""
    return f"released on {day_in(release.released_at, zone):%-d %B %Y}"


def footer(release: Release, period_noun: str = "period", *, zone: tzinfo) -> str:
    """The caption under every shared figure: period, who, epsilon per day and day of release."""
    sharpened = f" Combines {release.combined} releases." if release.combined > 1 else ""
    span = release_period(release)
    return (
        f"{span[0].upper()}{span[1:]} · {who(release, period_noun)} · ε {release.epsilon} per day ·"
        f" {released_on(release, zone)}.{sharpened}"
    )


def series_footer(releases: Sequence[Release], *, zone: tzinfo) -> str:
    """The caption under a series of weekly releases: its whole span, who, epsilon and release days."""
    first, last = releases[0], releases[-1]
    span = period_words(date.fromisoformat(first.first), date.fromisoformat(last.last))
    partial = sum(1 for r in releases if r.left_out)
    whom = f"{who(last, 'week')} in the latest week" if last.left_out else who(last, "week")
    if partial and not last.left_out:
        whom += f" in the latest week ({partial} earlier weeks leave someone out)"
    days = sorted({day_in(r.released_at, zone) for r in releases})
    made = (
        f"released on {days[0]:%-d %B %Y}"
        if len(days) == 1
        else f"released {days[0]:%-d %B %Y} to {days[-1]:%-d %B %Y}"
    )
    return f"{span} · {whom} · ε {last.epsilon} per day each week · {made}."


def signed_steps(value: float, margin: float) -> str:
    """A change in steps with its sign, rounded as the margin allows.

    >>> signed_steps(152.0, 140.0), signed_steps(-1234.0, 900.0), signed_steps(0.2, 50.0)
    ('+150', '-1,230', '0')
    """
    shown = text.steps(value, margin)
    return shown if shown.startswith("-") or shown == "0" else f"+{shown}"


def change_words(estimate: Estimate, per: str = "") -> str:
    """A derived change with its interval in words: 'about +150 steps a week, between +10 and +290'.

    >>> change_words(Estimate(150.0, (45.0,)), "a week")
    'about +150 steps a week, between +20 and +280'
    """
    lo, hi = estimate.interval
    margin = estimate.half_width
    return (
        f"about {signed_steps(estimate.value, margin)} steps{' ' + per if per else ''},"
        f" between {signed_steps(lo, margin)} and {signed_steps(hi, margin)}"
    )


def estimate_words(estimate: Estimate) -> str:
    """A derived value in steps with its 95% half-width: '7,000 ± 2,100'."""
    return f"{text.steps(estimate.value, estimate.half_width)} {text.plus_minus(estimate.half_width)}"


def share_words(estimate: Estimate) -> str:
    """A derived share with its 95% half-width in points: '43% ± 6 pts'."""
    return f"{text.percent(estimate.value, estimate.half_width)} {text.percent_points(estimate.half_width)}"


def verdict_sentence(verdict: str, noun: str) -> str:
    """The plain verdict of a change, never claiming more than the interval allows.

    >>> verdict_sentence("can't tell yet", "the week before")
    "Compared with the week before: can't tell yet (the change is within the noise)."
    """
    why = " (the change is within the noise)" if verdict == "can't tell yet" else ""
    return f"Compared with {noun}: {verdict}{why}."
