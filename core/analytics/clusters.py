"""Customer clusters: k-means on RFM and service preferences, as of a day, over the snapshot.

Who is clustered: every customer with at least one counted order placed up to the day (an
order counts unless it is cancelled; "placed" is orders.created_day). Archived customers are
kept: the clusters describe history as of the day, whatever became of the record since.

Features per customer (computed by DuckDB, then numpy):
- recency: days from the last counted order to the day;
- frequency: the number of counted orders;
- monetary: the sum of their total − refunded (below 0 counts as 0);
- average order value: monetary / frequency;
- service preferences: the share of the customer's order-line amount per service
  (order_lines.service_code of the counted orders). The TOP_SERVICES services with the largest
  amount overall keep a column each; the rest are grouped into one "other" column, so a large
  catalogue does not drown the RFM figures in near-empty columns.

Scaling: the four RFM figures are skewed (a few customers order and spend far more), so each is
log1p-transformed, then standardised (StandardScaler). The shares are kept as shares, so moving a
preference from one service to another weighs the same whatever the services' popularity (a
standardised rare service would make outliers of its few customers); the share block is scaled
as one so that its total variance equals that of the four RFM columns (the preferences together
weigh as much as RFM together).

Choosing k: for each k in 2..8 (fewer when there are fewer distinct customers) KMeans
(random_state SEED, one start) is fitted on all customers and scored by the silhouette
(sklearn.metrics.silhouette_score) of a fixed-seed sample of at most SAMPLE customers, since the
silhouette is quadratic in the customers scored. The k with the highest silhouette wins (ties: the
smaller k) and is fitted again on all customers with N_INIT starts; those are the clusters kept
(their silhouette is reported too). Screening with one start and refitting only the winner keeps
100,000 customers to a few seconds on 2 cores with plain KMeans (benchmarks/clusters.py), so
MiniBatchKMeans, which is approximate, is not needed. The fits and silhouettes run on one thread
(threadpoolctl): on a busy 2-core server the OpenMP and BLAS threads spin against each other and
two threads were up to 3x slower than one, and one thread sums in a fixed order, so the same data
give the same clusters bit for bit. Measured: about 5 s for 98,463 customers (reading 1.2 s, choosing
and fitting 4 s) on 2 busy cores. Clusters are numbered 1.. by size, largest
first (ties by smallest customer id), so the numbering is stable for the same data.

Centroids in original units: the centroid of a cluster is the mean of its members' transformed
features; undoing the transform gives, for the RFM figures, a "typical" value robust to the few
large customers (expm1 of the mean of log1p: a geometric-like mean), and for the shares the
members' mean share. Descriptions (core.analytics.cluster_words) use those, with the members'
median orders a year (orders × 365 / the days since their first order + 1, at least 365, so a
customer of less than a year counts their orders so far) and their kind mix.

Cache: the last CACHE_SIZE results (about 20 MB each at 100,000 customers) are kept in the process
keyed by (snapshot, day, fingerprint of orders, customers and services: count, sum of versions and
newest updated_at), so a page rerun reads them instead of fitting again; any saved order, customer
or service changes the fingerprint. A lock guards the cache, and fits run one at a time: a rerun
that arrives during a fit waits for it and then finds it cached (two fits at once would only slow
each other on 2 cores).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from core.analytics import snapshot
from core.clock import today
from core.errors import ValidationFailed
from core.i18n import Bilingual, Message, msg

MIN_CUSTOMERS = 10  # fewer customers with orders than this: no groups worth describing
K_RANGE = range(2, 9)
SAMPLE = 5_000  # customers scored by the silhouette
SEED = 7
N_INIT = 3
TOP_SERVICES = 8
CACHE_SIZE = 4  # results kept; about 20 MB each at 100,000 customers
RFM = ("recency_days", "orders", "monetary", "average_order_value")
OTHER = "other"

CUSTOMERS_SQL = """
SELECT o.customer_id,
       count(*) AS orders,
       CAST(greatest(sum(o.total - o.refunded), 0) AS DOUBLE) AS monetary,
       date_diff('day', max(o.created_day), CAST($as_of AS DATE)) AS recency_days,
       date_diff('day', min(o.created_day), CAST($as_of AS DATE)) AS tenure_days,
       any_value(c.kind) AS kind
FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE o.status <> 'cancelled' AND o.created_day <= CAST($as_of AS DATE)
GROUP BY o.customer_id
ORDER BY o.customer_id
"""

LINES_SQL = """
SELECT o.customer_id, l.service_code, CAST(greatest(sum(l.amount), 0) AS DOUBLE) AS amount
FROM order_lines l JOIN orders o ON o.id = l.order_id
WHERE o.status <> 'cancelled' AND o.created_day <= CAST($as_of AS DATE)
GROUP BY o.customer_id, l.service_code
"""

SERVICES_SQL = "SELECT code, name_en, name_zh FROM services"

FINGERPRINT_SQL = """
SELECT (SELECT count(*) FROM orders), (SELECT sum(version) FROM orders), (SELECT max(updated_at) FROM orders),
       (SELECT count(*) FROM customers), (SELECT sum(version) FROM customers), (SELECT max(updated_at) FROM customers),
       (SELECT count(*) FROM services), (SELECT sum(version) FROM services), (SELECT max(updated_at) FROM services)
"""


@dataclass(frozen=True)
class Features:
    """The customers of a day and their figures, one row each, ordered by customer id."""

    as_of: date
    customer_ids: np.ndarray  # int64
    kinds: np.ndarray  # "person" / "company"
    rfm: np.ndarray  # n × 4 in original units (RFM order)
    per_year: np.ndarray  # orders a year (over the customer's time with the company, at least a year)
    codes: tuple[str, ...]  # every service ordered, largest amount overall first
    names: dict[str, Bilingual]
    kept: tuple[str, ...]  # the services with a column of their own; the rest are OTHER
    shares: np.ndarray  # n × (len(kept) + 1): share of the customer's line amount per kept service, then other
    line_customer: np.ndarray  # the order-line amounts in long form: row index of the customer,
    line_service: np.ndarray  # index into codes,
    line_share: np.ndarray  # and that service's share of the customer's line amount


@dataclass(frozen=True)
class Cluster:
    number: int  # 1.. by size, largest first
    size: int
    share: float  # of the customers clustered, 0..1
    centroid: dict[str, float]  # RFM figures in original units, and "share:<code>" per kept service and other
    services: tuple[tuple[str, Bilingual, float], ...]  # (code, name, mean share) of every service, largest first
    companies: float  # share of companies among the members, 0..1
    per_year: float  # the members' median orders a year
    description: Message


@dataclass(frozen=True)
class Clustering:
    as_of: date
    customers: int
    k: int
    silhouettes: dict[int, float | None]  # per k screened (one start each)
    silhouette: float  # of the clusters kept (the chosen k fitted with N_INIT starts)
    clusters: tuple[Cluster, ...]
    features: Features
    labels: np.ndarray  # cluster number per customer, aligned with features.customer_ids
    seconds: dict[str, float]  # read, choose (fits and silhouettes), describe

    def members(self, number: int) -> np.ndarray:
        """The row indexes of a cluster's customers, most spent first (then by customer id)."""
        rows = np.flatnonzero(self.labels == number)
        order = np.lexsort((self.features.customer_ids[rows], -self.features.rfm[rows, 2]))
        return rows[order]


