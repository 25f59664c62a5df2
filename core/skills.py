"""The skills a job can need and a technician can hold (codes stored, labels in both languages)."""

from __future__ import annotations

from core.i18n import Bilingual as B

SKILLS: dict[str, B] = {
    "carpet": B("Carpet cleaning", "地毯清洗"),
    "upholstery": B("Upholstery cleaning", "布艺清洗"),
    "leather": B("Leather care", "皮具护理"),
    "mattress": B("Mattress sanitising", "床垫除螨"),
    "stain": B("Stain removal", "污渍处理"),
    "office": B("Office cleaning", "办公室保洁"),
    "deep_clean": B("Deep cleaning", "深度保洁"),
    "window": B("Window cleaning", "玻璃清洁"),
    "floor": B("Floor care", "地板养护"),
}
