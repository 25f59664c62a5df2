"""Churn risk, lifetime value and the backtest on the hand-made history of test_segments, on
both databases; intervals, risks and the AUC worked out by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.analytics import churn as rules
from core.clock import today
from core.errors import ValidationFailed
from core.services import segments
from tests.factories import make_customer, make_user
from tests.integration.test_kpis import order
from tests.integration.test_segments import AS_OF, build_history

# As of 30 June. Own gaps (spans in days / gaps): A 174/5, B 120/4, C 92/3, E 31/1, F 61/2 (persons), G 181/6,
# H 62/2 (companies). Typical gap T: persons' median own mean gap 92/3 (C: of 30, 30.5, 30.67, 31, 34.8), companies'
# (181/6 + 31) / 2 = 30.583. Usual interval g = (span + T) / (gaps + 1), k = gaps + 1: e.g. A (174 + 92/3) / 6 =
# 307/9 = 34.11, k 6; C (92 + 92/3) / 4 = 92/3; single-order D, I: T = 92/3, k 1; J: 30.583, k 1.
PERSONS, COMPANIES = 92 / 3, (181 / 6 + 31) / 2
EXPECTED = {  # name: (days since the last order, own span, own gaps, typical gap, own interval)
    "A": (2, 174, 5, PERSONS, True),
    "B": (5, 120, 4, PERSONS, True),
    "C": (10, 92, 3, PERSONS, True),
    "D": (15, 0, 0, PERSONS, False),
    "E": (29, 31, 1, PERSONS, True),
    "F": (60, 61, 2, PERSONS, True),
    "G": (121, 181, 6, COMPANIES, True),
    "H": (149, 62, 2, COMPANIES, True),
    "I": (171, 0, 0, PERSONS, False),
    "J": (211, 0, 0, COMPANIES, False),
}


def by_hand(days: float, span: float, gaps: int, typical: float, horizon: int) -> tuple[float, float, float]:
    """The docstring's formulas written out again, independently of core.analytics.churn:
    (usual interval g, P(alive), risk of no order within `horizon` days)."""
    k = gaps + 1
    g = (span + typical) / k
    q = g / (g + 730)  # chance of leaving before the next order, against a two-year stay
    silent = (1 + days / (k * g)) ** -k
    alive = (1 - q) * silent / ((1 - q) * silent + q)
    quiet = ((k * g + days) / (k * g + days + horizon)) ** k
    return g, alive, 1 - alive + alive * quiet


@pytest.fixture
def history(area) -> dict[str, int]:
    return build_history(area)


@pytest.fixture
def analyst(store):
    return make_user("analyst1", "analyst")


def test_risk_and_lifetime_value_by_hand(history, analyst):
    found = segments.churn(actor=analyst, as_of=AS_OF, horizon_days=90)
    rows = {row["name"][-1]: row for row in found["rows"]}
    # Risks over 90 days: J .796 I .758 H .650 G .590 D .376 F .367 E .314 C .174 A .156 B .144. The one-order D
    # is riskier than the regular F and E: one order says little about whether they come back.
    assert [row["name"][-1] for row in found["rows"]] == list("JIHGDFECAB")  # riskiest first
    for name, (days, span, gaps, typical, own) in EXPECTED.items():
        row = rows[name]
        gap, _alive, risk = by_hand(days, span, gaps, typical, 90)
        assert (row["recency_days"], row["own_interval"]) == (days, own), name
        assert row["usual_interval_days"] == pytest.approx(gap), name
        assert row["churn_risk"] == pytest.approx(risk), name
    # D, one order of 300, 15 days ago: g 92/3, k 1; q = (92/3) / (92/3 + 730) = 46/1141 = 0.040316;
    # S = 1 / (1 + 15 / (92/3)) = 92/137 = 0.671533; alive = 0.959684 × 0.671533 / (0.644460 + 0.040316) = 0.941126;
    # Z = (92/3 + 15) / (92/3 + 15 + 90) = 137/407 = 0.336609; risk = 1 − 0.941126 × (1 − 0.336609) = 0.375666.
    assert rows["D"]["churn_risk"] == pytest.approx(0.375666, abs=1e-6)
    # Its value: 300 × 0.941126 × 365 / (92/3) = 3360.43
    assert rows["D"]["lifetime_value"] == Decimal("3360.43")
    # A, 1000 an order on average, g 307/9, k 6, 2 days ago: q = 307/6877 = 0.044642; S = (1 + 2 / (6 × 307/9))^−6 =
    # 0.943322; alive = 0.955358 × 0.943322 / (0.901209 + 0.044642) = 0.952803; 1000 × 0.952803 × 365 × 9/307 = 10195.30
    assert rows["A"]["lifetime_value"] == Decimal("10195.30")


def test_backtest_by_hand(history, analyst):
    """As of 31 March, 8 scored. Typical gaps: persons 28.75 (median of A 59/2 and B 28), companies 30.583.
    A (span 59, 2 gaps, 26 days: g 29.25, k 3), B (28, 1, 6 days: g 28.375, k 2), C F I (one order: 28.75, k 1;
    11, 30, 80 days), G (181, 6, 30 days: g 30.226, k 7), H (62, 2, 58 days: g 30.861, k 3), J (one order: 30.583,
    k 1; 120 days). Nobody of G H I J ordered in the 90 days after: churned. Risks over 90 days: J .690 I .606
    F .440 H .361 C .342 A .240 B .207 G .194. G, a monthly customer seen a usual interval ago, looks safest and
    H sits below the one-order F: of the 16 churned × returned pairs, (G, A B C F) and (H, F) are ranked wrong:
    AUC 11/16."""
    result = segments.backtest(actor=analyst, as_of=date(2026, 3, 31), horizon_days=90)
    assert (result["customers"], result["churned"], result["returned"]) == (8, 4, 4)
    assert result["until"] == date(2026, 6, 29)
    assert result["auc"] == pytest.approx(11 / 16)
    assert result["churned_share"] == 0.5
    assert (result["top_decile_customers"], result["top_decile_churned_share"]) == (1, 1.0)  # J
    assert result["problem"] is None
    persons, companies = 28.75, (181 / 6 + 31) / 2
    g_risk = by_hand(30, 181, 6, companies, 90)[2]
    assert g_risk < by_hand(6, 28, 1, persons, 90)[2] < by_hand(26, 59, 2, persons, 90)[2]  # G below B below A
    assert by_hand(58, 62, 2, companies, 90)[2] < by_hand(30, 0, 0, persons, 90)[2]  # H below F
    assert rules.risk_of(30, (181 + companies) / 7, 7, 90) == pytest.approx(g_risk)  # the SQL twin agrees


def test_backtest_with_one_class_only(store, area):
    analyst = make_user("analyst1", "analyst")
    c = make_customer(area)["id"]
    start = today() - timedelta(days=400)
    order(c, area, start, start, "paid", "100")
    result = segments.backtest(actor=analyst, as_of=start + timedelta(days=10), horizon_days=90)
    assert (result["customers"], result["churned"], result["auc"]) == (1, 1, None)
    assert "cannot be measured" in str(result["problem"])


def test_churn_list_without_enough_history_for_a_backtest(store, area):
    analyst = make_user("analyst1", "analyst")
    c = make_customer(area)["id"]
    order(c, area, today() - timedelta(days=20), today(), "paid", "100")
    found = segments.churn(actor=analyst)  # the backtest date, 180 days ago, is before any order
    assert found["total"] == 1 and found["backtest"] is None
    assert "Not enough history" in str(found["backtest_problem"])
    row = found["rows"][0]
    assert not row["own_interval"] and row["usual_interval_days"] == rules.DEFAULT_GAP_DAYS  # nobody ordered twice
    # g 180, k 1, 20 days, over the default 180 days: q = 180 / 910 = 0.197802; S = 1 / (1 + 20/180) = 0.9;
    # alive = 0.802198 × 0.9 / (0.721978 + 0.197802) = 0.784946; Z = 200 / 380 = 0.526316;
    # risk = 1 − 0.784946 × (1 − 0.526316) = 0.628183
    assert row["churn_risk"] == pytest.approx(0.628183, abs=1e-6)


def test_bad_input_is_refused(history, analyst):
    recent = today() - timedelta(days=30)
    for call, field in (
        (lambda: segments.backtest(actor=analyst, as_of=recent, horizon_days=90), "as_of"),
        (lambda: segments.backtest(actor=analyst, as_of=date(2025, 1, 1), horizon_days=90), "as_of"),
        (lambda: segments.backtest(actor=analyst, horizon_days=0), "horizon_days"),
        (lambda: segments.churn(actor=analyst, as_of=date(2099, 1, 1)), "as_of"),
        (lambda: segments.churn(actor=analyst, min_orders=0), "min_orders"),
        (lambda: segments.churn(actor=analyst, per_page=10_000), "per_page"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            call()
        assert list(refused.value.errors) == [field]
    with pytest.raises(ValidationFailed) as close:
        segments.backtest(actor=analyst, as_of=recent, horizon_days=90)
    latest = (today() - timedelta(days=90)).isoformat()
    assert str(close.value.errors["as_of"]) == (
        f"A backtest over 90 days needs its date at least 90 days ago: choose {latest} or earlier."
    )


def test_min_orders_and_segment_filter(history, analyst):
    repeat = segments.churn(actor=analyst, as_of=AS_OF, min_orders=2, horizon_days=90)
    assert repeat["total"] == 7 and all(r["own_interval"] for r in repeat["rows"])
    lost = segments.churn(actor=analyst, as_of=AS_OF, segment="lost", horizon_days=90)
    assert [r["name"] for r in lost["rows"]] == ["客户J", "客户I"]
    second = segments.customers(actor=analyst, as_of=AS_OF, per_page=4, page=3, sort="risk")
    # by risk over 180 days: J I H G | D F E C | A B (A .069 above B .067)
    assert [r["name"][-1] for r in second["rows"]] == ["A", "B"] and second["pages"] == 3
    past = segments.customers(actor=analyst, as_of=AS_OF, per_page=4, page=5)
    assert past["rows"] == [] and past["total"] == 10


def test_risk_formula():
    # On the day of an order with a long regular history (k large) the risk over H is about exp(−H/g) + q:
    # only leaving or a gap longer than H explains a silence.
    g = 30.0
    q = g / (g + rules.STAY_DAYS)
    assert rules.alive_of(0, g, 1) == pytest.approx(1 - q)
    assert rules.risk_of(0, g, 1000, 90) == pytest.approx(q + (1 - q) * math.exp(-3), rel=1e-2)
    # Three intervals overdue: S = e^−3 ≈ 0.05 after many orders, (1 + 3)^−1 = 0.25 after one.
    assert rules.alive_of(90, g, 1000) < 0.55 < rules.alive_of(90, g, 1)
    for k in (1.0, 3.0, 10.0):
        risks = [rules.risk_of(d, g, k) for d in range(0, 400, 10)]
        assert risks == sorted(risks) and all(0 <= r <= 1 for r in risks)  # rises with the silence
        assert rules.risk_of(20, g, k, 30) > rules.risk_of(20, g, k, 90) > rules.risk_of(20, g, k, 365)  # falls with H
    # More regular orders, same silence past the interval: less likely still there.
    assert rules.alive_of(60, g, 1) > rules.alive_of(60, g, 3) > rules.alive_of(60, g, 10)
    assert rules.interval_of(174, 5, 92 / 3) == (pytest.approx(307 / 9), 6.0)
    assert rules.interval_of(0, 0, 0.2) == (rules.MIN_GAP_DAYS, 1.0)
