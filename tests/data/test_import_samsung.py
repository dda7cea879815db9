from datetime import date, datetime

import pytest

from data.importers import parse_file
from data.model import BadInput, StepSample

TODAY = date(2024, 12, 31)
META = "com.samsung.shealth.step_daily_trend,6310006,3\n"
HEADER = (
    "binning_data,update_time,create_time,source_pkg_name,count,speed,distance,calorie,"
    "deviceuuid,source_type,pkg_name,datauuid,day_time,\n"
)
JAN_2 = 1704153600000  # 2024-01-02 00:00 UTC


def row(count, source_type, day_time=JAN_2):
    times = "2024-01-03 08:00:00.000,2024-01-02 08:00:00.000"
    return f",{times},,{count},1.2,5000.5,300.2,dev1,{source_type},pkg,uuid,{day_time},\n"


def test_all_devices_rows_are_kept_and_device_rows_dropped(write):
    content = META + HEADER + row(4000, 0) + row(7000, -2) + row(3500, 1) + row(8000, -2, JAN_2 + 86_400_000)
    parsed = parse_file(write("com.samsung.shealth.step_daily_trend.20240103.csv", content), today=TODAY)
    assert parsed.format == "samsung"
    assert parsed.samples == (
        StepSample(datetime(2024, 1, 2), datetime(2024, 1, 3), 7000, "samsung-health"),
        StepSample(datetime(2024, 1, 3), datetime(2024, 1, 4), 8000, "samsung-health"),
    )
    assert (parsed.rows_read, parsed.duplicates_dropped) == (4, 2)


def test_without_all_devices_rows_each_days_largest_device_total_is_kept(write):
    parsed = parse_file(write("trend.csv", META + HEADER + row(4000, 0) + row(3500, 1)), today=TODAY)
    assert [s.steps for s in parsed.samples] == [4000]
    assert parsed.notes == ("Days without an all-devices row kept their largest single-device total.",)


def test_prefixed_column_names_are_understood(write):
    header = HEADER.replace("count,", "com.samsung.health.step_daily_trend.count,")
    parsed = parse_file(write("trend.csv", META + header + row(4000, -2)), today=TODAY)
    assert [s.steps for s in parsed.samples] == [4000]


def test_missing_column_names_the_header_line(write):
    with pytest.raises(BadInput, match=r"line 2: missing column 'day_time'"):
        parse_file(write("trend.csv", META + HEADER.replace("day_time", "day") + row(1, -2)), today=TODAY)


@pytest.mark.parametrize(
    ("count", "day_time", "problem"),
    [
        ("-5", JAN_2, "field 'count': the step count is negative"),
        ("1e308", JAN_2, "field 'count': .*implausibly large"),
        ("7", "soon", "field 'day_time'"),
        ("7", 1893456000000, "field 'day_time': the date is in the future"),
        ("7", -1, "field 'day_time': the day_time is out of range"),
    ],
)
def test_bad_rows_name_the_line_and_field(write, count, day_time, problem):
    content = META + HEADER + row(1, -2) + row(count, -2, day_time)
    with pytest.raises(BadInput, match=rf"line 4, {problem}"):
        parse_file(write("trend.csv", content), today=TODAY)


def updated(count, source_type, update_time, day_time=JAN_2, device="dev1"):
    times = f"{update_time},2024-01-02 08:00:00.000"
    return f",{times},,{count},1.2,5000.5,300.2,{device},{source_type},pkg,uuid,{day_time},\n"


def test_the_all_devices_rule_is_decided_per_day(write):
    jan_3 = JAN_2 + 86_400_000
    content = META + HEADER + row(7000, -2) + row(4000, 0) + row(3000, 0, jan_3) + row(5000, 1, jan_3)
    parsed = parse_file(write("trend.csv", content), today=TODAY)
    assert [(s.start.day, s.steps) for s in parsed.samples] == [(2, 7000), (3, 5000)]


def test_the_latest_update_of_a_day_wins_not_the_largest(write):
    content = (
        META
        + HEADER
        + updated(9000, -2, "2024-01-02 23:00:00.000")
        + updated(6500, -2, "2024-01-03 07:30:00.000")  # corrected down after a resync
        + updated(8000, -2, "2024-01-02 12:00:00.000")
    )
    parsed = parse_file(write("trend.csv", content), today=TODAY)
    assert [s.steps for s in parsed.samples] == [6500]
    assert parsed.duplicates_dropped == 2


PEDOMETER_META = "com.samsung.shealth.tracker.pedometer_step_count,6315003,12\n"
PEDOMETER_HEADER = (
    "duration,run_step,walk_step,com.samsung.health.step_count.start_time,"
    "com.samsung.health.step_count.update_time,com.samsung.health.step_count.create_time,"
    "com.samsung.health.step_count.count,com.samsung.health.step_count.time_offset,"
    "com.samsung.health.step_count.deviceuuid,com.samsung.health.step_count.end_time\n"
)


def interval(start, end, count, update="2024-01-02 09:00:00.000", device="phone", offset="UTC+0100"):
    return f"60000,0,{count},{start},{update},{update},{count},{offset},{device},{end}\n"


def test_pedometer_intervals_land_in_local_hours_per_device(write):
    content = (
        PEDOMETER_META
        + PEDOMETER_HEADER
        + interval("2024-01-02 07:00:00.000", "2024-01-02 07:01:00.000", 100)
        + interval(
            "2024-01-02 07:00:00.000", "2024-01-02 07:01:00.000", 120, update="2024-01-02 10:00:00.000"
        )
        + interval("2024-01-02 07:30:00.000", "2024-01-02 07:31:00.000", 90, device="watch")
    )
    parsed = parse_file(
        write("com.samsung.shealth.tracker.pedometer_step_count.20240103.csv", content), today=TODAY
    )
    assert parsed.format == "samsung"
    assert {(s.start, s.source): s.steps for s in parsed.samples} == {
        (datetime(2024, 1, 2, 8), "samsung-health 1"): 120,
        (datetime(2024, 1, 2, 8), "samsung-health 2"): 90,
    }
    assert (parsed.rows_read, parsed.duplicates_dropped) == (3, 1)
