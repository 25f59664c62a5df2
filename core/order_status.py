"""The life of an order: which status may follow which, and what each means to staff and customers."""

from __future__ import annotations

from core.errors import OpsdeskError
from core.i18n import Bilingual as B
from core.i18n import msg

STATUSES: dict[str, B] = {
    "new": B("New", "新建"),
    "confirmed": B("Confirmed", "已确认"),
    "scheduled": B("Scheduled", "已派工"),
    "in_progress": B("In progress", "服务中"),
    "completed": B("Completed", "已完工"),
    "paid": B("Paid", "已结清"),
    "cancelled": B("Cancelled", "已取消"),
}

# What the customer reads on the public lookup page.
FOR_CUSTOMERS: dict[str, B] = {
    "new": B("We have received your order and will confirm it shortly.", "我们已收到您的订单，将尽快与您确认。"),
    "confirmed": B("Your order is confirmed; we are choosing your technician.", "订单已确认，正在为您安排技师。"),
    "scheduled": B("Your visit is booked.", "已为您安排上门服务。"),
    "in_progress": B("Our technician is working on it now.", "技师正在为您服务。"),
    "completed": B("The work is done. Thank you!", "服务已完成，感谢您的信任！"),
    "paid": B("The work is done and paid. Thank you!", "服务已完成并结清，感谢您的信任！"),
    "cancelled": B("This order was cancelled.", "该订单已取消。"),
}

NEXT: dict[str, frozenset[str]] = {
    "new": frozenset({"confirmed", "cancelled"}),
    "confirmed": frozenset({"scheduled", "cancelled"}),
    "scheduled": frozenset({"in_progress", "confirmed", "cancelled"}),  # back to confirmed: unassigned
    "in_progress": frozenset({"completed"}),
    "completed": frozenset({"paid"}),
    "paid": frozenset(),
    "cancelled": frozenset(),
}

OPEN = frozenset({"new", "confirmed", "scheduled", "in_progress"})
BOOKED = frozenset({"scheduled", "in_progress"})  # statuses that hold a technician's time


class InvalidTransition(OpsdeskError):
    pass


def check_transition(current: str, target: str) -> None:
    if target not in NEXT.get(current, frozenset()):
        possible = sorted(NEXT.get(current, ()))
        allowed = B(
            ", ".join(STATUSES[s].en for s in possible) or "-", "、".join(STATUSES[s].zh for s in possible) or "-"
        )
        raise InvalidTransition(
            msg(
                "An order that is {current} cannot become {target}. Next possible: {allowed}.",
                current=STATUSES[current],
                target=STATUSES[target],
                allowed=allowed,
            )
        )
