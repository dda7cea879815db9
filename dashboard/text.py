"""Pure text helpers: hostile names made inert, and numbers rounded to what the noise allows."""

from __future__ import annotations

import html
import math
import re
import unicodedata

NAME_LIMIT = 40
"""Longest label shown: member and file names come from imported files and may be megabytes long."""

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


def safe_name(text: object, limit: int = NAME_LIMIT) -> str:
    r"""A display label with control and bidi-override characters dropped and the length capped.

    A right-to-left override could make 'Sam' and a file name read backwards; format characters
    (Unicode category Cf) and controls (Cc) are removed, whitespace runs become one space.

    >>> safe_name("Sa\u202em  <b>")
    'Sam <b>'
    >>> safe_name("x" * 50, limit=5)
    'xxxx…'
    """
    kept = "".join(c for c in str(text) if unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs"))
    single = " ".join(kept.split())
    return single if len(single) <= limit else single[: limit - 1] + "…"


def md(text: object, limit: int = NAME_LIMIT) -> str:
    r"""`safe_name`, then every Markdown and HTML special character backslash-escaped, for st.markdown.

    >>> md("<img src=x onerror=alert(1)>")
    '\\<img src\\=x onerror\\=alert\\(1\\)\\>'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", safe_name(text, limit))


def refusal(error: Exception) -> str:
    r"""A refusal's message for st.error/st.info: the service writes it to be shown, but it may name members.

    >>> refusal(ValueError("waiting for <b>Bea</b>"))
    'waiting for \\<b\\>Bea\\</b\\>'
    """
    return md(str(error), 500)


def svg(text: object, limit: int = NAME_LIMIT) -> str:
    """`safe_name`, then HTML-escaped: plotly reads a subset of HTML in labels, entities it shows as text.

    >>> svg("<b>Ivy</b>")
    '&lt;b&gt;Ivy&lt;/b&gt;'
    """
    return html.escape(safe_name(text, limit))


def resolution(margin: float, finest: float) -> float:
    """The rounding step a +/- `margin` allows: two significant figures of the margin, at least `finest`.

    >>> resolution(873.0, 1.0)
    10.0
    >>> resolution(0.0, 1.0)
    1.0
    """
    if not math.isfinite(margin) or margin <= 0:
        return finest
    return max(finest, 10.0 ** (math.floor(math.log10(margin)) - 1))


def rounded(value: float, step: float) -> float:
    """`value` to the nearest multiple of `step` (half away from zero would be no more honest).

    >>> rounded(8234.0, 10.0)
    8230.0
    """
    return round(value / step) * step


def steps(value: float, margin: float = 0.0) -> str:
    """Steps with thousands separators, rounded as far as the margin demands.

    >>> steps(8234.4, 873.0)
    '8,230'
    >>> steps(61.6)
    '62'
    """
    return f"{rounded(value, resolution(margin, 1.0)):,.0f}"


def plus_minus(margin: float) -> str:
    """The margin itself at two significant figures.

    >>> plus_minus(873.2)
    '± 870'
    """
    return f"± {steps(margin, margin)}"


def percent(share: float, margin: float = 0.0) -> str:
    """A share as a whole-number percentage: finer would be false precision for family-sized data.

    >>> percent(0.4321, 0.08)
    '43%'
    """
    return f"{rounded(share * 100, resolution(margin * 100, 1.0)):.0f}%"


def percent_points(margin: float) -> str:
    """A share's margin in percentage points.

    >>> percent_points(0.081)
    '± 8 pts'
    """
    return f"± {rounded(margin * 100, resolution(margin * 100, 1.0)):.0f} pts"


def epsilon(micro: int) -> str:
    """An epsilon held in micro-units, shown without trailing zeros.

    >>> epsilon(500_000)
    '0.5'
    >>> epsilon(1_234_567)
    '1.23'
    """
    return f"{micro / 1_000_000:.3g}"


QUERY_WORDS = {
    "family_average": "Family average",
    "trend": "Trend",
    "goal_attainment": "Goal attainment",
    "distribution": "Distribution",
    "weekday": "By weekday",
    "hour_of_day": "By hour of the day",
    "champion": "Champion",
}


def describe_query(key: str) -> str:
    """A ledger row's query key in words (keys are `query/window/bucket/goal`); unknown keys pass through.

    >>> describe_query("goal_attainment/30/week/8000")
    'Goal attainment, last 30 days, weekly, goal 8,000 steps'
    >>> describe_query("family_average/7/week/8000")
    'Family average, last 7 days'
    >>> describe_query("weekday/dates/week/8000")
    'By weekday'
    """
    parts = key.split("/")
    if len(parts) != 4 or parts[0] not in QUERY_WORDS or not (parts[1].isdigit() or parts[1] == "dates"):
        return safe_name(key, 80)
    query, window, bucket, goal = parts
    words = [QUERY_WORDS[query]] + ([f"last {window} days"] if window.isdigit() else [])
    if query in ("trend", "goal_attainment"):
        words.append("monthly" if bucket == "month" else "weekly")
    if query == "goal_attainment" and goal.isdigit():
        words.append(f"goal {int(goal):,} steps")
    return ", ".join(words)
