import time
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from data.importers import parse_file
from data.model import BadInput

TODAY = date(2024, 12, 31)
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<HealthData locale="en_US"><Record type="&lol9;" sourceName="x" startDate="a" endDate="b"/></HealthData>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE HealthData [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<HealthData locale="en_US"><Record type="HKQuantityTypeIdentifierStepCount" sourceName="&xxe;"/></HealthData>
"""


def hours(parsed):
    return {s.start: s.steps for s in parsed.samples}


def test_ios16_broken_dtd_is_dropped_and_steps_read(write, apple_xml, step):
    path = write("export.xml", apple_xml(step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 600)))
    parsed = parse_file(path, today=TODAY)
    assert parsed.format == "apple-health"
    assert hours(parsed) == {datetime(2024, 1, 15, 8): 600}
    assert parsed.samples[0].end == datetime(2024, 1, 15, 9)
    assert parsed.rows_read == 1


@pytest.mark.parametrize(("content", "problem"), [(BILLION_LAUGHS, "entities"), (XXE, "entities")])
def test_entity_bombs_and_external_entities_are_refused_fast(write, content, problem):
    path = write("upload-123.tmp", content)
    started = time.perf_counter()
    with pytest.raises(BadInput, match=problem) as error:
        parse_file(path, display_name="bomb.xml", today=TODAY)
    assert time.perf_counter() - started < 1
    assert error.value.file == "bomb.xml"
    assert str(error.value).startswith("bomb.xml: line 2:")


def test_external_dtd_is_refused(write):
    content = (
        '<?xml version="1.0"?>\n<!DOCTYPE HealthData SYSTEM "http://evil.example/x.dtd">\n<HealthData/>\n'
    )
    with pytest.raises(BadInput, match=r"external DTD"):
        parse_file(write("export.xml", content), today=TODAY)


def test_undeclared_entity_reference_is_malformed_xml(write, apple_xml):
    with pytest.raises(BadInput, match=r"line 17: malformed XML \(undefined entity\)"):
        parse_file(write("export.xml", apple_xml("<Me name='&lol9;'/>\n")), today=TODAY)


def test_records_nested_in_a_correlation_are_not_counted(write, apple_xml, step):
    nested = step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 999)
    records = (
        f'<Correlation type="HKCorrelationTypeIdentifierFood" sourceName="x">\n{nested}</Correlation>\n',
        step("2024-01-15 09:00:00 -0700", "2024-01-15 09:10:00 -0700", 100),
    )
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    assert hours(parsed) == {datetime(2024, 1, 15, 9): 100}
    assert parsed.rows_read == 1


def test_watch_wins_overlaps_and_phone_fills_gaps(write, apple_xml, step):
    records = (
        step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 600),
        step("2024-01-15 08:20:00 -0700", "2024-01-15 08:30:00 -0700", 300),
        # 20 minutes at 20 steps/min; the watch covers 10 of them.
        step("2024-01-15 08:05:00 -0700", "2024-01-15 08:25:00 -0700", 400, "Anna's iPhone", "phone"),
        step("2024-01-15 09:00:00 -0700", "2024-01-15 09:10:00 -0700", 100, "Anna's iPhone", "phone"),
        # A third-party app with no device blob, entirely covered.
        step("2024-01-15 08:00:00 -0700", "2024-01-15 08:30:00 -0700", 999, "Pedometer++", None),
    )
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    assert hours(parsed) == {datetime(2024, 1, 15, 8): 1100, datetime(2024, 1, 15, 9): 100}
    assert parsed.duplicates_dropped == 200 + 999
    assert parsed.rows_read == 5
    assert "Anna's Watch (watch): 900; Anna's iPhone (phone): 300; Pedometer++ (other): 0" in parsed.notes[0]


def test_device_kind_not_name_decides_the_winner(write, apple_xml, step):
    records = (
        step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 500, "My Watch", "phone"),
        step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 700, "My Phone", "watch"),
    )
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    assert hours(parsed) == {datetime(2024, 1, 15, 8): 700}


def test_a_source_overlapping_itself_counts_once(write, apple_xml, step):
    records = (
        step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 100),
        step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 100),
    )
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    assert hours(parsed) == {datetime(2024, 1, 15, 8): 100}
    assert parsed.duplicates_dropped == 100


def test_sample_across_an_hour_boundary_is_split_by_time(write, apple_xml, step):
    path = write("export.xml", apple_xml(step("2024-01-15 07:50:00 -0700", "2024-01-15 08:10:00 -0700", 200)))
    assert hours(parse_file(path, today=TODAY)) == {
        datetime(2024, 1, 15, 7): 100,
        datetime(2024, 1, 15, 8): 100,
    }


def test_mixed_offsets_keep_the_wall_clock_as_written(write, apple_xml, step):
    records = (
        step("2024-03-10 01:30:00 -0800", "2024-03-10 01:40:00 -0800", 10),
        step("2024-03-10 03:30:00 -0700", "2024-03-10 03:40:00 -0700", 20),
        step("2024-06-01 10:00:00 +0100", "2024-06-01 10:10:00 +0100", 30),
    )
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    expected = {datetime(2024, 3, 10, 1): 10, datetime(2024, 3, 10, 3): 20, datetime(2024, 6, 1, 10): 30}
    assert hours(parsed) == expected


def test_the_repeated_autumn_hour_holds_both_passes_of_the_wall_clock(write, apple_xml, step):
    records = (
        step("2024-11-03 01:30:00 -0700", "2024-11-03 01:40:00 -0700", 10),
        step("2024-11-03 01:30:00 -0800", "2024-11-03 01:40:00 -0800", 20),
    )
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    assert hours(parsed) == {datetime(2024, 11, 3, 1): 30}
    assert parsed.duplicates_dropped == 0


def test_a_day_over_the_daily_limit_is_refused(write, apple_xml, step):
    records = [
        step(f"2024-01-15 {h:02}:00:00 -0700", f"2024-01-15 {h:02}:30:00 -0700", 5000) for h in range(21)
    ]
    with pytest.raises(BadInput, match=r"export.xml: day 2024-01-15: more than 100,000 steps in one day"):
        parse_file(write("export.xml", apple_xml(*records)), today=TODAY)


def test_overlap_is_judged_in_absolute_time_across_offsets(write, apple_xml, step):
    records = (
        step("2024-06-01 10:00:00 +0100", "2024-06-01 10:10:00 +0100", 300),
        step("2024-06-01 02:00:00 -0700", "2024-06-01 02:10:00 -0700", 250, "Anna's iPhone", "phone"),
    )
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    assert hours(parsed) == {datetime(2024, 6, 1, 10): 300}
    assert parsed.duplicates_dropped == 250


def test_malformed_xml_names_the_line(write, apple_xml, step):
    good = step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 1)
    with pytest.raises(BadInput, match=r"export.xml: line 19: malformed XML \(mismatched tag\)"):
        parse_file(write("export.xml", apple_xml(good, good, "<Record></Oops>\n")), today=TODAY)


def test_truncated_xml_is_refused(write, apple_xml, step):
    content = apple_xml(step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 1))
    with pytest.raises(BadInput, match=r"malformed XML"):
        parse_file(write("export.xml", content[: len(content) // 2 + 300]), today=TODAY)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("-5", "negative"),
        ("NaN", "not a finite number"),
        ("lots", "not a number"),
        ("", "missing"),
    ],
)
def test_malformed_values_name_the_line_and_field(write, apple_xml, step, value, problem):
    records = (step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 1),) * 2
    bad = step("2024-01-15 09:00:00 -0700", "2024-01-15 09:10:00 -0700", value)
    with pytest.raises(BadInput, match=rf"export.xml: line 19.*{problem}"):
        parse_file(write("export.xml", apple_xml(*records, bad)), today=TODAY)


@pytest.mark.parametrize(
    ("start", "problem"),
    [
        ("2024-01-15 08:00:00", "no timezone offset"),
        ("2024-01-15T08:00:00Z", "not in the form"),
        ("2024-02-30 08:00:00 -0700", "not a real calendar day"),
        ("2024-01-15 24:00:00 -0700", "out of range"),
    ],
)
def test_bad_dates_name_the_line_and_field(write, apple_xml, step, start, problem):
    bad = step(start, "2024-01-15 08:10:00 -0700", 5)
    with pytest.raises(BadInput, match=rf"line 17, field 'startDate': .*{problem}"):
        parse_file(write("export.xml", apple_xml(bad)), today=TODAY)


@pytest.mark.parametrize(
    ("start", "end", "value", "reason"),
    [
        ("2024-01-15 09:00:00 -0700", "2024-01-15 09:10:00 -0700", "1e308", "more steps than a person"),
        ("2024-01-15 09:00:00 -0700", "2024-01-15 09:10:00 -0700", "31000", "more steps than a person"),
        ("2024-01-15 08:10:00 -0700", "2024-01-15 08:00:00 -0700", "5", "ending before they start"),
        ("2000-01-01 00:00:00 -0700", "2024-01-15 08:00:00 -0700", "5", "spanning more than a day"),
        ("2030-01-15 08:00:00 -0700", "2030-01-15 08:10:00 -0700", "5", "dated after the export"),
        ("1999-12-31 08:00:00 -0700", "1999-12-31 08:10:00 -0700", "5", "dated before 2000"),
    ],
)
def test_an_impossible_record_is_skipped_and_counted_the_rest_imports(
    write, apple_xml, step, start, end, value, reason
):
    good = step("2024-01-15 07:00:00 -0700", "2024-01-15 07:10:00 -0700", 700)
    parsed = parse_file(write("export.xml", apple_xml(good, step(start, end, value))), today=TODAY)
    assert hours(parsed) == {datetime(2024, 1, 15, 7): 700}
    ((why, count),) = parsed.skipped
    assert reason in why and count == 1
    assert parsed.rows_read == 2
    assert any("Skipped 1 impossible records" in note for note in parsed.notes)


def test_a_file_of_only_impossible_records_is_refused_saying_why(write, apple_xml, step):
    glitch = step("2030-01-15 08:00:00 -0700", "2030-01-15 08:10:00 -0700", 5)
    with pytest.raises(BadInput, match=r"no step records found \(all 1 were impossible: 1 dated after"):
        parse_file(write("export.xml", apple_xml(glitch)), today=TODAY)


def test_hostile_source_names_are_cleaned_and_capped(write, apple_xml, step):
    records = (
        step(
            "2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 5, "&lt;img src=x onerror=alert(1)&gt;"
        ),
        step("2024-01-15 09:00:00 -0700", "2024-01-15 09:10:00 -0700", 5, "Anna\u202e\u200bhctaW&#10;"),
        step("2024-01-15 10:00:00 -0700", "2024-01-15 10:10:00 -0700", 5, "A" * 1_000_000),
    )
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    note = parsed.notes[0]
    assert "<img src=x onerror=alert(1)> (watch)" in note
    assert "AnnahctaW (watch)" in note
    assert f"{'A' * 64} (watch)" in note
    assert "A" * 65 not in note
    assert not any(ch in note for ch in "\u202e\u200b\n")
    assert {s.source for s in parsed.samples} == {"apple-health"}


def test_an_export_without_step_records_is_refused(write, apple_xml):
    with pytest.raises(BadInput, match=r"whole file: no step records found"):
        parse_file(write("export.xml", apple_xml()), today=TODAY)


def test_xml_that_is_not_a_health_export_is_refused(write):
    with pytest.raises(BadInput, match=r"root is not HealthData"):
        parse_file(write("export.xml", '<?xml version="1.0"?>\n<svg onload="x"/>\n'), today=TODAY)


def test_progress_is_reported_up_to_the_total(write, apple_xml, step):
    path = write("export.xml", apple_xml(step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 5)))
    calls = []
    parse_file(path, today=TODAY, progress=lambda done, total: calls.append((done, total)))
    size = path.stat().st_size
    assert calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_overlap_resolution_matches_a_per_second_reference(write, apple_xml, step):
    rng = np.random.default_rng(7)
    day_start = datetime(2024, 5, 1, 6)
    kinds = {"watch": "Anna's Watch", "phone": "Anna's iPhone", None: "Pedometer++"}
    records = []
    for device, name in kinds.items():
        for _ in range(60):
            begin = int(rng.integers(0, 4 * 3600))
            end = begin + int(rng.integers(0, 900))
            records.append((device, name, begin, end, int(rng.integers(0, 900))))
    lines = [step(_stamp(day_start, b), _stamp(day_start, e), v, n, d) for d, n, b, e, v in records]
    parsed = parse_file(write("export.xml", apple_xml(*lines)), today=TODAY)
    running, shown, expected = 0.0, 0, {}
    for hour, steps in sorted(_reference(records, day_start).items()):
        running += steps
        expected[hour], shown = round(running) - shown, round(running)
    assert hours(parsed) == {hour: steps for hour, steps in expected.items() if steps}
    assert parsed.duplicates_dropped == round(sum(r[4] for r in records) - sum(expected.values()))


def _stamp(base, seconds):
    return f"{base + timedelta(seconds=seconds):%Y-%m-%d %H:%M:%S} -0700"


def _reference(records, day_start):
    """Second by second: a second goes to the first record (best device, then earliest) covering it."""
    taken, per_hour = set(), {}
    for _, _, begin, end, value in sorted(
        records, key=lambda r: (["watch", "phone", None].index(r[0]), r[2])
    ):
        seconds = range(begin, max(end, begin + 1))
        for second in seconds:
            if second not in taken:
                taken.add(second)
                hour = (day_start + timedelta(seconds=second)).replace(minute=0, second=0)
                per_hour[hour] = per_hour.get(hour, 0) + value / len(seconds)
    return per_hour
