"""The customer, described once: every form, table, search, import and export follows from this."""

from __future__ import annotations

from core.entities.spec import Choice, Entity, Field
from core.i18n import Bilingual as B
from core.masking import CONTACT_FIELDS
from core.models import Customer

KINDS = (
    Choice("person", B("Person", "个人")),
    Choice("company", B("Company", "企业")),
)
SOURCES = (
    Choice("phone", B("Phone call", "电话")),
    Choice("web", B("Website", "网站")),
    Choice("app", B("App", "App")),
    Choice("wechat", B("WeChat", "微信")),
    Choice("walk_in", B("Walk-in", "到店")),
    Choice("referral", B("Referral", "转介绍")),
    Choice("platform", B("Service platform", "服务平台")),
    Choice("other", B("Other", "其他")),
)

CUSTOMERS = Entity(
    name="customers",
    label=B("Customers", "客户"),
    singular=B("Customer", "客户"),
    model=Customer,
    code_field="code",
    code_prefix="CU",
    duplicate_fields=("phone", "phone_alt", "email"),
    masked_fields=CONTACT_FIELDS,
    archivable=True,
    default_sort=("-id",),
    fields=(
        Field("code", B("Code", "编号"), system=True, searchable=True, editable=False),
        Field("name", B("Name", "名称"), required=True, max_length=200, searchable=True),
        Field("kind", B("Type", "类型"), kind="choice", required=True, choices=KINDS, default="person"),
        Field(
            "contact_person",
            B("Contact person", "联系人"),
            max_length=100,
            listed=False,
            help=B("For companies: who to call.", "企业客户的联系人。"),
        ),
        Field("phone", B("Phone", "电话"), kind="phone", required=True, searchable=True),
        Field("phone_alt", B("Other phone", "备用电话"), kind="phone", listed=False),
        Field("email", B("Email", "邮箱"), kind="email", max_length=254, searchable=True),
        Field("address", B("Address", "地址"), required=True, max_length=300),
        Field("area_id", B("Service area", "服务区域"), kind="ref", ref="service_areas", required=True),
        Field(
            "source", B("Source channel", "来源渠道"), kind="choice", required=True, choices=SOURCES, default="phone"
        ),
        Field(
            "preferences",
            B("Preferences", "偏好"),
            kind="longtext",
            max_length=1000,
            listed=False,
            help=B("Products, times, access notes the customer asked for.", "客户偏好的服务、时间、进门须知等。"),
        ),
        Field("notes", B("Notes", "备注"), kind="longtext", max_length=4000, listed=False),
    ),
)
