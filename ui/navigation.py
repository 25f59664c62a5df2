"""Which pages exist, and which each person sees: built from the permission matrix on every run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.actor import Actor
from core.permissions import allowed
from ui.context import ACTOR_KEY, t

# Page scripts live in folders under pages/ (pages/customers/list.py), never directly in it:
# Streamlit would treat top-level pages/*.py as old-style pages and could run one without
# app.py's login gate on the first request after a restart.


@dataclass(frozen=True)
class PageSpec:
    script: str
    url: str
    title: str  # English message id
    icon: str
    module: str
    action: str = "view"
    section: str = ""
    hidden: bool = False  # reached from another page (a record's detail), not from the menu
    default: bool = False
    public: bool = False  # open without logging in (the customer's order lookup)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/account/home.py", "home", "Home", ":material/home:", "profile", default=True),
    PageSpec("pages/jobs/today.py", "my-jobs", "My jobs today", ":material/handyman:", "jobs", section="Field work"),
    PageSpec("pages/orders/list.py", "orders", "Orders", ":material/receipt_long:", "orders", section="Orders"),
    PageSpec(
        "pages/orders/new.py",
        "order-new",
        "New order",
        ":material/add_shopping_cart:",
        "orders",
        action="create",
        section="Orders",
    ),
    PageSpec("pages/orders/detail.py", "order", "Order", ":material/receipt:", "orders", hidden=True),
    PageSpec(
        "pages/orders/dispatch.py",
        "dispatch",
        "Dispatch board",
        ":material/calendar_month:",
        "dispatch",
        section="Orders",
    ),
    PageSpec(
        "pages/orders/discounts.py",
        "discounts",
        "Discount approvals",
        ":material/percent:",
        "discounts",
        section="Orders",
    ),
    PageSpec(
        "pages/orders/contracts.py",
        "contracts",
        "Recurring contracts",
        ":material/event_repeat:",
        "contracts",
        section="Orders",
    ),
    PageSpec(
        "pages/customers/list.py", "customers", "Customers", ":material/groups:", "customers", section="Customers"
    ),
    PageSpec(
        "pages/customers/new.py",
        "customer-new",
        "New customer",
        ":material/person_add:",
        "customers",
        action="create",
        section="Customers",
    ),
    PageSpec(
        "pages/customers/import.py",
        "customer-import",
        "Import customers",
        ":material/upload_file:",
        "customers",
        action="create",
        section="Customers",
    ),
    PageSpec("pages/customers/detail.py", "customer", "Customer", ":material/person:", "customers", hidden=True),
    PageSpec(
        "pages/customers/follow_ups.py",
        "follow-ups",
        "Follow-ups",
        ":material/notifications:",
        "follow_ups",
        section="Customers",
    ),
    PageSpec(
        "pages/finance/receivables.py",
        "receivables",
        "Receivables",
        ":material/account_balance_wallet:",
        "finance",
        section="Finance",
    ),
    PageSpec(
        "pages/finance/settlement.py",
        "settlement",
        "Settlement report",
        ":material/summarize:",
        "finance",
        section="Finance",
    ),
    PageSpec(
        "pages/catalogue/list.py",
        "catalogue",
        "Service catalogue",
        ":material/menu_book:",
        "catalogue",
        section="Catalogue and staff",
    ),
    PageSpec(
        "pages/catalogue/new.py",
        "service-new",
        "New service",
        ":material/add:",
        "catalogue",
        action="create",
        hidden=True,
    ),
    PageSpec("pages/catalogue/detail.py", "service", "Service", ":material/menu_book:", "catalogue", hidden=True),
    PageSpec("pages/staff/list.py", "staff", "Staff", ":material/badge:", "staff", section="Catalogue and staff"),
    PageSpec(
        "pages/staff/new.py",
        "staff-new",
        "New staff member",
        ":material/person_add:",
        "staff",
        action="create",
        hidden=True,
    ),
    PageSpec("pages/staff/detail.py", "staff-member", "Staff member", ":material/badge:", "staff", hidden=True),
    PageSpec(
        "pages/staff/shifts.py", "shifts", "Shifts", ":material/schedule:", "staff", section="Catalogue and staff"
    ),
    PageSpec(
        "pages/staff/leave.py",
        "leave-requests",
        "Leave requests",
        ":material/beach_access:",
        "leave",
        section="Catalogue and staff",
    ),
    PageSpec(
        "pages/staff/attendance.py",
        "attendance",
        "Attendance",
        ":material/punch_clock:",
        "attendance",
        section="Catalogue and staff",
    ),
    PageSpec(
        "pages/staff/reviews.py",
        "reviews",
        "Performance reviews",
        ":material/star_rate:",
        "reviews",
        section="Catalogue and staff",
    ),
    PageSpec(
        "pages/analytics/dashboard.py",
        "dashboard",
        "Dashboard",
        ":material/monitoring:",
        "dashboards",
        section="Analytics",
    ),
    PageSpec("pages/analytics/kpis.py", "kpis", "KPIs", ":material/speed:", "kpis", section="Analytics"),
    PageSpec(
        "pages/analytics/reports.py", "reports", "Reports", ":material/summarize:", "dashboards", section="Analytics"
    ),
    PageSpec("pages/analytics/data.py", "data", "Data", ":material/dataset:", "data", section="Analytics"),
    PageSpec(
        "pages/analytics/segments.py",
        "segments",
        "Customer segments",
        ":material/groups:",
        "segments",
        section="Analytics",
    ),
    PageSpec(
        "pages/analytics/forecasts.py",
        "forecasts",
        "Forecasts",
        ":material/timeline:",
        "forecasts",
        section="Analytics",
    ),
    PageSpec("pages/stock/items.py", "stock-items", "Stock items", ":material/inventory_2:", "stock", section="Stock"),
    PageSpec(
        "pages/stock/item_new.py",
        "stock-item-new",
        "New stock item",
        ":material/add:",
        "stock",
        action="create",
        hidden=True,
    ),
    PageSpec("pages/stock/item.py", "stock-item", "Stock item", ":material/inventory_2:", "stock", hidden=True),
    PageSpec(
        "pages/stock/receive.py",
        "stock-receive",
        "Receive goods",
        ":material/move_to_inbox:",
        "stock",
        action="create",
        section="Stock",
    ),
    PageSpec(
        "pages/stock/issue.py",
        "stock-issue",
        "Issue and take back",
        ":material/output:",
        "stock",
        action="create",
        section="Stock",
    ),
    PageSpec("pages/stock/ledger.py", "stock-ledger", "Stock ledger", ":material/list_alt:", "stock", section="Stock"),
    PageSpec(
        "pages/stock/low_stock.py",
        "low-stock",
        "Low stock",
        ":material/production_quantity_limits:",
        "purchasing",
        section="Stock",
    ),
    PageSpec(
        "pages/stock/suggestions.py",
        "purchase-suggestions",
        "Purchase suggestions",
        ":material/auto_graph:",
        "purchasing",
        section="Stock",
    ),
    PageSpec(
        "pages/stock/purchase_orders.py",
        "purchase-orders",
        "Purchase orders",
        ":material/shopping_cart:",
        "purchasing",
        section="Stock",
    ),
    PageSpec(
        "pages/stock/purchase_order.py",
        "purchase-order",
        "Purchase order",
        ":material/shopping_cart:",
        "purchasing",
        hidden=True,
    ),
    PageSpec(
        "pages/stock/counts.py", "stock-counts", "Stock counts", ":material/fact_check:", "stock", section="Stock"
    ),
    PageSpec("pages/stock/count.py", "stock-count", "Stock count", ":material/fact_check:", "stock", hidden=True),
    PageSpec(
        "pages/stock/usage.py", "material-usage", "Material usage", ":material/query_stats:", "stock", section="Stock"
    ),
    PageSpec(
        "pages/stock/suppliers.py", "suppliers", "Suppliers", ":material/local_shipping:", "stock", section="Stock"
    ),
    PageSpec(
        "pages/stock/supplier_new.py",
        "supplier-new",
        "New supplier",
        ":material/add:",
        "stock",
        action="create",
        hidden=True,
    ),
    PageSpec("pages/stock/supplier.py", "supplier", "Supplier", ":material/local_shipping:", "stock", hidden=True),
    PageSpec("pages/admin/users.py", "users", "Users", ":material/manage_accounts:", "users", section="Administration"),
    PageSpec("pages/admin/user.py", "user", "User", ":material/person:", "users", hidden=True),
    PageSpec(
        "pages/admin/audit_log.py", "audit-log", "Audit log", ":material/history:", "audit", section="Administration"
    ),
    PageSpec(
        "pages/admin/permissions.py",
        "permissions",
        "Permissions",
        ":material/shield_person:",
        "permissions",
        section="Administration",
    ),
    PageSpec(
        "pages/admin/problems.py",
        "problems",
        "Problem reports",
        ":material/bug_report:",
        "problems",
        section="Administration",
    ),
    PageSpec("pages/admin/backups.py", "backups", "Backups", ":material/backup:", "backups", section="Administration"),
    PageSpec(
        "pages/admin/health.py",
        "health",
        "System health",
        ":material/monitor_heart:",
        "health",
        section="Administration",
    ),
    PageSpec(
        "pages/account/profile.py", "profile", "My profile", ":material/account_circle:", "profile", section="Account"
    ),
    PageSpec(
        "pages/account/leave.py", "my-leave", "My leave", ":material/beach_access:", "timeclock", section="Account"
    ),
    PageSpec(
        "pages/public/track.py",
        "track",
        "Check an order",
        ":material/travel_explore:",
        "public",
        hidden=True,
        public=True,
    ),
)


def visible_specs(actor: Actor) -> list[PageSpec]:
    return [spec for spec in PAGES if spec.public or allowed(actor.roles, spec.module, spec.action)]


def pages_for(actor: Actor) -> dict[str, list[st.Page]]:
    sections: dict[str, list[st.Page]] = {}
    for spec in visible_specs(actor):
        page = st.Page(
            spec.script,
            title=t(spec.title),
            icon=spec.icon,
            url_path=spec.url,
            default=spec.default,
            visibility="hidden" if spec.hidden else "visible",
        )
        sections.setdefault(t(spec.section) if spec.section else "", []).append(page)
    return sections


def login_pages(view: Callable[[], None]) -> list[st.Page]:
    """Every address answers with the login while logged out, so a link survives logging in,
    and no page script (hence no data query) runs before it."""
    return [
        st.Page(spec.script, title=t(spec.title), url_path=spec.url)
        if spec.public
        else st.Page(view, title=t("Log in"), url_path=spec.url, default=spec.default)
        for spec in PAGES
    ]


def page_script(url: str) -> str:
    return next(spec.script for spec in PAGES if spec.url == url)


def link(
    url: str, label: str, *, icon: str | None = None, query_params: dict[str, Any] | None = None, where: Any = None
) -> None:
    """A link to another page, drawn only if the signed-in person may open that page (a link
    to a page their navigation does not hold would break the page showing it)."""
    spec = next(spec for spec in PAGES if spec.url == url)
    actor = st.session_state.get(ACTOR_KEY)
    if spec.public or (actor is not None and allowed(actor.roles, spec.module, spec.action)):
        (where or st).page_link(spec.script, label=label, icon=icon, query_params=query_params)
