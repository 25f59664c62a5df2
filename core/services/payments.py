"""Taking money for orders and giving it back: partial payments, the balance due, and
refunds, which only a manager may make and only with a reason."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from core import db
from core.actor import Actor
from core.clock import utcnow
from core.entities import records
from core.errors import OpsdeskError, ValidationFailed
from core.formatting import money
from core.i18n import Bilingual as B
from core.i18n import Message, msg
from core.models import Payment
from core.order_rules import balance, load_order, order_view, require_decided_discount, transition
from core.permissions import service
from core.text import without_control_characters

METHODS: dict[str, B] = {
    "cash": B("Cash", "现金"),
    "card": B("Bank card", "银行卡"),
    "bank_transfer": B("Bank transfer", "银行转账"),
    "wechat": B("WeChat Pay", "微信支付"),
    "alipay": B("Alipay", "支付宝"),
}


def _amount(raw: Any, errors: dict[str, Message]) -> Decimal:
    try:
        amount = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0:
        errors["amount"] = msg("Enter an amount above zero.")
        return Decimal(0)
    if amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = msg("Amounts are in yuan and fen: at most two decimals.")
    return amount


def _check(raw_amount: Any, method: str, reference: str) -> tuple[Decimal, dict[str, Message]]:
    errors: dict[str, Message] = {}
    amount = _amount(raw_amount, errors)
    if method not in METHODS:
        errors["method"] = msg("Choose one of: {options}.", options=", ".join(METHODS))
    if len(reference) > 100:
        errors["reference"] = msg("At most {limit} characters; this has {length}.", limit=100, length=len(reference))
    return amount, errors


@service("payments", "create")
def record_payment(*, actor: Actor, order_id: int, amount: Any, method: str, reference: str = "") -> dict[str, Any]:
    """Take a payment (all or part of the balance). When the balance of a completed order
    reaches zero, the order is paid."""
    reference = without_control_characters(reference).strip()
    value, errors = _check(amount, method, reference)
    with db.writing(actor) as session:
        order = load_order(session, order_id, lock=True)
        if order.status == "cancelled":
            raise OpsdeskError(msg("This order was cancelled; it takes no payments."))
        require_decided_discount(order)
        due = balance(order)
        if not errors and value > due:
            errors["amount"] = msg("That is more than the balance due, {balance}.", balance=money(due))
        if errors:
            raise ValidationFailed(errors)
        session.add(
            Payment(
                order_id=order.id,
                kind="payment",
                method=method,
                amount=value,
                reference=reference or None,
                received_at=utcnow(),
            )
        )
        order.paid += value
        if order.status == "completed" and balance(order) <= 0:
            transition(session, order, "paid", actor)
        records.save(session, order)
        view = order_view(session, order)
        session.commit()
    return view


@service("refunds", "create")
def refund(
    *, actor: Actor, order_id: int, amount: Any, method: str, reason: str, reference: str = ""
) -> dict[str, Any]:
    """Give money back (a manager, with a reason); never more than was received. A refund is a
    credit: the order's revenue goes down, what the customer owes does not go up."""
    reference = without_control_characters(reference).strip()
    reason = without_control_characters(reason).strip()
    value, errors = _check(amount, method, reference)
    if not reason:
        errors["reason"] = msg("Say why the money is given back.")
    with db.writing(actor) as session:
        order = load_order(session, order_id, lock=True)
        received = order.paid - order.refunded
        if not errors.get("amount") and value > received:
            errors["amount"] = msg("That is more than was received, {received}.", received=money(received))
        if errors:
            raise ValidationFailed(errors)
        session.add(
            Payment(
                order_id=order.id,
                kind="refund",
                method=method,
                amount=value,
                reference=reference or None,
                reason=reason[:300],
                received_at=utcnow(),
            )
        )
        order.refunded += value
        records.save(session, order)
        view = order_view(session, order)
        session.commit()
    return view


@service("payments", "view")
def payments_of(*, actor: Actor, order_id: int) -> list[dict[str, Any]]:
    with db.reading() as session:
        rows = session.execute(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id)).scalars()
        return [{c.key: getattr(p, c.key) for c in Payment.__table__.columns} for p in rows]
