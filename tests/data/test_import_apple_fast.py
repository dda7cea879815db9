"""The fast road for Apple exports gives the careful parser's answer, or steps aside for it."""

from __future__ import annotations

import hashlib
import io
import subprocess
from datetime import date
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.importers import _apple_fast, _wellformed, apple, parse_file
from data.importers._source import Context, HashingReader
from data.model import BadInput

TODAY = date(2024, 12, 31)
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!DOCTYPE HealthData [\n<!ATTLIST HealthData\n  locale CDATA>\n]>\n"
    '<HealthData locale="en_US">\n <ExportDate value="2024-12-01 09:00:00 -0700"/>\n'
    ' <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>\n'
)
TAIL = "</HealthData>\n"
PHONE = "name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone14,5, software:17.1&gt;"
WATCH = "name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:9.1&gt;"


def record(day: int, hour: int, value: object = 40, name: str = "Anna’s Watch", suffix: str = WATCH) -> str:
    """A step record in Apple's own order, with a new device address on every record as iPhones write."""
    start, end = f"2024-03-{day:02} {hour:02}:00:00 +0100", f"2024-03-{day:02} {hour:02}:04:00 +0100"
    device = f' device="&lt;&lt;HKDevice: 0x{day * 100 + hour:09x}&gt;, {suffix}"' if suffix else ""
    return (
        f' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="{name}" sourceVersion="9.1"{device}'
        f' unit="count" creationDate="{end}" startDate="{start}" endDate="{end}" value="{value}"/>\n'
    )


def export(*parts: str) -> bytes:
    return (HEAD + "".join(parts) + TAIL).encode()


def careful(data: bytes) -> object:
    """The careful parser's answer: a ParsedImport, or the text of its refusal."""
    try:
        return apple.parse_carefully(io.BytesIO(data), Context("export.xml", TODAY, len(data)))
    except BadInput as error:
        return str(error)


def fast(data: bytes) -> object:
    """The fast road's answer, or `Irregular` when it stepped aside."""
    try:
        return _apple_fast.parse(io.BytesIO(data), Context("export.xml", TODAY, len(data)))
    except _apple_fast.Irregular:
        return _apple_fast.Irregular
    except BadInput as error:
        return str(error)


def imported(data: bytes) -> object:
    """What an import of the file answers, whichever road it took."""
    try:
        return apple.parse(io.BytesIO(data), Context("export.xml", TODAY, len(data)))
    except BadInput as error:
        return str(error)


SHAPED = export(
    *(record(day, hour) for day in range(1, 20) for hour in range(7, 22)),
    *(
        record(day, 9, 55, "Anna’s iPhone", "name:iPhone, model:iPhone, hardware:iPhone14,5&gt;")
        for day in range(3, 9)
    ),
    record(4, 10, 12, "Steps &amp; More", ""),
    record(5, 11, "35000", "Anna’s Watch"),  # too many for four minutes: skipped
    ' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Anna’s Watch" unit="count/min"'
    ' startDate="2024-03-02 08:00:00 +0100" endDate="2024-03-02 08:00:00 +0100" value="61">\n'
    '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n </Record>\n',
    ' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron"'
    ' startDate="2024-03-02 08:00:00 +0100" endDate="2024-03-02 08:00:00 +0100">\n',
    record(2, 8, 999),  # nested in a correlation: not a step of the day
    " </Correlation>\n",
    ' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="32" sourceName="Anna’s Watch"'
    ' startDate="2024-03-02 08:00:00 +0100" endDate="2024-03-02 08:32:00 +0100">\n'
    '  <WorkoutStatistics type="HKQuantityTypeIdentifierStepCount" sum="3100" unit="count"/>\n </Workout>\n',
    record(30, 8, 5).replace("2024-03-30", "2025-03-30"),  # after the export: a clock glitch, skipped
)


