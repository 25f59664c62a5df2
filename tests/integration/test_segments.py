"""RFM segments on a hand-made history of ten scored customers (scores, segments, summary and
movement worked out by hand in the comments), on both databases, and the bad input refused."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from core import db
from core.actor import SYSTEM
from core.analytics import segments as rules
from core.clock import at, utcnow
from core.errors import PermissionDenied, ValidationFailed
from core.models import AuditEntry, Customer
from core.services import segments
from core.services.customers import customers as customer_services
from tests.factories import make_customer, make_user
from tests.integration.order_support import count
from tests.integration.test_kpis import order

AS_OF = date(2026, 6, 30)
D = date

# name: (kind, [(created day, total, refunded)]) — every order counted unless said otherwise.
HISTORY: dict[str, tuple[str, list[tuple[date, str, str]]]] = {
    # 6 orders, 6000 net (one refund of 200); last 28 June: recency 2
    "A": ("person", [(D(2026, m, 5), "1000", "0") for m in range(1, 6)] + [(D(2026, 6, 28), "1200", "200")]),
    # 5 × 800 on the 25th of February to June: recency 5 (its cancelled order of 29 June does not count)
    "B": ("person", [(D(2026, m, 25), "800", "0") for m in range(2, 7)]),
    "C": ("person", [(D(2026, m, 20), "375", "0") for m in range(3, 7)]),  # 4 orders, 1500, recency 10
    "D": ("person", [(D(2026, 6, 15), "300", "0"), (D(2026, 7, 10), "450", "0")]),  # 1 by 30 June, recency 15
    "E": ("person", [(D(2026, 5, 1), "250", "0"), (D(2026, 6, 1), "250", "0")]),  # 2, 500, recency 29
    "F": ("person", [(D(2026, m, 1), "300", "0") for m in range(3, 6)]),  # 3, 900, recency 60
    # 7 monthly orders Sep 2025 – Mar 2026, 8000: recency 121
    "G": (
        "company",
        [(D(2025, 9 + i, 1) if i < 4 else D(2026, i - 3, 1), "1100", "0") for i in range(6)]
        + [(D(2026, 3, 1), "1400", "0")],
    ),
    "H": ("company", [(D(2025, 12, 1), "200", "0"), (D(2026, 1, 1), "200", "0"), (D(2026, 2, 1), "300", "0")]),
    "I": ("person", [(D(2026, 1, 10), "100", "0")]),  # recency 171
    "J": ("company", [(D(2025, 12, 1), "50", "0")]),  # recency 211
    "K": ("person", []),  # only a cancelled order: not scored
}
# Scores as of 30 June, 1 + (5 × (rank − 1)) // 10 (ranks 1–2 → 1, 3–4 → 2, ... 9–10 → 5):
# recency (longest first): J I H G F E D C B A; frequency: D I J (1 order, rank 1) E (rank 4) F H (rank 5)
# C (7) B (8) A (9) G (10); monetary: J I D E H F C B A G.
SCORES = {
    "A": (5, 5, 5, "champions"),
    "B": (5, 4, 4, "champions"),
    "C": (4, 4, 4, "champions"),
    "D": (4, 1, 2, "new"),
    "E": (3, 2, 2, "promising"),
    "F": (3, 3, 3, "loyal"),
    "G": (2, 5, 5, "cant_lose"),
    "H": (2, 3, 3, "at_risk"),
    "I": (1, 1, 1, "lost"),
    "J": (1, 1, 1, "lost"),
}


def build_history(area: int) -> dict[str, int]:
    """The customers above (created 1 June 2025), L created today without orders, and an archived
    customer with large orders that must be left out everywhere."""
    ids: dict[str, int] = {}
    for i, (name, (kind, orders)) in enumerate(HISTORY.items()):
        extra: dict[str, Any] = {"contact_person": "李经理"} if kind == "company" else {}
        ids[name] = make_customer(area, name=f"客户{name}", kind=kind, phone=f"139 0000 00{i:02d}", **extra)["id"]
        for day, total, refunded in orders:
            order(ids[name], area, day, day + timedelta(days=1), "paid", total, refunded=Decimal(refunded))
    order(ids["B"], area, D(2026, 6, 29), D(2026, 7, 1), "cancelled", "99999")
    order(ids["K"], area, D(2026, 5, 5), D(2026, 5, 6), "cancelled", "120")
    with db.writing(SYSTEM) as session:
        session.execute(
            update(Customer)
            .where(Customer.id.in_(ids.values()))
            .values(created_at=at(D(2025, 6, 1), time(9)), updated_at=utcnow(), version=Customer.version + 1)
        )
        session.commit()
    ids["L"] = make_customer(area, name="客户L", phone="139 0000 0099")["id"]
    gone = make_customer(area, name="已归档", phone="139 0000 0098")
    for month in range(1, 7):
        order(gone["id"], area, D(2026, month, 2), D(2026, month, 3), "paid", "50000")
    customer_services.archive(actor=SYSTEM, record_id=gone["id"], expected_version=gone["version"])
    return ids


@pytest.fixture
def history(area) -> dict[str, int]:
    return build_history(area)


@pytest.fixture
def analyst(store):
    return make_user("analyst1", "analyst")


def test_scores_and_segments_by_hand(history, analyst):
    page = segments.customers(actor=analyst, as_of=AS_OF, per_page=50, sort="recent")
    assert page["total"] == 10 and page["pages"] == 1
    by_name = {row["name"][-1]: row for row in page["rows"]}
    assert {n: (r["r"], r["f"], r["m"], r["segment"]) for n, r in by_name.items()} == SCORES
    a = by_name["A"]
    assert (a["orders"], a["monetary"], a["recency_days"], a["last_order_day"]) == (
        6,
        Decimal("6000.00"),
        2,
        D(2026, 6, 28),
    )
    assert by_name["B"]["monetary"] == Decimal("4000.00")  # the cancelled 99,999 left out
    assert by_name["D"]["orders"] == 1  # its July order is after the date
    assert [r["name"][-1] for r in page["rows"]] == list("ABCDEFGHIJ")  # most recent first


def test_summary_and_revenue_share(history, analyst):
    board = segments.overview(actor=analyst, as_of=AS_OF, period_days=91)
    rows = {row["key"]: row for row in board["segments"]}
    assert [row["key"] for row in board["segments"]] == [s.key for s in rules.SEGMENTS]
    assert {k: (r["customers"], r["revenue"]) for k, r in rows.items()} == {
        "champions": (3, Decimal("11500.00")),
        "loyal": (1, Decimal("900.00")),
        "new": (1, Decimal("300.00")),
        "promising": (1, Decimal("500.00")),
        "cant_lose": (1, Decimal("8000.00")),
        "at_risk": (1, Decimal("700.00")),
        "hibernating": (0, Decimal("0")),
        "lost": (2, Decimal("150.00")),
    }
    assert board["customers"] == 10 and board["revenue"] == Decimal("22050.00")
    assert rows["champions"]["revenue_share"] == pytest.approx(11500 / 22050)
    assert rows["champions"]["customer_share"] == pytest.approx(0.3)
    assert rows["lost"]["average_recency"] == pytest.approx((171 + 211) / 2)
    assert board["unscored"] == 1  # K; L was created after the date
    assert segments.overview(actor=analyst)["unscored"] == 2  # today: K and L


def test_movement_since_the_previous_date(history, analyst):
    """As of 31 March (91 days before): A 3 orders, B 2, C F I J 1, G 7, H 3; recency (longest
    first) J I H F=G A C B; 8 scored: A champions, B loyal, C new, F hibernating (R2 F1),
    G can't lose, H at risk (M3), I J lost. D and E had not ordered yet."""
    moved = segments.overview(actor=analyst, as_of=AS_OF, period_days=91)["movement"]
    assert moved["previous"] == D(2026, 3, 31)
    moves = {(b, n): c for b, row in moved["matrix"].items() for n, c in row.items() if c}
    assert moves == {
        ("champions", "champions"): 1,
        ("loyal", "champions"): 1,
        ("new", "champions"): 1,
        ("hibernating", "loyal"): 1,
        ("cant_lose", "cant_lose"): 1,
        ("at_risk", "at_risk"): 1,
        ("lost", "lost"): 2,
    }
    assert {k: v for k, v in moved["new_since"].items() if v} == {"new": 1, "promising": 1}


