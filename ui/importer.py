"""The CSV import page of any entity: upload, dry run with every row's problems, then import."""

from __future__ import annotations

import csv
import hashlib
import io

import pandas as pd
import streamlit as st

from core.entities.csv_io import ImportCheck
from core.services.records import EntityServices
from ui.context import current_actor, language, md, t
from ui.downloads import download
from ui.feedback import attempt
from ui.navigation import link

SHOWN_PROBLEMS = 1_000


def _template(services: EntityServices) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([f.label.get(language()) for f in services.entity.import_fields])
    return buffer.getvalue().encode("utf-8-sig")


def _problems_frame(services: EntityServices, problems: list, limit: int = SHOWN_PROBLEMS) -> pd.DataFrame:
    labels = {f.name: f.label.get(language()) for f in services.entity.fields}
    return pd.DataFrame(
        [
            {t("Row"): p.row, t("Column"): labels.get(p.field, "") if p.field else "", t("Problem"): t(p.message)}
            for p in problems[:limit]
        ],
        dtype=object,
    )


def _problems_csv(services: EntityServices, check: ImportCheck) -> bytes:
    frame = _problems_frame(services, check.errors + check.warnings, limit=len(check.errors) + len(check.warnings))
    return frame.to_csv(index=False).encode("utf-8-sig")


def _columns_help(services: EntityServices) -> None:
    rows = []
    for f in services.entity.import_fields:
        choices = " / ".join(c.label.get(language()) for c in f.choices)
        rows.append(
            {
                t("Column"): f.label.get(language()),
                t("Also accepted"): f"{f.name}, {f.label.en}, {f.label.zh}",
                t("Required"): "✓" if f.required and f.default is None else "",
                t("Choices"): choices,
            }
        )
    st.dataframe(pd.DataFrame(rows, dtype=object), hide_index=True, width="stretch")


def import_view(services: EntityServices, *, back: str) -> None:
    entity, actor = services.entity, current_actor()
    key = f"{entity.name}.import"
    link(back, t(entity.label), icon=":material/arrow_back:")
    st.title(t("Import {what}", what=entity.label))
    done = st.session_state.pop(f"{key}.done", None)
    if done:
        st.success(done)
    with st.expander(t("Which columns the file needs")):
        _columns_help(services)
        download(
            t("Download an empty template"),
            lambda: _template(services),
            f"{entity.name}-template",
            key=f"{key}.template",
        )
    nonce = st.session_state.get(f"{key}.nonce", 0)
    upload = st.file_uploader(t("CSV file (UTF-8 or GB18030)"), type=["csv"], key=f"{key}.file.{nonce}")
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    cached = st.session_state.get(f"{key}.check")
    if cached is None or cached[0] != digest:
        with st.spinner(t("Checking every row…")):
            check = attempt(lambda: services.check_import(actor=actor, data=data))
        if check is None:
            return
        st.session_state[f"{key}.check"] = (digest, check)
    else:
        check = cached[1]
    if check.file_error:
        st.error(md(check.file_error))
        return
    _report(services, check, key)
    skip = bool(check.errors) and st.checkbox(t("Skip the rows with errors and import the rest"), key=f"{key}.skip")
    blocked = not check.valid or (bool(check.errors) and not skip)
    if st.button(t("Import {count} rows", count=len(check.valid)), type="primary", disabled=blocked, key=f"{key}.run"):
        with st.spinner(t("Importing…")):
            result = attempt(lambda: services.run_import(actor=actor, data=data, skip_invalid=skip))
        if result is not None:
            span = f" ({result.first_code} – {result.last_code})" if result.first_code else ""
            st.session_state[f"{key}.done"] = t("Imported {count} records{span}.", count=result.created, span=span)
            st.session_state[f"{key}.nonce"] = nonce + 1
            st.session_state.pop(f"{key}.check", None)
            st.rerun()


def _report(services: EntityServices, check: ImportCheck, key: str) -> None:
    st.caption(t("Dry run: nothing has been written yet."))
    rows, valid, bad, warned = st.columns(4)
    rows.metric(t("Rows"), check.total_rows)
    valid.metric(t("Ready to import"), len(check.valid))
    bad.metric(t("Rows with errors"), check.bad_rows)
    warned.metric(t("Possible duplicates"), len(check.warnings))
    if check.errors:
        st.error(
            t(
                "{count} row(s) have errors. Fix them in the file and upload it again, or skip them.",
                count=check.bad_rows,
            )
        )
        st.dataframe(_problems_frame(services, check.errors), hide_index=True, width="stretch")
    if check.warnings:
        st.warning(t("These rows share a phone or email with existing customers or with each other."))
        st.dataframe(_problems_frame(services, check.warnings), hide_index=True, width="stretch")
    if check.errors or check.warnings:
        download(
            t("Download the list of problems"),
            lambda: _problems_csv(services, check),
            f"{services.entity.name}-import-problems",
            key=f"{key}.problems",
        )