@pytest.fixture
def small_chunks():
    """Chunks of a few hundred bytes, so records, tags and lines straddle every boundary."""
    with mock.patch.object(_apple_fast, "CHUNK", 333):
        yield


def test_an_export_in_apples_shape_takes_the_fast_road_to_the_careful_answer():
    answer = fast(SHAPED)
    assert answer is not _apple_fast.Irregular
    assert answer == careful(SHAPED)
    assert dict(answer.skipped) == {
        "dated after the export was made": 1,
        "more steps than a person takes in that time": 1,
    }
    assert (
        sum(s.steps for s in answer.samples) == 40 * 19 * 15
    )  # the phone's and the app's walks: the watch's
    assert answer.duplicates_dropped == 55 * 6 + 12


def test_records_and_tags_cut_across_chunks_read_the_same(small_chunks):
    assert fast(SHAPED) == careful(SHAPED)


IRREGULAR = {
    "a comment in the body": ' <!-- <Record type="HKQuantityTypeIdentifierStepCount"/> -->\n',
    "CDATA in the body": " <Note><![CDATA[ x ]]></Note>\n",
    "attributes in another order": record(6, 6)
    .replace(' sourceName="Anna’s Watch"', "")
    .replace("<Record ", '<Record sourceName="Anna’s Watch" ', 1),
    "type not first": record(6, 6)
    .replace('type="HKQuantityTypeIdentifierStepCount" ', "")
    .replace('unit="count"', 'unit="count" type="HKQuantityTypeIdentifierStepCount"'),
    "a type spelled with a character reference": record(6, 6).replace("StepCount", "Step&#67;ount"),
    "a record over two lines": record(6, 6).replace(' unit="count"', '\n  unit="count"'),
    "single quotes": record(6, 6).replace('value="40"', "value='40'"),
    "a day that does not exist": record(6, 6).replace("2024-03-06", "2024-02-30"),
    "hour 24": record(6, 6).replace("2024-03-06 06:00:00", "2024-03-06 24:00:00"),
    "a value in exponent form": record(6, 6).replace('value="40"', 'value="4e1"'),
    "a device blob in another form": record(6, 6).replace("&lt;&lt;HKDevice: 0x", "&lt;&lt;Device: 0x"),
}


@pytest.mark.parametrize("trait", IRREGULAR)
def test_a_file_outside_apples_shape_is_read_carefully_with_the_same_answer(trait):
    data = export(record(1, 8), IRREGULAR[trait], record(7, 8))
    assert fast(data) is _apple_fast.Irregular
    assert imported(data) == careful(data)


def test_an_export_date_among_the_records_bounds_only_the_records_after_it():
    data = export(record(6, 8), ' <ExportDate value="2024-03-05 00:00:00 +0000"/>\n', record(7, 8))
    answer = fast(data)
    assert answer == careful(data)
    assert answer.rows_read == 2 and dict(answer.skipped) == {"dated after the export was made": 1}
    assert answer.exported_on == date(2024, 3, 5)


def test_a_malformed_file_is_refused_with_the_careful_parsers_line():
    data = export(*(record(1, hour) for hour in range(8, 20)), " <Record value='1'>\n")
    assert fast(data) is _apple_fast.Irregular
    assert imported(data) == careful(data)
    assert "line 22" in imported(data) and "malformed XML" in imported(data)


def test_a_declared_entity_is_refused_by_the_checker():
    frames = b"".join(
        _wellformed.FRAME.pack(len(part)) + part
        for part in (b'<!DOCTYPE a [<!ENTITY e "x">]>', b"<a>&e;</a>")
    )
    assert not _wellformed.check(io.BytesIO(frames), 1 << 20)
    assert _wellformed.check(io.BytesIO(_wellformed.FRAME.pack(4) + b"<a/>"), 1 << 20)


