"""Every table of Opsdesk; importing this package registers them all on `Base.metadata`."""

from core.models.analytics import KpiTarget
from core.models.audit import AuditEntry
from core.models.base import Base, Fixed, Money, Stamped, UTCDateTime
from core.models.catalogue import Service
from core.models.customers import Customer, ServiceArea
from core.models.insight import FollowUp, ForecastPoint, ForecastRun, ForecastSeries
from core.models.numbering import Counter
from core.models.orders import Contract, ContractLine, LookupAttempt, Order, OrderEvent, OrderLine, Payment
from core.models.staff import Attendance, LeaveRequest, Qualification, Review, Shift, Staff, Training
from core.models.stock import (
    Item,
    Movement,
    PurchaseOrder,
    PurchaseOrderLine,
    ServiceMaterial,
    StockAdjustment,
    StockCount,
    StockCountLine,
    Supplier,
)
from core.models.support import ProblemReport
from core.models.users import AuthSession, LoginThrottle, User, UserRole

__all__ = [
    "Attendance",
    "AuditEntry",
    "AuthSession",
    "Base",
    "Contract",
    "ContractLine",
    "Counter",
    "Customer",
    "Fixed",
    "FollowUp",
    "ForecastPoint",
    "ForecastRun",
    "ForecastSeries",
    "Item",
    "KpiTarget",
    "LeaveRequest",
    "LoginThrottle",
    "LookupAttempt",
    "Money",
    "Movement",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "ProblemReport",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Qualification",
    "Review",
    "Service",
    "ServiceArea",
    "ServiceMaterial",
    "Shift",
    "Staff",
    "Stamped",
    "StockAdjustment",
    "StockCount",
    "StockCountLine",
    "Supplier",
    "Training",
    "UTCDateTime",
    "User",
    "UserRole",
]
