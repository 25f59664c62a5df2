"""What became of each order: cancelled (with a reason) or done, when each status change
happened, how and when the customer paid (companies often late, some in two parts), and
the rating. Orders of today and later are still open: new, confirmed or scheduled.
Instants are epoch seconds; -1 means "did not happen"."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.demo.catalogue import COMPANY, HOUSEHOLD
from core.demo.seasons import Period

STATUSES = ("new", "confirmed", "scheduled", "in_progress", "completed", "paid", "cancelled")
NEW, CONFIRMED, SCHEDULED, IN_PROGRESS, COMPLETED, PAID, CANCELLED = range(7)
METHODS = ("wechat", "alipay", "card", "cash", "bank_transfer")
PAY_SHARE = {HOUSEHOLD: (48, 30, 8, 9, 5), COMPANY: (5, 3, 7, 0, 85)}  # percent, in METHODS order
DAY = 86400
OFFICE_CLOSED = 8  # texts.CANCEL_REASONS: the office is closed this time
NO_TECHNICIAN = -2  # texts.NO_TECHNICIAN


@dataclass
class Fate:
    """Decided before dispatch: which orders reach a technician, and where cancelled ones stop."""

    cancelled: np.ndarray
    stage: np.ndarray  # the last status before cancelling, or the open status of a future order
    needs_technician: np.ndarray


def decide(rng: np.random.Generator, span: Period, segment: np.ndarray, day: np.ndarray, contract: np.ndarray) -> Fate:
    """About 3% of past orders are cancelled by the customer (more come from full days, later);
    today's and later orders wait as new (more so further ahead) or are already scheduled."""
    n = len(day)
    past, future = day < span.today, day >= span.today
    ahead = np.maximum(day - span.today, 0)
    rate = np.where(contract >= 0, 0.015, np.where(segment == HOUSEHOLD, 0.035, 0.02))
    cancelled = past & (rng.random(n) < rate)
    stage = np.where(past, np.array([NEW, CONFIRMED, SCHEDULED])[np.searchsorted([0.4, 0.65], rng.random(n))], NEW)
    waits = np.where(contract >= 0, ahead > 2, rng.random(n) < np.minimum(0.06 + 0.03 * ahead, 0.5))
    stage[future] = np.where(waits[future], NEW, SCHEDULED)
    needs = (past & ~cancelled) | (stage == SCHEDULED)
    return Fate(cancelled, stage, needs)


@dataclass
class History:
    status: np.ndarray
    stage: np.ndarray  # status an order was in when cancelled
    no_technician: np.ndarray  # dispatch found nobody (the reason says so)
    cancel_reason: np.ndarray  # index into texts.CANCEL_REASONS, -1 none, NO_TECHNICIAN
    confirmed: np.ndarray
    decided: np.ndarray  # a manager approved the discount
    scheduled: np.ndarray
    started: np.ndarray
    completed: np.ndarray
    paid_at: np.ndarray
    cancelled_at: np.ndarray
    paid: np.ndarray  # fen received
    rating: np.ndarray  # 0 none
    comment: np.ndarray  # -1 none, else an index into the rating's comments
    materials: np.ndarray  # bool
    version: np.ndarray
    updated: np.ndarray
    payments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # order, method, amount, received


def _between(rng: np.random.Generator, low: np.ndarray, high: np.ndarray, a: float, b: float) -> np.ndarray:
    return (low + (high - low) * rng.uniform(a, b, len(low))).astype(np.int64)


def _pick(rng: np.random.Generator, shares: tuple[int, ...], n: int) -> np.ndarray:
    cumulative = np.cumsum(shares) / sum(shares)
    return np.searchsorted(cumulative, rng.random(n), side="right").clip(0, len(shares) - 1)


