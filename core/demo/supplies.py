"""What the demo company keeps in its store room: the Shanghai wholesalers it buys from, the
~30 items its technicians use (chemicals, consumables, protective gear, pads and brushes,
machine parts) and how much of each a catalogue service uses per unit sold."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.entities.stock import WHOLE_UNITS


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    contact_person: str
    phone: str
    email: str
    address: str
    lead_time_days: int
    review_days: tuple[int, ...]  # weekdays (Monday 0) the clerk orders from it
    notes: str


@dataclass(frozen=True)
class DemoItem:
    sku: str
    barcode_stem: str  # 12 digits; the EAN-13 check digit is added
    name_en: str
    name_zh: str
    category: str
    unit: str
    cost: str  # yuan per unit today; earlier purchases were a little cheaper
    pack: int  # bought in multiples of this many units
    supplier: int  # index into SUPPLIERS
    minimum: int  # the reorder level never goes below this many units

    @property
    def whole(self) -> bool:
        return self.unit in WHOLE_UNITS

    @property
    def barcode(self) -> str:
        return ean13(self.barcode_stem)


def ean13(stem: str) -> str:
    """The 12 digits and their check digit (GS1: weights 1 and 3 from the left)."""
    if len(stem) != 12 or not stem.isdigit():
        raise ValueError(f"an EAN-13 stem has 12 digits: {stem!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(stem))
    return stem + str((10 - total % 10) % 10)


# fmt: off
SUPPLIERS = (
    DemoSupplier("上海洁美清洁用品批发有限公司", "周建国", "021-52861437", "sales@jiemei-clean.com.cn",
                 "上海市普陀区真北路1108号3楼", 3, (0, 3),
                 "Carpet and upholstery chemicals, cloths. Monthly invoice; free delivery over ¥800."),
    DemoSupplier("上海绿叶化工贸易有限公司", "沈丽华", "021-64328815", "order@lvye-chem.cn",
                 "上海市闵行区虹梅南路2588号B座", 5, (1,),
                 "Floor, glass and general-purpose cleaners in drums and bottles."),
    DemoSupplier("上海康达劳保用品有限公司", "吴志明", "021-56712093", "kangda_lb@163.com",
                 "上海市宝山区沪太路3100号", 2, (2,),
                 "Gloves, masks, shoe covers, goggles. Next-day delivery inside the Outer Ring."),
    DemoSupplier("上海明通清洁设备有限公司", "陆海涛", "021-58335260", "service@mingtong-eq.com",
                 "上海市浦东新区川沙路4455号", 10, (0,),
                 "Extractor parts, pads and brush heads; imported parts take up to two weeks."),
    DemoSupplier("上海万家纸业包装有限公司", "钱晓燕", "13816274590", "wanjia.paper@qq.com",
                 "上海市嘉定区曹安公路1688号", 4, (4,),
                 "Bin bags, paper towels, protective film."),
    DemoSupplier("上海德高皮革护理用品有限公司", "顾振华", "021-62157789", "degao@degao-leather.com.cn",
                 "上海市长宁区天山路600号12楼", 7, (1,),
                 "Leather care and wool-safe rug detergents (imported brands)."),
)
JIEMEI, LVYE, KANGDA, MINGTONG, WANJIA, DEGAO = range(len(SUPPLIERS))

ITEMS = (
    # Chemicals
    DemoItem("CH-CARPET-SHAMPOO", "692591100018", "Carpet shampoo concentrate", "地毯清洗剂（浓缩）",
             "chemicals", "litre", "18.50", 20, JIEMEI, 20),
    DemoItem("CH-DEFOAMER", "692591100025", "Defoamer", "消泡剂", "chemicals", "litre", "26.00", 5, JIEMEI, 5),
    DemoItem("CH-SPOT-ENZYME", "692591100032", "Enzyme spot remover 500 ml", "生物酶去渍剂 500毫升",
             "chemicals", "bottle", "32.00", 12, JIEMEI, 6),
    DemoItem("CH-UPH-FOAM", "692591100049", "Upholstery foam cleaner 650 ml", "布艺干泡清洁剂 650毫升",
             "chemicals", "bottle", "28.00", 12, JIEMEI, 12),
    DemoItem("CH-MITE-SPRAY", "693847200113", "Mattress mite spray 500 ml", "床垫除螨喷雾 500毫升",
             "chemicals", "bottle", "35.00", 12, JIEMEI, 12),
    DemoItem("CH-DEODORISER", "693847200120", "Fabric deodoriser 1 L", "织物除味剂 1升",
             "chemicals", "bottle", "24.00", 12, JIEMEI, 6),
    DemoItem("CH-STEAM-SOLUTION", "692591100056", "Steam cleaning solution", "蒸汽清洁液", "chemicals", "litre",
             "15.00", 10, JIEMEI, 10),
    DemoItem("CH-LEATHER-CLEAN", "697041800017", "Leather cleaner 500 ml", "皮革清洁剂 500毫升",
             "chemicals", "bottle", "45.00", 6, DEGAO, 6),
    DemoItem("CH-LEATHER-COND", "697041800024", "Leather conditioner 250 ml", "皮革护理乳 250毫升",
             "chemicals", "bottle", "68.00", 6, DEGAO, 6),
    DemoItem("CH-WOOL-RUG", "697041800031", "Wool-safe rug detergent", "羊毛地毯专用清洁剂", "chemicals", "litre",
             "48.00", 5, DEGAO, 5),
    DemoItem("CH-ALL-PURPOSE", "695312700015", "All-purpose cleaner 1 L", "多功能清洁剂 1升", "chemicals", "bottle",
             "12.00", 12, LVYE, 12),
    DemoItem("CH-GLASS", "695312700022", "Glass cleaner concentrate", "玻璃清洁剂（浓缩）", "chemicals", "litre",
             "9.50", 20, LVYE, 10),
    DemoItem("CH-FLOOR-WAX", "695312700039", "Wood floor wax paste", "木地板蜡", "chemicals", "kg", "42.00", 4,
             LVYE, 4),
    DemoItem("CH-ODOUR-POWDER", "695312700046", "Carpet deodorising powder", "地毯除味粉", "chemicals", "kg",
             "16.00", 10, LVYE, 5),
    # Consumables
    DemoItem("CO-MICROFIBRE", "692591100063", "Microfibre cloths, pack of 10", "超细纤维抹布（10条装）",
             "consumables", "box", "35.00", 10, JIEMEI, 5),
    DemoItem("CO-SPONGE", "695312700053", "Scrub sponges, box of 20", "百洁布（20片/盒）", "consumables", "box",
             "18.00", 10, LVYE, 5),
    DemoItem("CO-BIN-BAGS", "694228600012", "Bin bags 60×80 cm, roll of 30", "垃圾袋 60×80厘米（30只/卷）",
             "consumables", "roll", "6.50", 50, WANJIA, 50),
    DemoItem("CO-PAPER-TOWEL", "694228600029", "Paper towel roll", "擦手纸（卷）", "consumables", "roll", "8.00", 24,
             WANJIA, 24),
    DemoItem("CO-PROTECT-FILM", "694228600036", "Furniture protection film", "家具保护膜", "consumables", "roll",
             "28.00", 6, WANJIA, 3),
    # Protective gear
    DemoItem("PR-GLOVES-NITRILE", "693126500018", "Nitrile gloves, box of 100", "丁腈手套（100只/盒）",
             "protective", "box", "45.00", 10, KANGDA, 5),
    DemoItem("PR-GLOVES-RUBBER", "693126500025", "Rubber gloves", "橡胶手套", "protective", "pair", "4.50", 50,
             KANGDA, 20),
    DemoItem("PR-MASK", "693126500032", "Disposable masks, box of 50", "一次性口罩（50只/盒）", "protective", "box",
             "25.00", 20, KANGDA, 10),
    DemoItem("PR-SHOE-COVERS", "693126500049", "Shoe covers, box of 100", "一次性鞋套（100只/盒）", "protective",
             "box", "22.00", 10, KANGDA, 5),
    DemoItem("PR-GOGGLES", "693126500056", "Safety goggles", "护目镜", "protective", "piece", "15.00", 10, KANGDA, 4),
    # Pads and brushes
    DemoItem("TL-BRUSH-HEAD", "690845300014", "Upholstery brush head", "沙发清洗刷头", "tools", "piece", "38.00", 10,
             MINGTONG, 5),
    DemoItem("TL-CARPET-PAD", "690845300021", "Carpet bonnet pad 17\"", "地毯清洗垫 17寸", "tools", "piece", "55.00",
             10, MINGTONG, 5),
    DemoItem("TL-SCRUB-PAD", "690845300038", "Floor scrubbing pad, red", "红色洗地垫", "tools", "piece", "22.00", 10,
             MINGTONG, 5),
    DemoItem("TL-SQUEEGEE-BLADE", "690845300045", "Window squeegee blade", "玻璃刮条", "tools", "piece", "12.00", 20,
             MINGTONG, 10),
    # Machine parts
    DemoItem("PT-HOSE-10M", "690845300052", "Extraction hose 10 m", "抽吸软管 10米", "parts", "piece", "260.00", 1,
             MINGTONG, 2),
    DemoItem("PT-SPRAY-NOZZLE", "690845300069", "Extractor spray nozzle", "抽洗机喷嘴", "parts", "piece", "35.00", 5,
             MINGTONG, 3),
    DemoItem("PT-VAC-FILTER", "690845300076", "Vacuum HEPA filter", "吸尘器 HEPA 滤网", "parts", "piece", "48.00", 5,
             MINGTONG, 4),
)

# Per unit of the service (m², seat, piece, hour): what a job uses of each item.
MATERIALS: dict[str, tuple[tuple[str, str], ...]] = {
    "CARPET-DEEP": (("CH-CARPET-SHAMPOO", "0.012"), ("CH-DEFOAMER", "0.002"), ("CH-DEODORISER", "0.004"),
                    ("TL-CARPET-PAD", "0.002"), ("PR-SHOE-COVERS", "0.001")),
    "CARPET-SPOT": (("CH-SPOT-ENZYME", "0.15"), ("CO-MICROFIBRE", "0.01")),
    "RUG-WASH": (("CH-WOOL-RUG", "0.03"), ("CH-DEFOAMER", "0.003"), ("CH-ODOUR-POWDER", "0.02")),
    "SOFA-FABRIC": (("CH-UPH-FOAM", "0.12"), ("CH-DEODORISER", "0.03"), ("CO-MICROFIBRE", "0.01"),
                    ("TL-BRUSH-HEAD", "0.004")),
    "SOFA-LEATHER": (("CH-LEATHER-CLEAN", "0.08"), ("CH-LEATHER-COND", "0.1"), ("CO-MICROFIBRE", "0.015")),
    "MATTRESS": (("CH-MITE-SPRAY", "0.4"), ("PR-MASK", "0.04"), ("PT-VAC-FILTER", "0.01")),
    "CURTAIN": (("CH-STEAM-SOLUTION", "0.015"), ("CO-PROTECT-FILM", "0.003")),
    "DEEP-CLEAN": (("CH-ALL-PURPOSE", "0.12"), ("CO-SPONGE", "0.02"), ("CO-BIN-BAGS", "0.05"),
                   ("PR-GLOVES-RUBBER", "0.08"), ("PR-SHOE-COVERS", "0.005")),
    "WINDOW": (("CH-GLASS", "0.004"), ("TL-SQUEEGEE-BLADE", "0.002"), ("CO-PAPER-TOWEL", "0.005")),
    "FLOOR-WAX": (("CH-FLOOR-WAX", "0.012"), ("TL-SCRUB-PAD", "0.004")),
    "OFFICE-CARPET": (("CH-CARPET-SHAMPOO", "0.008"), ("CH-DEFOAMER", "0.0015"), ("TL-CARPET-PAD", "0.0015")),
    "OFFICE-CHAIR": (("CH-UPH-FOAM", "0.04"), ("CO-MICROFIBRE", "0.004")),
    "OFFICE-CLEAN": (("CH-ALL-PURPOSE", "0.15"), ("CO-BIN-BAGS", "0.3"), ("PR-GLOVES-NITRILE", "0.02"),
                     ("CO-PAPER-TOWEL", "0.1")),
}
# fmt: on
SKU_INDEX = {item.sku: i for i, item in enumerate(ITEMS)}
# Items the clerk has let run down lately: the low-stock list and the purchase plan show them today.
RUNNING_LOW = ("CH-UPH-FOAM", "CH-MITE-SPRAY", "CO-MICROFIBRE")


def cost_fen(item: DemoItem) -> int:
    return int(Decimal(item.cost) * 100)


def per_unit(service_code: str) -> list[tuple[int, Decimal]]:
    """(item index, quantity per unit of the service) for one service."""
    return [(SKU_INDEX[sku], Decimal(q)) for sku, q in MATERIALS.get(service_code, ())]
