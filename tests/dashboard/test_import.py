"""Import: a member uploads for themselves, an admin for anyone; a bad file stores nothing and says why."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from apptest_support import PASSWORD, enter_demo, fresh_app
from streamlit.testing.v1 import AppTest

from data import store
from privacy.accounts import create_account

GOOD = b"member,date,steps\nRuth,2026-10-01,5000\nRuth,2026-10-02,6000\n"
NEGATIVE = b"member,date,steps\nRuth,2026-10-01,5000\nRuth,2026-10-02,-6\n"


def _sign_in(name: str, password: str = PASSWORD) -> AppTest:
    at = fresh_app()
    at.text_input(key="sign-in-name").input(name)
    at.text_input(key="sign-in-password").input(password)
    at.button(key="sign-in-submit").click().run()
    return at.switch_page("views/import_data.py").run()


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="import-file").set_value((name, content, "text/csv"))
    return at.button(key="import-submit").click().run()


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return int(row[0]) if row else 0
    finally:
        conn.close()


def test_a_member_imports_for_themselves_and_sees_the_summary(real_store: Path) -> None:
    at = _sign_in("Ruth")
    assert "import-member" not in [s.key for s in at.selectbox]
    at = _upload(at, "steps.csv", GOOD)
    assert not at.exception
    assert any("Imported for Ruth" in s for s in at.success.values)
    shown = {m.label: m.value for m in at.metric}
    assert shown == {
        "Days imported": "2",
        "Sources kept": "1",
        "Duplicates dropped": "0",
        "Records skipped": "0",
    }
    assert _version(real_store) == 1


def test_the_same_file_twice_changes_nothing(real_store: Path) -> None:
    at = _upload(_sign_in("Ruth"), "steps.csv", GOOD)
    at = _upload(at, "steps.csv", GOOD)
    assert any("already imported" in i for i in at.info.values)
    assert _version(real_store) == 1


def test_a_bad_file_stores_nothing_and_names_file_and_line(real_store: Path) -> None:
    at = _upload(_sign_in("Ruth"), "<img src=x>.csv", NEGATIVE)
    assert not at.exception
    (message,) = at.error.values
    assert "Nothing was stored" in message and "line 3" in message and "negative" in message
    assert "<img" not in message.replace("\\<img", "")
    assert _version(real_store) == 0


def test_an_admin_may_choose_any_member(real_store: Path) -> None:
    conn = store.connect(real_store)
    create_account(conn, "Sam", PASSWORD, admin=True)
    conn.close()
    at = _sign_in("Sam")
    picker = at.selectbox(key="import-member")
    assert picker.value == "Sam"
    assert set(picker.options) == {"Maya", "Sam", "Ruth"}
    picker.set_value("Maya")  # a form: the choice travels with the submit, like the file
    at = _upload(at, "steps.csv", GOOD)
    assert any("Imported for Maya" in s for s in at.success.values)


@pytest.mark.parametrize("name", ["Maya"])
def test_the_demo_store_takes_no_real_files(demo_store: Path, name: str) -> None:
    at = enter_demo(fresh_app(), demo_store, name).switch_page("views/import_data.py").run()
    assert not at.exception
    assert "import-file" not in [f.key for f in at.file_uploader]
    assert any("made-up families only" in i for i in at.info.values)


def test_a_forged_member_choice_is_ignored_for_non_admins(real_store: Path) -> None:
    at = _sign_in("Ruth")
    at.session_state["import-member"] = "Maya"
    at = _upload(at, "steps.csv", GOOD)
    assert any("Imported for Ruth" in s for s in at.success.values)
    assert not any("Maya" in s for s in at.success.values)


def test_skipped_records_are_counted_with_their_reason(real_store: Path) -> None:
    record = (
        '<Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" unit="count"'
        ' startDate="{0} 08:00:00 +0000" endDate="{0} 08:10:00 +0000" value="500"/>\n'
    )
    export = (
        '<?xml version="1.0"?>\n<HealthData locale="en_GB">\n'
        '<ExportDate value="2026-10-03 09:00:00 +0000"/>\n'
        + record.format("2026-10-01")
        + record.format("2030-01-01")
        + "</HealthData>\n"
    ).encode()
    at = _upload(_sign_in("Ruth"), "export.xml", export)
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Days imported"], shown["Records skipped"]) == ("1", "1")
    assert any("Skipped 1 records dated after the export was made" in c for c in at.caption.values)
    assert any("complete through 2026-10-02" in c for c in at.caption.values)


def test_a_zip_bomb_upload_is_refused_with_the_importers_message(real_store: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", b"<HealthData>" + b" " * (64 << 20))
    at = _upload(_sign_in("Ruth"), "export.zip", buffer.getvalue())
    assert not at.exception
    (message,) = at.error.values
    assert "Nothing was stored" in message and "zip bomb" in message
    assert _version(real_store) == 0
