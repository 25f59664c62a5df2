"""Stock items and suppliers, described once for their forms, tables, import and export."""

from __future__ import annotations

from decimal import Decimal

from core.entities.spec import Choice, Entity, Field
from core.i18n import Bilingual as B
from core.models import Item, Supplier

CATEGORIES = (
    Choice("chemicals", B("Cleaning agents", "清洁剂")),
    Choice("consumables", B("Consumables", "耗材")),
    Choice("tools", B("Tools and pads", "工具与刷盘")),
    Choice("protective", B("Protective gear", "防护用品")),
    Choice("parts", B("Machine parts", "设备配件")),
)
ITEM_UNITS = (
    Choice("bottle", B("bottle", "瓶")),
    Choice("litre", B("litre", "升")),
    Choice("kg", B("kg", "千克")),
    Choice("piece", B("piece", "个")),
    Choice("box", B("box", "盒")),
    Choice("roll", B("roll", "卷")),
    Choice("pair", B("pair", "双")),
)
# Counted in whole units: a quantity of 1.5 bottles is refused.
WHOLE_UNITS = frozenset({"bottle", "piece", "box", "roll", "pair"})

SUPPLIERS = Entity(
    name="suppliers",
    label=B("Suppliers", "供应商"),
    singular=B("Supplier", "供应商"),
    model=Supplier,
    permissions="stock",
    code_field="code",
    code_prefix="SUP",
    default_sort=("code",),
    fields=(
        Field("code", B("Code", "编号"), system=True, editable=False, searchable=True),
        Field("name", B("Name", "名称"), required=True, max_length=200, searchable=True),
        Field("contact_person", B("Contact person", "联系人"), max_length=100),
        Field("phone", B("Phone", "电话"), kind="phone", searchable=True),
        Field("email", B("Email", "邮箱"), kind="email", max_length=254, listed=False),
        Field("address", B("Address", "地址"), max_length=300, listed=False),
        Field(
            "lead_time_days",
            B("Lead time (days)", "交货期（天）"),
            kind="int",
            required=True,
            minimum=Decimal(0),
            default=7,
        ),
        Field("active", B("Active", "合作中"), kind="bool", default=True),
        Field("notes", B("Notes", "备注"), kind="longtext", max_length=2000, listed=False),
    ),
)

ITEMS = Entity(
    name="items",
    label=B("Stock items", "库存物品"),
    singular=B("Stock item", "库存物品"),
    model=Item,
    permissions="stock",
    title_field="name_en",
    default_sort=("sku",),
    fields=(
        Field(
            "sku",
            B("SKU", "物料编码"),
            required=True,
            max_length=40,
            searchable=True,
            unique=True,
            pattern=r"[A-Z0-9][A-Z0-9._-]{1,39}",
            pattern_hint=B(
                "2 to 40 capital letters, digits, dots, dashes or underscores.",
                "2 到 40 位大写字母、数字、点、横线或下划线。",
            ),
        ),
        Field(
            "barcode",
            B("Barcode", "条码"),
            max_length=64,
            searchable=True,
            unique=True,
            pattern=r"[0-9A-Za-z-]{4,64}",
            pattern_hint=B("4 to 64 digits or letters, as the scanner reads it.", "4 到 64 位数字或字母，与扫码一致。"),
        ),
        Field("name_en", B("Name (English)", "名称（英文）"), required=True, max_length=100, searchable=True),
        Field("name_zh", B("Name (Chinese)", "名称（中文）"), required=True, max_length=100, searchable=True),
        Field("category", B("Category", "类别"), kind="choice", required=True, choices=CATEGORIES, default="chemicals"),
        Field("unit", B("Unit", "单位"), kind="choice", required=True, choices=ITEM_UNITS, default="bottle"),
        Field(
            "unit_cost",
            B("Unit cost", "单位成本"),
            kind="decimal",
            required=True,
            minimum=Decimal(0),
            create_only=True,
            help=B(
                "The cost of the first stock; afterwards each receipt updates the average.",
                "首批库存的成本；之后每次入库自动更新平均成本。",
            ),
        ),
        Field(
            "reorder_level",
            B("Reorder level", "再订货点"),
            kind="decimal",
            required=True,
            minimum=Decimal(0),
            default=0,
        ),
        Field(
            "reorder_quantity",
            B("Reorder quantity", "再订货量"),
            kind="decimal",
            required=True,
            minimum=Decimal(0),
            default=0,
            listed=False,
        ),
        Field("supplier_id", B("Preferred supplier", "首选供应商"), kind="ref", ref="suppliers"),
        Field("active", B("In use", "在用"), kind="bool", default=True),
        Field("on_hand", B("On hand", "库存"), kind="decimal", editable=False),
    ),
)
