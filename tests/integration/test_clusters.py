"""Customer clusters on a hand-made history with three clearly separated groups (see
tests/integration/cluster_support.py), on both databases: the k found, who lands together, the
centroids and descriptions, determinism and the cache, the customers of a group, and bad input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from core.analytics import clusters as rules
from core.errors import PermissionDenied, ValidationFailed
from core.i18n import translate
from core.services import clusters
from tests.factories import make_user
from tests.integration.cluster_support import AS_OF, Orders, alike, groups


@pytest.fixture
def analyst(store):
    rules.forget()
    return make_user("analyst1", "analyst")


@pytest.fixture
def history(analyst) -> dict[str, list[int]]:
    return groups()


def test_three_groups_found_and_numbered_by_size(history, analyst):
    found = clusters.clusters(actor=analyst, as_of=AS_OF)
    assert found["customers"] == 42 and found["k"] == 3
    assert set(found["silhouettes"]) == set(range(2, 9))
    assert found["silhouette"] == max(s for s in found["silhouettes"].values() if s is not None) > 0.5
    assert [c["size"] for c in found["clusters"]] == [20, 12, 10]
    members = {
        c["id"]: set(clusters.cluster_customer_ids(actor=analyst, cluster=c["id"], as_of=AS_OF))
        for c in found["clusters"]
    }
    assert members == {1: set(history["one_off"]), 2: set(history["office"]), 3: set(history["carpet"])}
    assert [round(c["share"], 4) for c in found["clusters"]] == [
        round(20 / 42, 4),
        round(12 / 42, 4),
        round(10 / 42, 4),
    ]


def test_centroids_in_original_units(history, analyst):
    one_off, office, carpet = clusters.clusters(actor=analyst, as_of=AS_OF)["clusters"]
    # Every office customer: 8 orders of ¥3,000, the last 10 days before; the centroid is exact.
    assert office["centroid"]["orders"] == pytest.approx(8)
    assert office["centroid"]["recency_days"] == pytest.approx(10)
    assert office["centroid"]["monetary"] == pytest.approx(24000)
    assert office["centroid"]["average_order_value"] == pytest.approx(3000)
    assert office["centroid"]["share:OFFICE-CLEAN"] == pytest.approx(1)
    assert office["companies"] == 1 and office["orders_a_year"] == pytest.approx(8)  # first order 290 days before
    # One-off households: one order each (the cancelled one and the one after the day do not count),
    # 300..319 days before, ¥200..219: the typical values lie inside those ranges.
    assert one_off["centroid"]["orders"] == pytest.approx(1)
    assert 300 < one_off["centroid"]["recency_days"] < 319 and 200 < one_off["centroid"]["average_order_value"] < 219
    assert one_off["centroid"]["share:SOFA"] == pytest.approx(1) and one_off["companies"] == 0
    # Carpet households: ¥500 carpet + ¥100 sofa per order.
    assert carpet["centroid"]["orders"] == pytest.approx(3) and carpet["centroid"]["monetary"] == pytest.approx(1800)
    assert carpet["centroid"]["share:CARPET"] == pytest.approx(5 / 6)
    assert [(s["code"], round(s["share"], 4)) for s in carpet["top_services"]] == [("CARPET", 0.8333), ("SOFA", 0.1667)]
    assert translate(carpet["top_services"][0]["name"], "zh") == "地毯深度清洗"


def test_descriptions_in_both_languages(history, analyst):
    one_off, office, carpet = clusters.clusters(actor=analyst, as_of=AS_OF)["clusters"]
    assert office["description_en"] == (
        "29% of customers (12). Last ordered about 10 days ago; 8 orders so far, about 8 a year; "
        "typically ¥3,000.00 per order. Mostly Office cleaning (100%). Almost all companies."
    )
    assert office["description_zh"] == (
        "占客户的 29%（12 位）。最近一次下单约在 10 天前；累计 8 单，约每年 8 单；每单通常 ¥3,000.00。"
        "主要购买办公室保洁（100%）。几乎都是企业客户。"
    )
    assert translate(office["description"], "zh") == office["description_zh"]
    assert "about 10 months ago; 1 order so far, about 1 a year" in one_off["description_en"]
    assert "Mostly Fabric sofa cleaning (100%). Almost all households." in one_off["description_en"]
    assert "Mostly Carpet deep cleaning (83%) and Fabric sofa cleaning (17%)." in carpet["description_en"]
    assert "主要购买地毯深度清洗（83%）和布艺沙发清洗（17%）。几乎都是家庭客户。" in carpet["description_zh"]
    assert "累计 3 单" in carpet["description_zh"] and "约在 2 个月前" in carpet["description_zh"]  # 60..69 days
    assert clusters.clusters(actor=analyst, as_of=AS_OF)["clusters"][1]["title"].params == {"number": 2}


def test_deterministic_and_cached_until_the_data_changes(history, analyst):
    first = rules.clustering(AS_OF)
    assert rules.clustering(AS_OF) is first  # a rerun reads the cache
    rules.forget()
    again = rules.clustering(AS_OF)
    assert again is not first and again.silhouettes == first.silhouettes
    assert (again.labels == first.labels).all() and again.clusters == first.clusters
    book = Orders(history["area"][0], {"SOFA": _service_id("SOFA")}, [])
    book.add(history["one_off"][1], AS_OF - timedelta(days=3), {"SOFA": "250"})
    book.write()
    changed = rules.clustering(AS_OF)
    assert changed is not again  # a new order changes the snapshot's fingerprint
    row = list(changed.features.customer_ids).index(history["one_off"][1])
    assert changed.features.rfm[row, 1] == 2 and changed.features.rfm[row, 0] == 3


def test_two_reruns_at_once_fit_once(history, analyst):
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(rules.clustering, [AS_OF, AS_OF])
    assert first is second  # the second waited for the fit and found it cached


def test_feature_scaling_and_grouped_services(history, analyst, monkeypatch):
    found = rules.clustering(AS_OF)
    # Kept by amount overall: office 12 × 8 × 3,000; carpet 10 × 3 × 500; sofa 200..219 + 10 × 3 × 100.
    assert found.features.kept == ("OFFICE-CLEAN", "CARPET", "SOFA")
    assert clusters.clusters(actor=analyst, as_of=AS_OF)["services"] == ["OFFICE-CLEAN", "CARPET", "SOFA"]
    x, _, _ = rules.matrix(found.features)
    assert x[:, :4].var(axis=0) == pytest.approx([1, 1, 1, 1])  # log1p RFM, standardised
    assert x[:, 4:].var(axis=0).sum() == pytest.approx(4)  # the shares weigh as much as RFM together
    monkeypatch.setattr(rules, "TOP_SERVICES", 1)
    rules.forget()
    grouped = rules.clustering(AS_OF)
    assert grouped.features.kept == ("OFFICE-CLEAN",) and grouped.features.shares.shape == (42, 2)
    carpet_row = list(grouped.features.customer_ids).index(history["carpet"][0])
    assert list(grouped.features.shares[carpet_row]) == pytest.approx([0, 1])  # carpet and sofa: "other"
    assert grouped.k == 3 and "Carpet deep cleaning (83%)" in translate(grouped.clusters[2].description, "en")


def _service_id(code: str) -> int:
    from sqlalchemy import select

    from core import db
    from core.models import Service

    with db.reading() as session:
        return session.execute(select(Service.id).where(Service.code == code)).scalar_one()


def test_customers_of_a_group_page_by_page(history, analyst):
    page = clusters.cluster_customers(actor=analyst, cluster=2, as_of=AS_OF, page=1, per_page=5)
    assert (page["total"], page["pages"], page["page"], len(page["rows"])) == (12, 3, 1, 5)
    assert [r["id"] for r in page["rows"]] == sorted(history["office"])[:5]  # same spend: by id
    first = page["rows"][0]
    assert (first["code"], first["kind"], first["orders"], first["recency_days"]) == ("OFF0000", "company", 8, 10)
    assert str(first["monetary"]) == "24000.00" and first["area"].zh == "徐汇区"
    last = clusters.cluster_customers(actor=analyst, cluster=2, as_of=AS_OF, page=3, per_page=5)
    assert [r["id"] for r in last["rows"]] == sorted(history["office"])[10:]
    one_off = clusters.cluster_customers(actor=analyst, cluster=1, as_of=AS_OF, per_page=100)["rows"]
    assert [r["code"] for r in one_off[:2]] == ["ONE0019", "ONE0018"]  # most spent first: ¥219, ¥218
    assert {r["orders"] for r in one_off} == {1}  # the cancelled order and the one after the day are left out
    for bad in (
        {"cluster": 4},
        {"cluster": 0},
        {"cluster": "1"},
        {"cluster": 1, "page": 2},
        {"cluster": 1, "per_page": 0},
    ):
        with pytest.raises(ValidationFailed) as refused:
            clusters.cluster_customers(actor=analyst, as_of=AS_OF, **bad)
        assert set(refused.value.errors) <= {"cluster", "page", "per_page"} and refused.value.errors


def test_too_few_customers(analyst):
    alike(9)
    with pytest.raises(ValidationFailed) as refused:
        clusters.clusters(actor=analyst, as_of=AS_OF)
    message = refused.value.errors["as_of"]
    assert message.params == {"minimum": 10, "count": 9}
    assert translate(message, "en") == "Groups need at least 10 customers with orders up to this day; there are 9."
    with pytest.raises(ValidationFailed):  # nobody at all
        clusters.clusters(actor=analyst, as_of=date(2020, 1, 1))


def test_too_few_customers_as_of_an_early_day(history, analyst):
    with pytest.raises(ValidationFailed) as refused:
        clusters.clusters(actor=analyst, as_of=AS_OF - timedelta(days=315))  # one-off customers j = 15..19
    assert refused.value.errors["as_of"].params["count"] == 5


def test_customers_all_alike(analyst):
    alike(12)
    with pytest.raises(ValidationFailed) as refused:
        clusters.clusters(actor=analyst, as_of=AS_OF)
    assert "look alike" in translate(refused.value.errors["as_of"], "en")


def test_a_future_day_and_permissions(history, analyst):
    with pytest.raises(ValidationFailed) as refused:
        clusters.clusters(actor=analyst, as_of=date(2999, 1, 1))
    assert list(refused.value.errors) == ["as_of"]
    with pytest.raises(PermissionDenied):
        clusters.clusters(actor=make_user("tech1", "technician"), as_of=AS_OF)
