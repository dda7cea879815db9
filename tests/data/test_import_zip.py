import io
import struct
import time
import zipfile
from datetime import date, datetime

import pytest

from data.importers import parse_file
from data.model import BadInput

TODAY = date(2024, 12, 31)
MEMBER = "apple_health_export/export.xml"


@pytest.fixture
def export_xml(apple_xml, step):
    return apple_xml(step("2024-01-15 08:00:00 -0700", "2024-01-15 08:10:00 -0700", 600)).encode()


def make_zip(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def test_export_zip_is_read_without_extracting(write, tmp_path, export_xml):
    path = write(
        "upload.bin", make_zip([(MEMBER, export_xml), ("apple_health_export/export_cda.xml", b"<x/>")])
    )
    parsed = parse_file(path, display_name="export.zip", today=TODAY)
    assert parsed.format == "apple-health"
    assert {s.start: s.steps for s in parsed.samples} == {datetime(2024, 1, 15, 8): 600}
    assert list(tmp_path.iterdir()) == [path]


def test_progress_counts_uncompressed_bytes(write, export_xml):
    calls = []
    parse_file(
        write("export.zip", make_zip([(MEMBER, export_xml)])),
        today=TODAY,
        progress=lambda *c: calls.append(c),
    )
    assert calls[-1] == (len(export_xml), len(export_xml))


def test_truncated_zip_is_refused(write, export_xml):
    content = make_zip([(MEMBER, export_xml * 1)])
    with pytest.raises(BadInput, match=r"export.zip: whole file: the zip archive is damaged or truncated"):
        parse_file(write("export.zip", content[: len(content) // 2]), today=TODAY)


def test_corrupt_member_data_is_refused(write, apple_xml, step):
    records = [
        step(f"2024-01-{d:02} 08:00:00 -0700", f"2024-01-{d:02} 08:10:00 -0700", d) for d in range(1, 29)
    ]
    content = bytearray(make_zip([(MEMBER, apple_xml(*records).encode())]))
    content[100:160] = bytes(60)
    with pytest.raises(BadInput, match=r"export.zip: whole file: the zip archive is damaged or truncated"):
        parse_file(write("export.zip", bytes(content)), today=TODAY)


def test_huge_declared_size_is_refused_before_inflating(write, export_xml):
    content = bytearray(make_zip([(MEMBER, export_xml)]))
    directory = content.rindex(b"PK\x01\x02")
    struct.pack_into("<I", content, directory + 24, 3_000_000_000)
    with pytest.raises(BadInput, match=r"larger than the 100,000,000-byte limit"):
        parse_file(write("export.zip", bytes(content)), today=TODAY, size_limit=100_000_000)


def test_high_compression_ratio_is_refused_fast(write):
    content = make_zip([(MEMBER, b"<HealthData>" + b" " * (20 << 20) + b"</HealthData>")])
    started = time.perf_counter()
    with pytest.raises(BadInput, match=r"zip bomb"):
        parse_file(write("export.zip", content), today=TODAY)
    assert time.perf_counter() - started < 1


def test_entries_are_counted_from_the_directory_not_the_archives_claim(write, export_xml):
    entries = [(MEMBER, export_xml)] + [(f"r/{i}", b"") for i in range(100_001)]
    content = bytearray(make_zip(entries, zipfile.ZIP_STORED))
    end = content.rindex(b"PK\x05\x06")
    struct.pack_into("<HH", content, end + 8, 1, 1)  # the end record claims one entry
    with pytest.raises(BadInput, match=r"more than 100,000 entries"):
        parse_file(write("export.zip", bytes(content)), today=TODAY)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../evil.xml", "unsafe path"),
        ("/etc/cron.d/evil", "unsafe path"),
        ("C:/evil.xml", "unsafe path"),
        ("apple_health_export/inner.zip", "archive inside the zip"),
    ],
)
def test_path_tricks_and_nested_archives_are_refused(write, export_xml, name, problem):
    with pytest.raises(BadInput, match=problem):
        parse_file(write("export.zip", make_zip([(MEMBER, export_xml), (name, b"x")])), today=TODAY)


def test_export_xml_that_is_itself_a_zip_is_refused(write, export_xml):
    inner = make_zip([(MEMBER, export_xml)])
    with pytest.raises(BadInput, match=r"a zip inside the zip"):
        parse_file(write("export.zip", make_zip([(MEMBER, inner)])), today=TODAY)


def test_a_zip_without_any_export_is_refused(write):
    content = make_zip([("Takeout/Drive/notes.csv", b"a,b\n1,2\n"), ("apple_health_export/x.xml", b"<svg/>")])
    with pytest.raises(BadInput, match=r"whole file: a zip must be an Apple Health export"):
        parse_file(write("takeout.zip", content), today=TODAY)


def test_file_over_the_size_limit_is_refused_up_front(write, export_xml):
    path = write("export.zip", make_zip([(MEMBER, export_xml)]))
    with pytest.raises(BadInput, match=r"export.zip: whole file: the file is larger than the 100-byte limit"):
        parse_file(path, today=TODAY, size_limit=100)


def test_an_unreadable_compression_method_is_refused_not_a_traceback(write, export_xml):
    content = bytearray(make_zip([(MEMBER, export_xml)]))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = content.index(signature)
        struct.pack_into("<H", content, at + offset, 9)  # deflate64
    with pytest.raises(BadInput, match=r"the zip uses a compression Hearth cannot read"):
        parse_file(write("export.zip", bytes(content)), today=TODAY)
