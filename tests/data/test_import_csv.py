from datetime import date, datetime

import pytest

from data.importers import parse_file
from data.model import BadInput, StepSample

TODAY = date(2024, 12, 31)


def test_daily_csv_gives_midnight_to_midnight_buckets(write):
    parsed = parse_file(
        write("steps.csv", "member,date,steps\nAnna,2024-01-02,8000\nAnna,2024-01-03,0\n"), today=TODAY
    )
    assert parsed.format == "csv-daily"
    assert parsed.samples == (
        StepSample(datetime(2024, 1, 2), datetime(2024, 1, 3), 8000, "csv"),
        StepSample(datetime(2024, 1, 3), datetime(2024, 1, 4), 0, "csv"),
    )
    assert parsed.rows_read == 2


def test_timestamp_csv_buckets_by_local_hour_and_drops_offsets(write):
    content = (
        "member,timestamp,steps\n"
        "Anna,2024-01-02T08:05:00+01:00,100\n"
        "Anna,2024-01-02T08:55:00-07:00,50\n"
        "Anna,2024-01-02 09:00:00,7\n"
    )
    parsed = parse_file(write("steps.csv", content), today=TODAY)
    assert parsed.format == "csv-timestamp"
    assert {s.start: s.steps for s in parsed.samples} == {
        datetime(2024, 1, 2, 8): 150,
        datetime(2024, 1, 2, 9): 7,
    }
    assert all(s.end - s.start == datetime(2024, 1, 1, 1) - datetime(2024, 1, 1) for s in parsed.samples)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("steps.json", "member,date,steps\nAnna,2024-01-02,5\n", "csv-daily"),
        ("steps.csv", '[{"dateTime": "01/25/23 13:00:07", "value": "12"}]', "fitbit"),
        (
            "export.zip",
            "com.samsung.shealth.step_daily_trend,1,3\nday_time,count,source_type\n1704153600000,5,-2\n",
            "samsung",
        ),
    ],
)
def test_content_decides_the_format_not_the_extension(write, name, content, expected):
    assert parse_file(write(name, content), today=TODAY).format == expected


@pytest.mark.parametrize(
    ("header", "missing"),
    [("member,day,steps", "date"), ("member,date,stepz", "steps"), ("name,date,steps", "member")],
)
def test_wrong_columns_name_the_missing_field(write, header, missing):
    with pytest.raises(BadInput, match=rf"steps.csv: line 1: missing column '{missing}'"):
        parse_file(write("steps.csv", f"{header}\nAnna,2024-01-02,5\n"), today=TODAY)


def test_an_unknown_header_lists_what_is_accepted(write):
    with pytest.raises(BadInput, match=r"line 1: unrecognised columns"):
        parse_file(write("steps.csv", "a,b,c\n1,2,3\n"), today=TODAY)


@pytest.mark.parametrize(
    ("steps", "problem"),
    [
        ("-1", "negative"),
        ("NaN", "not a finite number"),
        ("inf", "not a finite number"),
        ("1e308", "implausibly large"),
        ("100001", "implausibly large"),
        ("abc", "not a number"),
        ("", "missing"),
    ],
)
def test_bad_step_values_name_the_line_and_field(write, steps, problem):
    content = f"member,date,steps\nAnna,2024-01-02,5\nAnna,2024-01-03,{steps}\n"
    with pytest.raises(BadInput, match=rf"steps.csv: line 3, field 'steps': .*{problem}"):
        parse_file(write("steps.csv", content), today=TODAY)


def test_hourly_total_over_the_limit_names_the_line(write):
    content = "member,timestamp,steps\nAnna,2024-01-02T08:00,20000\nAnna,2024-01-02T08:30,20000\n"
    with pytest.raises(BadInput, match=r"line 3, field 'steps': more than 30,000 steps in the hour"):
        parse_file(write("steps.csv", content), today=TODAY)


def test_future_dates_are_refused(write):
    with pytest.raises(BadInput, match=r"line 2, field 'date': the date is in the future"):
        parse_file(write("steps.csv", "member,date,steps\nAnna,2025-01-01,5\n"), today=TODAY)


