"""The one download helper: files are built only when the person clicks."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.clock import utcnow
from core.entities.csv_io import safe_cell

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def download(label: str, build: Callable[[], bytes], stem: str, *, kind: str = "csv", key: str) -> None:
    """A button that builds the file when clicked (not on every rerun) and names it with the time."""
    name = f"{stem}-{utcnow():%Y%m%d-%H%M}.{kind}"
    st.download_button(
        label, data=build, file_name=name, mime=MIME[kind], key=key, icon=":material/download:", on_click="ignore"
    )


def download_table(label: str, frame: pd.DataFrame, stem: str, *, key: str) -> None:
    """Any table on screen as CSV, each text cell guarded against spreadsheet formulas."""

    def build() -> bytes:
        guarded = frame.map(lambda cell: safe_cell(cell) if isinstance(cell, str) else cell)
        return guarded.to_csv(index=False).encode("utf-8-sig")

    download(label, build, stem, key=key)
