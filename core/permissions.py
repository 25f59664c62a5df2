"""Who may do what: the role x module x action matrix, and the check every service makes.

The matrix is data: admins read it on the Permissions page, the navigation is
built from it, and `service()` enforces it in core so that hiding a page is
never the only protection.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from core.actor import Actor
from core.errors import PermissionDenied
from core.i18n import Bilingual, msg

ROLES: dict[str, Bilingual] = {
    "admin": Bilingual("Administrator", "管理员"),
    "manager": Bilingual("Manager", "经理"),
    "clerk": Bilingual("Clerk", "文员"),
    "analyst": Bilingual("Analyst", "分析师"),
    "executive": Bilingual("Executive", "高管"),
    "technician": Bilingual("Technician", "技师"),
}
ACTIONS: dict[str, Bilingual] = {
    "view": Bilingual("view", "查看"),
    "create": Bilingual("create", "新建"),
    "edit": Bilingual("edit", "编辑"),
    "delete": Bilingual("delete", "删除"),
}
MODULES: dict[str, Bilingual] = {
    "customers": Bilingual("customers", "客户"),
    "contacts": Bilingual("customers' full contacts", "客户完整联系方式"),
    "users": Bilingual("users", "用户"),
    "audit": Bilingual("audit log", "审计日志"),
    "permissions": Bilingual("permissions", "权限"),
    "profile": Bilingual("own profile", "个人资料"),
    "catalogue": Bilingual("service catalogue", "服务目录"),
    "orders": Bilingual("orders", "订单"),
    "discounts": Bilingual("discount approvals", "折扣审批"),
    "dispatch": Bilingual("dispatch", "派工"),
    "jobs": Bilingual("own jobs", "我的工单"),
    "payments": Bilingual("payments", "收款"),
    "refunds": Bilingual("refunds", "退款"),
    "finance": Bilingual("receivables and settlement", "应收与结算"),
    "contracts": Bilingual("recurring contracts", "周期合同"),
    "staff": Bilingual("staff and shifts", "员工与排班"),
    "reference": Bilingual("reference lists", "基础资料"),
    "stock": Bilingual("stock", "库存"),
    "stock_approval": Bilingual("stock adjustments and counts approval", "库存调整与盘点审批"),
    "purchasing": Bilingual("purchasing", "采购"),
    "purchase_approval": Bilingual("purchase order approval", "采购单审批"),
    "timeclock": Bilingual("own clock in and out, own leave requests", "本人打卡与请假"),
    "attendance": Bilingual("attendance of everyone", "全员考勤"),
    "leave": Bilingual("leave approval", "请假审批"),
    "reviews": Bilingual("performance reviews", "绩效评估"),
    "dashboards": Bilingual("dashboards and reports", "看板与报表"),
    "kpis": Bilingual("KPIs and their targets", "关键指标与目标"),
    "data": Bilingual("data downloads", "数据下载"),
    "segments": Bilingual("customer segments and churn risk", "客户分群与流失风险"),
    "follow_ups": Bilingual("customer follow-ups", "客户跟进"),
    "forecasts": Bilingual("demand forecasts", "需求预测"),
    "problems": Bilingual("problem reports", "问题反馈"),
    "backups": Bilingual("backups", "备份"),
    "health": Bilingual("system health", "系统状态"),
}

EVERYONE = frozenset(ROLES)

# module -> action -> roles allowed. Least privilege: what is not listed is refused.
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "customers": {
        "view": frozenset({"manager", "clerk", "analyst"}),
        "create": frozenset({"manager", "clerk"}),
        "edit": frozenset({"manager", "clerk"}),
        "delete": frozenset({"manager"}),
    },
    # A customer's phones and email are masked (138****1234, a***@example.com) in every service's
    # answer, for every role, lists and downloads included. Only `reveal_contacts`, one customer
    # at a time and written in the audit trail (who, when, which customer; never the value), gives
    # them in full: to customer service and managers, who must call customers. Searching by a full
    # phone or email still finds the customer but answers masked. Addresses are not masked in
    # operational pages (dispatch and technicians need them); the data downloads mask them for
    # roles that do not keep customer records.
    "contacts": {"view": frozenset({"manager", "clerk"})},
    "users": {
        "view": frozenset({"admin"}),
        "create": frozenset({"admin"}),
        "edit": frozenset({"admin"}),
        "delete": frozenset({"admin"}),
    },
    "audit": {"view": frozenset({"admin"})},
    "permissions": {"view": frozenset({"admin"})},
    "profile": {"view": EVERYONE, "edit": EVERYONE},
    "reference": {"view": EVERYONE},
    "stock": {
        "view": frozenset({"manager", "clerk", "analyst"}),
        "create": frozenset({"manager", "clerk"}),  # movements, new items and suppliers
        "edit": frozenset({"manager", "clerk"}),
        "delete": frozenset({"manager"}),  # reversing a movement
    },
    "stock_approval": {"view": frozenset({"manager"}), "edit": frozenset({"manager"})},
    "purchasing": {
        "view": frozenset({"manager", "clerk", "analyst"}),
        "create": frozenset({"manager", "clerk"}),
        "edit": frozenset({"manager", "clerk"}),
        "delete": frozenset({"manager", "clerk"}),  # cancelling
    },
    "purchase_approval": {"view": frozenset({"manager"}), "edit": frozenset({"manager"})},
    "catalogue": {
        "view": frozenset({"manager", "clerk", "analyst", "executive"}),
        "create": frozenset({"manager"}),
        "edit": frozenset({"manager"}),
        "delete": frozenset({"manager"}),
    },
    "orders": {
        "view": frozenset({"manager", "clerk", "analyst", "executive"}),
        "create": frozenset({"manager", "clerk"}),
        "edit": frozenset({"manager", "clerk"}),
        "delete": frozenset({"manager", "clerk"}),  # cancelling, with a reason
    },
    "discounts": {"view": frozenset({"manager"}), "edit": frozenset({"manager"})},
    "dispatch": {"view": frozenset({"manager", "clerk"}), "edit": frozenset({"manager", "clerk"})},
    "jobs": {"view": frozenset({"technician", "manager"}), "edit": frozenset({"technician", "manager"})},
    "payments": {"view": frozenset({"manager", "clerk", "analyst"}), "create": frozenset({"manager", "clerk"})},
    "refunds": {"view": frozenset({"manager"}), "create": frozenset({"manager"})},
    "finance": {"view": frozenset({"manager", "clerk", "analyst", "executive"})},
    "contracts": {
        "view": frozenset({"manager", "clerk"}),
        "create": frozenset({"manager", "clerk"}),
        "edit": frozenset({"manager", "clerk"}),
        "delete": frozenset({"manager"}),
    },
    "staff": {
        "view": frozenset({"manager", "clerk"}),
        "create": frozenset({"manager"}),
        "edit": frozenset({"manager"}),
        "delete": frozenset({"manager"}),
    },
    # a person's own clock and leave requests: whoever has a staff record linked to their login
    "timeclock": {"view": EVERYONE - {"admin"}, "create": EVERYONE - {"admin"}},
    "attendance": {"view": frozenset({"manager", "analyst"}), "edit": frozenset({"manager"})},
    "leave": {"view": frozenset({"manager"}), "edit": frozenset({"manager"})},
    "reviews": {
        "view": frozenset({"manager", "executive"}),
        "create": frozenset({"manager"}),
        "edit": frozenset({"manager"}),
    },
    "dashboards": {"view": frozenset({"manager", "analyst", "executive"})},
    "kpis": {"view": frozenset({"manager", "executive"}), "edit": frozenset({"manager"})},  # edit: set targets
    "data": {"view": frozenset({"analyst", "manager"})},
    "segments": {"view": frozenset({"manager", "clerk", "analyst", "executive"})},
    "follow_ups": {
        "view": frozenset({"manager", "clerk"}),
        "create": frozenset({"manager", "clerk"}),
        "edit": frozenset({"manager", "clerk"}),  # closing one, with its outcome
    },
    "forecasts": {"view": frozenset({"manager", "analyst", "executive"}), "create": frozenset({"manager", "analyst"})},
    # anyone reports a problem from any page; admins read the reports and close them
    "problems": {"view": frozenset({"admin"}), "create": EVERYONE, "edit": frozenset({"admin"})},
    # the backup list and "back up now"; restoring is a command-line action (python -m core.backups)
    "backups": {"view": frozenset({"admin"}), "create": frozenset({"admin"})},
    # the database, backups, recent errors, signed-in sessions and the analytics snapshot
    "health": {"view": frozenset({"admin"})},
}


def allowed(roles: frozenset[str], module: str, action: str) -> bool:
    if "system" in roles:
        return True
    return bool(roles & MATRIX.get(module, {}).get(action, frozenset()))


def require(actor: Actor, module: str, action: str) -> None:
    """Refuse, and log the refusal, unless one of the actor's roles allows the action.

    The roles are read from the store at each call, and the actor's session must still
    be open (SessionEnded otherwise): disabling someone or removing a role takes effect
    even for a page they had already open."""
    # Imported here: both need the store, which needs this module's callers first.
    from core.audit import record_event
    from core.auth import live_roles

    roles = actor.roles if actor.is_system else live_roles(actor)
    if allowed(roles, module, action):
        return
    record_event(actor, "denied", entity=module, detail=action)
    raise PermissionDenied(
        module,
        action,
        msg("Your role does not allow you to {action} {module}.", action=ACTIONS[action], module=MODULES[module]),
    )


F = TypeVar("F", bound=Callable[..., Any])

# Every service, by dotted name: the test suite calls each one as every role.
SERVICES: dict[str, Callable[..., Any]] = {}


def service(module: str, action: str, name: str | None = None) -> Callable[[F], F]:
    """Declare a core service and the permission it needs; the check runs before its body."""
    if action not in MATRIX.get(module, {}):
        raise ValueError(f"{module}.{action} is not in the permission matrix")

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def guarded(*args: Any, actor: Actor, **kwargs: Any) -> Any:
            require(actor, module, action)
            return function(*args, actor=actor, **kwargs)

        guarded.permission = (module, action)  # type: ignore[attr-defined]
        SERVICES[name or f"{function.__module__}.{function.__name__}"] = guarded
        return guarded  # type: ignore[return-value]

    return decorate


def matrix_rows() -> list[dict[str, object]]:
    """The matrix flattened for display: one row per module and action, one column per role."""
    rows: list[dict[str, object]] = []
    for module, actions in MATRIX.items():
        for action, roles in actions.items():
            rows.append({"module": module, "action": action, **{role: role in roles for role in ROLES}})
    return rows