def test_the_default_today_allows_one_day_of_timezone_slack(write):
    tomorrow = date.today().toordinal() + 1
    path = write("steps.csv", f"member,date,steps\nAnna,{date.fromordinal(tomorrow)},5\n")
    assert parse_file(path).rows_read == 1
    path = write("later.csv", f"member,date,steps\nAnna,{date.fromordinal(tomorrow + 2)},5\n")
    with pytest.raises(BadInput, match=r"in the future"):
        parse_file(path)


@pytest.mark.parametrize("when", ["2024-13-01", "yesterday", "02/01/2024", "1999-12-31"])
def test_malformed_or_implausible_dates_name_the_line(write, when):
    with pytest.raises(BadInput, match=r"line 2, field 'date'"):
        parse_file(write("steps.csv", f"member,date,steps\nAnna,{when},5\n"), today=TODAY)


def test_a_day_given_twice_is_refused(write):
    with pytest.raises(BadInput, match=r"line 3, field 'date': the same date is already on line 2"):
        parse_file(
            write("steps.csv", "member,date,steps\nAnna,2024-01-02,5\nAnna,2024-01-02,6\n"), today=TODAY
        )


def test_a_file_naming_two_members_is_refused(write):
    with pytest.raises(BadInput, match=r"line 3, field 'member': a file holds one member"):
        parse_file(
            write("steps.csv", "member,date,steps\nAnna,2024-01-02,5\nBen,2024-01-03,6\n"), today=TODAY
        )


def test_a_short_row_names_the_missing_field(write):
    with pytest.raises(BadInput, match=r"line 2, field 'steps': the field is missing"):
        parse_file(write("steps.csv", "member,date,steps\nAnna,2024-01-02\n"), today=TODAY)


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"])
def test_empty_files_are_refused(write, content):
    with pytest.raises(BadInput, match=r"empty.csv: whole file: the file is empty"):
        parse_file(write("empty.csv", content), today=TODAY)


def test_a_header_without_rows_is_refused(write):
    with pytest.raises(BadInput, match=r"whole file: no step records found"):
        parse_file(write("steps.csv", "member,date,steps\n"), today=TODAY)


def test_binary_garbage_is_refused(write):
    with pytest.raises(BadInput, match=r"line 1: not a format Hearth reads"):
        parse_file(write("steps.csv", b"\xff\xfe\x00garbage\x00\n"), today=TODAY)


def test_files_over_the_size_limit_are_refused_up_front(write):
    with pytest.raises(BadInput, match=r"whole file: the file is larger than the 10-byte limit"):
        parse_file(write("steps.csv", "member,date,steps\nAnna,2024-01-02,5\n"), today=TODAY, size_limit=10)


def test_errors_name_the_display_name_not_the_temp_file(write):
    path = write("tmpa8x7.upload", "member,date,steps\nAnna,2024-01-02,-1\n")
    with pytest.raises(BadInput) as error:
        parse_file(path, display_name="my\u202esteps.csv", today=TODAY)
    assert error.value.file == "mysteps.csv"
    assert "tmpa8x7" not in str(error.value)


def test_errors_never_quote_the_offending_text(write):
    with pytest.raises(BadInput) as error:
        parse_file(write("steps.csv", "member,date,steps\nAnna,2024-01-02,MARKER-7f3a\n"), today=TODAY)
    assert "MARKER" not in str(error.value)


def test_a_timestamp_given_twice_is_refused_like_a_date_given_twice(write):
    content = (
        "member,timestamp,steps\nAnna,2024-01-02T08:15:00,300\nAnna,2024-01-02T09:00:00,10\n"
        "Anna,2024-01-02T08:15:00,300\n"
    )
    with pytest.raises(BadInput, match=r"line 4, field 'timestamp': the same timestamp is already on line 2"):
        parse_file(write("steps.csv", content), today=TODAY)


def test_a_line_without_end_is_refused_as_soon_as_it_passes_a_mebibyte(write):
    content = "member,date,steps\nAnna,2024-01-02," + "9" * (3 << 20) + "\n"
    with pytest.raises(BadInput, match=r"line 2: a line longer than 1,024 KB is not step data"):
        parse_file(write("steps.csv", content), today=TODAY)
