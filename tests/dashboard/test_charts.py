"""Chart builders are pure: a Release in, a figure that draws every interval out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date
from zoneinfo import ZoneInfo

import pytest

from dashboard import charts, figure_text, own_charts, theme
from privacy.engine.periods import Period
from privacy.epsilon import Epsilon
from privacy.queries import Bucket, QueryId, QuerySpec
from privacy.release import Release

UNIT = "any one member's steps on any one day"


def _release(query: QueryId, labels, values, lower, upper, unit="steps per member-day", **spec) -> Release:
    return Release(
        spec=QuerySpec(query, **spec),
        labels=tuple(labels),
        values=tuple(values),
        lower=tuple(lower),
        upper=tuple(upper),
        unit=unit,
        epsilon=Epsilon.request(0.5),
        mechanism="discrete Laplace",
        scale=50_000.0,
        denominators=(35,) * len(values),
        privacy_unit=UNIT,
        first="2026-10-05",
        last="2026-10-25",
        included=("Maya", "Sam", "Leo", "Ivy", "Nana"),
        left_out=(),
        released_at="2026-11-02T09:00:00+00:00",
    )


TREND = _release(
    QueryId.TREND,
    ["2026-10-05", "2026-10-12", "2026-10-19"],
    [7000.0, 7600.0, -50.0],
    [6000.0, 6500.0, 0.0],
    [8000.0, 8700.0, 900.0],
    window_days=90,
)
SHARES = _release(
    QueryId.GOAL_ATTAINMENT,
    ["2026-10-19", "2026-10-26"],
    [0.42, 1.2],
    [0.30, 0.9],
    [0.54, 1.0],
    unit="share of member-days",
    window_days=30,
)


def test_trend_band_is_one_closed_trace_upper_then_lower_reversed() -> None:
    figure = charts.figure_for(TREND)
    band, line = figure.data
    assert band.fill == "toself"
    assert list(band.x) == list(TREND.labels) + list(TREND.labels)[::-1]
    assert list(band.y) == [8000.0, 8700.0, 900.0, 0.0, 6500.0, 6000.0]
    assert line.line.color == theme.FAMILY


def test_noise_below_zero_is_clipped_for_display() -> None:
    values, lower, _ = charts.clip(TREND)
    assert values[-1] == 0.0 and min(lower) >= 0.0


def test_bars_carry_asymmetric_error_bars_and_a_share_axis() -> None:
    figure = charts.bar_figure(SHARES)
    bars = figure.data[0]
    assert list(bars.y) == [0.42, 1.0]
    assert list(bars.error_y.array) == pytest.approx([0.12, 0.0])
    assert list(bars.error_y.arrayminus) == pytest.approx([0.12, 0.1])
    assert list(figure.layout.yaxis.range) == [0, 1.0]
    assert figure.layout.yaxis.title.text == "share of member-days"


def test_every_chart_is_fixed_height_unanimated_and_titled_with_units() -> None:
    for figure in (charts.figure_for(TREND), charts.figure_for(SHARES)):
        assert figure.layout.height == theme.CHART_HEIGHT
        assert figure.layout.transition.duration == 0
        assert figure.layout.title.text and figure.layout.yaxis.title.text
        assert figure.layout.yaxis.range[0] == 0


def test_monthly_buckets_say_month_on_the_axis() -> None:
    monthly = _release(
        QueryId.TREND, ["2026-09-01"], [7000.0], [6000.0], [8000.0], window_days=90, bucket=Bucket.MONTH
    )
    assert charts.figure_for(monthly).layout.xaxis.title.text == "Month"


def test_description_gives_every_value_with_its_interval_in_text() -> None:
    described = charts.describe(TREND, "Weekly family average")
    assert described.startswith("Weekly family average, steps per member-day.")
    assert "2026-10-12: 7,600 (95%: 6,500 to 8,700)" in described
    assert "2026-10-19: 0 (95%: 0 to 900)" in described


def test_summary_rounds_to_what_the_margin_allows() -> None:
    single = _release(QueryId.FAMILY_AVERAGE, ["last 7 days"], [8234.4], [7361.2], [9107.6], window_days=7)
    assert charts.summary(single) == "8,230 ± 870"
    assert charts.summary(SHARES) == "42% ± 12 pts"


def test_champion_is_a_name_not_a_chart_and_hostile_labels_are_escaped() -> None:
    champion = _release(
        QueryId.CHAMPION,
        ["Sam", "<b>x</b>"],
        [0.0, 1.0],
        [0.0, 0.0],
        [1.0, 1.0],
        unit="chosen (1) or not (0)",
    )
    assert charts.figure_for(champion) is None
    assert charts.champion(champion) == "<b>x</b>"
    hostile = _release(QueryId.WEEKDAY, ["<img src=x>"], [5000.0], [4000.0], [6000.0], window_days=30)
    assert charts.figure_for(hostile).data[0].x == ("&lt;img src=x&gt;",)


def test_own_daily_chart_draws_goal_and_family_band() -> None:
    single = _release(QueryId.FAMILY_AVERAGE, ["last 30 days"], [7000.0], [6000.0], [8000.0])
    week = Period(date(2026, 10, 26), date(2026, 11, 1))
    figure = own_charts.own_daily_figure(
        week, [date(2026, 10, 30), date(2026, 10, 31)], [9000, 12000], single, 8000
    )
    assert [s.type for s in figure.layout.shapes] == ["line", "rect", "line"]
    assert figure.layout.shapes[1].y0 == 6000.0 and figure.layout.shapes[1].y1 == 8000.0
    assert figure.data[0].marker.color == theme.OWN
    assert figure.layout.yaxis.range[1] >= 12000
    assert list(figure.layout.xaxis.range) == ["2026-10-25T12:00", "2026-11-01T12:00"]  # all seven days


def test_an_empty_week_still_spans_its_seven_days() -> None:
    week = Period(date(2026, 11, 23), date(2026, 11, 29))
    figure = own_charts.own_daily_figure(week, [], [], None, 8000)
    assert list(figure.layout.xaxis.range) == ["2026-11-22T12:00", "2026-11-29T12:00"]


def test_a_clipped_interval_is_stated_as_a_range_not_plus_minus() -> None:
    clipped = _release(QueryId.FAMILY_AVERAGE, ["last 7 days"], [2400.0], [0.0], [6680.0], window_days=7)
    assert charts.half_widths(clipped) == [4280.0]
    assert charts.summary(clipped) == "2,400 (95%: 0 to 6,700)"
    assert charts.interval_note(clipped) == "from 0 to 6,700 steps per member-day"


def test_a_release_day_is_the_familys_own_not_utcs() -> None:
    evening_in_utc = replace(TREND, released_at="2026-11-29T17:16:51+00:00")  # Monday 04:16 in Sydney
    assert figure_text.footer(evening_in_utc, "week", zone=ZoneInfo("Australia/Sydney")).endswith(
        "released on 30 November 2026."
    )
    assert figure_text.footer(evening_in_utc, "week", zone=UTC).endswith("released on 29 November 2026.")
    later = replace(evening_in_utc, released_at="2026-11-30T09:00:00+00:00")
    weeks = [evening_in_utc, later]  # two UTC days, one Sydney day
    assert figure_text.series_footer(weeks, zone=ZoneInfo("Australia/Sydney")).endswith(
        "released on 30 November 2026."
    )
    assert figure_text.series_footer(weeks, zone=UTC).endswith(
        "released 29 November 2026 to 30 November 2026."
    )
