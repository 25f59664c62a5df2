"""Words the demo's orders carry: why they were cancelled, what customers said, notes for
the technician, and the dispatch reasons in both languages (the app's own wording)."""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as json_string
from string import Formatter
from typing import Any

import numpy as np

from core.assignment import ALL_BUSY
from core.dispatching import CHOSEN as DISPATCH_CHOSEN
from core.i18n import catalogue

CANCEL_REASONS = (
    "客户临时有事，改天再约",
    "客户已找其他公司",
    "价格超出客户预算",
    "重复下单",
    "客户出差，暂不需要",
    "装修未完成，暂缓服务",
    "多次联系不上客户",
    "天气原因，客户取消",
    "办公室放假，本次暂停",
)
NO_TECHNICIAN = "当天技师已约满，客户取消"

COMMENTS = {
    5: (
        "师傅很专业，沙发洗得跟新的一样",
        "准时上门，干活细致，好评！",
        "地毯洗完味道很清新，孩子在上面玩也放心",
        "服务态度好，走之前还把地面收拾干净了",
        "效率高，价格公道，下次还找你们",
        "除螨效果明显，推荐",
        "Very professional, the carpet looks new.",
    ),
    4: (
        "整体满意，就是晚到了二十分钟",
        "清洗效果不错，有一处旧污渍没完全去掉",
        "师傅挺好，客服确认时间可以再及时一点",
        "Good job overall, a bit late.",
    ),
    3: ("一般，边角没有处理干净", "时间比说好的长了不少", "效果还行，价格偏贵"),
    2: ("迟到一个小时，也没提前打电话", "沙发洗完有水渍，需要返工"),
    1: ("效果很差，污渍基本还在", "态度不好，不会再用了"),
}

NOTES = {
    0: (
        "家有宠物猫，进门请随手关门",
        "需提前半小时电话联系",
        "小区需登记，车可停地库",
        "电梯限时使用，请避开早高峰",
        "家中有老人，请轻声作业",
        "请自带鞋套",
    ),
    1: (
        "请到前台领取门禁卡",
        "施工时请保持安静，勿动办公桌上的文件",
        "施工前请联系行政部",
        "会议室优先处理",
        "需开具增值税专用发票",
    ),
}

# The app's own sentences (core.dispatching, core.assignment), kept with each order in both languages.
CHOSEN = DISPATCH_CHOSEN.text
NOBODY = ALL_BUSY.text


def both(en: str, zh: str) -> str:
    """The JSON the app stores for {"en": ..., "zh": ...} (json.dumps' own spelling)."""
    return '{"en": ' + json_string(en) + ', "zh": ' + json_string(zh) + "}"


def _inside(text: str) -> str:
    """JSON-escaped text without its quotes: escaping goes character by character, so the
    escaped pieces of a string, put together, are the escaped string."""
    return json_string(text)[1:-1]


def _spell(template: str, values: dict[str, np.ndarray], escape: bool = False) -> np.ndarray:
    """str.format over whole columns (object arrays concatenate element by element)."""
    out = np.full(len(next(iter(values.values()))), "", dtype=object)
    for literal, field, _spec, _conversion in Formatter().parse(template):
        out = out + (_inside(literal) if escape else literal)
        if field is not None:
            out = out + values[field]
    return out


class Reasons:
    """Why dispatch chose the technician of each booked order, worded as the app words it
    (its own message and Chinese translation), for many orders at once."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.en, self.zh = CHOSEN, catalogue("zh").get(CHOSEN, CHOSEN)
        self.nobody = both(NOBODY, catalogue("zh").get(NOBODY, NOBODY))
        top = max(int(book.bookings.booked_before.max(initial=0)), int(book.bookings.compared.max(initial=0)))
        last = max(book.area_names) + 1
        self.words = {  # every value a reason can hold, plain and escaped for JSON
            escape: {
                "name": np.array([_inside(n) if escape else n for n in book.crew.names], dtype=object),
                "numbers": np.array([str(i) for i in range(top + 1)], dtype=object),
                "clock": np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)], dtype=object),
                "areas": [
                    np.array(
                        [(_inside if escape else str)(book.area_names.get(a, ("", ""))[language]) for a in range(last)],
                        dtype=object,
                    )
                    for language in (0, 1)
                ],
            }
            for escape in (False, True)
        }

    def _values(self, ix: np.ndarray, language: int, escape: bool) -> dict[str, np.ndarray]:
        book, b, words = self.book, self.book.bookings, self.words[escape]
        minutes = (b.start[ix] - book.span.midnight[b.day[ix]]) // 60
        return {
            "name": words["name"][np.maximum(b.technician[ix], 0)],
            "area": words["areas"][language][book.area[ix]],
            "time": words["clock"][np.clip(minutes, 0, 24 * 60 - 1)],
            "booked": words["numbers"][b.booked_before[ix]],
            "count": words["numbers"][b.compared[ix]],
        }

    def english(self, ix: np.ndarray) -> np.ndarray:
        """The note of the "scheduled" history entry."""
        return _spell(self.en, self._values(ix, 0, False)) if len(ix) else np.zeros(0, dtype=object)

    def stored(self, ix: np.ndarray) -> np.ndarray:
        """The JSON kept in orders.assignment_reason, as json.dumps spells it."""
        if not len(ix):
            return np.zeros(0, dtype=object)
        en = _spell(self.en, self._values(ix, 0, True), escape=True)
        zh = _spell(self.zh, self._values(ix, 1, True), escape=True)
        return '{"en": "' + en + '", "zh": "' + zh + '"}'
