import json
from datetime import date, datetime

import pytest

from data.importers import parse_file
from data.model import BadInput

TODAY = date(2024, 12, 31)


def test_minute_values_are_summed_into_local_hours(write):
    records = [
        {"dateTime": "01/25/23 13:00:07", "value": "12"},
        {"dateTime": "01/25/23 13:59:00", "value": "30"},
        {"dateTime": "01/25/23 14:00:00", "value": 5},
    ]
    parsed = parse_file(write("steps-2023-01-25.json", json.dumps(records)), today=TODAY)
    assert parsed.format == "fitbit"
    assert {s.start: s.steps for s in parsed.samples} == {
        datetime(2023, 1, 25, 13): 42,
        datetime(2023, 1, 25, 14): 5,
    }
    assert parsed.rows_read == 3


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"-1"', "negative"),
        ('"NaN"', "finite"),
        ("1e308", "implausibly large"),
        ('"x"', "not a number"),
        ("true", "not a number"),
    ],
)
def test_bad_values_name_the_record(write, value, problem):
    first = '{"dateTime": "01/25/23 13:00:07", "value": "1"}'
    content = f'[{first}, {{"dateTime": "01/25/23 13:01:00", "value": {value}}}]'
    with pytest.raises(BadInput, match=rf"record 2, field 'value': .*{problem}"):
        parse_file(write("steps.json", content), today=TODAY)


def test_json_nan_literals_are_refused(write):
    with pytest.raises(BadInput, match=r"malformed JSON"):
        parse_file(write("steps.json", '[{"dateTime": "01/25/23 13:00:07", "value": NaN}]'), today=TODAY)


def test_malformed_json_names_the_line(write):
    with pytest.raises(BadInput, match=r"steps.json: line 2: malformed JSON"):
        parse_file(write("steps.json", '[{"dateTime": "01/25/23 13:00:07",\n "value": }]'), today=TODAY)


def test_a_record_without_its_fields_is_refused(write):
    with pytest.raises(BadInput, match=r"record 1: expected an object"):
        parse_file(write("steps.json", '[{"date": "01/25/23"}]'), today=TODAY)


def test_future_and_malformed_date_times_name_the_record(write):
    with pytest.raises(BadInput, match=r"record 1, field 'dateTime': the date is in the future"):
        parse_file(write("steps.json", '[{"dateTime": "01/25/25 13:00:07", "value": "1"}]'), today=TODAY)
    with pytest.raises(BadInput, match=r"record 1, field 'dateTime'"):
        parse_file(write("steps2.json", '[{"dateTime": "2023-01-25T13:00:07", "value": "1"}]'), today=TODAY)


def test_deeply_nested_json_is_refused(write):
    with pytest.raises(BadInput, match=r"malformed JSON"):
        parse_file(write("steps.json", "[" * 100_000), today=TODAY)
