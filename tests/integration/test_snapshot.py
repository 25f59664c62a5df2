"""The columnar snapshot: the same types on both stores, fresh after every save, incremental,
safe to read from many threads while it catches up, and blind to nothing committed late."""

from __future__ import annotations

import threading
from datetime import UTC, date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from core import db
from core.actor import SYSTEM
from core.analytics import snapshot
from core.clock import today
from core.services import orders
from core.services import staff as staff_services
from tests.integration.order_support import edit, finish, pay, place, scheduled
from tests.integration.stock_support import make_item


@pytest.fixture(autouse=True)
def fresh_snapshot(store):
    """Each test starts from a first load of its own store and leaves nothing open behind."""
    yield
    snapshot.close()


def rows(sql: str, params: list | None = None) -> list[tuple]:
    with snapshot.reader() as con:
        return con.execute(sql, params or []).fetchall()


def one(sql: str, params: list | None = None):
    return rows(sql, params)[0][0]


# --- Types ----------------------------------------------------------------------------------


def test_money_dates_instants_flags_and_json_have_their_analytic_types(clerk, area, customer, carpet, liu_staff):
    order = place(clerk, customer["id"], area, carpet, "20")  # 20 m² at ¥8.00, 6% tax
    (total, subtotal, tax_rate, day, start, status), *_ = rows(
        "SELECT total, subtotal, tax_rate, requested_date, window_start, status FROM orders WHERE id = ?", [order["id"]]
    )
    assert (total, subtotal, tax_rate) == (order["total"], Decimal("160.00"), order["tax_rate"])
    assert (day, start, status) == (order["requested_date"], time(9), "new")
    types = rows(
        "SELECT typeof(total), typeof(tax_rate), typeof(requested_date), typeof(window_start), typeof(created_at) "
        "FROM orders"
    )
    assert types == [("DECIMAL(18,2)", "DECIMAL(18,4)", "DATE", "TIME", "TIMESTAMP WITH TIME ZONE")]
    line = rows("SELECT quantity, unit_price, amount, minutes FROM order_lines WHERE order_id = ?", [order["id"]])
    assert line == [(Decimal("20.00"), Decimal("8.00"), Decimal("160.00"), 30)]
    assert rows("SELECT active, typeof(active), json_extract(skills, '$[0]') FROM services") == [
        (True, "BOOLEAN", '"carpet"')
    ]
    assert one("SELECT CAST(json_extract(areas, '$[0]') AS BIGINT) FROM staff WHERE id = ?", [liu_staff]) == area


def test_an_instant_falls_on_the_companys_local_day(area, liu_staff):
    day = today() + timedelta(days=5)
    shift = staff_services.add_shift(actor=SYSTEM, staff_id=liu_staff, day=day, start=time(7), end=time(12))
    local_day, hour, utc_hour = rows(
        "SELECT CAST(starts_at AS DATE), hour(starts_at), hour(timezone('UTC', starts_at)) FROM shifts WHERE id = ?",
        [shift["id"]],
    )[0]
    assert (local_day, hour, utc_hour) == (day, 7, 23)  # 07:00 in Shanghai is 23:00 UTC the day before
    # The local day is also stored beside the instant, worked out once as the row is read.
    assert one("SELECT starts_day FROM shifts WHERE id = ?", [shift["id"]]) == day
    # One read by a refresh, not by the first load: 06:00 local the next day is 22:00 UTC on `day`.
    nxt = day + timedelta(days=1)
    early = staff_services.add_shift(actor=SYSTEM, staff_id=liu_staff, day=nxt, start=time(6), end=time(7))
    assert rows("SELECT starts_day, typeof(starts_day) FROM shifts WHERE id = ?", [early["id"]]) == [(nxt, "DATE")]


# --- Freshness --------------------------------------------------------------------------------


