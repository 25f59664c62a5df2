"""Customer segments: RFM segments with their size, revenue share and how customers moved since
an earlier date; churn risk with the backtest that says how well it ranks; and the clusters k-means
finds, each described in plain words. A segment or cluster opens its customers, for whom a clerk
creates follow-ups in one step and an analyst downloads a campaign list
(core.services.segments, core.services.clusters; definitions in core.analytics)."""

import pandas as pd
import plotly.express as px
import streamlit as st

from core import formatting
from core.analytics.segments import BY_KEY, SEGMENTS
from core.clock import today
from core.services import clusters, segments
from ui.context import current_actor, language, md, t
from ui.feedback import attempt, show_flash
from ui.segment_views import campaign_download, customer_list, follow_up_form

KEY = "segments"
actor = current_actor()
state = st.session_state
lang = language()
NAMES = {s.key: s.label.get(lang) for s in SEGMENTS}


def share(value: float | None) -> str:
    return "—" if value is None else f"{formatting.number(round(value * 100, 1))} %"


def choose_segment() -> None:
    st.query_params["segment"] = state[f"{KEY}.segment"]


st.title(t("Customer segments"))
show_flash(KEY)
show_flash(f"{KEY}.cluster")
left, right = st.columns(2)
as_of = left.date_input(t("As of"), value=today(), max_value=today(), key=f"{KEY}.as_of")
period = right.number_input(
    t("Compared with (days before)"), min_value=7, max_value=730, value=90, step=7, key=f"{KEY}.period"
)
overview = attempt(lambda: segments.overview(actor=actor, as_of=as_of, period_days=int(period)))
if overview is None:
    st.stop()

tab_segments, tab_churn, tab_clusters = st.tabs([t("Segments"), t("Churn risk"), t("Clusters")])
with tab_segments:
    st.caption(
        t(
            "{count} customers scored on recency, frequency and spend (quintiles, 5 is best); "
            "{unscored} without an order are not scored.",
            count=overview["customers"],
            unscored=overview["unscored"],
        )
    )
    rows = overview["segments"]
    chart = px.bar(
        x=[NAMES[r["key"]] for r in rows],
        y=[r["customers"] for r in rows],
        labels={"x": t("Segment"), "y": t("Customers")},
    )
    chart.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=300)
    st.plotly_chart(chart, width="stretch", key=f"{KEY}.chart")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("Segment"): NAMES[r["key"]],
                    t("Customers"): r["customers"],
                    t("Share of customers"): share(r["customer_share"]),
                    t("Revenue"): formatting.money(r["revenue"]),
                    t("Share of revenue"): share(r["revenue_share"]),
                    t("Days since last order (average)"): formatting.number(round(r["average_recency"] or 0)),
                    t("Orders (average)"): formatting.number(round(r["average_orders"] or 0, 1)),
                }
                for r in rows
            ],
            dtype=object,
        ),
        hide_index=True,
        width="stretch",
    )
    movement = overview["movement"]
    st.subheader(t("Moves since {day}", day=f"{movement['previous']:%Y-%m-%d}"))
    st.caption(t("Rows: the segment then; columns: the segment now. The last row counts customers new since."))
    moves = pd.DataFrame(
        [
            {t("Then"): NAMES[before], **{NAMES[now]: movement["matrix"][before][now] for now in NAMES}}
            for before in NAMES
        ]
        + [{t("Then"): t("New since"), **{NAMES[now]: movement["new_since"][now] for now in NAMES}}],
        dtype=object,
    )
    st.dataframe(moves, hide_index=True, width="stretch")

    asked = st.query_params.get("segment")
    if f"{KEY}.segment" not in state:
        state[f"{KEY}.segment"] = asked if asked in BY_KEY else "at_risk"
    chosen = st.selectbox(
        t("Customers of the segment"),
        list(NAMES),
        format_func=NAMES.__getitem__,
        key=f"{KEY}.segment",
        on_change=choose_segment,
    )
    count = customer_list(
        f"{KEY}.list.{chosen}",
        lambda number, size: segments.customers(
            actor=actor, segment=chosen, as_of=as_of, page=number, per_page=size, language=lang
        ),
    )
    follow_up_form(
        actor,
        KEY,
        f"segment:{chosen}",
        count,
        lambda: segments.segment_customer_ids(actor=actor, segment=chosen, as_of=as_of),
    )
    campaign_download(
        actor,
        f"{KEY}.{chosen}",
        f"segment-{chosen}",
        lambda: segments.campaign_rows(actor=actor, segment=chosen, as_of=as_of, language=lang),
    )

with tab_churn:
    horizon = st.number_input(
        t("Horizon (days)"), min_value=30, max_value=365, value=180, step=30, key=f"{KEY}.horizon"
    )
    summary = st.container()  # filled once the list below has fetched its page (one scoring, one backtest)
    seen: dict = {}

    def churn_page(number: int, size: int) -> dict:
        seen.update(
            segments.churn(
                actor=actor, as_of=as_of, page=number, per_page=size, horizon_days=int(horizon), language=lang
            )
        )
        return seen

    if attempt(lambda: customer_list(f"{KEY}.churn", churn_page)) is not None:
        test = seen["backtest"]
        with summary:
            if test is None:
                st.info(md(seen["backtest_problem"]))
            else:
                a, b, c = st.columns(3)
                a.metric(t("Ranking quality (ROC AUC)"), "—" if test["auc"] is None else f"{test['auc']:.2f}")
                b.metric(t("Did not come back"), share(test["churned_share"]))
                c.metric(t("… of the riskiest tenth"), share(test["top_decile_churned_share"]))
                st.caption(
                    t(
                        "Backtest: risk scored as of {day} for {count} customers, compared with who ordered in "
                        "the {days} days after. An AUC of 0.5 ranks no better than chance, 1.0 perfectly.",
                        day=f"{test['as_of']:%Y-%m-%d}",
                        count=test["customers"],
                        days=test["horizon_days"],
                    )
                )

with tab_clusters:
    found = attempt(lambda: clusters.clusters(actor=actor, as_of=as_of))
    if found is not None:
        st.caption(
            t(
                "{count} customers in {k} groups found by k-means on recency, frequency, spend and the services "
                "they buy; the number of groups is the one with the best silhouette ({score}).",
                count=found["customers"],
                k=found["k"],
                score=f"{found['silhouette']:.2f}",
            )
        )
        for cluster in found["clusters"]:
            with st.container(border=True):
                st.markdown(f"**{md(cluster['title'])}** · {share(cluster['share'])} · {cluster['size']}")
                st.write(cluster["description_zh" if lang == "zh" else "description_en"])
        titles = {c["id"]: t(c["title"]) for c in found["clusters"]}
        picked = st.selectbox(
            t("Customers of the group"), list(titles), format_func=titles.__getitem__, key=f"{KEY}.cluster"
        )
        total = customer_list(
            f"{KEY}.cluster.{picked}",
            lambda number, size: clusters.cluster_customers(
                actor=actor, cluster=picked, as_of=as_of, page=number, per_page=size
            ),
        )
        follow_up_form(
            actor,
            f"{KEY}.cluster",
            f"cluster:{picked}",
            total,
            lambda: clusters.cluster_customer_ids(actor=actor, cluster=picked, as_of=as_of),
        )
