"""The analysts' datasets: what each offers (columns, labels, kinds), how it is read from the
columnar snapshot, filtered and masked, and the row limits of one download.

Every dataset is one SQL query over the snapshot; a date range applies to its date and
equality filters to a few of its columns. Instants are given in company wall-clock time.

A customer's phones and email are masked (`core.masking.mask`, 138****5678) for every role
(`core.masking.CONTACT_FIELDS`; in full only one customer at a time, audited); addresses too for
roles that may not edit customers: the fields the audit trail masks (`__audit_masked__` of the
models), the same masking. Text cells that a spreadsheet would run as a formula are quoted in CSV and Excel like
every other export (`core.entities.csv_io`); numbers stay numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.entities.csv_io import FORMULA_START
from core.i18n import Bilingual as B
from core.i18n import Message, msg
from core.masking import CONTACT_FIELDS
from core.models import Customer, Order
from core.permissions import allowed

PREVIEW_ROWS = 100
FILTER_CHOICES = 500  # at most this many values offered for one filter
# Rows one download may hold. CSV and Parquet are written by DuckDB straight to a file (a million
# orders in seconds); an Excel sheet is written cell by cell (about 10 µs a cell: 50,000 rows of
# every order column take some 10 s), so larger extracts go to CSV or Parquet. The file is built
# only when the button is clicked, outside the page's run: the page never waits for it.
LIMITS: dict[str, int] = {"csv": 1_000_000, "parquet": 1_000_000, "xlsx": 50_000}
FORMATS: dict[str, B] = {"csv": B("CSV", "CSV"), "xlsx": B("Excel", "Excel"), "parquet": B("Parquet", "Parquet")}

# The contact fields masked for whoever may not see them in full, per snapshot table.
SENSITIVE: dict[str, frozenset[str]] = {"customers": Customer.__audit_masked__, "orders": Order.__audit_masked__}


def date_error(date_from: date | None, date_to: date | None) -> Message | None:
    """What is wrong with the date range, if anything."""
    if date_from and date_to and date_from > date_to:
        return msg("The start date is after the end date.")
    return None


def over_limit(kind: str, count: int) -> Message | None:
    """Why a download of `count` rows is refused, or None when it is not."""
    if count <= LIMITS[kind]:
        return None
    return msg(
        "{count} rows match: more than the {limit} rows one {format} download may hold. "
        "Narrow the dates or the filters.",
        count=f"{count:,}",
        limit=f"{LIMITS[kind]:,}",
        format=FORMATS[kind],
    )


def sees_addresses(roles: frozenset[str]) -> bool:
    """Addresses in full for those who keep the customer records (may edit customers); phones
    and email are masked for everyone."""
    return allowed(roles, "customers", "edit")


@dataclass(frozen=True)
class Column:
    name: str
    label: B
    sql: str  # expression over the dataset's FROM; "{lang}" becomes en or zh
    kind: str = "text"  # text, int, money, decimal, date, datetime, time, bool (core.analytics.excel.FORMATS)
    origin: tuple[str, str] | None = None  # (snapshot table, column) when it is a contact field
    filter: bool = False  # offered as an equality filter

    @property
    def sensitive(self) -> bool:
        return self.origin is not None and self.origin[1] in SENSITIVE.get(self.origin[0], frozenset())

    @property
    def contact(self) -> bool:
        """A customer's phone or email: masked for every reader."""
        return self.origin is not None and self.origin[0] == "customers" and self.origin[1] in CONTACT_FIELDS

    def expression(self, language: str, masked: bool) -> str:
        """The column's SQL; `masked`: the reader may not see addresses (contacts are masked always)."""
        sql = self.sql.replace("{lang}", "zh" if language == "zh" else "en")
        if self.kind == "datetime":
            sql = f"CAST({sql} AS TIMESTAMP)"  # wall-clock time in the company's zone
        return mask_sql(sql) if self.contact or (masked and self.sensitive) else sql


@dataclass(frozen=True)
class Dataset:
    name: str
    label: B
    source: str  # FROM ... JOIN ...
    date_sql: str  # the DATE the range applies to
    date_label: B
    order: str
    key: str  # the unique row id of the source, to fetch only the previewed rows in full
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def filters(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.filter)

    def choices_from(self, column: Column) -> str:
        """Where a filter's values are listed: the one table its column is in (a DISTINCT over
        that table, not over the whole join, which at a million orders is ten times slower)."""
        tables = {alias: table for table, alias in re.findall(r"(?:^|JOIN )(\w+) (\w+)", self.source)}
        alias = column.sql.split(".", 1)[0]
        return f"{tables[alias]} {alias}" if alias in tables else self.source


