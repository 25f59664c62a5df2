"""The user account, described once for the admin's forms and tables."""

from __future__ import annotations

from core.entities.spec import Choice, Entity, Field
from core.i18n import LANGUAGES
from core.i18n import Bilingual as B
from core.models import User
from core.permissions import ROLES

USERS = Entity(
    name="users",
    label=B("Users", "用户"),
    singular=B("User", "用户"),
    model=User,
    title_field="display_name",
    default_sort=("username",),
    fields=(
        Field(
            "username",
            B("Username", "用户名"),
            required=True,
            max_length=32,
            searchable=True,
            pattern=r"[a-z0-9][a-z0-9._-]{2,31}",
            pattern_hint=B(
                "3 to 32 lowercase letters, digits, dots, dashes or underscores.",
                "3 到 32 位小写字母、数字、点、横线或下划线。",
            ),
        ),
        Field("display_name", B("Full name", "姓名"), required=True, max_length=100, searchable=True),
        Field("email", B("Email", "邮箱"), kind="email", max_length=254, searchable=True),
        Field(
            "language",
            B("Language", "语言"),
            kind="choice",
            required=True,
            default="zh",
            choices=tuple(Choice(code, B(name, name)) for code, name in LANGUAGES.items()),
        ),
        Field(
            "roles",
            B("Roles", "角色"),
            kind="multichoice",
            required=True,
            choices=tuple(Choice(code, label) for code, label in ROLES.items()),
        ),
        Field("active", B("Active", "启用"), kind="bool", editable=False),
    ),
)
