"""A staff member's certificates and training records, described once for their forms and checks
(the staff services and the staff page's tabs; they belong to the staff permission module)."""

from __future__ import annotations

from core.entities.spec import Choice, Entity, Field
from core.i18n import Bilingual as B
from core.models import Qualification, Training
from core.skills import SKILLS

RESULTS = (
    Choice("passed", B("Passed", "通过")),
    Choice("failed", B("Failed", "未通过")),
    Choice("attended", B("Attended", "已参加")),
)

QUALIFICATION = Entity(
    name="qualifications",
    label=B("Certificates", "证书"),
    singular=B("Certificate", "证书"),
    model=Qualification,
    permissions="staff",
    default_sort=("expires_on",),
    fields=(
        Field("name", B("Certificate", "证书名称"), required=True, max_length=100),
        Field(
            "skill",
            B("Skill it licenses", "对应技能"),
            kind="choice",
            choices=tuple(Choice(code, label) for code, label in SKILLS.items()),
            help=B(
                "Dispatch gives this person jobs needing the skill only while one such certificate is valid.",
                "只有在此类证书有效期内，派工才会给此人分配需要该技能的工单。",
            ),
        ),
        Field("obtained_on", B("Obtained on", "取得日期"), kind="date", past_only=True),
        Field(
            "expires_on",
            B("Expires on", "到期日期"),
            kind="date",
            help=B("Empty: valid for good.", "留空表示长期有效。"),
        ),
    ),
)

TRAINING = Entity(
    name="trainings",
    label=B("Trainings", "培训记录"),
    singular=B("Training", "培训"),
    model=Training,
    title_field="course",
    permissions="staff",
    default_sort=("taken_on",),
    fields=(
        Field("course", B("Course", "课程"), required=True, max_length=100),
        Field("taken_on", B("Date", "日期"), kind="date", required=True, past_only=True),
        Field("result", B("Result", "结果"), kind="choice", required=True, choices=RESULTS, default="passed"),
        Field("notes", B("Notes", "备注"), kind="longtext", max_length=500),
    ),
)
