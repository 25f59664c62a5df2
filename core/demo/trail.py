"""The status history (order_events) and the payments of the planned orders, as rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from core.demo import history as h
from core.demo.bulk import Bulk
from core.demo.rows import CHUNK, nulls
from core.demo.texts import CANCEL_REASONS, NO_TECHNICIAN, Reasons

STAGE = np.array(h.STATUSES, dtype=object)
# Event kinds: what happened, from which status to which.
NEW, APPROVED, CONFIRMED, SCHEDULED, STARTED, COMPLETED, PAID, CANCELLED = range(8)
FROM = np.array([None, "new", "new", "confirmed", "scheduled", "in_progress", "completed", None], dtype=object)
TO = np.array(["new", "new", "confirmed", "scheduled", "in_progress", "completed", "paid", "cancelled"], dtype=object)


def events(bulk: Bulk, book: Any) -> Iterator[tuple]:
    """new → (discount approved) → confirmed → scheduled → in progress → completed → paid, or → cancelled."""
    s, b = book.history, book.bookings
    parts = [(np.arange(len(book.day)), book.created, NEW)]
    for kind, moments in (
        (APPROVED, s.decided),
        (CONFIRMED, s.confirmed),
        (SCHEDULED, s.scheduled),
        (STARTED, s.started),
        (COMPLETED, s.completed),
        (PAID, s.paid_at),
        (CANCELLED, s.cancelled_at),
    ):
        which = np.flatnonzero(moments >= 0)
        parts.append((which, moments[which], kind))
    order = np.concatenate([p[0] for p in parts])
    moment = np.concatenate([p[1] for p in parts])
    kind = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int64) for p in parts])
    sort = np.lexsort((kind, moment, order))
    order, moment, kind = order[sort], moment[sort], kind[sort]
    users = book.users
    clerk, manager = users["clerk"], users["manager"]
    technician = -2  # the job's technician: the demo login for 刘强, nobody's login for the others
    by_kind = np.array([clerk, manager, clerk, clerk, technician, technician, clerk, clerk])
    user_names = np.full(max(book.user_names) + 1, None, dtype=object)
    for user_id, name in book.user_names.items():
        user_names[user_id] = name
    crew_names = np.array(book.crew.names, dtype=object)
    reasons = Reasons(book)
    for a in range(0, len(order), CHUNK):
        o, k = order[a : a + CHUNK], kind[a : a + CHUNK]
        by_technician = by_kind[k] == technician
        tech = np.maximum(b.technician[o], 0)
        actor = np.where(by_technician, np.where(tech == 0, users["technician"], -1), by_kind[k])
        actor_name = np.where(by_technician, crew_names[tech], user_names[np.maximum(actor, 0)])
        source = FROM[k]
        cancelled = np.flatnonzero(k == CANCELLED)
        source[cancelled] = STAGE[s.stage[o[cancelled]]]
        notes = np.full(len(o), None, dtype=object)
        notes[k == APPROVED] = "discount approved"
        scheduled = np.flatnonzero(k == SCHEDULED)
        notes[scheduled] = [text[:500] for text in reasons.english(o[scheduled]).tolist()]
        why = s.cancel_reason[o[cancelled]]
        notes[cancelled] = [NO_TECHNICIAN if r == -2 else CANCEL_REASONS[r] for r in why.tolist()]
        yield from zip(
            (book.first["orders"] + o).tolist(),
            bulk.stamps(moment[a : a + CHUNK]),
            nulls(actor),
            actor_name.tolist(),
            source.tolist(),
            TO[k].tolist(),
            notes.tolist(),
            strict=True,
        )


def _references(method: np.ndarray, received: np.ndarray, digits: np.ndarray, bulk: Bulk) -> list[str | None]:
    """What the cashier types as the reference: the WeChat / Alipay transaction, the POS slip, the bank's."""
    days = [d[:10].replace("-", "") for d in bulk.stamps(received)]
    out: list[str | None] = []
    for m, day, number in zip(method.tolist(), days, digits.tolist(), strict=True):
        if m == 0:
            out.append(f"4200{day}{number:016d}")
        elif m == 1:
            out.append(f"{day}2200{number:016d}")
        elif m == 2:
            out.append(f"POS{number % 10**12:012d}")
        elif m == 4:
            out.append(f"BT{day}{number % 10**6:06d}")
        else:
            out.append(None)
    return out


def payments(bulk: Bulk, book: Any) -> Iterator[tuple]:
    order, method, amount, received = book.history.payments
    clerk = book.users["clerk"]
    methods = np.array(h.METHODS, dtype=object)
    digits = (order * 2654435761 + received * 40503 + amount * 97) % 10**15  # scrambled, repeatable
    for a in range(0, len(order), CHUNK):
        sl = slice(a, a + CHUNK)
        n = len(order[sl])
        stamps = bulk.stamps(received[sl])
        yield from zip(
            (book.first["orders"] + order[sl]).tolist(),
            ["payment"] * n,
            methods[method[sl]].tolist(),
            amount[sl].tolist(),
            _references(method[sl], received[sl], digits[sl], bulk),
            [None] * n,
            stamps,
            stamps,
            stamps,
            [clerk] * n,
            [clerk] * n,
            [1] * n,
            strict=True,
        )
