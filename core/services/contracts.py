"""Recurring contracts (weekly office cleaning…) and the generator that turns them into
orders ahead of time. Generating twice creates nothing new: each visit is one order,
kept unique by (contract, date). Each generated order is then an ordinary order,
changed or cancelled on its own without touching the contract or the other visits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import db
from core.actor import Actor
from core.audit import record_event
from core.clock import today
from core.config import get_settings
from core.entities import records
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Message, msg, translate
from core.models import Contract, ContractLine, Customer, Order
from core.numbering import format_number, reserve
from core.order_rules import check_intake, new_order, services_for, transition
from core.permissions import service
from core.recurrence import FREQUENCIES, occurrences

CONTRACT_FIELDS = (
    "customer_id",
    "frequency",
    "starts_on",
    "ends_on",
    "window_start",
    "window_end",
    "address",
    "area_id",
    "channel",
    "notes",
)


def _checked(session: Session, values: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    errors: dict[str, Message] = {}
    if values.get("frequency") not in FREQUENCIES:
        errors["frequency"] = msg("Choose one of: {options}.", options=", ".join(FREQUENCIES))
    customer = session.get(Customer, values.get("customer_id") or 0)
    if customer is None or customer.archived_at is not None:
        errors["customer_id"] = msg("Choose a customer, or enter a new one.")
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        errors["ends_on"] = msg("The contract must end after it starts.")
    try:
        check_intake(
            {**values, "requested_date": starts, "discount_pct": 0},
            lines,
            services_for(session, lines),
            allow_past=True,
        )
    except ValidationFailed as failed:
        errors.update({("starts_on" if k == "requested_date" else k): m for k, m in failed.errors.items()})
    if errors:
        raise ValidationFailed(errors)
    return {name: values.get(name) for name in CONTRACT_FIELDS}


def _view(contract: Contract) -> dict[str, Any]:
    row = {c.key: getattr(contract, c.key) for c in Contract.__table__.columns}
    row["lines"] = [{"service_id": line.service_id, "quantity": line.quantity} for line in contract.lines]
    return row


def _set_lines(contract: Contract, lines: list[dict[str, Any]]) -> None:
    contract.lines = [ContractLine(service_id=line["service_id"], quantity=line["quantity"]) for line in lines]


@service("contracts", "create")
def create_contract(*, actor: Actor, values: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    with db.writing(actor) as session:
        contract = Contract(**_checked(session, values, lines), active=True)
        contract.code = format_number("CT", reserve(session, "contracts"))
        _set_lines(contract, lines)
        session.add(contract)
        session.flush()
        view = _view(contract)
        session.commit()
    return view


@service("contracts", "edit")
def update_contract(
    *, actor: Actor, contract_id: int, values: dict[str, Any], lines: list[dict[str, Any]], expected_version: int
) -> dict[str, Any]:
    """Changes apply to visits generated from now on; orders already generated stay as they are."""
    with db.writing(actor) as session:
        contract = _contract(session, contract_id)
        records.check_version(session, contract, expected_version)
        for name, value in _checked(session, values, lines).items():
            setattr(contract, name, value)
        _set_lines(contract, lines)
        records.save(session, contract)
        kept = set(occurrences(contract.frequency, contract.starts_on, _horizon(), contract.ends_on))
        _cancel_visits(session, actor, contract, keep=kept, reason="contract schedule changed")
        view = _view(contract)
        session.commit()
    return view


@service("contracts", "delete")
def end_contract(*, actor: Actor, contract_id: int, expected_version: int) -> dict[str, Any]:
    with db.writing(actor) as session:
        contract = _contract(session, contract_id)
        records.check_version(session, contract, expected_version)
        contract.active = False
        records.save(session, contract)
        _cancel_visits(session, actor, contract, keep=set(), reason="contract ended")
        view = _view(contract)
        session.commit()
    return view


def _horizon() -> date:
    return today() + timedelta(days=get_settings().contract_horizon_days)


def _cancel_visits(session: Session, actor: Actor, contract: Contract, *, keep: set[date], reason: str) -> None:
    """Cancel the contract's future visits that have not started and are no longer wanted."""
    visits = session.execute(
        select(Order).where(
            Order.contract_id == contract.id,
            Order.occurrence_date >= today(),
            Order.status.in_(("new", "confirmed", "scheduled")),
        )
    ).scalars()
    for order in visits:
        if order.occurrence_date not in keep and order.paid == 0:
            transition(session, order, "cancelled", actor, note=reason)
            order.cancel_reason = reason


def _contract(session: Session, contract_id: int) -> Contract:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound(msg("Contract {id} does not exist.", id=contract_id))
    return contract


@service("contracts", "view")
def list_contracts(*, actor: Actor, include_ended: bool = False) -> list[dict[str, Any]]:
    statement = select(Contract, Customer).join(Customer, Customer.id == Contract.customer_id).order_by(Contract.id)
    if not include_ended:
        statement = statement.where(Contract.active.is_(True))
    with db.reading() as session:
        return [
            {**_view(contract), "customer_name": customer.name} for contract, customer in session.execute(statement)
        ]


@service("contracts", "view")
def get_contract(*, actor: Actor, contract_id: int) -> dict[str, Any]:
    with db.reading() as session:
        contract = _contract(session, contract_id)
        view = _view(contract)
        view["orders"] = [
            {"id": o.id, "number": o.number, "occurrence_date": o.occurrence_date, "status": o.status}
            for o in session.execute(
                select(Order).where(Order.contract_id == contract_id).order_by(Order.occurrence_date)
            ).scalars()
        ]
        return view


@service("contracts", "create")
def generate_orders(*, actor: Actor, until: date | None = None) -> int:
    """Create the orders of every active contract's visits from today to `until` (by default
    the configured horizon) that do not exist yet. Returns how many were created. A contract
    that cannot generate (a service no longer offered…) is recorded in the audit log and
    skipped; the others go on."""
    until = until or _horizon()
    created = 0
    with db.reading() as session:
        ids = session.execute(select(Contract.id).where(Contract.active.is_(True))).scalars().all()
    for contract_id in ids:
        try:
            created += _generate_one(actor, contract_id, until)
        except OpsdeskError as error:
            record_event(
                actor,
                "contract_failed",
                entity="contracts",
                entity_id=contract_id,
                detail=translate(error.message, "en")[:500],
            )
    return created


def _generate_one(actor: Actor, contract_id: int, until: date) -> int:
    """One contract's missing visits, in one transaction (a race with another run loses cleanly)."""
    try:
        with db.writing(actor) as session:
            contract = _contract(session, contract_id)
            done = set(session.execute(select(Order.occurrence_date).where(Order.contract_id == contract_id)).scalars())
            lines = [{"service_id": line.service_id, "quantity": line.quantity} for line in contract.lines]
            services = services_for(session, lines)
            created = 0
            for day in occurrences(contract.frequency, contract.starts_on, until, contract.ends_on):
                if day < today() or day in done:
                    continue
                values = {name: getattr(contract, name) for name in VISIT_FIELDS}
                intake = check_intake({**values, "requested_date": day, "discount_pct": 0}, lines, services)
                new_order(
                    session,
                    actor,
                    intake,
                    contract.customer_id,
                    f"contract-{contract.id}-{day.isoformat()}",
                    contract=(contract.id, day),
                )
                created += 1
            session.commit()
            return created
    except IntegrityError:  # another run generated these visits at the same moment
        return 0


VISIT_FIELDS = ("channel", "address", "area_id", "window_start", "window_end", "notes")
