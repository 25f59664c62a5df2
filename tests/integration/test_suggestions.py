"""Purchase suggestions from a hand-made forecast run, on both databases: the figures per item
(worked out by hand in the comments), the groups per supplier, the drafts made from them and their
approval, and what happens without a run, with a stale one, or with a bad service level.

z(95%) one-sided = 1.64485; intervals are 80% ones, mean ± 1.28155 sigma (suggestion_support.weekly)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core import config
from core.clock import today
from core.errors import OpsdeskError, PermissionDenied, ValidationFailed
from core.services import purchasing, stock
from core.services.suggestions import draft_suggested_orders, purchase_suggestions
from tests.factories import make_user
from tests.integration.stock_support import audit_rows, english, make_item, make_supplier, submitted
from tests.integration.suggestion_support import last_sunday, seed_run, weekly

SHAMPOO_WEEKS = [weekly(30, 5)] * 4
WAX_WEEKS = [weekly(7, 2), weekly(14, 2), weekly(21, 2), weekly(28, 2)]


@pytest.fixture
def scene(store, clerk):
    """Two suppliers (7 and 10 days), five active items and a retired one; 10 shampoo on order."""
    shanghai = make_supplier("上海洁净化工", lead_time_days=7)
    suzhou = make_supplier("苏州工具", lead_time_days=10)
    shampoo = make_item("SHAMPOO", unit_cost="80", supplier_id=shanghai["id"], stock_on_hand="20")
    wax = make_item("WAX", unit="litre", unit_cost="30", supplier_id=suzhou["id"], stock_on_hand="5")
    pad = make_item("PAD", unit="piece", unit_cost="12")
    gloves = make_item("GLOVES", unit="pair", unit_cost="5", supplier_id=shanghai["id"], stock_on_hand="100")
    never = make_item("NEVER", supplier_id=shanghai["id"])
    retired = make_item("RETIRED", supplier_id=shanghai["id"], active=False)
    submitted(clerk, shanghai, (shampoo, "10", "80"))
    return SimpleNamespace(
        shanghai=shanghai,
        suzhou=suzhou,
        shampoo=shampoo,
        wax=wax,
        pad=pad,
        gloves=gloves,
        never=never,
        retired=retired,
        forecast={
            shampoo["id"]: SHAMPOO_WEEKS,
            wax["id"]: WAX_WEEKS,
            pad["id"]: [weekly(4, 1)] * 3,
            gloves["id"]: [weekly(10, 2)] * 3,
            retired["id"]: [weekly(50, 5)] * 3,
        },
    )


def _rows(result: dict) -> dict[str, dict]:
    return {row["sku"]: row for row in result["rows"]}


def _figures(row: dict) -> tuple:
    return (
        row["lead_demand"],
        row["safety_stock"],
        row["reorder_point"],
        row["review_demand"],
        row["position"],
        row["suggested"],
        row["value"],
    )


# --- The suggestions --------------------------------------------------------------------------


def test_each_item_gets_its_reorder_point_and_quantity(scene, clerk):
    run_id = seed_run(scene.forecast, demand_series=4)
    result = purchase_suggestions(actor=clerk)
    assert result["run"]["id"] == run_id and result["run"]["as_of"] == last_sunday()
    assert (result["stale"], result["message"], result["service_level"]) == (False, None, Decimal("0.95"))
    rows = _rows(result)
    assert sorted(rows) == ["GLOVES", "PAD", "SHAMPOO", "WAX"]  # the retired item is left out
    # 7 days: D_L = 30, SS = 1.64485 x 5 = 8.22, ROP 38.22; position 20 + 10 on order = 30;
    # 38.22 + 30 (review week) - 30 = 38.22 bottles -> 39, x 80 = 3120
    shampoo = rows["SHAMPOO"]
    assert _figures(shampoo) == (
        Decimal("30.00"),
        Decimal("8.22"),
        Decimal("38.22"),
        Decimal("30.00"),
        Decimal(30),
        Decimal(39),
        Decimal("3120.00"),
    )
    assert (shampoo["on_hand"], shampoo["on_order"], shampoo["order"]) == (Decimal(20), Decimal(10), True)
    assert (shampoo["supplier_name"], shampoo["lead_time_days"], shampoo["lead_weeks"]) == ("上海洁净化工", 7, 1)
    assert (shampoo["model"], shampoo["notes"], shampoo["drafts"]) == ("AutoETS", [], [])
    # 10 days: D_L = 7 + 14 x 3/7 = 13; variance 4 + 4 x 3/7 = 5.714, SS = 1.64485 x 2.3905 = 3.93;
    # ROP 16.93; review 14 x 4/7 + 21 x 3/7 = 17; 16.93 + 17 - 5 = 28.93 litres, x 30 = 867.90
    assert _figures(rows["WAX"]) == (
        Decimal("13.00"),
        Decimal("3.93"),
        Decimal("16.93"),
        Decimal("17.00"),
        Decimal(5),
        Decimal("28.93"),
        Decimal("867.90"),
    )
    # no supplier: one week assumed; 4 + 1.64 = 5.64, + 4 - 0 = 9.64 pieces -> 10, x 12 = 120
    pad = rows["PAD"]
    assert _figures(pad)[2:] == (Decimal("5.64"), Decimal("4.00"), Decimal(0), Decimal(10), Decimal("120.00"))
    assert (pad["supplier_id"], pad["lead_time_days"]) == (None, None)
    assert [english(note) for note in pad["notes"]] == ["No supplier is set: a lead time of one week is assumed."]
    # 100 on hand against a reorder point of 10 + 3.29: nothing to order
    gloves = rows["GLOVES"]
    assert (gloves["reorder_point"], gloves["order"], gloves["suggested"], gloves["value"]) == (
        Decimal("13.29"),
        False,
        Decimal(0),
        Decimal(0),
    )


def test_items_to_order_are_grouped_per_supplier_with_their_value(scene, clerk):
    seed_run(scene.forecast)
    result = purchase_suggestions(actor=clerk)
    groups = [(g["supplier_name"], [line["sku"] for line in g["lines"]], g["total"]) for g in result["groups"]]
    assert groups == [
        ("上海洁净化工", ["SHAMPOO"], Decimal("3120.00")),
        ("苏州工具", ["WAX"], Decimal("867.90")),
        (None, ["PAD"], Decimal("120.00")),
    ]
    assert result["groups"][1]["lead_time_days"] == 10
    assert result["total"] == Decimal("4107.90")


def test_items_without_a_forecast_are_listed_with_the_reason_never_suggested(scene, clerk):
    seed_run(scene.forecast)
    result = purchase_suggestions(actor=clerk)
    [missing] = result["without_forecast"]
    assert (missing["sku"], english(missing["reason"])) == (
        "NEVER",
        "No consumption forecast: the item was not used in the history the forecast read.",
    )


def test_the_newest_finished_run_is_read_and_unfinished_ones_are_not(scene, clerk):
    seed_run({scene.shampoo["id"]: [weekly(500, 50)] * 4})
    used = seed_run(scene.forecast)
    seed_run({scene.shampoo["id"]: [weekly(999, 50)] * 4}, status="failed")
    seed_run({scene.shampoo["id"]: [weekly(999, 50)] * 4}, status="running")
    result = purchase_suggestions(actor=clerk)
    assert result["run"]["id"] == used
    assert _rows(result)["SHAMPOO"]["lead_demand"] == Decimal("30.00")


def test_a_stale_run_is_used_from_the_current_week_and_flagged(scene, clerk):
    as_of = last_sunday() - timedelta(weeks=6)  # 43 to 49 days ago
    past = [weekly(1000, 100)] * 6  # weeks already over: not counted
    seed_run(
        {scene.shampoo["id"]: past + SHAMPOO_WEEKS, scene.wax["id"]: past + WAX_WEEKS, scene.gloves["id"]: past[:2]},
        as_of=as_of,
    )
    result = purchase_suggestions(actor=clerk)
    assert result["stale"] is True and result["run"]["age_days"] == (today() - as_of).days > 35
    assert english(result["message"]).startswith(f"The newest forecast reads the history up to {as_of.isoformat()}")
    rows = _rows(result)
    assert (rows["SHAMPOO"]["reorder_point"], rows["SHAMPOO"]["suggested"]) == (Decimal("38.22"), Decimal(39))
    assert rows["WAX"]["suggested"] == Decimal("28.93")
    ended = {m["sku"]: english(m["reason"]) for m in result["without_forecast"]}
    assert ended["GLOVES"] == "The forecast has no weeks from this week on: run the forecasts again."
    assert set(ended) == {"GLOVES", "NEVER", "PAD"}


def test_a_forecast_shorter_than_the_lead_time_repeats_its_last_week(scene, clerk):
    seed_run({scene.wax["id"]: [weekly(7, 2)]})
    wax = _rows(purchase_suggestions(actor=clerk))["WAX"]
    # 10 days of 7 a week = 10; the review week 7 more
    assert (wax["lead_demand"], wax["review_demand"]) == (Decimal("10.00"), Decimal("7.00"))
    assert english(wax["notes"][0]).startswith("The forecast ends before the lead time")


def test_without_any_finished_run_the_page_is_told_what_to_do(scene, clerk):
    seed_run(scene.forecast, status="running")
    result = purchase_suggestions(actor=clerk)
    assert (result["run"], result["rows"], result["groups"], result["without_forecast"]) == (None, [], [], [])
    assert english(result["message"]).startswith("No forecast has been made yet")
    with pytest.raises(OpsdeskError) as refused:
        draft_suggested_orders(actor=clerk)
    assert english(refused.value.message).startswith("No forecast has been made yet")


# --- Service level ----------------------------------------------------------------------------


def test_the_service_level_comes_from_the_settings_unless_the_page_gives_one(scene, clerk, monkeypatch):
    seed_run(scene.forecast)
    monkeypatch.setattr(config, "_override", replace(config.get_settings(), service_level=Decimal("0.99")))
    # z(0.99) = 2.32635 x 5 = 11.63
    assert _rows(purchase_suggestions(actor=clerk))["SHAMPOO"]["safety_stock"] == Decimal("11.63")
    # z(0.9) = 1.28155 x 5 = 6.41
    chosen = purchase_suggestions(actor=clerk, service_level="0.9")
    assert (chosen["service_level"], _rows(chosen)["SHAMPOO"]["safety_stock"]) == (Decimal("0.9"), Decimal("6.41"))


@pytest.mark.parametrize("level", ["95", "1", "0.5", "0.99995", "abc"])
def test_a_service_level_outside_a_half_to_0_9999_is_refused(scene, clerk, level):
    seed_run(scene.forecast)
    for call in (purchase_suggestions, draft_suggested_orders):
        with pytest.raises(ValidationFailed) as refused:
            call(actor=clerk, service_level=level)
        assert set(refused.value.errors) == {"service_level"}


# --- Drafts -----------------------------------------------------------------------------------


def test_one_draft_per_supplier_awaits_submission_and_approval(scene, clerk, manager):
    run_id = seed_run(scene.forecast)
    made = draft_suggested_orders(actor=clerk)
    assert [(s["sku"], english(s["reason"])) for s in made["skipped"]] == [("PAD", "No supplier is set for this item.")]
    orders = {po["supplier_id"]: po for po in made["orders"]}
    assert set(orders) == {scene.shanghai["id"], scene.suzhou["id"]}
    first, second = orders[scene.shanghai["id"]], orders[scene.suzhou["id"]]
    for po, days in ((first, 7), (second, 10)):
        assert (po["status"], po["requested_by_id"], po["approved_by_id"]) == ("draft", clerk.user_id, None)
        assert po["number"].startswith(f"PO-{today().year}-") and po["expected_on"] == today() + timedelta(days=days)
        assert po["notes"] == f"Suggested from forecast run {run_id} at a 95% service level."
        assert "create" in [entry.action for entry in audit_rows("purchase_orders", po["id"])]
    assert [(line["sku"], line["quantity"], line["unit_cost"]) for line in first["lines"]] == [
        ("SHAMPOO", Decimal(39), Decimal(80))
    ]
    assert [(line["sku"], line["quantity"], line["unit_cost"]) for line in second["lines"]] == [
        ("WAX", Decimal("28.93"), Decimal(30))
    ]
    assert (first["total"], second["total"]) == (Decimal("3120.00"), Decimal("867.90"))

    # a draft is not on order yet, but the suggestion says the item is on it and no second draft is made
    shampoo = _rows(purchase_suggestions(actor=clerk))["SHAMPOO"]
    assert (shampoo["on_order"], shampoo["drafts"]) == (Decimal(10), [first["number"]])
    with pytest.raises(OpsdeskError) as refused:
        draft_suggested_orders(actor=clerk)
    assert english(refused.value.message).startswith("No draft was made")

    # the usual flow: submitted by the clerk, approved by someone else
    po = purchasing.submit_purchase_order(actor=clerk, po_id=first["id"], expected_version=first["version"])
    approved = purchasing.approve_purchase_order(actor=manager, po_id=po["id"], expected_version=po["version"])
    assert approved["status"] == "approved"
    # now 10 + 39 on order: 69 reaches the reorder point of 38.22
    shampoo = _rows(purchase_suggestions(actor=clerk))["SHAMPOO"]
    assert (shampoo["on_order"], shampoo["order"], shampoo["drafts"]) == (Decimal(49), False, [])


def test_the_requester_cannot_approve_the_suggested_draft(scene, manager):
    seed_run(scene.forecast)
    [po] = draft_suggested_orders(actor=manager, item_ids=[scene.shampoo["id"]])["orders"]
    po = purchasing.submit_purchase_order(actor=manager, po_id=po["id"], expected_version=po["version"])
    with pytest.raises(OpsdeskError) as refused:
        purchasing.approve_purchase_order(actor=manager, po_id=po["id"], expected_version=po["version"])
    assert english(refused.value.message) == "Someone other than the requester must approve this purchase order."


def test_drafts_can_be_made_for_chosen_items_only(scene, clerk):
    seed_run(scene.forecast)
    made = draft_suggested_orders(actor=clerk, item_ids=[scene.wax["id"], scene.gloves["id"]])
    assert [(po["supplier_name"], [line["sku"] for line in po["lines"]]) for po in made["orders"]] == [
        ("苏州工具", ["WAX"])
    ]
    assert made["skipped"] == []


def test_nothing_to_order_is_refused_clearly(scene, clerk):
    seed_run(scene.forecast)
    for chosen in ([scene.gloves["id"]], []):
        with pytest.raises(OpsdeskError) as refused:
            draft_suggested_orders(actor=clerk, item_ids=chosen)
        assert english(refused.value.message).startswith("Nothing to order")
    with pytest.raises(ValidationFailed) as refused:
        draft_suggested_orders(actor=clerk, item_ids=["wax"])
    assert set(refused.value.errors) == {"item_ids"}


def test_an_inactive_supplier_is_not_sent_a_draft(scene, clerk):
    stock.suppliers.update(
        actor=clerk,
        record_id=scene.suzhou["id"],
        values={**scene.suzhou, "active": False},
        expected_version=scene.suzhou["version"],
    )
    seed_run(scene.forecast)
    wax = _rows(purchase_suggestions(actor=clerk))["WAX"]
    assert wax["order"] and not wax["supplier_active"]
    made = draft_suggested_orders(actor=clerk)
    assert [po["supplier_id"] for po in made["orders"]] == [scene.shanghai["id"]]
    assert {s["sku"]: english(s["reason"]) for s in made["skipped"]}[
        "WAX"
    ] == "The item's supplier is no longer in use."


def test_an_analyst_sees_suggestions_but_cannot_draft_orders(scene):
    seed_run(scene.forecast)
    analyst = make_user("analyst1", "analyst")
    assert _rows(purchase_suggestions(actor=analyst))["SHAMPOO"]["suggested"] == Decimal(39)
    with pytest.raises(PermissionDenied):
        draft_suggested_orders(actor=analyst)
