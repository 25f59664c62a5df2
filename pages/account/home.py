"""Home: a greeting, what waits for the person (items running low, approvals that are theirs to
give, their follow-ups due, open problem reports and a missing or failed backup for admins), and the
way to each of their pages."""

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.backups import OVERDUE_AFTER
from core.i18n import Message, msg
from core.permissions import allowed
from core.services import attendance, backups, counts, follow_ups, leave, orders, problems, purchasing
from ui.context import current_actor, t
from ui.navigation import link, visible_specs
from ui.text import escape_markdown

actor = current_actor()


def theirs_to_approve(rows: list[dict[str, Any]], asker: str) -> list[dict[str, Any]]:
    """Nobody approves their own request, so it does not wait for them."""
    return [row for row in rows if row.get(asker) != actor.user_id]


def how_many(found: list[Any] | int) -> int:
    """What waits, counted: a list of it, or its number when the list would be long."""
    return found if isinstance(found, int) else len(found)


# module, action, what is waiting, what (or how many), the page that deals with it
WAITING: tuple[tuple[str, str, Message, Callable[[], list[Any] | int], str], ...] = (
    ("purchasing", "view", msg("Items running low"), lambda: purchasing.low_stock(actor=actor), "low-stock"),
    (
        "purchase_approval",
        "edit",
        msg("Purchase orders to approve"),
        lambda: theirs_to_approve(
            purchasing.list_purchase_orders(actor=actor, statuses=("submitted",)), "requested_by_id"
        ),
        "purchase-orders",
    ),
    (
        "stock_approval",
        "edit",
        msg("Stock counts to approve"),
        lambda: [sheet for sheet in counts.list_counts(actor=actor) if sheet["status"] == "submitted"],
        "stock-counts",
    ),
    (
        "stock_approval",
        "edit",
        msg("Stock adjustments to approve"),
        lambda: theirs_to_approve(counts.list_adjustments(actor=actor), "requested_by_id"),
        "stock-ledger",
    ),
    ("discounts", "edit", msg("Discounts to approve"), lambda: orders.pending_discounts(actor=actor), "discounts"),
    (
        "leave",
        "edit",
        msg("Leave requests to decide"),
        lambda: theirs_to_approve(leave.pending_leave(actor=actor), "requested_by_id"),
        "leave-requests",
    ),
    (
        "attendance",
        "edit",
        msg("Forgotten clock-outs"),
        lambda: attendance.missing_clock_outs(actor=actor),
        "attendance",
    ),
    (
        "follow_ups",
        "view",
        msg("Your follow-ups due"),
        lambda: follow_ups.due_follow_ups(actor=actor, mine_only=True, per_page=1).total,
        "follow-ups",
    ),
    (
        "problems",
        "edit",
        msg("Problem reports to close"),
        lambda: problems.problems(actor=actor, per_page=1).total,
        "problems",
    ),
)

OVERDUE_HOURS = int(OVERDUE_AFTER.total_seconds() // 3600)
st.title(t("Welcome, {name}", name=escape_markdown(actor.display_name)))
if allowed(actor.roles, "backups", "view"):
    backup = backups.backup_status(actor=actor)
    if backup.failure is not None or backup.overdue:
        st.warning(
            t("The last backup attempt failed.")
            if backup.failure is not None
            else t("There is no verified backup from the last {hours} hours.", hours=OVERDUE_HOURS),
            icon=":material/warning:",
        )
        link("backups", t("Backups"), icon=":material/backup:")
waiting = [
    (label, count, url)
    for module, action, label, found, url in WAITING
    if allowed(actor.roles, module, action) and (count := how_many(found()))
]
if waiting:
    st.subheader(t("Waiting for you"))
    for label, how_many, url in waiting:
        link(url, f"{t(label)}: {how_many}", icon=":material/notifications:")
st.write(t("What would you like to do?"))
for spec in visible_specs(actor):
    if not spec.hidden and not spec.default:
        st.page_link(spec.script, label=t(spec.title), icon=spec.icon)
