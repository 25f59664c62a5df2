"""The operational report: a day, week, month or year by area, service, technician or channel;
every section on screen, as Excel (one sheet per section) or one section as CSV; a print view.
The choices live in the address (?period=month&on=2025-03-15&group=area&print=1), so a report can
be shared as a link."""

from datetime import date

import pandas as pd
import streamlit as st

from core import formatting
from core.analytics.reports import GROUPINGS, PERIODS, Section
from core.clock import today
from core.services import reports
from ui.context import current_actor, language, t
from ui.downloads import download

PRINT_CSS = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header, [data-testid="stToolbar"],
  [data-testid="stDownloadButton"], [data-testid="stButton"], .report-controls, .st-key-reports-controls,
  [data-testid="stDecoration"] { display: none !important; }
  [data-testid="stMain"], .main .block-container {
    padding: 0 !important; margin: 0 !important; max-width: 100% !important;
  }
  table { page-break-inside: auto; } tr { page-break-inside: avoid; }
}
/*screen*/
</style>"""
PRINT_SCREEN = """[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header,
  [data-testid="stToolbar"], [data-testid="stDownloadButton"] { display: none !important; }"""


def _choice(name: str, options: dict, default: str) -> str:
    value = st.query_params.get(name, default)
    return value if value in options else default


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return today()


def _cell(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "money":
        return formatting.money(value)
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind in {"int", "number"}:
        return formatting.number(value)
    if kind == "date":
        return formatting.day(value)
    return str(value)


def _frame(section: Section) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [_cell(value, column.kind) for column, value in zip(section.columns, row, strict=True)]
            for row in section.rows
        ],
        columns=[t(column.label) for column in section.columns],
        dtype=object,
    )


actor = current_actor()
lang = language()
printing = st.query_params.get("print") == "1"
st.markdown(PRINT_CSS.replace("/*screen*/", PRINT_SCREEN if printing else ""), unsafe_allow_html=True)

st.title(t("Operational report"))
with st.container(key="reports-controls"):
    left, middle, right, last = st.columns([1, 1, 1, 1])
    period_options = list(PERIODS)
    period = left.selectbox(
        t("Period"),
        period_options,
        index=period_options.index(_choice("period", PERIODS, "month")),
        format_func={key: t(label) for key, label in PERIODS.items()}.__getitem__,
        key="reports.period",
    )
    on = middle.date_input(t("Any day in it"), value=_day(st.query_params.get("on", "")), key="reports.on")
    group_options = list(GROUPINGS)
    grouping = right.selectbox(
        t("By"),
        group_options,
        index=group_options.index(_choice("group", GROUPINGS, "area")),
        format_func={key: t(label) for key, label in GROUPINGS.items()}.__getitem__,
        key="reports.group",
    )
    printing = last.toggle(t("Print view"), value=printing, key="reports.print")
on = on if isinstance(on, date) else today()
st.query_params.update({"period": period, "on": on.isoformat(), "group": grouping})
if printing:
    st.query_params["print"] = "1"
elif "print" in st.query_params:
    del st.query_params["print"]

report = reports.operational_report(actor=actor, period=period, on=on, grouping=grouping, language=lang)
span = formatting.day(report.start) + ("" if report.end == report.start else f" – {formatting.day(report.end)}")
st.subheader(f"{span} · {t(GROUPINGS[grouping])}")
if printing:
    st.caption(t("Use your browser's print command (Ctrl+P); the menus and buttons are left out of the page."))
else:
    download(
        t("Download Excel"),
        lambda: reports.report_excel(actor=actor, period=period, on=on, grouping=grouping, language=lang),
        f"report-{period}-{report.start}-{grouping}",
        kind="xlsx",
        key="reports.excel",
    )
if report.section("orders").rows[-1][1] == 0 and report.section("revenue").rows[-1][1] == 0:
    st.info(t("No orders in this period."))

for section in report.sections:
    st.markdown(f"#### {t(section.title)}")
    if printing:
        st.table(_frame(section).set_index(t(section.columns[0].label)))
        continue
    st.dataframe(_frame(section), hide_index=True, width="stretch")

    def build(key: str = section.key) -> bytes:
        return reports.report_csv(actor=actor, period=period, on=on, grouping=grouping, section=key, language=lang)

    download(
        t("Download CSV"),
        build,
        f"report-{section.key}-{period}-{report.start}-{grouping}",
        key=f"reports.csv.{section.key}",
    )