def test_every_save_is_in_the_next_reading(clerk, area, customer, carpet, liu, liu_staff):
    assert one("SELECT count(*) FROM orders") == 0
    first = place(clerk, customer["id"], area, carpet, "10")
    assert rows("SELECT id, total FROM orders") == [(first["id"], first["total"])]
    changed = edit(clerk, first, quantity="30")
    assert one("SELECT subtotal FROM orders WHERE id = ?", [first["id"]]) == Decimal("240.00") == changed["subtotal"]
    cancelled = orders.cancel_order(
        actor=clerk, order_id=first["id"], reason="改期", expected_version=changed["version"]
    )
    assert one("SELECT status FROM orders WHERE id = ?", [first["id"]]) == cancelled["status"] == "cancelled"
    assert one("SELECT to_status FROM order_events WHERE order_id = ? ORDER BY id DESC", [first["id"]]) == "cancelled"
    done = finish(liu, scheduled(clerk, customer, area, carpet))
    pay(clerk, done, "100", "wechat")
    assert rows("SELECT kind, method, amount FROM payments") == [("payment", "wechat", Decimal("100.00"))]
    assert one("SELECT paid FROM orders WHERE id = ?", [done["id"]]) == Decimal("100.00")
    item = make_item("SHAMPOO-5L", stock_on_hand="12")
    assert rows("SELECT kind, quantity, unit_cost FROM stock_movements WHERE item_id = ?", [item["id"]]) == [
        ("receipt", Decimal("12.00"), Decimal("80.00"))
    ]
    assert one("SELECT on_hand FROM items WHERE id = ?", [item["id"]]) == Decimal("12.00")


def test_an_orders_lines_are_replaced_when_they_change(clerk, area, customer, carpet):
    order = place(clerk, customer["id"], area, carpet, "10")
    assert rows("SELECT quantity FROM order_lines WHERE order_id = ?", [order["id"]]) == [(Decimal("10.00"),)]
    edit(clerk, order, quantity="25")
    assert rows("SELECT quantity, amount FROM order_lines WHERE order_id = ?", [order["id"]]) == [
        (Decimal("25.00"), Decimal("200.00"))
    ]


def test_a_deleted_shift_disappears(area, liu_staff):
    assert one("SELECT count(*) FROM shifts WHERE staff_id = ?", [liu_staff]) == 1
    shift = one("SELECT id FROM shifts WHERE staff_id = ?", [liu_staff])
    staff_services.remove_shift(actor=SYSTEM, shift_id=shift)
    assert one("SELECT count(*) FROM shifts") == 0


def test_a_shift_deleted_outside_the_window_is_dropped_by_the_audit_trails_record(monkeypatch, area, liu_staff):
    monkeypatch.setattr(snapshot, "OVERLAP", timedelta(0))  # the window holds the newest shift only
    older = one("SELECT id FROM shifts WHERE staff_id = ?", [liu_staff])
    newer = staff_services.add_shift(
        actor=SYSTEM, staff_id=liu_staff, day=today() + timedelta(days=3), start=time(8), end=time(12)
    )
    assert sorted(r[0] for r in rows("SELECT id FROM shifts")) == [older, newer["id"]]
    staff_services.remove_shift(actor=SYSTEM, shift_id=older)
    assert rows("SELECT id FROM shifts") == [(newer["id"],)]


# --- Incremental ------------------------------------------------------------------------------


def test_a_refresh_reads_only_what_changed(clerk, area, customer, carpet):
    placed = [place(clerk, customer["id"], area, carpet, str(10 + i)) for i in range(5)]
    first = snapshot.current().refresh()
    assert (first["orders"], first["order_lines"], first["order_events"]) == (5, 5, 5)
    assert snapshot.current().refresh() == {}  # nothing changed: one probe, nothing read
    edit(clerk, placed[2], quantity="40")
    assert snapshot.current().refresh() == {"orders": 1, "order_lines": 1}
    place(clerk, customer["id"], area, carpet, "7")
    assert snapshot.current().refresh() == {"orders": 1, "order_lines": 1, "order_events": 1}
    assert one("SELECT sum(quantity) FROM order_lines") == Decimal(10 + 11 + 40 + 13 + 14 + 7)