def mask_sql(sql: str) -> str:
    """`core.masking.mask` in SQL, so a million rows are masked where they are read."""
    v = f"CAST({sql} AS VARCHAR)"
    return (
        f"CASE WHEN {v} IS NULL THEN NULL "
        f"WHEN strpos({v}, '@') > 0 "
        f"THEN left(split_part({v}, '@', 1), 1) || '***@' || substr({v}, strpos({v}, '@') + 1) "
        f"WHEN length({v}) >= 7 THEN left({v}, 3) || '****' || right({v}, 4) "
        f"WHEN length({v}) > 2 THEN left({v}, 1) || '***' || right({v}, 1) "
        "ELSE '***' END"
    )


def safe_sql(sql: str) -> str:
    """`core.entities.csv_io.safe_cell` in SQL: text a spreadsheet would run gets a leading quote."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_START)
    return f"CASE WHEN left({sql}, 1) IN ({starts}) THEN '''' || {sql} ELSE {sql} END"


def _money(name: str, label: B, sql: str) -> Column:
    return Column(name, label, sql, "money")


ORDERS = Dataset(
    "orders",
    B("Orders", "订单"),
    "orders o JOIN customers c ON c.id = o.customer_id JOIN service_areas a ON a.id = o.area_id "
    "LEFT JOIN staff s ON s.id = o.technician_id",
    "o.requested_date",
    B("Requested date", "预约日期"),
    "o.requested_date, o.id",
    "o.id",
    (
        Column("number", B("Order", "订单号"), "o.number"),
        Column("requested_date", B("Requested date", "预约日期"), "o.requested_date", "date"),
        Column("status", B("Status", "状态"), "o.status", filter=True),
        Column("channel", B("Channel", "渠道"), "o.channel", filter=True),
        Column("customer_code", B("Customer code", "客户编号"), "c.code"),
        Column("customer", B("Customer", "客户"), "c.name"),
        Column("area", B("Area", "区域"), "a.name_{lang}", filter=True),
        Column("address", B("Address", "地址"), "o.address", origin=("orders", "address")),
        Column("technician", B("Technician", "技师"), "s.name", filter=True),
        _money("subtotal", B("Subtotal", "小计"), "o.subtotal"),
        _money("discount", B("Discount", "折扣"), "o.discount_amount"),
        _money("tax", B("Tax", "税额"), "o.tax_amount"),
        _money("total", B("Total", "合计"), "o.total"),
        _money("paid", B("Paid", "已付"), "o.paid"),
        _money("refunded", B("Refunded", "已退"), "o.refunded"),
        Column("rating", B("Rating", "评分"), "o.rating", "int"),
        Column("created_at", B("Created", "创建时间"), "o.created_at", "datetime"),
        Column("completed_at", B("Completed", "完成时间"), "o.completed_at", "datetime"),
        Column("cancel_reason", B("Cancel reason", "取消原因"), "o.cancel_reason"),
    ),
)

ORDER_LINES = Dataset(
    "order_lines",
    B("Order lines", "订单明细"),
    "order_lines l JOIN orders o ON o.id = l.order_id JOIN service_areas a ON a.id = o.area_id",
    "o.requested_date",
    B("Requested date", "预约日期"),
    "o.requested_date, l.order_id, l.id",
    "l.id",
    (
        Column("order", B("Order", "订单号"), "o.number"),
        Column("requested_date", B("Requested date", "预约日期"), "o.requested_date", "date"),
        Column("status", B("Status", "状态"), "o.status", filter=True),
        Column("area", B("Area", "区域"), "a.name_{lang}", filter=True),
        Column("service_code", B("Service code", "服务编号"), "l.service_code", filter=True),
        Column("service", B("Service", "服务"), "l.name_{lang}"),
        Column("unit", B("Unit", "单位"), "l.unit"),
        _money("unit_price", B("Unit price", "单价"), "l.unit_price"),
        Column("quantity", B("Quantity", "数量"), "l.quantity", "decimal"),
        Column("minutes", B("Minutes", "分钟"), "l.minutes", "int"),
        _money("amount", B("Amount", "金额"), "l.amount"),
    ),
)

CUSTOMERS = Dataset(
    "customers",
    B("Customers", "客户"),
    "customers c JOIN service_areas a ON a.id = c.area_id",
    "c.created_day",
    B("Created", "创建时间"),
    "c.id",
    "c.id",
    (
        Column("code", B("Code", "编号"), "c.code"),
        Column("kind", B("Kind", "类型"), "c.kind", filter=True),
        Column("name", B("Name", "名称"), "c.name"),
        Column("contact_person", B("Contact person", "联系人"), "c.contact_person"),
        Column("phone", B("Phone", "电话"), "c.phone", origin=("customers", "phone")),
        Column("phone_alt", B("Other phone", "备用电话"), "c.phone_alt", origin=("customers", "phone_alt")),
        Column("email", B("Email", "邮箱"), "c.email", origin=("customers", "email")),
        Column("address", B("Address", "地址"), "c.address", origin=("customers", "address")),
        Column("area", B("Area", "区域"), "a.name_{lang}", filter=True),
        Column("source", B("Source channel", "来源渠道"), "c.source", filter=True),
        Column("created_at", B("Created", "创建时间"), "c.created_at", "datetime"),
        Column("archived_at", B("Archived", "归档时间"), "c.archived_at", "datetime"),
    ),
)

PAYMENTS = Dataset(
    "payments",
    B("Payments", "收款"),
    "payments p JOIN orders o ON o.id = p.order_id",
    "p.received_day",
    B("Received", "收款时间"),
    "p.received_at, p.id",
    "p.id",
    (
        Column("order", B("Order", "订单号"), "o.number"),
        Column("kind", B("Kind", "类型"), "p.kind", filter=True),
        Column("method", B("Method", "方式"), "p.method", filter=True),
        _money("amount", B("Amount", "金额"), "p.amount"),
        Column("reference", B("Reference", "参考号"), "p.reference"),
        Column("reason", B("Reason", "原因"), "p.reason"),
        Column("received_at", B("Received", "收款时间"), "p.received_at", "datetime"),
    ),
)

STOCK_MOVEMENTS = Dataset(
    "stock_movements",
    B("Stock movements", "库存流水"),
    "stock_movements m JOIN items i ON i.id = m.item_id LEFT JOIN orders o ON o.id = m.order_id "
    "LEFT JOIN purchase_orders po ON po.id = m.purchase_order_id",
    "m.at_day",
    B("When", "时间"),
    "m.at, m.id",
    "m.id",
    (
        Column("at", B("When", "时间"), "m.at", "datetime"),
        Column("sku", B("SKU", "物料编号"), "i.sku"),
        Column("item", B("Item", "物料"), "i.name_{lang}"),
        Column("category", B("Category", "类别"), "i.category", filter=True),
        Column("kind", B("Kind", "类型"), "m.kind", filter=True),
        Column("quantity", B("Quantity", "数量"), "m.quantity", "decimal"),
        _money("unit_cost", B("Unit cost", "单位成本"), "m.unit_cost"),
        Column("balance_after", B("Balance after", "结存"), "m.balance_after", "decimal"),
        Column("actor", B("By", "操作人"), "m.actor_name"),
        Column("reason", B("Reason", "原因"), "m.reason"),
        Column("order", B("Order", "订单号"), "o.number"),
        Column("purchase_order", B("Purchase order", "采购单"), "po.number"),
    ),
)

PURCHASE_ORDERS = Dataset(
    "purchase_orders",
    B("Purchase orders", "采购单"),
    "purchase_orders po LEFT JOIN (SELECT purchase_order_id, count(*) AS lines, "
    "sum(quantity * unit_cost) AS value, sum(received * unit_cost) AS received_value "
    "FROM purchase_order_lines GROUP BY purchase_order_id) pl ON pl.purchase_order_id = po.id",
    "po.created_day",
    B("Created", "创建时间"),
    "po.created_at, po.id",
    "po.id",
    (
        Column("number", B("Purchase order", "采购单"), "po.number"),
        Column("status", B("Status", "状态"), "po.status", filter=True),
        Column("supplier_id", B("Supplier ID", "供应商ID"), "po.supplier_id", "int"),
        Column("lines", B("Lines", "行数"), "coalesce(pl.lines, 0)", "int"),
        _money("value", B("Value", "金额"), "CAST(coalesce(pl.value, 0) AS DECIMAL(18, 2))"),
        _money(
            "received_value", B("Received value", "已收金额"), "CAST(coalesce(pl.received_value, 0) AS DECIMAL(18, 2))"
        ),
        Column("created_at", B("Created", "创建时间"), "po.created_at", "datetime"),
        Column("approved_at", B("Approved", "批准时间"), "po.approved_at", "datetime"),
        Column("ordered_at", B("Ordered", "下单时间"), "po.ordered_at", "datetime"),
        Column("expected_on", B("Expected", "预计到货"), "po.expected_on", "date"),
        Column("cancel_reason", B("Cancel reason", "取消原因"), "po.cancel_reason"),
    ),
)

ATTENDANCE = Dataset(
    "attendance",
    B("Attendance", "考勤"),
    "attendance t JOIN staff s ON s.id = t.staff_id",
    "t.clock_in_day",
    B("Clock in", "上班打卡"),
    "t.clock_in, t.id",
    "t.id",
    (
        Column("employee_no", B("Employee no.", "工号"), "s.employee_no"),
        Column("staff", B("Name", "姓名"), "s.name"),
        Column("team", B("Team", "班组"), "s.team", filter=True),
        Column("clock_in", B("Clock in", "上班打卡"), "t.clock_in", "datetime"),
        Column("clock_out", B("Clock out", "下班打卡"), "t.clock_out", "datetime"),
        Column(
            "hours",
            B("Hours", "工时"),
            "CAST(date_diff('minute', t.clock_in, t.clock_out) / 60 AS DECIMAL(18, 2))",
            "decimal",
        ),
        Column("correction_reason", B("Correction reason", "更正原因"), "t.correction_reason"),
    ),
)

REVIEWS = Dataset(
    "reviews",
    B("Performance reviews", "绩效评估"),
    "reviews r JOIN staff s ON s.id = r.staff_id",
    "r.period_to",
    B("Period end", "考核期末"),
    "r.period_to, r.id",
    "r.id",
    (
        Column("employee_no", B("Employee no.", "工号"), "s.employee_no"),
        Column("staff", B("Name", "姓名"), "s.name"),
        Column("team", B("Team", "班组"), "s.team", filter=True),
        Column("period_from", B("Period start", "考核期初"), "r.period_from", "date"),
        Column("period_to", B("Period end", "考核期末"), "r.period_to", "date"),
        Column("score", B("Score", "得分"), "r.score", "decimal"),
        Column("status", B("Status", "状态"), "r.status", filter=True),
        Column("finalised_at", B("Finalised", "定稿时间"), "r.finalised_at", "datetime"),
        Column("comments", B("Comments", "评语"), "r.comments"),
    ),
)

DATASETS: dict[str, Dataset] = {
    d.name: d for d in (ORDERS, ORDER_LINES, CUSTOMERS, PAYMENTS, STOCK_MOVEMENTS, PURCHASE_ORDERS, ATTENDANCE, REVIEWS)
}


@dataclass(frozen=True)
class Query:
    """What an analyst asked for. Columns empty: all of them."""

    dataset: str
    columns: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    filters: dict[str, tuple[Any, ...]] = field(default_factory=dict)


def where(dataset: Dataset, query: Query, language: str) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters (filters without values are ignored)."""
    parts, params = ["TRUE"], []
    if query.date_from is not None:
        parts.append(f"{dataset.date_sql} >= ?")
        params.append(query.date_from)
    if query.date_to is not None:
        parts.append(f"{dataset.date_sql} <= ?")
        params.append(query.date_to)
    for name, values in query.filters.items():
        column = dataset.column(name)
        if column is None or not column.filter or not values:
            continue
        parts.append(f"{column.expression(language, False)} IN ({', '.join('?' for _ in values)})")
        params.extend(values)
    return " AND ".join(parts), params


def select_sql(dataset: Dataset, columns: tuple[Column, ...], language: str, masked: bool, *, guard: bool) -> str:
    """SELECT of the chosen columns, aliased by name; `guard` quotes formula-like text."""
    parts = []
    for column in columns:
        expression = column.expression(language, masked)
        if guard and column.kind == "text":
            expression = safe_sql(f"CAST({expression} AS VARCHAR)")
        parts.append(f'{expression} AS "{column.name}"')
    return f"SELECT {', '.join(parts)} FROM {dataset.source}"
