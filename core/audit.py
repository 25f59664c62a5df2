"""Writing the audit trail: field changes come from the store's listener, events from here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core import db
from core.actor import Actor
from core.clock import utcnow
from core.i18n import Bilingual
from core.models import AuditEntry

ACTIONS: dict[str, Bilingual] = {
    "create": Bilingual("created", "新建"),
    "update": Bilingual("changed", "修改"),
    "delete": Bilingual("deleted", "删除"),
    "login": Bilingual("logged in", "登录"),
    "logout": Bilingual("logged out", "退出"),
    "login_failed": Bilingual("failed login", "登录失败"),
    "login_locked": Bilingual("login while locked", "锁定期间尝试登录"),
    "login_disabled": Bilingual("login to disabled account", "停用账户尝试登录"),
    "lockout": Bilingual("account locked", "账户锁定"),
    "unlock": Bilingual("account unlocked", "账户解锁"),
    "denied": Bilingual("permission refused", "权限拒绝"),
    "demo_seeded": Bilingual("demo data created", "生成演示数据"),
    "import": Bilingual("imported", "导入"),
    "export": Bilingual("exported", "导出"),
    "lookup_blocked": Bilingual("order lookups blocked", "订单查询被限制"),
    "contract_failed": Bilingual("contract could not generate its visits", "合同未能生成上门订单"),
    "contacts_viewed": Bilingual("viewed a customer's full contacts", "查看客户完整联系方式"),
}


def audit_row(
    actor: Actor | None,
    action: str,
    *,
    entity: str | None = None,
    entity_id: object = None,
    changes: dict[str, Any] | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor_id": actor.user_id if actor else None,
        "actor_name": (actor.username if actor else "system")[:64],
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id)[:64],
        "changes": changes,
        "detail": None if detail is None else detail[:500],
    }


def record_event(
    actor: Actor | None,
    action: str,
    *,
    session: Session | None = None,
    **fields: Any,
) -> None:
    """Log an event (login, lockout, refusal, a view of sensitive data).

    Without a session it commits on its own, so the event is kept even when the
    caller's transaction is rolled back, as a refused action always is.
    """
    row = audit_row(actor, action, **fields)
    if session is not None:
        session.execute(insert(AuditEntry), [row])
        return
    with db.writing(actor) as own:
        own.execute(insert(AuditEntry), [row])
        own.commit()
