"""Performance reviews: the period's ranking of technicians with every figure and the score,
one person's review (drafted from the data, commented, finalised, then never changed) and their
trend over the periods of their final reviews. Executives read, managers review."""

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import today
from core.permissions import allowed
from core.reviews import SCORED, last_month, last_quarter
from core.services import reviews
from ui import forms
from ui.context import current_actor, md, t
from ui.downloads import download_table
from ui.feedback import attempt
from ui.text import escape_markdown

DRAFT, NOTES, FINAL = "reviews.draft", "reviews.notes", "reviews.final"
actor = current_actor()
state = st.session_state
drafting = allowed(actor.roles, "reviews", "create")
editing = allowed(actor.roles, "reviews", "edit")

LABELS = {
    "jobs": t("Jobs completed"),
    "hours": t("Hours worked"),
    "revenue": t("Revenue handled"),
    "rating": t("Average rating"),
    "complaints": t("Complaints"),
    "rework": t("Rework"),
    "on_time": t("On-time rate"),
    "attendance": t("Attendance"),
}
STATUS = {"draft": t("Draft"), "final": t("Final"), None: "—"}


def shown(name: str, value: Any) -> str:
    """A figure as people read it: money, percentages, hours and ratings in the company's locale."""
    if value is None:
        return "—"
    if name == "revenue":
        return formatting.money(Decimal(str(value)))
    if name in {"on_time", "attendance"}:
        return f"{formatting.number(value)} %"
    return formatting.number(value)


def choose_period() -> tuple[date, date]:
    presets = {"month": t("Last month"), "quarter": t("Last quarter"), "custom": t("Custom")}
    chosen = st.radio(
        t("Period"), list(presets), format_func=presets.__getitem__, horizontal=True, key="reviews.preset"
    )
    if chosen == "month":
        period = last_month(today())
    elif chosen == "quarter":
        period = last_quarter(today())
    else:
        picked = st.date_input(t("Between"), value=last_month(today()), max_value=today(), key="reviews.dates")
        period = (picked[0], picked[-1]) if picked else last_month(today())
    forms.error_under(forms.errors_of(DRAFT).get("period_to"))
    st.caption(t("From {start} to {end}", start=formatting.day(period[0]), end=formatting.day(period[1])))
    return period


def ranking_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("Rank"): row["rank"],
                t("Employee no."): row["employee_no"],
                t("Name"): row["name"],
                **{LABELS[name]: shown(name, row[name]) for name in LABELS},
                t("Score"): formatting.number(row["score"]),
                t("Review"): STATUS[row["review_status"]],
            }
            for row in rows
        ],
        dtype=object,
    )


def weights_caption(weights: dict[str, Decimal]) -> None:
    used = [f"{LABELS[name]} {formatting.number(weight)}" for name, weight in weights.items() if weight]
    st.caption(t("Score weights: {weights}", weights=" · ".join(used)))


def figures_frame(review: dict[str, Any]) -> pd.DataFrame:
    figures, points, weights = review["figures"], review["figures"].get("points", {}), review["weights"]
    return pd.DataFrame(
        [
            {
                t("Figure"): LABELS[name],
                t("Value"): shown(name, figures.get(name)),
                t("Points (0–100)"): shown("points", points.get(name)),
                t("Weight"): formatting.number(weights.get(name, 0)) if name in SCORED else "",
            }
            for name in LABELS
        ],
        dtype=object,
    )


def remember(review: dict[str, Any]) -> None:
    """The version and comments the manager's text started from: a save goes with that version,
    so comments someone saved meanwhile are never overwritten unseen."""
    state[f"{NOTES}.read.{review['id']}"] = (review["version"], review["comments"])


def comments_box(review: dict[str, Any]) -> None:
    """The manager's comments on a draft: saved, or given with the finalising."""
    key, read = f"{NOTES}.text.{review['id']}", f"{NOTES}.read.{review['id']}"
    if key not in state or read not in state:
        state[key] = review["comments"] or ""
        remember(review)
    st.text_area(t("Comments *"), key=key, height=120, max_chars=2000)
    forms.error_under(forms.errors_of(NOTES).get("comments") or forms.errors_of(FINAL).get("comments"))
    if state[read][0] != review["version"]:
        st.info(t("Someone saved this review after you opened it; saving will be refused."))
        if st.button(t("Discard my comments and load theirs"), key=f"{NOTES}.reload"):
            state.pop(key, None)
            state.pop(read, None)
            st.rerun()
    forms.show_notice(NOTES)
    forms.show_notice(FINAL)
    collect = lambda: {"comments": state.get(key) or ""}  # noqa: E731
    save = lambda values, _c: reviews.save_comments(  # noqa: E731
        actor=actor, review_id=review["id"], expected_version=state[read][0], **values
    )
    finalise = lambda values, _c: reviews.finalise_review(  # noqa: E731
        actor=actor, review_id=review["id"], expected_version=state[read][0], **values
    )
    asking = f"{FINAL}.asking"
    buttons = st.container(horizontal=True)
    buttons.button(
        t("Save comments"), key=f"{NOTES}.save", on_click=forms.run_action, args=(NOTES, collect, save, False)
    )
    buttons.button(t("Finalise…"), key=f"{FINAL}.ask", on_click=lambda: state.update({asking: review["id"]}))
    if state.get(asking) == review["id"]:
        st.warning(t("A final review can never be changed again. Finalise it with these comments?"))
        answer = st.container(horizontal=True)
        answer.button(
            t("Yes, finalise"),
            key=f"{FINAL}.yes",
            type="primary",
            on_click=forms.run_action,
            args=(FINAL, collect, finalise, False),
        )
        answer.button(t("Cancel"), key=f"{FINAL}.no", on_click=lambda: state.pop(asking, None))