def test_a_refresh_with_nothing_new_is_one_store_query(monkeypatch, clerk, area, customer, carpet):
    place(clerk, customer["id"], area, carpet, "10")
    current = snapshot.current()
    current.refresh()
    queries: list[str] = []
    probe = snapshot.Snapshot._rows
    monkeypatch.setattr(snapshot.Snapshot, "_rows", lambda self, sql: queries.append(sql) or probe(self, sql))
    assert current.refresh() == {} and current.refresh() == {}
    assert len(queries) == 2 and all(" UNION ALL " in sql for sql in queries)


def test_one_snapshot_per_store_and_the_old_one_is_closed(store, clerk):
    before = snapshot.current()
    assert snapshot.current() is before
    db.use_engine(db.make_engine(store.url))
    try:
        after = snapshot.current()
        assert after is not before and before.closed and not after.closed
        assert one("SELECT username FROM users") == "clerk1"
    finally:
        db.use_engine(store.engine)


# --- Concurrency and late commits -------------------------------------------------------------


def test_readers_in_many_threads_while_orders_are_written_see_consistent_sums(clerk, area, customer, carpet):
    place(clerk, customer["id"], area, carpet, "10")
    errors: list[BaseException] = []
    seen: list[tuple] = []
    writing = threading.Event()
    writing.set()

    def read() -> None:
        try:
            while writing.is_set():
                seen.extend(rows("SELECT (SELECT sum(subtotal) FROM orders), (SELECT sum(amount) FROM order_lines)"))
        except BaseException as error:
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        for i in range(8):
            place(clerk, customer["id"], area, carpet, str(i + 1))
            snapshot.current().refresh()
    finally:
        writing.clear()
        for thread in readers:
            thread.join()
    assert errors == []
    assert seen and all(orders_sum == lines_sum for orders_sum, lines_sum in seen)
    assert one("SELECT count(*) FROM orders") == 9
    assert one("SELECT sum(subtotal) FROM orders") == Decimal(8 * (10 + sum(range(1, 9))))


def test_a_row_stamped_before_a_refresh_but_committed_after_it_is_picked_up(store, clerk, area, customer, carpet):
    early = place(clerk, customer["id"], area, carpet, "10")
    place(clerk, customer["id"], area, carpet, "11")
    snapshot.current().refresh()  # the mark is now the second order's stamp
    stamp = early["updated_at"].astimezone(UTC) + timedelta(microseconds=1)  # before that mark
    bound = stamp.replace(tzinfo=None) if store.dialect == "sqlite" else stamp
    with db.get_engine().begin() as connection:
        connection.execute(
            text("UPDATE orders SET notes = 'late', version = version + 1, updated_at = :at WHERE id = :id"),
            {"at": bound, "id": early["id"]},
        )
        connection.execute(
            text("INSERT INTO order_events (order_id, at, actor_name, to_status) VALUES (:id, :at, 'x', 'new')"),
            {"at": bound, "id": early["id"]},
        )
    assert one("SELECT notes FROM orders WHERE id = ?", [early["id"]]) == "late"
    assert one("SELECT count(*) FROM order_events WHERE order_id = ?", [early["id"]]) == 2


def test_the_first_day_of_the_year_is_a_date(clerk):
    assert one("SELECT CAST(TIMESTAMPTZ '2025-12-31 16:30:00+00' AS DATE)") == date(2026, 1, 1)


def test_closing_a_snapshot_never_hides_what_the_store_writes_next(store, clerk, area, customer, carpet):
    assert one("SELECT count(*) FROM orders") == 0
    snapshot.close()  # on SQLite a read-write driver connection would delete the WAL under the store's
    placed = place(clerk, customer["id"], area, carpet, "10")
    other = db.make_engine(store.url)
    try:
        with other.connect() as connection:
            assert connection.execute(text("SELECT number FROM orders")).scalars().all() == [placed["number"]]
    finally:
        other.dispose()
    assert rows("SELECT number FROM orders") == [(placed["number"],)]