def read_features(con: Any, as_of: date) -> Features:
    """The customers with a counted order up to `as_of` and their figures, from the snapshot."""
    params = {"as_of": as_of}
    head = con.sql(CUSTOMERS_SQL, params=params).fetchnumpy()
    lines = con.sql(LINES_SQL, params=params).fetchnumpy()
    names = {code: Bilingual(en, zh) for code, en, zh in con.sql(SERVICES_SQL).fetchall()}
    ids = np.asarray(head["customer_id"], dtype=np.int64)
    orders = np.asarray(head["orders"], dtype=float)
    monetary = np.asarray(head["monetary"], dtype=float)
    rfm = np.column_stack([np.asarray(head["recency_days"], dtype=float), orders, monetary, monetary / orders])
    tenure = np.asarray(head["tenure_days"], dtype=float)
    per_year = orders * 365.0 / np.maximum(tenure + 1, 365.0)
    kinds = np.asarray(head["kind"], dtype=object)

    line_codes = np.asarray(lines["service_code"], dtype=object)
    amounts = np.asarray(lines["amount"], dtype=float)
    rows = np.searchsorted(ids, np.asarray(lines["customer_id"], dtype=np.int64))
    codes_found, service_index = np.unique(line_codes.astype(str), return_inverse=True) if len(amounts) else ([], [])
    totals = np.bincount(service_index, weights=amounts, minlength=len(codes_found)) if len(amounts) else np.zeros(0)
    ranking = sorted(range(len(codes_found)), key=lambda i: (-totals[i], str(codes_found[i])))
    codes = tuple(str(codes_found[i]) for i in ranking)
    position = np.empty(len(codes_found), dtype=np.int64)
    position[ranking] = np.arange(len(codes_found))
    line_service = position[service_index] if len(amounts) else np.zeros(0, dtype=np.int64)
    spent = np.bincount(rows, weights=amounts, minlength=len(ids)) if len(amounts) else np.zeros(len(ids))
    line_share = np.divide(amounts, spent[rows], out=np.zeros(len(amounts)), where=spent[rows] > 0)
    kept = codes[:TOP_SERVICES]
    column = np.minimum(line_service, len(kept))  # beyond the kept services: the "other" column
    shares = np.zeros((len(ids), len(kept) + 1))
    np.add.at(shares, (rows, column), line_share)
    for code in codes:
        names.setdefault(code, Bilingual(code, code))  # a service no longer in the catalogue: its code
    return Features(as_of, ids, kinds, rfm, per_year, codes, names, kept, shares, rows, line_service, line_share)


def matrix(features: Features) -> tuple[np.ndarray, StandardScaler, float]:
    """The scaled feature matrix (see the module's docstring), its scaler and the share block's factor."""
    scaler = StandardScaler()
    scaled = scaler.fit_transform(np.log1p(features.rfm))
    variance = float(features.shares.var(axis=0).sum())
    factor = float(np.sqrt(len(RFM) / variance)) if variance > 1e-12 else 0.0
    return np.hstack([scaled, features.shares * factor]), scaler, factor


def _sample(n: int) -> np.ndarray:
    if n <= SAMPLE:
        return np.arange(n)
    return np.sort(np.random.default_rng(SEED).choice(n, SAMPLE, replace=False))


def _numbered(labels: np.ndarray, customer_ids: np.ndarray, k: int) -> np.ndarray:
    """Labels renumbered 1..k by size, largest first; ties by the smallest customer id in them."""
    sizes = np.bincount(labels, minlength=k)
    first = [int(customer_ids[labels == label].min()) for label in range(k)]
    ranked = sorted(range(k), key=lambda label: (-sizes[label], first[label]))
    renumber = np.empty(k, dtype=np.int64)
    renumber[ranked] = np.arange(1, k + 1)
    return renumber[labels]


def choose(x: np.ndarray, customer_ids: np.ndarray) -> tuple[int, dict[int, float | None], np.ndarray, float]:
    """Screen each k with one KMeans start on all customers, scored on the sample; refit the best k
    with N_INIT starts. (best k, silhouette per k screened, its labels 1..k, the final silhouette)."""
    distinct = len(np.unique(np.round(x, 9), axis=0))
    if distinct < 2:
        raise ValidationFailed(
            {"as_of": msg("All customers look alike (same recency, orders, spend and services): there are no groups.")}
        )
    sample = _sample(len(x))
    scores: dict[int, float | None] = {}
    for k in K_RANGE:
        if k > distinct or k >= len(x):
            break
        scores[k] = _score(x, sample, KMeans(n_clusters=k, n_init=1, random_state=SEED).fit_predict(x))
    scored = [(score, k) for k, score in scores.items() if score is not None]
    if not scored:
        raise ValidationFailed({"as_of": msg("The customers do not fall into distinct groups.")})
    k = max(scored, key=lambda pair: (pair[0], -pair[1]))[1]
    labels = KMeans(n_clusters=k, n_init=N_INIT, random_state=SEED).fit_predict(x)
    final = _score(x, sample, labels)
    return k, scores, _numbered(labels, customer_ids, k), scores[k] if final is None else final


