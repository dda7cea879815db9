"""Traits of genuine iPhone exports, reproduced in hand-made fixtures: each one imports."""

import hashlib
import io
import zipfile
from datetime import date, datetime

import pytest

from data.importers import parse_file
from data.model import BadInput

TODAY = date(2024, 12, 31)


def device(address: int, hardware: str = "iPhone10,4", software: str = "12.3") -> str:
    """A device blob as genuine exports write it: the memory address differs on every record."""
    return (
        f"&lt;&lt;HKDevice: 0x{address:09x}&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone,"
        f" hardware:{hardware}, software:{software}&gt;"
    )


def hours(parsed):
    return {s.start: s.steps for s in parsed.samples}


def zipped(name: str, xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, xml.encode())
        archive.writestr("apple_health_export/export_cda.xml", b"<ClinicalDocument/>")
    return buffer.getvalue()


def test_a_new_device_address_on_every_record_is_one_source(write, apple_xml, step):
    records = [
        step(
            f"2024-01-15 {h:02}:{m:02}:00 +0100",
            f"2024-01-15 {h:02}:{m:02}:30 +0100",
            10,
            "iPhone",
            device(h * 60 + m),
        )
        for h in range(6, 22)
        for m in range(0, 60, 2)
    ]
    records.append(
        step(
            "2024-01-16 08:00:00 +0100", "2024-01-16 08:10:00 +0100", 5, "iPhone", device(9, software="12.4")
        )
    )
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    assert parsed.sources == ("iPhone (phone)",)
    assert sum(s.steps for s in parsed.samples) == 10 * len(records[:-1]) + 5
    assert parsed.duplicates_dropped == 0


def test_hundreds_of_apps_and_devices_import(write, apple_xml, step):
    records = [
        step(
            f"2024-01-{1 + n // 100:02} 08:00:00 +0000",
            f"2024-01-{1 + n // 100:02} 08:10:00 +0000",
            10,
            f"App {n}",
            None,
        )
        for n in range(1500)
    ]
    parsed = parse_file(write("export.xml", apple_xml(*records)), today=TODAY)
    assert parsed.rows_read == 1500
    assert sum(s.steps for s in parsed.samples) == 15 * 10  # each day's walk once, not a hundred times
    assert parsed.duplicates_dropped == 1500 * 10 - 15 * 10
    assert parsed.sources[-1] == "1,469 other sources (other)"  # past 32, sources are pooled


def test_a_record_from_a_glitched_clock_is_skipped_and_the_export_imports(write, apple_xml, step):
    good = step("2019-05-01 08:00:00 -0700", "2019-05-01 08:10:00 -0700", 600, "iPhone", device(1))
    glitch = step("2030-01-01 08:00:00 -0700", "2030-01-01 08:10:00 -0700", 90, "iPhone", device(2))
    xml = apple_xml(good, glitch).replace("2024-12-01 09:00:00 -0700", "2019-06-01 10:00:00 -0700")
    parsed = parse_file(write("export.xml", xml), today=date(2031, 1, 1))
    assert hours(parsed) == {datetime(2019, 5, 1, 8): 600}
    assert parsed.skipped == (("dated after the export was made", 1),)
    assert parsed.exported_on == date(2019, 6, 1)


def test_a_source_whose_every_record_was_skipped_does_not_stop_the_import(write, apple_xml, step):
    good = step("2024-01-15 08:00:00 +0200", "2024-01-15 08:10:00 +0200", 600, "iPhone", device(1))
    impossible = step("2024-01-16 08:00:00 +0200", "2024-01-16 08:04:00 +0200", 40_000, "Pedometer", None)
    parsed = parse_file(write("export.xml", apple_xml(good, impossible)), today=TODAY)
    assert hours(parsed) == {datetime(2024, 1, 15, 8): 600}
    assert parsed.skipped == (("more steps than a person takes in that time", 1),)
    assert parsed.sources == ("iPhone (phone)",)


@pytest.mark.parametrize("name", ["exportar.xml", "eksport.xml", "vienti.xml", "导出.xml", "export.xml"])
def test_the_export_is_found_by_its_root_whatever_the_phone_language_named_it(write, apple_xml, step, name):
    xml = apple_xml(step("2024-01-15 08:00:00 +0200", "2024-01-15 08:10:00 +0200", 600))
    parsed = parse_file(write("export.zip", zipped(f"apple_health_export/{name}", xml)), today=TODAY)
    assert hours(parsed) == {datetime(2024, 1, 15, 8): 600}


def test_an_ios8_export_with_source_and_compact_dates_imports(write):
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_GB">\n'
        ' <ExportDate value="20150301100000+0000"/>\n'
        ' <Record type="HKQuantityTypeIdentifierStepCount" source="Ann\'s iPhone" unit="count"'
        ' startDate="20150101123000+0100" endDate="20150101124000+0100" value="321"/>\n'
        ' <Record type="HKQuantityTypeIdentifierStepCount" source="Ann\'s iPhone" unit="count"'
        ' startDate="20150101130000+0100" endDate="20150101131000+0100" value="79"/>\n'
        "</HealthData>\n"
    )
    parsed = parse_file(write("export.xml", xml), today=TODAY)
    assert hours(parsed) == {datetime(2015, 1, 1, 12): 321, datetime(2015, 1, 1, 13): 79}
    assert parsed.exported_on == date(2015, 3, 1)


def test_a_tag_longer_than_a_mebibyte_is_refused_as_soon_as_it_is_seen(write, apple_xml, step):
    good = step("2024-01-15 08:00:00 +0200", "2024-01-15 08:10:00 +0200", 600)
    xml = apple_xml(good).replace("</HealthData>", f'<Me name="{"x" * (6 << 20)}"/></HealthData>')
    with pytest.raises(BadInput, match=r"longer than 1 MiB"):
        parse_file(write("export.xml", xml), today=TODAY)


def test_the_digest_is_the_files_sha256(write, apple_xml, step):
    path = write("export.xml", apple_xml(step("2024-01-15 08:00:00 +0200", "2024-01-15 08:10:00 +0200", 6)))
    assert parse_file(path, today=TODAY).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
