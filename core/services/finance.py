"""For finance: what customers still owe (aged 0–30, 31–60, 61–90, 90+ days) and what was
received each day by each method (the settlement report, also as CSV)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core import db
from core.actor import Actor
from core.ageing import BUCKETS, age_bucket
from core.clock import at, local, today
from core.config import get_settings
from core.entities.csv_io import safe_cell
from core.masking import mask
from core.models import Customer, Order, Payment
from core.order_rules import balance
from core.permissions import service
from core.services.payments import METHODS


@service("finance", "view")
def receivables(*, actor: Actor, as_of: date | None = None) -> dict[str, Any]:
    """Completed orders with money still due, oldest first, with their age bucket."""
    as_of = as_of or today()
    terms = get_settings().payment_terms_days
    with db.reading() as session:
        found = session.execute(
            select(Order, Customer)
            .join(Customer, Customer.id == Order.customer_id)
            .where(Order.status == "completed", Order.total - Order.paid > 0)
            .order_by(Order.completed_at)
        ).all()
    rows = []
    totals: dict[str, Decimal] = {name: Decimal(0) for name, _low, _high in BUCKETS}
    for order, customer in found:
        done = local(order.completed_at).date() if order.completed_at else order.requested_date
        age = max(0, (as_of - done).days)
        due = balance(order)
        totals[age_bucket(age)] += due
        rows.append(
            {
                "id": order.id,
                "number": order.number,
                "customer_name": customer.name,
                "customer_phone": mask(customer.phone) if customer.phone else customer.phone,
                "completed_on": done,
                "age_days": age,
                "bucket": age_bucket(age),
                "overdue": age > terms,
                "total": order.total,
                "balance": due,
            }
        )
    return {
        "rows": rows,
        "buckets": totals,
        "overdue": sum((r["balance"] for r in rows if r["overdue"]), Decimal(0)),
        "terms_days": terms,
    }


def _settlement_rows(date_from: date, date_to: date) -> list[dict[str, Any]]:
    begin, end = at(date_from, datetime.min.time()), at(date_to + timedelta(days=1), datetime.min.time())
    with db.reading() as session:
        found = session.execute(
            select(Payment).where(Payment.received_at >= begin, Payment.received_at < end)
        ).scalars()
        grouped: dict[tuple[date, str], dict[str, Any]] = defaultdict(
            lambda: {"payments": 0, "received": Decimal(0), "refunded": Decimal(0)}
        )
        for payment in found:
            line = grouped[(local(payment.received_at).date(), payment.method)]
            if payment.kind == "refund":
                line["refunded"] += payment.amount
            else:
                line["payments"] += 1
                line["received"] += payment.amount
    return [
        {"day": day, "method": method, **line, "net": line["received"] - line["refunded"]}
        for (day, method), line in sorted(grouped.items())
    ]


@service("finance", "view")
def settlement(*, actor: Actor, date_from: date, date_to: date) -> list[dict[str, Any]]:
    """Per day and payment method: how many payments, received, refunded and net."""
    return _settlement_rows(date_from, date_to)


@service("finance", "view")
def settlement_csv(*, actor: Actor, date_from: date, date_to: date, language: str = "en") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    headers = {
        "en": ["day", "method", "payments", "received", "refunded", "net"],
        "zh": ["日期", "支付方式", "笔数", "收款", "退款", "净额"],
    }
    writer.writerow(headers.get(language, headers["en"]))
    for row in _settlement_rows(date_from, date_to):
        writer.writerow(
            [
                row["day"].isoformat(),
                safe_cell(METHODS[row["method"]].get(language)),
                row["payments"],
                f"{row['received']:.2f}",
                f"{row['refunded']:.2f}",
                f"{row['net']:.2f}",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