def test_a_token_left_open_past_the_limit_is_refused_by_the_checker():
    parts = [b'<a b="', b"x" * 600, b"x" * 600, b'"/>']
    frames = b"".join(_wellformed.FRAME.pack(len(part)) + part for part in parts)
    assert not _wellformed.check(io.BytesIO(frames), 1000)
    assert _wellformed.check(io.BytesIO(frames), 2000)


def test_the_checker_process_is_gone_when_the_fast_road_steps_aside():
    spawned = []
    real = subprocess.Popen

    def spy(*args, **kwargs):
        spawned.append(real(*args, **kwargs))
        return spawned[-1]

    data = export(
        *(record(day, 8) for day in range(1, 28)), IRREGULAR["a comment in the body"], record(28, 8)
    )
    with (
        mock.patch.object(_apple_fast, "CHUNK", 512),
        mock.patch.object(_wellformed.subprocess, "Popen", spy),
    ):
        assert fast(data) is _apple_fast.Irregular
    (process,) = spawned
    assert process.returncode is not None  # stopped and reaped, not left running or a zombie


def test_without_a_second_process_the_export_is_read_carefully():
    with mock.patch.object(_wellformed.subprocess, "Popen", side_effect=OSError("no processes left")):
        assert fast(SHAPED) is _apple_fast.Irregular
        assert imported(SHAPED) == careful(SHAPED)


def test_a_file_read_twice_still_has_its_own_digest(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(export(record(1, 8), IRREGULAR["a comment in the body"], record(2, 8)))
    parsed = parse_file(path, today=TODAY)
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert parsed.rows_read == 2


def test_a_hashing_reader_goes_back_only_to_the_start():
    hashing = HashingReader(io.BytesIO(b"abcdef"))
    hashing.read(3)
    hashing.seek(0)
    assert hashing.hexdigest() == hashlib.sha256(b"abcdef").hexdigest()
    with pytest.raises(io.UnsupportedOperation):
        hashing.seek(2)


RECORDS = [
    *(record(day, hour) for day, hour in ((1, 8), (1, 9), (2, 8))),
    record(3, 8, 7, "Anna&#8217;s iPhone", "name:iPhone, model:iPhone&gt;"),
    record(3, 8, 7, "Anna’s iPhone", "name:iPhone, model:iPhone&gt;"),
    record(4, 8, "2.5", "Pedometer &lt;3", ""),
    record(4, 8, 40_000),
    record(30, 8),
]
REGULAR = st.one_of(
    st.sampled_from(
        [
            *RECORDS,
            ' <Correlation type="HKCorrelationTypeIdentifierFood" sourceName="Omron"/>\n',
            ' <ExportDate value="2024-03-02 00:00:00 +0000"/>\n',
            ' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" startDate="x" value="9"/>\n',
        ]
    ),
    st.lists(st.sampled_from(RECORDS), max_size=3).map(
        lambda nested: (
            ' <Correlation type="HKCorrelationTypeIdentifierBloodPressure">\n'
            + "".join(nested)
            + " </Correlation>\n"
        )
    ),
)
CHUNKS = st.sampled_from([97, 333, 4096])
ANY_PIECE = st.sampled_from([*IRREGULAR.values(), " <Broken>\n", " </Correlation>\n"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(REGULAR, max_size=12), CHUNKS)
def test_any_well_formed_mix_in_apples_shape_takes_the_fast_road_to_the_careful_answer(pieces, chunk):
    data = export(*pieces)
    with mock.patch.object(_apple_fast, "CHUNK", chunk):
        road = fast(data)
    assert road is not _apple_fast.Irregular
    assert road == careful(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(REGULAR, st.sampled_from([*IRREGULAR.values(), " <Broken>\n"])), max_size=12), CHUNKS
)
def test_any_mix_of_records_and_tags_imports_as_the_careful_parser_reads_it(pieces, chunk):
    data = export(*pieces)
    with mock.patch.object(_apple_fast, "CHUNK", chunk):
        road = fast(data)
        answer = imported(data)
    assert answer == careful(data)
    assert road is _apple_fast.Irregular or road == answer