def test_ids_and_campaign_rows(history, analyst, clerk):
    ids = segments.segment_customer_ids(actor=analyst, segment="champions", as_of=AS_OF)
    assert ids == sorted(history[n] for n in "ABC")
    assert segments.segment_customer_ids(actor=analyst, segment="hibernating", as_of=AS_OF) == []
    before = count(AuditEntry)
    masked = segments.campaign_rows(actor=analyst, segment="lost", as_of=AS_OF)
    assert masked["masked"] and len(masked["rows"]) == 2 and count(AuditEntry) == before + 1
    assert [r["name"] for r in masked["rows"]] == ["客户I", "客户J"]  # higher expected value first
    # I: one order of 100, 171 days ago; g = 92/3 (persons' typical gap), k 1; q = 46/1141 = 0.040316;
    # S = 1 / (1 + 171 × 3/92) = 92/605 = 0.152066; alive = 0.959684 × 0.152066 / (0.145935 + 0.040316) = 0.783542;
    # over the default 180 days Z = (92/3 + 171) / (92/3 + 351) = 605/1145 = 0.528384, risk = 1 − 0.783542 ×
    # 0.471616 = 0.6305; value 100 × 0.783542 × 365 × 3/92 = 932.59 (J: 50 × 0.751 × 365 / 30.58 ≈ 448, so I first).
    assert (masked["rows"][0]["churn_risk"], masked["rows"][0]["lifetime_value"]) == (0.6305, Decimal("932.59"))
    assert all("****" in r["phone"] and r["email"].startswith("z***@") for r in masked["rows"])
    assert masked["rows"][0]["segment"] == "Lost" and masked["rows"][0]["monetary"] == Decimal("100.00")
    full = segments.campaign_rows(actor=clerk, segment="lost", as_of=AS_OF, language="zh")
    assert not full["masked"] and full["rows"][0]["segment"] == "已流失客户"  # not masked: the addresses
    assert "****" in full["rows"][0]["phone"] and "****" not in full["rows"][0]["address"]  # contacts: for everyone
    assert dict(full["columns"])["phone"] == "电话"


