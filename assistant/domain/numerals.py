"""Numbers in Chinese text: 850, 1,200, 3.5, 1.2万, 3千, 八百五十, 两千五, 一百零五, 95%, 百分之九十五, 百分之百,
and shares said in tenths or halves: 九成 (90%), 九成五 (95%), 8成 (80%), 一半 (50%)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九"
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_RUN = re.compile(
    rf"(百分之)?((?:{_ARABIC}|[{_CN}十百千万亿]|点(?=[{_CN}]))+)(\s*%)?"
)
_ITEM = re.compile(rf"{_ARABIC}|.")
# Tenths: 九成 = 90%, 九成五 = 95%, 8成 = 80%, 十成 = 100%. The digit must not close a word (统一、唯一、
# 之一, 第一) nor 成 open one (成立、成为、成本、成员、成绩, 一成不变).
_TENTH = "一二两三四五六七八九"
_TENTHS = re.compile(
    rf"(?<![统唯之第万同单逐专合划\d.{_CN}十百千])([{_TENTH}十]|[1-9]|10)成"
    rf"(?:([{_TENTH}]|[1-9])(?![\d.{_CN}十百千万成]))?"
    r"(?![立为本员绩长果功效熟就交年人型品像套批都分份倍熟器语])(?!不变)"
)
# Halves: 一半 = 50% (not 一大半, which is no exact figure).
_HALF = re.compile(rf"(?<![\d.{_CN}十百千万统唯之第])一半")
# Full-width forms map one character to one character, so offsets stay valid.
_WIDTH = str.maketrans("０１２３４５６７８９．％，", "0123456789.%,")


@dataclass(frozen=True)
class NumberMention:
    value: Decimal
    start: int
    end: int
    text: str
    percent: bool = False


def normalize(text: str) -> str:
    """Full-width digits and signs to ASCII, same length."""
    return text.translate(_WIDTH)


def plain_number(value: Decimal) -> str:
    """A figure as documents write it: 85, 4.2, 2000 — no exponent, no trailing zeros."""
    return format(value.normalize(), "f")


def extract_numbers(text: str) -> list[NumberMention]:
    """Every number in `text`, with its span in the original string."""
    source = normalize(text)
    shares = _shares(source, text)
    for share in shares:  # read once, as a share: the 九 of 九成 is not a number of its own
        source = source[:share.start] + "□" * (share.end - share.start) + source[share.end:]
    mentions = list(shares)
    for match in _RUN.finditer(source):
        run = match.group(2)
        # A bare unit such as the 百 in 每百名 or the 万 in 万元 is not a number.
        lead = len(run) - len(run.lstrip("百千万亿"))
        value = parse_number(run[lead:]) if run[lead:] else None
        if match.group(1) and run == "百":
            lead, value = 0, Decimal(100)  # 百分之百
        if value is None:
            continue
        start = match.start(2) + lead if not match.group(1) else match.start()
        if run in ("2", "3") and source[start - 1:start] in ("m", "M"):
            continue  # the unit m2 / m3 (what ㎡ becomes once the question is normalised), not a number
        percent = bool(match.group(1) or match.group(3))
        mentions.append(NumberMention(value, start, match.end(), text[start:match.end()], percent))
    return sorted(mentions, key=lambda m: m.start)


def _shares(source: str, text: str) -> list[NumberMention]:
    """九成 / 九成五 / 一半 as percentages (percent=True), with their spans."""
    found = []
    for match in _TENTHS.finditer(source):
        tenths = _digit(match.group(1))
        hundredths = _digit(match.group(2)) if match.group(2) else 0
        if tenths is None or hundredths is None or tenths > 10 or (tenths == 10 and hundredths):
            continue
        value = _clean(Decimal(tenths * 10 + hundredths))
        found.append(NumberMention(value, match.start(), match.end(), text[match.start():match.end()], True))
    for match in _HALF.finditer(source):
        found.append(NumberMention(Decimal(50), match.start(), match.end(), text[match.start():match.end()], True))
    return found


def _digit(token: str) -> int | None:
    """One tenth-digit: 九 → 9, 8 → 8, 十 / 10 → 10."""
    if token.isdigit():
        return int(token)
    return 10 if token == "十" else _DIGITS.get(token)


def parse_number(token: str) -> Decimal | None:
    """Value of one numeral (Arabic, Chinese or mixed with 万/千); None if it is not well formed."""
    token = normalize(token).replace(",", "")
    if not token.startswith("十") and not any(c.isdigit() or c in _DIGITS for c in token):
        return None  # a bare 百/千/万 is a unit, not a number
    if "点" in token:
        return _parse_decimal_point(token)
    items = [_item(raw) for raw in _ITEM.findall(token)]
    if not items or any(item is None for item in items):
        return None
    if len(token) > 1 and all(c in _CN for c in token):
        # 二〇二五 is read digit by digit; two bare digits (三四个) are a range, not a number.
        return _clean(Decimal("".join(str(d) for d in items))) if len(token) > 2 else None
    value = _parse_positional(items)
    return None if value is None else _clean(value)


def _clean(value: Decimal) -> Decimal:
    """12000.0 → 12000, 0.90 → 0.9 (with room for any digit count a question can hold)."""
    with localcontext() as ctx:
        ctx.prec = max(28, len(value.as_tuple().digits) + 4)
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _item(raw: str) -> Decimal | int | str | None:
    if raw in _DIGITS:
        return _DIGITS[raw]
    if raw in _SMALL_UNITS or raw in _BIG_UNITS:
        return raw
    if raw[0].isdigit():
        return Decimal(raw)
    return None


def _parse_positional(items: list) -> Decimal | None:
    total = section = Decimal(0)
    current: Decimal | None = None
    last_unit = None
    zero_seen = False
    for item in items:
        if isinstance(item, str):
            unit = _SMALL_UNITS.get(item) or _BIG_UNITS[item]
            if item in _SMALL_UNITS:
                section += (current if current is not None else 1) * unit
            else:
                total += (section + (current or 0)) * unit
                section = Decimal(0)
            current, last_unit = None, unit
        elif item == 0 and not isinstance(item, Decimal):
            zero_seen = True  # 一百零五: 零 only holds a place
        elif current is not None:
            return None  # 三四 (three or four) is a range, not a number
        else:
            current = Decimal(item)
    if current is not None:
        # 八百五 / 两千五 / 一万二: a trailing digit counts in the next lower place.
        colloquial = last_unit and not zero_seen and current < 10 and current == current.to_integral()
        section += current * last_unit / 10 if colloquial else current
    return total + section


def _parse_decimal_point(token: str) -> Decimal | None:
    match = re.fullmatch(rf"(.*?)点([{_CN}]+)([十百千万亿]*)", token)
    if not match:
        return None
    whole = parse_number(match.group(1)) if match.group(1) else Decimal(0)
    if whole is None:
        return None
    value = whole + Decimal("0." + "".join(str(_DIGITS[c]) for c in match.group(2)))
    for unit in match.group(3):
        value *= _SMALL_UNITS.get(unit) or _BIG_UNITS[unit]
    return _clean(value)