def _payments(
    rng: np.random.Generator, now: int, household: np.ndarray, cancelled: np.ndarray, done: np.ndarray,
    confirmed: np.ndarray, completed: np.ndarray, window_at: np.ndarray, total: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:  # fmt: skip
    """Up to three payments per order as (received?, amount, when, method): a household's
    deposit, the bill (households on the spot, companies by transfer 3 days to half a year
    later, a few never), and for some companies a second instalment."""
    n = len(total)
    none = np.full(n, -1, dtype=np.int64)
    method = np.where(household, _pick(rng, PAY_SHARE[HOUSEHOLD], n), _pick(rng, PAY_SHARE[COMPANY], n))
    deposit_on = household & ~cancelled & (confirmed >= 0) & (total > 20000) & (rng.random(n) < 0.04)
    deposit = np.where(deposit_on, np.clip((total * 3 // 10) // 1000 * 1000, 1000, total - 100), 0)
    deposit_at = np.minimum(confirmed + rng.integers(60, 3600, n), np.minimum(window_at - 600, now - 60))
    deposit_at = np.maximum(deposit_at, confirmed + 30)
    roll = rng.random(n)
    on_the_spot = rng.integers(300, 2400, n)
    later = rng.integers(1, 26, n) * DAY
    transfer = np.select(
        [roll < 0.57, roll < 0.83, roll < 0.95, roll < 0.992],
        [rng.integers(3, 29, n), rng.integers(30, 61, n), rng.integers(61, 121, n), rng.integers(121, 201, n)],
        -1,
    )
    delay = np.where(
        household,
        np.where(roll < 0.93, on_the_spot, np.where(roll < 0.997, later, -1)),
        np.where(transfer >= 0, transfer * DAY + rng.integers(9 * 3600, 17 * 3600, n), -1),
    )
    split = ~household & (rng.random(n) < 0.08)
    rest = total - deposit
    first = np.where(split, rest // 2, rest)
    first_at = np.where(done & (delay >= 0), completed + delay, none)
    second_at = np.where(
        split & (first_at >= 0) & (rng.random(n) < 0.8), first_at + rng.integers(15, 61, n) * DAY, none
    )
    return [
        (deposit_on & (deposit_at < now), deposit, deposit_at, np.zeros(n, dtype=np.int64)),
        (done & (first_at >= 0) & (first_at < now), first, first_at, method),
        (done & split & (second_at >= 0) & (second_at < now), rest - first, second_at, method),
    ]


def _verdict(
    rng: np.random.Generator,
    finished: np.ndarray,
    technician: np.ndarray,
    quality: np.ndarray,
    comments: dict[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rating 1–5 for about 7 in 10 finished jobs (mostly 4–5, some technicians better than others),
    a comment on a quarter of those, and the materials noted on most jobs."""
    n = len(finished)
    rated = finished & (rng.random(n) < 0.72)
    mood = rng.normal(0, 1, n) + np.where(technician >= 0, quality[np.maximum(technician, 0)], 0)
    rating = np.where(rated, 1 + np.searchsorted(np.array([-2.1, -1.75, -1.3, -0.25]), mood, side="right"), 0)
    options = np.array([comments.get(r, 1) for r in range(6)])
    comment = np.where(rated & (rng.random(n) < 0.25), rng.integers(0, 1 << 30, n) % options[rating], -1)
    return rating, comment, finished & (rng.random(n) < 0.85)


def settle(
    rng: np.random.Generator, span: Period, fate: Fate, segment: np.ndarray, day: np.ndarray, contract: np.ndarray,
    created: np.ndarray, window_start: np.ndarray, minutes: np.ndarray, discount: np.ndarray, total: np.ndarray,
    technician: np.ndarray, start: np.ndarray, quality: np.ndarray, comments: dict[int, int],
) -> History:  # fmt: skip
    """The whole story of each order after dispatch (`technician` -1 when nobody could take it)."""
    n, now = len(day), span.now
    past = day < span.today
    none = np.full(n, -1, dtype=np.int64)
    cancelled, stage = fate.cancelled.copy(), fate.stage.copy()
    no_technician = fate.needs_technician & (technician < 0)
    stage[no_technician] = CONFIRMED  # confirmed, but dispatch found nobody
    cancelled |= no_technician & past
    status = np.where(cancelled, CANCELLED, np.where(past, COMPLETED, stage))
    done = status == COMPLETED
    # The status flow in time: confirmed within the hour or so, dispatched at once, done on the day.
    window_at = span.midnight[day] + window_start * 60
    limit = np.minimum(window_at, now)
    confirm_gap = np.minimum(rng.uniform(180, 5400, n), np.maximum(0.5 * (limit - created), 30)).astype(np.int64)
    confirmed = np.where((stage >= CONFIRMED) | done, created + confirm_gap, none)
    decided = np.where(discount > 10, _between(rng, created, created + confirm_gap, 0.2, 0.8), none)
    booked = (technician >= 0) & ((stage >= SCHEDULED) | done)
    scheduled = np.where(booked, confirmed + rng.integers(2, 40, n), none)
    started = np.where(done, start + rng.integers(-600, 1200, n), none)
    completed = np.where(done, started + (minutes * 60 * rng.uniform(0.85, 1.2, n)).astype(np.int64), none)
    last = np.maximum.reduce([created, decided, confirmed, scheduled])
    cancel_limit = np.where(past, np.where(booked, np.minimum(start, now), limit), now)
    cancelled_at = np.where(cancelled, _between(rng, last, np.maximum(cancel_limit, last + 60), 0.1, 0.9), none)
    reasons = rng.integers(0, OFFICE_CLOSED, n)
    reasons[(contract >= 0) & (rng.random(n) < 0.5)] = OFFICE_CLOSED
    nobody = np.where(contract >= 0, OFFICE_CLOSED, NO_TECHNICIAN)  # a contract's regular is off only then
    cancel_reason = np.where(cancelled, np.where(no_technician, nobody, reasons), -1)
    slots = _payments(rng, now, segment == HOUSEHOLD, cancelled, done, confirmed, completed, window_at, total)
    paid = sum((np.where(taken, amount, 0) for taken, amount, _at, _m in slots), np.zeros(n, dtype=np.int64))
    last_payment = np.maximum.reduce([np.where(taken, at, -1) for taken, _a, at, _m in slots])
    settled = done & (paid == total)
    status[settled] = PAID
    order = np.concatenate([np.flatnonzero(taken) for taken, *_ in slots])
    received = np.concatenate([at[taken] for taken, _a, at, _m in slots])
    sort = np.lexsort((received, order))
    payments = (
        order[sort],
        np.concatenate([m[taken] for taken, _a, _t, m in slots])[sort],
        np.concatenate([a[taken] for taken, a, _t, _m in slots])[sort],
        received[sort],
    )
    rating, comment, materials = _verdict(rng, done | settled, technician, quality, comments)
    saves = [decided, confirmed, started, completed, cancelled_at]  # each a save that raised the version
    version = 1 + sum((s >= 0).astype(np.int64) for s in saves) + sum(t.astype(np.int64) for t, *_ in slots)
    updated = np.maximum.reduce([created, scheduled, last_payment, *saves])
    return History(
        status, stage, no_technician, cancel_reason, confirmed, decided, scheduled, started, completed,
        np.where(settled, last_payment, none), cancelled_at, paid, rating, comment, materials, version, updated,
        payments,
    )  # fmt: skip