def written(comments: str | None) -> None:
    """The manager's comments, shown as typed (line breaks kept)."""
    if comments:
        st.markdown(escape_markdown(comments).replace("\n", "  \n"))


def show_review(review: dict[str, Any]) -> None:
    st.markdown(
        md(
            "**{name}** · {start} – {end} · score **{score}** · {status}",
            name=review["staff_name"],
            start=formatting.day(review["period_from"]),
            end=formatting.day(review["period_to"]),
            score=formatting.number(review["score"]),
            status=STATUS[review["status"]],
        )
    )
    st.dataframe(figures_frame(review), hide_index=True, width="stretch")
    if review["status"] == "final":
        written(review["comments"])
        st.caption(
            t(
                "Finalised by {who} on {when}; a final review never changes.",
                who=review["finalised_by"] or "system",
                when=formatting.moment(review["finalised_at"]),
            )
        )
    elif editing:
        comments_box(review)
    else:
        st.caption(t("Draft, not finalised yet."))
        written(review["comments"])


def trend(staff_id: int) -> None:
    st.subheader(t("Trend over periods"))
    finals = [row for row in reviews.reviews_of(actor=actor, staff_id=staff_id) if row["status"] == "final"]
    if not finals:
        st.info(t("No final review yet."))
        return
    if len(finals) > 1:
        chart = pd.DataFrame(
            {t("Score"): [float(row["score"]) for row in finals]},
            index=pd.to_datetime([row["period_to"] for row in finals]),
        )
        st.line_chart(chart, x_label=t("Period end"), y_label=t("Score"))
    history = [
        {
            t("Period"): f"{formatting.day(row['period_from'])} – {formatting.day(row['period_to'])}",
            t("Score"): formatting.number(row["score"]),
            **{LABELS[name]: shown(name, row["figures"].get(name)) for name in ("jobs", "rating", "on_time")},
        }
        for row in finals
    ]
    st.dataframe(pd.DataFrame(history, dtype=object), hide_index=True, width="stretch")


def person(row: dict[str, Any], period: tuple[date, date]) -> None:
    drafted, saved = forms.result(DRAFT), forms.result(NOTES)
    if drafted is not None:
        st.success(t("The draft holds the figures as of now."))
        started_from = state.get(f"{NOTES}.read.{drafted['id']}")
        if started_from is not None and started_from[1] == drafted["comments"]:
            remember(drafted)  # computing again changed the version, not the comments
    if saved is not None:
        st.success(t("Comments saved."))
        remember(saved)
    if forms.result(FINAL) is not None:
        state.pop(f"{FINAL}.asking", None)
        st.success(t("The review is final."))
    review = attempt(lambda: reviews.get_review(actor=actor, review_id=row["review_id"])) if row["review_id"] else None
    if drafting and (review is None or review["status"] == "draft"):
        draft = lambda _values, _c: reviews.draft_review(  # noqa: E731
            actor=actor, staff_id=row["staff_id"], period_from=period[0], period_to=period[1]
        )
        label = t("Draft the review") if review is None else t("Compute the draft again")
        st.button(label, key=f"{DRAFT}.go", on_click=forms.run_action, args=(DRAFT, dict, draft, False))
        forms.show_notice(DRAFT)
    if review is None:
        st.info(t("No review of this period yet."))
    else:
        show_review(review)
    trend(row["staff_id"])


st.title(t("Performance reviews"))
period = choose_period()
ranking = attempt(lambda: reviews.period_figures(actor=actor, period_from=period[0], period_to=period[1]))
if ranking is None:
    st.stop()
if not ranking["rows"]:
    st.info(t("No technicians in this period."))
    st.stop()
weights_caption(ranking["weights"])
frame = ranking_frame(ranking["rows"])
st.dataframe(frame, hide_index=True, width="stretch")
download_table(t("Download CSV"), frame, f"reviews-{period[0]}-{period[1]}", key="reviews.csv")

st.header(t("One person's review"))
people = {row["staff_id"]: row for row in ranking["rows"]}
chosen = st.selectbox(
    t("Staff member"),
    list(people),
    format_func=lambda staff_id: f"{people[staff_id]['name']} ({people[staff_id]['employee_no']})",
    index=None,
    placeholder=t("Choose…"),
    key="reviews.person",
)
if chosen is not None:
    person(people[chosen], period)