def _score(x: np.ndarray, sample: np.ndarray, labels: np.ndarray) -> float | None:
    """The silhouette of the sample (rounded, so that ties are ties), None when it holds one cluster."""
    if len(np.unique(labels[sample])) < 2:
        return None
    return round(float(silhouette_score(x[sample], labels[sample])), 4)


def fit(features: Features) -> Clustering:
    """Choose k, fit, and describe each cluster (no cache; `clustering()` is the cached way in)."""
    from core.analytics.cluster_words import describe  # the words need the figures, not the other way round

    n = len(features.customer_ids)
    if n < MIN_CUSTOMERS:
        raise ValidationFailed(
            {
                "as_of": msg(
                    "Groups need at least {minimum} customers with orders up to this day; there are {count}.",
                    minimum=MIN_CUSTOMERS,
                    count=n,
                )
            }
        )
    started = time.perf_counter()
    x, scaler, factor = matrix(features)
    with threadpool_limits(limits=1):  # see the module's docstring
        k, scores, labels, silhouette = choose(x, features.customer_ids)
    chosen = time.perf_counter()
    clusters = []
    for number in range(1, k + 1):
        members = labels == number
        centre = x[members].mean(axis=0)
        original = np.expm1(scaler.inverse_transform(centre[: len(RFM)].reshape(1, -1))[0])
        centroid = {name: float(value) for name, value in zip(RFM, original, strict=True)}
        block = centre[len(RFM) :] / factor if factor else np.zeros(len(features.kept) + 1)
        for code, value in zip((*features.kept, OTHER), block, strict=True):
            centroid[f"share:{code}"] = float(value)
        size = int(members.sum())
        clusters.append(
            {
                "number": number,
                "size": size,
                "share": size / n,
                "centroid": centroid,
                "services": _services(features, labels, number, size),
                "companies": float(np.mean(features.kinds[members] == "company")),
                "per_year": float(np.median(features.per_year[members])),
            }
        )
    built = tuple(Cluster(**values, description=describe(values)) for values in clusters)
    seconds = {"choose": chosen - started, "describe": time.perf_counter() - chosen}
    return Clustering(features.as_of, n, k, scores, silhouette, built, features, labels, seconds)


def _services(
    features: Features, labels: np.ndarray, number: int, size: int
) -> tuple[tuple[str, Bilingual, float], ...]:
    """Every service by the members' mean share of it (a member who never ordered it counts 0)."""
    inside = labels[features.line_customer] == number
    mean = np.bincount(
        features.line_service[inside], weights=features.line_share[inside], minlength=len(features.codes)
    )
    mean = mean / size
    ranked = sorted(range(len(features.codes)), key=lambda i: (-round(mean[i], 9), features.codes[i]))
    return tuple((features.codes[i], features.names[features.codes[i]], float(mean[i])) for i in ranked if mean[i] > 0)


_cache: OrderedDict[tuple[Any, ...], Clustering] = OrderedDict()
_cache_lock = threading.Lock()
_fitting = threading.Lock()


def _cached(key: tuple[Any, ...]) -> Clustering | None:
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
        return found


def clustering(as_of: date | None = None) -> Clustering:
    """The clusters of the customers as of a day (today by default), from the cache when the
    snapshot has not changed since they were fitted."""
    as_of = as_of or today()
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if not isinstance(as_of, date):
        raise ValidationFailed({"as_of": msg("Enter a date as YYYY-MM-DD.")})
    if as_of > today():
        raise ValidationFailed({"as_of": msg("This date cannot be in the future.")})
    with _fitting:
        started = time.perf_counter()
        with snapshot.reader() as con:
            current = snapshot.current()
            key = (id(current), str(current.engine.url), as_of, tuple(con.sql(FINGERPRINT_SQL).fetchall()[0]))
            found = _cached(key)
            if found is not None:
                return found
            features = read_features(con, as_of)
        read = time.perf_counter() - started
        result = fit(features)
        result.seconds["read"] = read
        with _cache_lock:
            _cache[key] = result
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
        return result


def forget() -> None:
    """Empty the cache (tests and benchmarks measuring a fit)."""
    with _cache_lock:
        _cache.clear()
