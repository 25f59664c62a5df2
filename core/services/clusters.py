"""Customer clusters for segmentation: the groups k-means finds in RFM and service preferences,
each described in plain language, and the customers of a group (definitions and method:
core.analytics.clusters; the fit is cached per day and snapshot state, so a page rerun is cheap)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from core.actor import Actor
from core.analytics import clusters as rules
from core.analytics import snapshot
from core.analytics.cluster_words import title
from core.errors import ValidationFailed
from core.i18n import Bilingual, msg, translate
from core.permissions import service

MAX_PER_PAGE = 500

CUSTOMERS_SQL = """
SELECT c.id, c.code, c.name, c.kind, a.name_en, a.name_zh
FROM customers c LEFT JOIN service_areas a ON a.id = c.area_id
WHERE c.id IN (SELECT unnest($ids))
"""


@service("segments", "view")
def clusters(*, actor: Actor, as_of: date | None = None) -> dict[str, Any]:
    """The clusters of the customers with orders up to `as_of` (today by default).

    Returns {"as_of", "customers" (how many were clustered), "k", "silhouette" (of the clusters
    kept), "silhouettes" {k: score or None per k screened}, "services" (codes with a feature
    column of their own; the rest are "other"), "clusters": [...]}; each cluster is {"id" (1.. by
    size), "title" (Message "Group n"), "size", "share" (0..1), "centroid" {recency_days, orders,
    monetary, average_order_value, "share:<code>"...} in original units, "orders_a_year" (median),
    "companies" (share 0..1), "top_services" [{"code", "name" (Bilingual), "share"}] (at most 5,
    largest first), "description" (Message: translate it, or use "description_en" /
    "description_zh")}. Raises ValidationFailed({"as_of": ...}) when there are too few customers
    or they do not fall into groups."""
    found = rules.clustering(as_of)
    return {
        "as_of": found.as_of,
        "customers": found.customers,
        "k": found.k,
        "silhouette": found.silhouette,
        "silhouettes": dict(found.silhouettes),
        "services": list(found.features.kept),
        "clusters": [
            {
                "id": cluster.number,
                "title": title(cluster.number),
                "size": cluster.size,
                "share": cluster.share,
                "centroid": dict(cluster.centroid),
                "orders_a_year": cluster.per_year,
                "companies": cluster.companies,
                "top_services": [
                    {"code": code, "name": name, "share": share} for code, name, share in cluster.services[:5]
                ],
                "description": cluster.description,
                "description_en": translate(cluster.description, "en"),
                "description_zh": translate(cluster.description, "zh"),
            }
            for cluster in found.clusters
        ],
    }


def _chosen(found: rules.Clustering, cluster: Any) -> int:
    if isinstance(cluster, bool) or not isinstance(cluster, int) or not 1 <= cluster <= found.k:
        raise ValidationFailed({"cluster": msg("Choose a group from 1 to {k}.", k=found.k)})
    return cluster


@service("segments", "view")
def cluster_customer_ids(*, actor: Actor, cluster: int, as_of: date | None = None) -> list[int]:
    """The ids of a cluster's customers (as numbered by `clusters` for the same day), most spent first."""
    found = rules.clustering(as_of)
    rows = found.members(_chosen(found, cluster))
    return [int(customer_id) for customer_id in found.features.customer_ids[rows]]


@service("segments", "view")
def cluster_customers(
    *, actor: Actor, cluster: int, as_of: date | None = None, page: int = 1, per_page: int = 25
) -> dict[str, Any]:
    """One page of a cluster's customers, most spent first (then by id).

    Returns {"rows": [{"id", "code", "name", "kind", "area" (Bilingual), "recency_days",
    "orders", "monetary" (Decimal)}], "total", "page", "pages", "per_page"}."""
    if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed({"per_page": msg("Choose from 1 to {most} rows per page.", most=MAX_PER_PAGE)})
    found = rules.clustering(as_of)
    members = found.members(_chosen(found, cluster))
    pages = max(1, math.ceil(len(members) / per_page))
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= pages:
        raise ValidationFailed({"page": msg("Choose a page from 1 to {pages}.", pages=pages)})
    shown = members[(page - 1) * per_page : page * per_page]
    ids = [int(customer_id) for customer_id in found.features.customer_ids[shown]]
    with snapshot.reader() as con:
        records = {row[0]: row for row in con.sql(CUSTOMERS_SQL, params={"ids": ids}).fetchall()}
    rows = []
    for index, customer_id in zip(shown, ids, strict=True):
        _, code, name, kind, area_en, area_zh = records.get(customer_id, (customer_id, "", "", "", None, None))
        recency, orders, monetary, _ = found.features.rfm[index]
        rows.append(
            {
                "id": customer_id,
                "code": code,
                "name": name,
                "kind": kind,
                "area": Bilingual(area_en or "", area_zh or ""),
                "recency_days": int(recency),
                "orders": int(orders),
                "monetary": Decimal(f"{monetary:.2f}"),
            }
        )
    return {"rows": rows, "total": len(members), "page": page, "pages": pages, "per_page": per_page}
