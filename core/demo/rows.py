"""The planned history as table rows (tuples in column order, chunk by chunk), spelled as
the database stores them: money and quantities as scaled integers, instants via Bulk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np

from core.crypto import blind_index, encrypt
from core.demo import history as h
from core.demo.baskets import WINDOWS
from core.demo.bulk import Bulk
from core.demo.catalogue import SERVICES, service_rows
from core.demo.contracts import NOTES as CONTRACT_NOTES
from core.demo.texts import CANCEL_REASONS, COMMENTS, NO_TECHNICIAN, NOTES, Reasons

CHUNK = 50_000
CHANNELS = ("phone", "web", "app", "walk_in")
STAMPS = ("created_at", "updated_at", "created_by_id", "updated_by_id", "version")
# fmt: off
SERVICE_COLUMNS = ("id", "code", "name_en", "name_zh", "unit", "unit_price", "minutes_per_unit", "skills", "active",
                   *STAMPS)
CUSTOMER_COLUMNS = ("id", "code", "kind", "name", "contact_person", "phone", "phone_alt", "email", "address",
                    "phone_hash", "phone_alt_hash", "email_hash",
                    "area_id", "source", "preferences", "notes", *STAMPS)
CONTRACT_COLUMNS = ("id", "code", "customer_id", "frequency", "starts_on", "ends_on", "window_start", "window_end",
                    "address", "area_id", "channel", "active", "notes", *STAMPS)
CONTRACT_LINE_COLUMNS = ("contract_id", "service_id", "quantity")
ORDER_COLUMNS = (
    "id", "number", "customer_id", "channel", "address", "area_id", "requested_date", "window_start", "window_end",
    "status", "technician_id", "scheduled_start", "scheduled_end", "assignment_reason", "discount_pct",
    "discount_state", "discount_decided_by_id", "discount_decided_at", "subtotal", "discount_amount", "tax_rate",
    "tax_amount", "total", "paid", "refunded", "cancel_reason", "rating", "rating_comment", "materials_used",
    "started_at", "completed_at", "paid_at", "idempotency_key", "contract_id", "occurrence_date", "notes", *STAMPS,
)
LINE_COLUMNS = ("order_id", "service_id", "service_code", "name_en", "name_zh", "unit", "unit_price", "quantity",
                "minutes", "amount")
EVENT_COLUMNS = ("order_id", "at", "actor_id", "actor_name", "from_status", "to_status", "note")
PAYMENT_COLUMNS = ("order_id", "kind", "method", "amount", "reference", "reason", "received_at", *STAMPS)
# fmt: on


def nulls(values: np.ndarray, offset: int = 0) -> list[int | None]:
    """Ids from indices; a negative index is NULL."""
    return np.where(values >= 0, values + offset, None).tolist()


def _sealed(text: str | None) -> str | None:
    """A contact as the store keeps it: encrypted (core/crypto.py); bulk inserts bypass the column type."""
    return None if text is None else encrypt(text)


def services(bulk: Bulk, first: int, hired: int, manager: int) -> Iterator[tuple]:
    stamp = bulk.stamp(hired)
    for r in service_rows(first):
        yield (r["id"], r["code"], r["name_en"], r["name_zh"], r["unit"], r["unit_price"], r["minutes_per_unit"],
               json.dumps(r["skills"]), True, stamp, stamp, manager, manager, 1)  # fmt: skip


def customers(bulk: Bulk, book: Any, first_number: int) -> Iterator[tuple]:
    order = np.argsort(book.customer_rank, kind="stable")
    created = bulk.stamps(book.customer_created[order])
    clerk, first_id = book.users["clerk"], book.first["customers"]
    for position, (index, stamp) in enumerate(zip(order.tolist(), created, strict=True)):
        p = book.profiles[index]
        yield (first_id + position, f"CU-{first_number + position:06d}", p["kind"], p["name"], p["contact_person"],
               _sealed(p["phone"]), _sealed(p["phone_alt"]), _sealed(p["email"]), _sealed(p["address"]),
               blind_index("phone", p["phone"]), blind_index("phone", p["phone_alt"]), blind_index("email", p["email"]),
               p["area_id"], p["source"], p["preferences"], p["notes"], stamp, stamp, clerk, clerk, 1)  # fmt: skip


def contracts(bulk: Bulk, book: Any, first_number: int) -> Iterator[tuple]:
    manager, first_id = book.users["manager"], book.first["contracts"]
    for i, plan in enumerate(book.contracts):
        p = book.profiles[plan.customer]
        stamp = bulk.stamp(plan.signed)
        start, end = WINDOWS[plan.window]
        customer_id = book.first["customers"] + int(book.customer_rank[plan.customer])
        yield (first_id + i, f"CT-{first_number + i:06d}", customer_id, plan.frequency, bulk.date(plan.starts_on),
               bulk.date(plan.ends_on), bulk.clock(start), bulk.clock(end), _sealed(p["address"]), p["area_id"],
               "phone", plan.active, CONTRACT_NOTES[plan.frequency], stamp, stamp, manager, manager, 1)  # fmt: skip


def contract_lines(book: Any) -> Iterator[tuple]:
    for i, plan in enumerate(book.contracts):
        for s, k in plan.lines:
            yield (book.first["contracts"] + i, book.first["services"] + s, int(book.tables.quantity[1, s, k]))


def _table(rows: list[list[str | None]]) -> np.ndarray:
    """Texts by two indices as an object array (None where a row is shorter)."""
    out = np.full((len(rows), max(len(r) for r in rows)), None, dtype=object)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def orders(bulk: Bulk, book: Any, number_first: dict[int, int]) -> Iterator[tuple]:
    """Orders in id order; `number_first` is each year's first number (from the counters)."""
    s, b, span = book.history, book.bookings, book.span
    users, first = book.users, book.first
    clerk, manager, technician_user = users["clerk"], users["manager"], users["technician"]
    reasons = Reasons(book)
    customer_ids = first["customers"] + book.customer_rank
    addresses = np.array([_sealed(p["address"]) for p in book.profiles], dtype=object)  # one token per customer
    dates = np.array([span.day(i).isoformat() for i in range(span.days)], dtype=object)
    begins = np.array([bulk.clock(w[0]) for w in WINDOWS], dtype=object)
    ends = np.array([bulk.clock(w[1]) for w in WINDOWS], dtype=object)
    statuses, channels = np.array(h.STATUSES, dtype=object), np.array(CHANNELS, dtype=object)
    cancels = np.array([NO_TECHNICIAN, None, *CANCEL_REASONS], dtype=object)  # by reason + 2
    comments = _table([[None]] + [list(COMMENTS.get(r, ())) or [None] for r in range(1, 6)])
    notes = _table([list(NOTES[0]), list(NOTES[1])])
    materials = np.array(book.tables.materials, dtype=object)
    contract_ids = np.array([str(first["contracts"] + c) for c in range(len(book.contracts))] or [""], dtype=object)
    for a in range(0, len(book.day), CHUNK):
        ix = np.arange(a, min(a + CHUNK, len(book.day)))
        n = len(ix)
        numbers = np.array(
            [
                f"SO-{y}-{number_first[y] + k - 1:06d}"
                for y, k in zip(book.year[ix].tolist(), book.serial[ix].tolist(), strict=True)
            ],
            dtype=object,
        )
        assigned = s.scheduled[ix] >= 0
        tech = np.where(assigned, b.technician[ix], -1)
        reason = np.where(s.no_technician[ix], reasons.nobody, None)
        reason[assigned] = reasons.stored(ix[assigned])
        discount = book.discount[ix]
        decided_by = np.where(discount == 0, -1, np.where(discount > 10, manager, clerk))
        decided_at = np.where(discount == 0, -1, np.where(discount > 10, s.decided[ix], book.created[ix]))
        rating, said = s.rating[ix], s.comment[ix]
        comment = np.where(said >= 0, comments[rating, np.maximum(said, 0)], None)
        seg, svc, size = book.segment[ix].astype(np.int64), book.service[ix], book.size[ix]
        used = materials[seg, np.maximum(svc[:, 0], 0), size[:, 0]]
        for slot in range(1, svc.shape[1]):
            more = materials[seg, np.maximum(svc[:, slot], 0), size[:, slot]]
            used = np.where(svc[:, slot] >= 0, used + "；" + more, used)
        contract, day = book.contract[ix], book.day[ix]
        visit = contract >= 0
        keys = np.where(
            visit, "contract-" + contract_ids[np.maximum(contract, 0)] + "-" + dates[day], "demo-" + numbers
        )
        note = book.note[ix]
        by_technician = (s.status[ix] == h.COMPLETED) & (s.updated[ix] == s.completed[ix])
        updated_by = np.where(by_technician, np.where(b.technician[ix] == 0, technician_user, -1), clerk)
        columns = [
            (first["orders"] + ix).tolist(),
            numbers.tolist(),
            customer_ids[book.customer[ix]].tolist(),
            channels[book.channel[ix]].tolist(),
            addresses[book.customer[ix]].tolist(),
            book.area[ix].tolist(),
            dates[day].tolist(),
            begins[book.window[ix]].tolist(),
            ends[book.window[ix]].tolist(),
            statuses[s.status[ix]].tolist(),
            nulls(tech, first["staff"]),
            bulk.stamps(np.where(assigned, b.start[ix], -1)),
            bulk.stamps(np.where(assigned, b.end[ix], -1)),
            reason.tolist(),
            (discount * 100).tolist(),
            np.where(discount == 0, "none", "approved").tolist(),
            nulls(decided_by),
            bulk.stamps(decided_at),
            book.subtotal[ix].tolist(),
            book.discount_amount[ix].tolist(),
            [book.tax_rate] * n,
            book.tax_amount[ix].tolist(),
            book.total[ix].tolist(),
            s.paid[ix].tolist(),
            [0] * n,
            cancels[s.cancel_reason[ix] + 2].tolist(),
            np.where(rating > 0, rating, None).tolist(),
            comment.tolist(),
            np.where(s.materials[ix], used, None).tolist(),
            bulk.stamps(s.started[ix]),
            bulk.stamps(s.completed[ix]),
            bulk.stamps(s.paid_at[ix]),
            keys.tolist(),
            nulls(contract, first["contracts"]),
            np.where(visit, dates[day], None).tolist(),
            np.where(note >= 0, notes[seg, np.maximum(note, 0)], None).tolist(),
            bulk.stamps(book.created[ix]),
            bulk.stamps(s.updated[ix]),
            [clerk] * n,
            nulls(updated_by),
            s.version[ix].tolist(),
        ]
        yield from zip(*columns, strict=True)


def lines(book: Any) -> Iterator[tuple]:
    """Order lines, priced by the tables (core.pricing.price_line per size)."""
    rows, slots = np.nonzero(book.service >= 0)
    seg = book.segment[rows].astype(np.int64)
    svc = book.service[rows, slots]
    size = book.size[rows, slots]
    t = book.tables
    code, en, zh, unit = (
        np.array([getattr(x, f) for x in SERVICES], dtype=object) for f in ("code", "name_en", "name_zh", "unit")
    )
    price = np.array([r["unit_price"] for r in service_rows(0)])
    for a in range(0, len(rows), CHUNK):
        sl = slice(a, a + CHUNK)
        v = svc[sl]
        yield from zip(
            (book.first["orders"] + rows[sl]).tolist(),
            (book.first["services"] + v).tolist(),
            code[v].tolist(),
            en[v].tolist(),
            zh[v].tolist(),
            unit[v].tolist(),
            price[v].tolist(),
            t.quantity[seg[sl], v, size[sl]].tolist(),
            t.minutes[seg[sl], v, size[sl]].tolist(),
            t.amount[seg[sl], v, size[sl]].tolist(),
            strict=True,
        )
