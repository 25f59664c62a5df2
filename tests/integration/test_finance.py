"""The money reports: receivables by age, and the settlement report and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from core import db
from core.actor import SYSTEM
from core.clock import at, today, utcnow
from core.models import Order, Payment
from core.services import finance, payments
from tests.integration.order_support import finish, pay, scheduled

# --- Receivables -------------------------------------------------------------------------


def completed_on(order_id: int, days_ago: int) -> None:
    with db.writing(SYSTEM) as session:
        session.execute(
            update(Order).where(Order.id == order_id).values(completed_at=utcnow() - timedelta(days=days_ago))
        )
        session.commit()


def test_receivables_list_completed_unpaid_orders_with_their_age_bucket_and_overdue_flag(
    clerk, manager, area, customer, carpet, liu_staff
):
    fresh = finish(manager, scheduled(clerk, customer, area, carpet))
    old = finish(manager, scheduled(clerk, customer, area, carpet))
    older = finish(manager, scheduled(clerk, customer, area, carpet))
    pay(clerk, older, "69.60")
    settled = finish(manager, scheduled(clerk, customer, area, carpet))
    pay(clerk, settled, "169.60")
    open_job = scheduled(clerk, customer, area, carpet)
    completed_on(old["id"], 45)
    completed_on(older["id"], 120)
    found = finance.receivables(actor=clerk)
    rows = {row["number"]: row for row in found["rows"]}
    assert set(rows) == {fresh["number"], old["number"], older["number"]}
    assert settled["number"] not in rows and open_job["number"] not in rows
    assert [row["number"] for row in found["rows"]] == [older["number"], old["number"], fresh["number"]]
    assert (rows[old["number"]]["bucket"], rows[old["number"]]["overdue"]) == ("31-60", True)
    assert (rows[older["number"]]["bucket"], rows[older["number"]]["balance"]) == ("90+", Decimal("100.00"))
    assert (rows[fresh["number"]]["bucket"], rows[fresh["number"]]["overdue"]) == ("0-30", False)
    assert found["buckets"] == {
        "0-30": Decimal("169.60"),
        "31-60": Decimal("169.60"),
        "61-90": Decimal(0),
        "90+": Decimal("100.00"),
    }
    assert found["overdue"] == Decimal("269.60")


def test_an_order_is_overdue_only_after_the_payment_terms(clerk, manager, area, customer, carpet, liu_staff):
    order = finish(manager, scheduled(clerk, customer, area, carpet))
    terms = finance.receivables(actor=clerk)["terms_days"]
    on_the_day = finance.receivables(actor=clerk, as_of=today() + timedelta(days=terms))["rows"][0]
    after = finance.receivables(actor=clerk, as_of=today() + timedelta(days=terms + 1))["rows"][0]
    assert (on_the_day["number"], on_the_day["overdue"], after["overdue"]) == (order["number"], False, True)


def test_ageing_follows_the_company_s_today(monkeypatch, clerk, manager, area, customer, carpet, liu_staff):
    finish(manager, scheduled(clerk, customer, area, carpet))
    monkeypatch.setattr("core.services.finance.today", lambda: today() + timedelta(days=61))
    row = finance.receivables(actor=clerk)["rows"][0]
    assert (row["age_days"], row["bucket"], row["overdue"]) == (61, "61-90", True)


# --- Settlement --------------------------------------------------------------------------


def test_settlement_sums_each_day_and_method_with_refunds_and_net(clerk, manager, area, customer, carpet, liu_staff):
    first = scheduled(clerk, customer, area, carpet)
    second = scheduled(clerk, customer, area, carpet)
    pay(clerk, first, "100", "cash")
    pay(clerk, second, "50.50", "cash")
    pay(clerk, second, "20", "wechat")
    payments.refund(actor=manager, order_id=first["id"], amount="30", method="cash", reason="折让")
    report = finance.settlement(actor=clerk, date_from=today(), date_to=today())
    assert report == [
        {
            "day": today(),
            "method": "cash",
            "payments": 2,
            "received": Decimal("150.50"),
            "refunded": Decimal("30.00"),
            "net": Decimal("120.50"),
        },
        {
            "day": today(),
            "method": "wechat",
            "payments": 1,
            "received": Decimal("20.00"),
            "refunded": Decimal(0),
            "net": Decimal("20.00"),
        },
    ]
    assert (
        finance.settlement(actor=clerk, date_from=today() - timedelta(days=7), date_to=today() - timedelta(days=1))
        == []
    )


def test_a_payment_just_after_midnight_counts_on_the_company_s_day(clerk, area, customer, carpet, liu_staff):
    order = scheduled(clerk, customer, area, carpet)
    pay(clerk, order, "10")
    with db.writing(SYSTEM) as session:  # 00:30 in Shanghai is 16:30 UTC the day before
        session.execute(update(Payment).values(received_at=at(today(), time(0, 30))))
        session.commit()
    assert [row["day"] for row in finance.settlement(actor=clerk, date_from=today(), date_to=today())] == [today()]
    assert (
        finance.settlement(actor=clerk, date_from=today() - timedelta(days=1), date_to=today() - timedelta(days=1))
        == []
    )


@pytest.mark.parametrize(
    ("language", "header", "method"),
    [
        ("en", "day,method,payments,received,refunded,net", "WeChat Pay"),
        ("zh", "日期,支付方式,笔数,收款,退款,净额", "微信支付"),
    ],
)
def test_the_settlement_csv_has_a_header_in_the_reader_s_language(
    clerk, area, customer, carpet, liu_staff, language, header, method
):
    order = scheduled(clerk, customer, area, carpet)
    pay(clerk, order, "20", "wechat")
    data = finance.settlement_csv(actor=clerk, date_from=today(), date_to=today(), language=language)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert ",".join(rows[0]) == header
    assert rows[1:] == [[today().isoformat(), method, "1", "20.00", "0.00", "20.00"]]
