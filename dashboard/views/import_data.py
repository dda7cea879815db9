"""Import: a member uploads their own export (an admin may choose the member); stored whole or not at all."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard import runtime, text, validation
from privacy.identity import Viewer
from privacy.imports import ImportSummary
from privacy.release import Refused
from privacy.service import Hearth

FORMATS = (
    "Apple Health (export.zip or export.xml), Google Fit Takeout, Fitbit, Samsung Health, or a CSV with"
    " member, date (or timestamp) and steps columns. The format is read from the content, not the file name."
)


def render() -> None:
    """The upload waits for the Import button: nothing is read or stored on a rerun."""
    hearth, viewer = runtime.require()
    st.title("Import")
    st.caption(FORMATS)
    if hearth.kind() != "real":
        st.info("This store holds made-up families only; real exports go into a separate store.")
        return
    with st.form("import-form", border=True):
        member = _member(hearth, viewer)
        upload = st.file_uploader("Export file", key="import-file", max_upload_size=validation.MAX_UPLOAD_MB)
        submitted = st.form_submit_button("Import", key="import-submit", type="primary")
    if submitted:
        _import(hearth, viewer, member, upload)


def _member(hearth: Hearth, viewer: Viewer) -> str:
    if not viewer.is_admin:
        st.markdown(f"Importing for **{text.md(viewer.name)}** (yourself).")
        return viewer.name
    names = [member.name for member in hearth.roster()]
    start = names.index(viewer.name) if viewer.name in names else 0
    chosen = st.selectbox("For member", names, index=start, format_func=text.safe_name, key="import-member")
    return chosen or viewer.name


def _import(hearth: Hearth, viewer: Viewer, member: str, upload: UploadedFile | None) -> None:
    problem = "Choose a file first." if upload is None else validation.upload_problem(upload.size)
    if problem or upload is None:
        st.error(problem or "Choose a file first.")
        return
    bar = st.progress(0.0, text="Reading the file…")
    with tempfile.TemporaryDirectory(prefix="hearth-import-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as target:
            shutil.copyfileobj(upload, target)
        try:
            summary = hearth.import_file(viewer, member, path, upload.name, _reporter(bar))
        except Refused as refusal:
            bar.empty()
            st.error(f"Nothing was stored. {text.md(str(refusal), 500)}", icon=":material/block:")
            return
        except ValueError:
            # The store's own refusals (e.g. a file for the wrong kind of store) carry no data, but their
            # wording is the store's: say only that nothing changed.
            bar.empty()
            st.error("Nothing was stored: this store does not accept that file.", icon=":material/block:")
            return
    bar.progress(1.0, text="Done")
    _summary(summary)


def _reporter(bar: DeltaGenerator) -> Callable[[int, int], None]:
    """A progress callback that redraws only when the whole percentage changes: big files report often."""
    shown = [-1]

    def report(done: int, total: int) -> None:
        percent = min(100, done * 100 // total) if total > 0 else 0
        if percent != shown[0]:
            shown[0] = percent
            bar.progress(percent / 100, text=f"Reading the file… {percent}%")

    return report


def _summary(summary: ImportSummary) -> None:
    """Days, sources, duplicates and skipped records: what the owner needs to trust the import."""
    if summary.already_imported:
        st.info(f"This file was already imported for {text.md(summary.member)}; nothing changed.")
        return
    st.success(f"Imported for {text.md(summary.member)} ({text.md(summary.format)}).")
    days, sources, dropped, skipped = st.columns(4)
    days.metric("Days imported", f"{summary.days_imported:,}")
    sources.metric("Sources kept", f"{len(summary.sources_kept) or 1:,}")
    dropped.metric("Duplicates dropped", f"{summary.duplicates_dropped:,}")
    skipped.metric("Records skipped", f"{sum(count for _, count in summary.skipped):,}")
    for reason, count in summary.skipped:
        st.caption(f"Skipped {count:,} records {text.md(reason, 80)}.")
    if summary.covered_through is not None:
        complete = summary.covered_through.isoformat()
        st.caption(f"{text.md(summary.member)}'s steps are complete through {complete}.")
    for note in summary.notes:
        st.caption(text.md(note, 300))


if __name__ == "__main__":
    render()
