"""A small company with a past period of work, for the review tests: jobs completed on chosen days
and times (orders made by the order service, then moved into the past directly in the store),
shifts, attendance, a job done again and orders that do not count as rework."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from core.actor import SYSTEM
from core.clock import at, today
from core.db import writing
from core.models import Attendance, Order, OrderEvent, Staff
from core.services import contracts, orders
from core.services import staff as staff_services
from tests.factories import make_area, make_customer, make_service, make_technician, order_values


def period() -> tuple[date, date]:
    """Thirty days that ended ten days ago."""
    return today() - timedelta(days=40), today() - timedelta(days=11)


def set_created(order_id: int, moment: datetime) -> None:
    """When the order was taken (the stamps are the store's own, so it is set around them)."""
    with writing(SYSTEM) as session:
        session.execute(update(Order).where(Order.id == order_id).values(created_at=moment))
        session.commit()


def new_order(customer: dict[str, Any], area: int, service: int) -> dict[str, Any]:
    return orders.create_order(
        actor=SYSTEM,
        values=order_values(customer["id"], area),
        lines=[{"service_id": service, "quantity": Decimal(10)}],
        idempotency_key=str(uuid.uuid4()),
    )


def done_job(
    staff_id: int,
    customer: dict[str, Any],
    area: int,
    service: int,
    day: date,
    *,
    started: time = time(10),
    rating: int | None = None,
    status: str = "completed",
) -> dict[str, Any]:
    """A job requested for 09:00–12:00 on `day`, started at `started` and completed two hours later."""
    order = new_order(customer, area, service)
    with writing(SYSTEM) as session:
        row = session.get(Order, order["id"])
        row.requested_date, row.window_start, row.window_end = day, time(9), time(12)
        row.technician_id, row.status, row.rating = staff_id, status, rating
        row.started_at = at(day, started)
        row.completed_at = row.started_at + timedelta(hours=2)
        session.add(
            OrderEvent(
                order_id=row.id, at=row.started_at, actor_name="test", from_status="scheduled", to_status="in_progress"
            )
        )
        session.commit()
        done = {"id": row.id, "total": row.total, "completed_at": row.completed_at}
    set_created(order["id"], at(day - timedelta(days=3), time(9)))
    return done


def clocked(staff_id: int, day: date, start: time, end: time | None) -> None:
    with writing(SYSTEM) as session:
        out = None if end is None else at(day, end)
        session.add(Attendance(staff_id=staff_id, clock_in=at(day, start), clock_out=out))
        session.commit()


def other_staff(employee_no: str, name: str, position: str, left_on: date | None = None) -> int:
    with writing(SYSTEM) as session:
        person = Staff(
            employee_no=employee_no,
            name=name,
            public_name=name,
            position=position,
            status="left" if left_on else "active",
            left_on=left_on,
            areas=[],
            skills=[],
        )
        session.add(person)
        session.commit()
        return person.id


@dataclass
class World:
    area: int
    carpet: int
    sofa: int
    customers: list[dict[str, Any]]
    liu: int
    wang: int
    zhao: int
    jobs: list[dict[str, Any]]

    @property
    def period(self) -> tuple[date, date]:
        return period()


def build_world() -> World:
    """刘强: 3 jobs in the period (one late, one rated 2 and done again, one unrated), shifts on 4
    days and attendance on 3 (13.5 hours closed, one entry still open); 王磊: 1 job on time rated 4, no
    shifts; 赵六: a technician with nothing. Not listed: an office clerk and a technician who left
    before the period. Jobs just outside the period do not count."""
    first, last = period()
    area = make_area()
    carpet = make_service("CARPET", price="8.00", minutes="1.5")
    sofa = make_service("SOFA", price="120.00", minutes="60", skills=("upholstery",), unit="piece")
    a, b, c = (
        make_customer(area, name=name, phone=f"138 0000 000{n}", email=f"c{n}@example.com")
        for n, name in enumerate(("张伟", "李娜", "陈静"), start=1)
    )
    liu = make_technician("刘强", area, skills=("carpet", "upholstery"))
    wang = make_technician("王磊", area)
    zhao = make_technician("赵六", area)
    other_staff("E900", "周文", "office")
    other_staff("E901", "孙海", "technician", left_on=first - timedelta(days=1))
    jobs = [
        done_job(liu, a, area, carpet, first + timedelta(days=1), started=time(10), rating=5),
        done_job(liu, b, area, carpet, first + timedelta(days=2), started=time(13), rating=2, status="paid"),
        done_job(liu, a, area, sofa, first + timedelta(days=5), started=time(9, 30)),
        done_job(wang, c, area, carpet, first + timedelta(days=3), started=time(11), rating=4),
    ]
    done_job(liu, c, area, carpet, first - timedelta(days=1), rating=1)  # before the period
    done_job(liu, c, area, carpet, last + timedelta(days=1), rating=1)  # after it
    # 李娜 calls back three days after her carpet job: done again.
    set_created(new_order(b, area, carpet)["id"], jobs[1]["completed_at"] + timedelta(days=3))
    # 张伟's later carpet orders do not count: one was cancelled, one is a contract visit.
    cancelled = new_order(a, area, carpet)
    orders.cancel_order(actor=SYSTEM, order_id=cancelled["id"], expected_version=cancelled["version"], reason="改期")
    set_created(cancelled["id"], jobs[0]["completed_at"] + timedelta(days=2))
    visit = new_order(a, area, carpet)
    contract = contracts.create_contract(
        actor=SYSTEM,
        values={
            "customer_id": a["id"],
            "frequency": "weekly",
            "starts_on": today() + timedelta(days=1),
            "ends_on": None,
            "window_start": time(18),
            "window_end": time(20),
            "address": "上海市徐汇区虹桥路1号",
            "area_id": area,
            "channel": "phone",
            "notes": None,
        },
        lines=[{"service_id": carpet, "quantity": 1}],
    )
    with writing(SYSTEM) as session:
        session.get(Order, visit["id"]).contract_id = contract["id"]
        session.commit()
    set_created(visit["id"], jobs[0]["completed_at"] + timedelta(days=1))
    for offset in range(1, 5):
        staff_services.add_shift(
            actor=SYSTEM, staff_id=liu, day=first + timedelta(days=offset), start=time(8), end=time(17)
        )
    clocked(liu, first + timedelta(days=1), time(8), time(17))
    clocked(liu, first + timedelta(days=2), time(8), time(12, 30))
    clocked(liu, first + timedelta(days=3), time(8), None)  # never clocked out
    clocked(liu, first - timedelta(days=2), time(8), time(17))  # before the period
    return World(area, carpet, sofa, [a, b, c], liu, wang, zhao, jobs)
