"""A staff member as dispatch needs them, described once for the managers' pages."""

from __future__ import annotations

from decimal import Decimal

from core.entities.spec import Choice, Entity, Field
from core.i18n import Bilingual as B
from core.models import Staff
from core.skills import SKILLS

POSITIONS = (
    Choice("technician", B("Technician", "技师")),
    Choice("supervisor", B("Supervisor", "主管")),
    Choice("office", B("Office staff", "办公室职员")),
)
STATUSES = (
    Choice("active", B("Active", "在职")),
    Choice("on_leave", B("On leave", "休假")),
    Choice("left", B("Left", "已离职")),
)

STAFF = Entity(
    name="staff",
    label=B("Staff", "员工"),
    singular=B("Staff member", "员工"),
    model=Staff,
    code_field="employee_no",
    code_prefix="EMP",
    default_sort=("employee_no",),
    fields=(
        Field("employee_no", B("Employee no.", "工号"), system=True, editable=False, searchable=True),
        Field("name", B("Name", "姓名"), required=True, max_length=100, searchable=True),
        Field(
            "public_name",
            B("Name customers see", "对客户显示的称呼"),
            required=True,
            max_length=50,
            help=B("On the customer's order lookup, e.g. 刘师傅.", "客户查询订单时看到的称呼，例如“刘师傅”。"),
        ),
        Field("phone", B("Phone", "电话"), kind="phone", searchable=True),
        Field("email", B("Email", "电子邮箱"), kind="email", listed=False),
        Field("birth_date", B("Date of birth", "出生日期"), kind="date", past_only=True, listed=False),
        Field("hire_date", B("Hire date", "入职日期"), kind="date", past_only=True),
        Field(
            "team",
            B("Team", "班组"),
            max_length=50,
            searchable=True,
            help=B("The rosters show one team's week at a time.", "排班表按班组逐周显示。"),
        ),
        Field("position", B("Position", "岗位"), kind="choice", required=True, choices=POSITIONS, default="technician"),
        Field("status", B("Status", "状态"), kind="choice", required=True, choices=STATUSES, default="active"),
        Field("left_on", B("Left on", "离职日期"), kind="date", system=True, editable=False, listed=False),
        Field(
            "user_id",
            B("Login", "登录账号"),
            kind="ref",
            ref="users",
            listed=False,
            unique=True,
            help=B(
                "The account this person logs in with (technicians see their jobs).",
                "此人登录使用的账号（技师可看到自己的工单）。",
            ),
        ),
        Field(
            "hourly_cost",
            B("Hourly labour cost", "每小时人工成本"),
            kind="decimal",
            minimum=Decimal(0),
            listed=False,
            help=B("Wages and charges per hour worked, for margins.", "每工作小时的工资与附加费用，用于计算毛利。"),
        ),
        Field("areas", B("Service areas", "服务区域"), kind="multiref", ref="service_areas"),
        Field(
            "skills",
            B("Skills", "技能"),
            kind="multichoice",
            choices=tuple(Choice(code, label) for code, label in SKILLS.items()),
        ),
    ),
)