def test_segment_map_covers_every_score():
    found = {rules.segment_of(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}
    assert found == set(rules.BY_KEY)
    assert rules.segment_of(2, 2, 5) == "hibernating" and rules.segment_of(1, 2, 5) == "lost"
    assert rules.segment_of(2, 5, 3) == "at_risk" and rules.segment_of(2, 4, 4) == "cant_lose"
    assert rules.segment_of(5, 1, 5) == "new" and rules.segment_of(3, 1, 1) == "promising"


def test_bad_input_is_refused(history, analyst):
    for call, field in (
        (lambda: segments.overview(actor=analyst, as_of=date(2099, 1, 1)), "as_of"),
        (lambda: segments.overview(actor=analyst, as_of=D(2025, 8, 31)), "as_of"),  # first order 1 Sep 2025
        (lambda: segments.overview(actor=analyst, period_days=0), "period_days"),
        (lambda: segments.overview(actor=analyst, as_of="2026-06-30"), "as_of"),  # type: ignore[arg-type]
        (lambda: segments.customers(actor=analyst, segment="vip"), "segment"),
        (lambda: segments.customers(actor=analyst, page=0), "page"),
        (lambda: segments.customers(actor=analyst, sort="name"), "sort"),
        (lambda: segments.segment_customer_ids(actor=analyst, segment=None), "segment"),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValidationFailed) as refused:
            call()
        assert list(refused.value.errors) == [field]
    with pytest.raises(ValidationFailed) as early:
        segments.overview(actor=analyst, as_of=D(2025, 8, 31))
    assert str(early.value.errors["as_of"]) == "The first order was placed on 2025-09-01: choose that day or later."


def test_no_customers_and_no_orders(store, area):
    analyst = make_user("analyst1", "analyst")
    with pytest.raises(ValidationFailed) as empty:
        segments.overview(actor=analyst)
    assert str(empty.value.errors["as_of"]) == "There are no customers yet."
    make_customer(area)
    with pytest.raises(ValidationFailed) as none:
        segments.customers(actor=analyst)
    assert str(none.value.errors["as_of"]) == "No customer has placed an order yet."


def test_technicians_may_not_see_segments(store):
    with pytest.raises(PermissionDenied):
        segments.overview(actor=make_user("tech", "technician"))
