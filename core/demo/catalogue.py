"""What the demo company sells: a Shanghai carpet and upholstery cleaner's price list, how
big a typical job of each kind is for a household and for a company, and what it uses up.

Quantities are drawn through quantile tables: for every (segment, service) the K
quantiles of its size distribution are priced once with core.pricing.price_line, so a
million order lines cost a table lookup each and carry exactly the app's amounts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import NormalDist
from types import SimpleNamespace

import numpy as np

from core.pricing import price_line

HOUSEHOLD, COMPANY = 0, 1
K = 256  # quantiles per size distribution


@dataclass(frozen=True)
class DemoService:
    code: str
    name_en: str
    name_zh: str
    unit: str
    price: str  # yuan, before tax
    minutes: str  # per unit
    skills: tuple[str, ...]
    material: str  # what a job uses, per unit: "{q}" is replaced by the amount
    per_unit: float  # material amount per unit of the service


# fmt: off
SERVICES = (
    DemoService("CARPET-DEEP", "Carpet deep cleaning", "地毯深度清洗", "m2", "22.00", "3", ("carpet",),
                "地毯清洗剂 {q}L", 0.04),
    DemoService("CARPET-SPOT", "Carpet spot and stain removal", "地毯局部去渍", "piece", "80.00", "20",
                ("carpet", "stain"), "去渍剂 {q}瓶", 0.25),
    DemoService("RUG-WASH", "Hand-made rug washing", "手工地毯清洗", "m2", "60.00", "8", ("carpet",),
                "羊毛地毯专用清洁剂 {q}L", 0.1),
    DemoService("SOFA-FABRIC", "Fabric sofa cleaning (per seat)", "布艺沙发清洗（每座）", "piece", "150.00", "25",
                ("upholstery",), "布艺清洁剂 {q}L", 0.15),
    DemoService("SOFA-LEATHER", "Leather sofa care (per seat)", "真皮沙发护理（每座）", "piece", "220.00", "35",
                ("leather",), "皮革护理膏 {q}瓶", 0.2),
    DemoService("MATTRESS", "Mattress mite removal and deep clean", "床垫除螨深层清洁", "piece", "280.00", "45",
                ("mattress",), "除螨喷剂 {q}瓶", 0.5),
    DemoService("CURTAIN", "Curtain steam cleaning on site", "窗帘上门蒸汽清洗", "m2", "28.00", "4", ("upholstery",),
                "蒸汽清洁剂 {q}L", 0.03),
    DemoService("DEEP-CLEAN", "Home deep cleaning", "家庭深度保洁", "hour", "68.00", "60", ("deep_clean",),
                "多功能清洁剂 {q}瓶", 0.3),
    DemoService("WINDOW", "Window and glass cleaning", "玻璃清洁", "m2", "12.00", "2", ("window",),
                "玻璃清洁剂 {q}L", 0.01),
    DemoService("FLOOR-WAX", "Wood floor waxing and care", "木地板打蜡养护", "m2", "18.00", "2.5", ("floor",),
                "地板蜡 {q}L", 0.02),
    DemoService("OFFICE-CARPET", "Office carpet cleaning", "办公室地毯清洗", "m2", "14.00", "1",
                ("carpet", "office"), "地毯清洗剂 {q}L", 0.025),
    DemoService("OFFICE-CHAIR", "Office chair cleaning", "办公椅清洗", "piece", "40.00", "6",
                ("upholstery", "office"), "布艺清洁剂 {q}L", 0.05),
    DemoService("OFFICE-CLEAN", "Office cleaning (team, per hour)", "办公室保洁（团队，每小时）", "hour", "75.00", "60",
                ("office",), "清洁剂 {q}瓶，垃圾袋 {q}卷", 0.5),
)
# fmt: on
CODES = tuple(s.code for s in SERVICES)
INDEX = {code: i for i, code in enumerate(CODES)}

# Size of one line, per segment: ("lognormal", median, sigma, low, high, step) or ("choice", {value: weight}).
SIZES: dict[int, dict[str, tuple]] = {
    HOUSEHOLD: {
        "CARPET-DEEP": ("lognormal", 22, 0.45, 6, 90, 0.5),
        "CARPET-SPOT": ("choice", {1: 50, 2: 30, 3: 15, 4: 5}),
        "RUG-WASH": ("lognormal", 5, 0.4, 2, 15, 0.5),
        "SOFA-FABRIC": ("choice", {1: 5, 2: 15, 3: 35, 4: 20, 5: 12, 6: 8, 7: 5}),
        "SOFA-LEATHER": ("choice", {1: 5, 2: 15, 3: 40, 4: 20, 5: 12, 6: 8}),
        "MATTRESS": ("choice", {1: 55, 2: 35, 3: 10}),
        "CURTAIN": ("lognormal", 16, 0.4, 6, 45, 0.5),
        "DEEP-CLEAN": ("choice", {3: 10, 4: 30, 5: 30, 6: 15, 7: 10, 8: 5}),
        "WINDOW": ("lognormal", 20, 0.4, 8, 60, 1),
        "FLOOR-WAX": ("lognormal", 45, 0.4, 15, 120, 1),
    },
    COMPANY: {
        "CARPET-DEEP": ("lognormal", 60, 0.5, 20, 200, 1),
        "CARPET-SPOT": ("choice", {1: 30, 2: 30, 3: 20, 4: 10, 5: 5, 6: 5}),
        "SOFA-FABRIC": ("choice", {2: 10, 3: 25, 4: 20, 6: 20, 8: 15, 10: 5, 12: 5}),
        "CURTAIN": ("lognormal", 30, 0.4, 10, 80, 1),
        "WINDOW": ("lognormal", 60, 0.5, 20, 200, 1),
        "FLOOR-WAX": ("lognormal", 90, 0.5, 30, 260, 1),
        "OFFICE-CARPET": ("lognormal", 120, 0.5, 40, 360, 1),
        "OFFICE-CHAIR": ("lognormal", 20, 0.6, 5, 90, 1),
        "OFFICE-CLEAN": ("choice", {2: 30, 3: 35, 4: 25, 5: 7, 6: 3}),
    },
}

# Which services a line is, per segment; households clean differently before Spring Festival and in spring.
# fmt: off
MIX: dict[str, dict[str, int]] = {
    "household": {
        "SOFA-FABRIC": 22, "CARPET-DEEP": 16, "MATTRESS": 16, "DEEP-CLEAN": 12, "CURTAIN": 8, "SOFA-LEATHER": 7,
        "WINDOW": 7, "RUG-WASH": 5, "CARPET-SPOT": 4, "FLOOR-WAX": 3,
    },
    "spring_cleaning": {
        "SOFA-FABRIC": 16, "CARPET-DEEP": 12, "MATTRESS": 12, "DEEP-CLEAN": 22, "CURTAIN": 12, "SOFA-LEATHER": 5,
        "WINDOW": 13, "RUG-WASH": 3, "CARPET-SPOT": 2, "FLOOR-WAX": 3,
    },
    "company": {
        "OFFICE-CARPET": 28, "OFFICE-CLEAN": 20, "OFFICE-CHAIR": 15, "WINDOW": 12, "CARPET-DEEP": 8, "FLOOR-WAX": 8,
        "SOFA-FABRIC": 5, "CARPET-SPOT": 3, "CURTAIN": 1,
    },
}
# fmt: on
# Share of orders with 1, 2, 3... lines, per segment: the demo's (1.55 lines on average), and the
# larger baskets the benchmark asks for (about 3 lines per order, as the analytics issue sizes it).
LINES_PER_ORDER = {HOUSEHOLD: (0.6, 0.3, 0.1), COMPANY: (0.5, 0.35, 0.15)}
LARGE_BASKETS = {HOUSEHOLD: (0.12, 0.22, 0.34, 0.2, 0.08, 0.04), COMPANY: (0.08, 0.22, 0.36, 0.22, 0.08, 0.04)}
MAX_MINUTES = {HOUSEHOLD: 360, COMPANY: 360}  # one technician, one day


def service_rows(first_id: int) -> list[dict[str, object]]:
    """The catalogue as rows (prices in fen, minutes scaled by 100), ids from `first_id`."""
    return [
        {
            "id": first_id + i,
            "code": s.code,
            "name_en": s.name_en,
            "name_zh": s.name_zh,
            "unit": s.unit,
            "unit_price": int(Decimal(s.price) * 100),
            "minutes_per_unit": int(Decimal(s.minutes) * 100),
            "skills": list(s.skills),
        }
        for i, s in enumerate(SERVICES)
    ]


def _quantiles(spec: tuple) -> list[Decimal]:
    """K sizes spread over the distribution (the k-th at probability (k + 0.5) / K), ascending."""
    points = [(k + 0.5) / K for k in range(K)]
    if spec[0] == "choice":
        weights = spec[1]
        total = sum(weights.values())
        values, cumulative, running = [], [], 0
        for value, weight in sorted(weights.items()):
            running += weight
            values.append(value)
            cumulative.append(running / total)
        return [Decimal(values[next(i for i, c in enumerate(cumulative) if p <= c)]) for p in points]
    _kind, median, sigma, low, high, step = spec
    normal, sizes = NormalDist(), []
    for p in points:
        raw = median * float(np.exp(sigma * normal.inv_cdf(p)))
        raw = min(max(raw, low), high)
        sizes.append((Decimal(str(round(raw / step) * step))).quantize(Decimal("0.01")))
    return sizes


@dataclass(frozen=True)
class PriceTables:
    """Per (segment, service, quantile): quantity (scaled by 100), minutes and amount (fen),
    each from core.pricing.price_line; zero where a segment does not buy the service."""

    quantity: np.ndarray
    minutes: np.ndarray
    amount: np.ndarray
    skills: np.ndarray  # per service: bit mask of its skills
    materials: list[list[list[str]]]  # per segment, service and quantile: the materials text


def price_tables(service_ids: list[int], skill_bits: dict[str, int]) -> PriceTables:
    shape = (2, len(SERVICES), K)
    quantity, minutes, amount = (np.zeros(shape, dtype=np.int64) for _ in range(3))
    materials = [[[""] * K for _ in SERVICES] for _ in range(2)]
    for segment, sizes in SIZES.items():
        for code, spec in sizes.items():
            i = INDEX[code]
            s = SERVICES[i]
            service = SimpleNamespace(
                id=service_ids[i],
                code=s.code,
                name_en=s.name_en,
                name_zh=s.name_zh,
                unit=s.unit,
                unit_price=Decimal(s.price),
                minutes_per_unit=Decimal(s.minutes),
            )
            for k, size in enumerate(_quantiles(spec)):
                line = price_line(service, size)
                quantity[segment, i, k] = int(line.quantity * 100)
                minutes[segment, i, k] = line.minutes
                amount[segment, i, k] = int(line.amount * 100)
                used = max(0.1, round(float(size) * s.per_unit, 1))
                materials[segment][i][k] = s.material.replace("{q}", f"{used:g}")
    skills = np.array([sum(skill_bits[name] for name in s.skills) for s in SERVICES], dtype=np.int64)
    return PriceTables(quantity, minutes, amount, skills, materials)


def mix_probabilities(name: str) -> np.ndarray:
    weights = np.zeros(len(SERVICES))
    for code, weight in MIX[name].items():
        weights[INDEX[code]] = weight
    return weights / weights.sum()
