"""Analysts' data: choose a dataset, filter it, pick columns, preview the first rows and download
the whole of it as CSV, Excel or Parquet (built only on the click, refused over the row limit)."""

import streamlit as st

from core.analytics.datasets import DATASETS, FORMATS, PREVIEW_ROWS, Query, date_error, over_limit
from core.errors import OpsdeskError, ValidationFailed
from core.services import datasets
from ui.context import current_actor, language, md, t
from ui.downloads import download
from ui.forms import error_under

KEY = "data"
actor = current_actor()
lang = language()
st.title(t("Data downloads"))

name = st.selectbox(
    t("Dataset"), list(DATASETS), format_func=lambda n: DATASETS[n].label.get(lang), key=f"{KEY}.dataset"
)
dataset = DATASETS[name]
own = f"{KEY}.{name}"  # keys of their own per dataset: one dataset's choices never reach another

start_box, end_box = st.columns(2)
date_from = start_box.date_input(t("From"), value=None, key=f"{own}.from")
date_to = end_box.date_input(t("To"), value=None, key=f"{own}.to")
with end_box:
    error_under(date_error(date_from, date_to))
st.caption(t("The dates apply to: {column}.", column=dataset.date_label.get(lang)))

choices = datasets.filter_choices(actor=actor, dataset=name, language=lang)
filters = {}
boxes = st.columns(max(len(dataset.filters), 1))
for box, column in zip(boxes, dataset.filters, strict=False):
    filters[column.name] = tuple(
        box.multiselect(column.label.get(lang), choices.get(column.name, []), key=f"{own}.filter.{column.name}")
    )
labels = {c.name: c.label.get(lang) for c in dataset.columns}
picked = st.multiselect(
    t("Columns"),
    list(labels),
    default=list(labels),
    format_func=labels.__getitem__,
    key=f"{own}.columns",
    placeholder=t("Every column"),
)
query = Query(name, tuple(picked), date_from, date_to, filters)

try:
    shown = datasets.preview(actor=actor, query=query, language=lang)
except ValidationFailed as failed:
    for field, message in failed.errors.items():
        if field != "date_to":  # already under the end date
            st.error(md(message), icon=":material/error:")
    st.stop()
except OpsdeskError as error:
    st.error(md(error.message))
    st.stop()

if shown.total == 0:
    st.info(t("No rows match these dates and filters."))
    st.stop()

frame = shown.rows.to_pandas().rename(columns={c.name: c.label.get(lang) for c in shown.columns})
st.dataframe(frame, hide_index=True, width="stretch")
first = min(shown.total, PREVIEW_ROWS)
st.caption(t("{total} rows match; the first {shown} are shown.", total=f"{shown.total:,}", shown=first))
if any(c.contact for c in shown.columns):
    st.caption(t("Phones and email are masked for everyone; only a customer's page shows them in full."))
if shown.masked and any(c.sensitive and not c.contact for c in shown.columns):
    st.caption(t("Addresses are masked for your role."))

stem = f"{name.replace('_', '-')}"
for box, kind in zip(st.columns(len(FORMATS)), FORMATS, strict=True):
    with box:
        refusal = over_limit(kind, shown.total)
        if refusal is not None:
            st.warning(md(refusal), icon=":material/block:")
            continue
        download(
            t("Download {format}", format=FORMATS[kind]),
            lambda kind=kind: datasets.export(actor=actor, query=query, kind=kind, language=lang).data,
            stem,
            kind=kind,
            key=f"{KEY}.download.{kind}",
        )
