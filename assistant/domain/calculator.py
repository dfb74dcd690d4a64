"""Exact calculators for the indicators in the registry.

All arithmetic is done on Fractions; a value is judged exactly and only then
formatted. A failing value is rounded towards the failing side (0.899 against
≥0.9 shows 0.89; 0.501 against ≤0.50 shows 0.51), so a display never turns a
fail into an apparent pass. Thresholds are read from the registry only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping, Sequence

from .indicators import LEVELS, Indicator, Registry, default_registry

Number = int | float | str | Decimal | Fraction
WHOLE_UNITS = ("人", "间", "项")
AREAS = ("城区", "镇区")
SCHOOL_KINDS = ("小学", "初中", "一贯制")
CLASSES_PER_ROOM = 12  # 每12个班级配备音乐、美术专用教室各1间
_MET_SIGN = {">=": "≥", "<=": "≤", "<": "<", "=": "="}
_FAIL_SIGN = {">=": "<", "<=": ">", "<": "≥", "=": "≠"}


# ---------- numbers ----------

def to_fraction(value: Number, name: str = "数值") -> Fraction:
    """Exact value of an input; floats go through str so 0.1 stays 1/10."""
    if isinstance(value, bool):
        raise ValueError(f"{name}应为数字")
    if isinstance(value, Fraction):
        return value
    try:
        return Fraction(Decimal(str(value).strip().replace(",", "")))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name}“{value}”不是数字") from None


def _non_negative(value: Number, name: str, whole: bool = False) -> Fraction:
    number = to_fraction(value, name)
    if number < 0:
        raise ValueError(f"{name}不能为负数")
    if whole and number.denominator != 1:
        raise ValueError(f"{name}应为整数")
    return number


def _positive(value: Number, name: str, whole: bool = True) -> Fraction:
    number = _non_negative(value, name, whole)
    if number == 0:
        raise ValueError(f"{name}应大于0")
    return number


def round_to(value: Fraction, places: int = 2, mode: str = "half_up") -> Decimal:
    """Round exactly with integer arithmetic; mode is "half_up", "down" (floor) or "up" (ceiling)."""
    scaled = value * 10**places
    if mode == "down":
        units = math.floor(scaled)
    elif mode == "up":
        units = math.ceil(scaled)
    else:
        units = math.floor(scaled + Fraction(1, 2))
    return Decimal(units).scaleb(-places)


def shown(value: Fraction, comparison: str, met: bool | None, places: int = 2, *, threshold: Number) -> str:
    """A judged value for display: rounded half-up, except where that rounding would make a failing
    value look like a pass (0.8995 → 0.90 against ≥0.9); that one is rounded away from the
    threshold (52.2727 against ≤50 stays 52.27)."""
    half = round_to(value, places, "half_up")
    if met is not False:
        return str(half)
    away = round_to(value, places, "up" if comparison in ("<=", "<") else "down")
    bar = to_fraction(threshold)
    looks_met = {">=": half >= bar, "<=": half <= bar, "<": half < bar, "=": half == bar}[comparison]
    return str(away if looks_met else half)


def truncation_note(value: Fraction, comparison: str, met: bool | None, threshold: Number, places: int = 2) -> str:
    """Says so when `shown` did not round half-up (a fail that would look like a pass)."""
    half = str(round_to(value, places, "half_up"))
    if shown(value, comparison, met, places, threshold=threshold) == half:
        return ""
    return f"（四舍五入为 {half} 会看似达标，此处不进位显示）"


def _ratio_text(ratio: Fraction, registry: "Registry | None") -> str:
    """The share of the standard reached, judged against the school rule's floor (85%): rounded
    half-up unless that would lift a share below the floor onto it."""
    floor = _registry(registry).get("school_rule_unmet_min_ratio").threshold()
    return shown(ratio * 100, ">=", ratio * 100 >= floor, threshold=floor)


def plain(value: Fraction) -> str:
    """An exact terminating value as plain text: 850, 3825.5."""
    if value.denominator == 1:
        return str(value.numerator)
    with localcontext() as ctx:
        ctx.prec = 40
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".")


def _json(value: Fraction) -> int | str:
    return value.numerator if value.denominator == 1 else plain(value)


def _ceil_unit(value: Fraction, unit: str) -> Fraction:
    """Round a requirement up: to whole people/rooms, or to 0.01 ㎡/元."""
    if unit in WHOLE_UNITS:
        return Fraction(math.ceil(value))
    return Fraction(round_to(value, 2, "up"))


def _amount(value: Fraction, unit: str) -> str:
    return plain(value) if unit in WHOLE_UNITS else str(round_to(value, 2, "up"))


def _with_unit(value: Fraction, unit: str) -> str:
    """An amount with its unit; money from 10,000 reads in 万元 with the exact figure beside it."""
    text = _amount(value, unit)
    if unit != "元" or value < 10000:
        return f"{text}{unit}"
    return f"{plain(Fraction(round_to(value / 10000, 2, 'half_up')))}万元（{text}元）"


def _eq(value: Fraction) -> str:
    return "=" if (value * 100).denominator == 1 else "≈"


def _sign(met: bool | None, comparison: str) -> str:
    return (_FAIL_SIGN if met is False else _MET_SIGN)[comparison]


def _status(met: bool | None) -> str:
    return {True: "达标", False: "未达标", None: "测算结果"}[met]


def _verdict(met: bool | None, text: str) -> str:
    return f"**{_status(met)}**：{text}"


def _all_met(flags: Iterable[bool | None]) -> bool | None:
    flags = list(flags)
    if False in flags:
        return False
    return None if None in flags else True


def _registry(registry: Registry | None) -> Registry:
    return registry or default_registry()


def _choice(value: str, allowed: Sequence[str], name: str = "学段") -> str:
    if value not in allowed:
        raise ValueError(f"{name}应为{'或'.join(allowed)}，收到“{value}”")
    return value


def _requirement_step(name: str, formula: str, exact: Fraction, required: Fraction, unit: str) -> str:
    text = f"达标所需{name} = {formula} = {plain(exact)}"
    if required != exact:
        text += f"，向上取为 {_amount(required, unit)}"
    return text + unit


# ---------- result objects ----------

@dataclass(frozen=True)
class Check:
    """One calculation: inputs, computed numbers, the steps shown to users, the verdict."""

    keys: tuple[str, ...]
    title: str
    inputs: Mapping[str, Any]
    numbers: Mapping[str, Any]
    met: bool | None
    steps: tuple[str, ...]
    verdict: str
    # A check made of several (交流轮岗 and its 骨干 share): each keeps its own verdict.
    parts: tuple["Check", ...] = field(default=(), kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "keys": list(self.keys),
            "title": self.title,
            "input": dict(self.inputs),
            "numbers": dict(self.numbers),
            "met": self.met,
            "steps": list(self.steps),
            "verdict": self.verdict,
        }
        if self.parts:
            data["checks"] = [part.to_dict() for part in self.parts]
        return data


@dataclass(frozen=True)
class ResourceCheck(Check):
    """One of the 7 school resource indicators for one school; exact values kept for the CV."""

    level: str
    students: int
    value: Fraction | None
    ratio: Fraction | None  # value ÷ threshold, judged against the 85% rule


@dataclass(frozen=True)
class SchoolCheck(Check):
    level: str
    students: int
    school: str | None
    checks: tuple[ResourceCheck, ...]
    met_count: int

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "school": self.school, "checks": [c.to_dict() for c in self.checks]}


@dataclass(frozen=True)
class CvCheck(Check):
    cv: Decimal | None  # 40 significant digits; None when the weighted mean is 0


@dataclass(frozen=True)
class CountyCheck(Check):
    level: str
    cv_checks: tuple[CvCheck, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "indicators": [c.to_dict() for c in self.cv_checks]}


def _combine(title: str, checks: Sequence[Check], inputs: Mapping, numbers: Mapping,
             extra_steps: Sequence[str] = ()) -> Check:
    met = _all_met(c.met for c in checks)
    keys = tuple(dict.fromkeys(k for c in checks for k in c.keys))
    steps = tuple(s for c in checks for s in c.steps) + tuple(extra_steps)
    if len(checks) == 1:
        text = checks[0].verdict.split("：", 1)[1]
    else:  # one overall verdict would hide that a part passed: each part says its own
        text = "".join(f"{c.verdict.split('：', 1)[1].rstrip('。')}，{_status(c.met)}。" for c in checks)
    return Check(keys, title, dict(inputs), dict(numbers), met, steps, _verdict(met, text),
                 parts=tuple(checks) if len(checks) > 1 else ())


# ---------- school resource indicators ----------

def check_resource_indicator(
    level: str | None,
    indicator: str,
    students: Number,
    amount: Number | None = None,
    registry: Registry | None = None,
) -> ResourceCheck:
    """One resource indicator from raw counts; without `amount` only the requirement is computed.

    `level` may be None when 小学 and 初中 share the threshold (骨干教师 1, 音体美 0.9 per hundred):
    the result then names both levels."""
    ind = _registry(registry).get(indicator)
    if ind.measure is None:
        raise ValueError(f"“{ind.name}”不是校级资源配置指标")
    if level is None and same_for_all_levels(indicator, registry):
        return _both_levels(check_resource_indicator(LEVELS[0], indicator, students, amount, registry),
                            indicator, registry)
    _choice(level, LEVELS)
    pupils = int(_positive(students, "在校生数"))
    whole = ind.unit in WHOLE_UNITS
    count = None if amount is None else _non_negative(amount, ind.measure.input_name, whole)
    threshold = ind.threshold(level)
    per = ind.measure.per_students
    required_exact = Fraction(threshold) * pupils / per
    required = _ceil_unit(required_exact, ind.unit)
    formula = f"{threshold} × {pupils}" + (" ÷ 100" if per == 100 else "")
    need_step = _requirement_step(ind.measure.input_name, formula, required_exact, required, ind.unit)
    inputs: dict[str, Any] = {"level": level, "indicator": ind.key, "students": pupils}
    numbers: dict[str, Any] = {"unit": ind.unit, "threshold": str(threshold), "required": _amount(required, ind.unit)}
    if count is None:
        text = (f"{level}{ind.name}标准为{ind.threshold_text(level)}；按在校生{pupils}人计，"
                f"{ind.measure.input_name}至少需要 {_with_unit(required, ind.unit)}。")
        return ResourceCheck((ind.key,), ind.name, inputs, numbers, None, (need_step,),
                             _verdict(None, text), level, pupils, None, None)
    inputs["amount"] = _json(count)
    value = count * per / pupils
    met = ind.passes(value, level)
    ratio = value / Fraction(threshold)
    gap = _ceil_unit(max(Fraction(0), required_exact - count), ind.unit)
    value_text = shown(value, ind.comparison, met, threshold=threshold)
    ratio_text = _ratio_text(ratio, registry)
    steps = [
        f"{ind.name} = {plain(count)} ÷ {pupils}{' × 100' if per == 100 else ''} {_eq(value)} {value_text}{ind.unit}"
        + truncation_note(value, ind.comparison, met, threshold),
        f"标准（{level}）：{ind.threshold_text(level)}；{value_text} {_sign(met, '>=')} {threshold}，{_status(met)}",
        f"达标程度 = 实际值 ÷ 标准值 {_eq(ratio * 100)} {ratio_text}%",
        need_step,
    ]
    if gap:
        steps.append(f"还差 {_amount(required, ind.unit)} − {plain(count)} = {_with_unit(gap, ind.unit)}")
    numbers.update(value=value_text, ratio_percent=ratio_text, gap=_amount(gap, ind.unit))
    text = f"{level}{ind.name}为 {value_text}{ind.unit}，标准{ind.threshold_text(level)}。"
    if not met:
        text += (f"按在校生{pupils}人计，{ind.measure.input_name}至少需要 {_with_unit(required, ind.unit)}，"
                 f"还差 {_with_unit(gap, ind.unit)}。")
    return ResourceCheck((ind.key,), ind.name, inputs, numbers, met, tuple(steps),
                         _verdict(met, text), level, pupils, value, ratio)


def check_indicator_value(level: str | None, indicator: str, value: Number,
                          registry: Registry | None = None) -> ResourceCheck:
    """A resource indicator's value the user already has (生均教学仪器设备值2600元, 每百名学生音体美
    教师1.1人): judged as given, never divided by the student count again."""
    ind = _registry(registry).get(indicator)
    if ind.measure is None:
        raise ValueError(f"“{ind.name}”不是校级资源配置指标")
    if level is None and same_for_all_levels(indicator, registry):
        return _both_levels(check_indicator_value(LEVELS[0], indicator, value, registry), indicator, registry)
    _choice(level, LEVELS)
    number = _non_negative(value, ind.name)
    threshold = Fraction(ind.threshold(level))
    met = ind.passes(number, level)
    ratio = number / threshold
    value_text = shown(number, ind.comparison, met, threshold=threshold)
    ratio_text = _ratio_text(ratio, registry)
    per = "生均" if ind.measure.per_students == 1 else "每百名学生"
    steps = [
        f"{ind.name}：按您给出的 {plain(number)}{ind.unit} 计（已是{per}值，不再除以学生数）",
        f"标准（{level}）：{ind.threshold_text(level)}；{value_text} {_sign(met, '>=')} {plain(threshold)}，{_status(met)}",
        f"达标程度 = 实际值 ÷ 标准值 {_eq(ratio * 100)} {ratio_text}%",
    ]
    numbers: dict[str, Any] = {"unit": ind.unit, "threshold": plain(threshold), "value": value_text,
                               "ratio_percent": ratio_text}
    text = f"{level}{ind.name}为 {value_text}{ind.unit}，标准{ind.threshold_text(level)}。"
    if not met:
        gap = threshold - number
        steps.append(f"{per}还差 {plain(threshold)} − {plain(number)} = {_with_unit(gap, ind.unit)}")
        numbers["gap"] = _amount(gap, ind.unit)
        text += f"{per}还差 {_with_unit(gap, ind.unit)}。"
    inputs = {"level": level, "indicator": ind.key, "value": _json(number)}
    return ResourceCheck((ind.key,), ind.name, inputs, numbers, met, tuple(steps), _verdict(met, text),
                         level, 0, number, ratio)


def resource_inputs(registry: Registry | None = None) -> dict[str, Indicator]:
    """Raw-count field name (e.g. "pe_art_teachers") → its resource indicator."""
    return {ind.measure.input: ind for ind in _registry(registry).resource_indicators}


def check_school(
    level: str,
    students: Number,
    school: str | None = None,
    registry: Registry | None = None,
    **amounts: Number | None,
) -> SchoolCheck:
    """The given resource indicators for one school, and the school rule when all 7 are given."""
    reg = _registry(registry)
    fields = resource_inputs(reg)
    unknown = set(amounts) - set(fields)
    if unknown:
        raise ValueError(f"未知的学校数据项：{'、'.join(sorted(unknown))}")
    checks = tuple(
        check_resource_indicator(level, ind.key, students, amounts[name], reg)
        for name, ind in fields.items()
        if amounts.get(name) is not None
    )
    if not checks:
        raise ValueError("至少需要提供一项资源配置数据")
    met_count = sum(1 for c in checks if c.met)
    inputs = {"level": level, "students": checks[0].students,
              **{k: _json(to_fraction(v)) for k, v in amounts.items() if v is not None}}
    if school:
        inputs["school"] = school
    steps = [f"{c.title}：{c.numbers['value']}{c.numbers['unit']}（标准{reg.get(c.keys[0]).threshold_text(level)}），"
             f"{_status(c.met)}" for c in checks]
    numbers: dict[str, Any] = {"met_count": met_count, "given": len(checks)}
    if len(checks) < len(fields):
        met = None
        text = (" ".join(c.verdict.split("：", 1)[1] for c in checks)
                + f"（已核算 {len(checks)} 项，其中 {met_count} 项达标；学校是否达到“至少"
                f"{reg.get('school_rule_min_met').threshold()}项达标、余项不低于"
                f"{reg.get('school_rule_unmet_min_ratio').threshold()}%”须7项数据齐全后判断。）")
    else:
        met, rule_steps, text = _school_rule(checks, met_count, reg)
        steps += rule_steps
    prefix = f"{school}（{level}）" if school else level
    keys = tuple(c.keys[0] for c in checks) + (("school_rule_min_met", "school_rule_unmet_min_ratio") if met is not None else ())
    return SchoolCheck(keys, f"{prefix}资源配置达标情况", inputs, numbers, met, tuple(steps),
                       _verdict(met, f"{prefix}：{text}"), level, checks[0].students, school, checks, met_count)


def _school_rule(checks: Sequence[ResourceCheck], met_count: int, reg: Registry) -> tuple[bool, list[str], str]:
    min_met = int(reg.get("school_rule_min_met").threshold())
    min_ratio = reg.get("school_rule_unmet_min_ratio").threshold()
    unmet = [c for c in checks if not c.met]
    low = [c for c in unmet if c.ratio < Fraction(min_ratio) / 100]
    met = met_count >= min_met and not low
    steps = [f"{len(checks)}项指标中达标 {met_count} 项（要求至少 {min_met} 项）"]
    steps += [f"未达标项“{c.title}”达到标准值的 {c.numbers['ratio_percent']}%（要求不低于 {min_ratio}%）" for c in unmet]
    if met and not unmet:
        text = f"{len(checks)}项指标全部达标，符合学校达标要求。"
    elif met:
        text = f"{len(checks)}项指标达标 {met_count} 项，未达标项均不低于标准值的{min_ratio}%，符合学校达标要求。"
    else:
        reasons = []
        if met_count < min_met:
            reasons.append(f"只有 {met_count} 项达标，少于 {min_met} 项")
        reasons += [f"“{c.title}”只达到标准值的 {c.numbers['ratio_percent']}%，低于{min_ratio}%" for c in low]
        text = "；".join(reasons) + "，不符合学校达标要求。"
    return met, steps, text


def check_school_rule(level: str | None = None, met_count: int | None = None,
                      values: Mapping[str, Number] | None = None, students: Number | None = None,
                      registry: Registry | None = None, **amounts: Number | None) -> Check:
    """The school rule on what the user knows without all seven figures: how many of the 7
    resource indicators the school meets ("达标了5项") and/or the figures of the ones it misses
    ("没达标的是生均仪器设备值1800元"). At least 6 must meet and every other one must reach 85%."""
    reg = _registry(registry)
    total = len(reg.resource_indicators)
    min_met = int(reg.get("school_rule_min_met").threshold())
    min_ratio = reg.get("school_rule_unmet_min_ratio").threshold()
    if met_count is not None and not (isinstance(met_count, int) and 0 <= met_count <= total):
        raise ValueError(f"达标项数应为 0 到 {total} 之间的整数，收到“{met_count}”")
    fields = resource_inputs(reg)
    checks = [check_indicator_value(level, key, value, reg) for key, value in (values or {}).items()]
    checks += [check_resource_indicator(level, fields[name].key, students, amount, reg)
               for name, amount in amounts.items() if amount is not None]
    if met_count is None and not checks:
        raise ValueError("需要达标项数或未达标项的数值")
    unmet = [c for c in checks if c.met is False]
    low = [c for c in unmet if c.ratio < Fraction(min_ratio) / 100]
    rule = f"{total}项资源配置指标中至少{min_met}项达标、余项不低于标准值的{min_ratio}%"
    steps = [step for c in checks for step in c.steps]
    steps.append(f"学校达标规则：{rule}")
    if met_count is not None:
        steps.append(f"达标 {met_count} 项（要求至少 {min_met} 项）")
    steps += [f"未达标项“{c.title}”达到标准值的 {c.numbers['ratio_percent']}%（要求不低于 {min_ratio}%）"
              for c in unmet]
    allowed = total - min_met
    if met_count is not None and met_count < min_met:
        met, text = False, f"{total}项指标只有 {met_count} 项达标，少于要求的 {min_met} 项，不符合学校达标要求。"
    elif low:
        met = False
        text = "；".join(f"“{c.title}”只达到标准值的 {c.numbers['ratio_percent']}%，低于{min_ratio}%" for c in low)
        text += "，不符合学校达标要求。"
    elif len(unmet) > allowed:
        met, text = False, f"有 {len(unmet)} 项未达标，最多只允许 {allowed} 项未达标，不符合学校达标要求。"
    elif met_count == total:
        met, text = True, f"{total}项指标全部达标，符合学校达标要求。"
    elif unmet:
        # the item's own verdict first: it is 未达标 as an indicator, and passes only as the 余项
        shares = "、".join(f"“{c.title}”为 {c.numbers['value']}{c.numbers.get('unit', '')}，本项未达标，"
                          f"但达到标准值的 {c.numbers['ratio_percent']}%" for c in unmet)
        met = True
        text = f"{shares}，不低于{min_ratio}%，可以作为余项。"
        text += ("符合学校达标要求。" if met_count is not None
                 else f"学校还须其余指标中至少 {min_met} 项达标。")
    elif met_count is None:
        met, text = True, f"所给指标已达到标准，无需按余项不低于{min_ratio}%的规则判断。"
    else:
        met = None
        text = (f"{met_count} 项已达标；未达标的 {total - met_count} 项还须各自不低于标准值的{min_ratio}%，"
                "请给出该项的数值以便判断。")
    inputs = {"level": level, "met_count": met_count, **({"values": {k: _json(to_fraction(v)) for k, v in values.items()}} if values else {})}
    keys = tuple(dict.fromkeys(k for c in checks for k in c.keys)) + ("school_rule_min_met", "school_rule_unmet_min_ratio")
    numbers: dict[str, Any] = {"met_count": met_count, "total": total,
                               "ratios_percent": {c.keys[0]: c.numbers["ratio_percent"] for c in unmet}}
    # each indicator given keeps its own verdict beside the school's ("本项未达标" yet 达标 as the 余项)
    return Check(keys, "学校资源配置达标规则", inputs, numbers, met, tuple(steps), _verdict(met, text), parts=tuple(checks))


# ---------- county 差异系数 ----------

def weighted_variation(pairs: Sequence[tuple[int, Fraction]]) -> tuple[Fraction, Fraction]:
    """Enrolment-weighted mean X̄ = Σ(Pᵢ·Xᵢ)/P and variance Σ Pᵢ·(Xᵢ − X̄)² / P, exactly."""
    total = sum(p for p, _ in pairs)
    mean = sum(p * x for p, x in pairs) / total
    variance = sum(p * (x - mean) ** 2 for p, x in pairs) / total
    return Fraction(mean), Fraction(variance)


def _sqrt(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()


def check_cv(
    level: str,
    indicator: str,
    schools: Sequence[tuple[str, int, Fraction]],
    registry: Registry | None = None,
) -> CvCheck:
    """差异系数 of one indicator across a level's schools (name, students, value)."""
    reg = _registry(registry)
    ind = reg.get(indicator)
    limit_ind = reg.get("resource_cv_limit")
    _choice(level, LEVELS)
    if not schools:
        raise ValueError(f"{level}没有学校数据，无法计算差异系数")
    limit = limit_ind.threshold(level)
    pairs = [(int(p), Fraction(x)) for _, p, x in schools]
    total = sum(p for p, _ in pairs)
    mean, variance = weighted_variation(pairs)
    inputs = {"level": level, "indicator": ind.key,
              "schools": [{"school": n, "students": p, "value": str(round_to(x, 4))} for n, (p, x) in
                          zip((s[0] for s in schools), pairs)]}
    steps = [
        f"P = 学段在校生总数 = {total}人，学校 {len(pairs)} 所",
        f"X̄ = Σ(Pᵢ·Xᵢ) ÷ P {_eq(mean)} {round_to(mean, 2)}{ind.unit}",
    ]
    if mean == 0:
        text = f"{level}各校“{ind.name}”均为0，差异系数无法计算。"
        numbers = {"students": total, "schools": len(pairs), "mean": "0", "limit": str(limit), "cv": None}
        return CvCheck((ind.key, limit_ind.key), f"{ind.name}差异系数", inputs, numbers, None,
                       tuple(steps), _verdict(None, text), None)
    sd = _sqrt(variance)
    cv = sd / Decimal(mean.numerator) * Decimal(mean.denominator)
    met = variance <= (Fraction(limit) * mean) ** 2  # CV ≤ L  ⟺  S² ≤ (L·X̄)², exact
    cv_text = shown(Fraction(cv), "<=", met, threshold=limit)
    steps += [
        f"S = √(Σ Pᵢ·(Xᵢ − X̄)² ÷ P) ≈ {round_to(Fraction(sd), 4)}",
        f"差异系数 CV = S ÷ X̄ ≈ {round_to(Fraction(cv), 4)}",
        f"标准（{level}）：{limit_ind.threshold_text(level)}；{cv_text} {_sign(met, '<=')} {limit}，{_status(met)}",
    ]
    numbers = {"students": total, "schools": len(pairs), "mean": str(round_to(mean, 2)),
               "sd": str(round_to(Fraction(sd), 4)), "cv": cv_text, "limit": str(limit)}
    text = f"{level}“{ind.name}”校际差异系数为 {cv_text}，标准{limit_ind.threshold_text(level)}。"
    return CvCheck((ind.key, limit_ind.key), f"{ind.name}差异系数", inputs, numbers, met,
                   tuple(steps), _verdict(met, text), cv)


def county_variation(
    level: str,
    indicator: str,
    schools: Sequence[Mapping[str, Any]],
    registry: Registry | None = None,
) -> CvCheck:
    """差异系数 from raw counts: each school is {"school", "students", "amount"}."""
    reg = _registry(registry)
    values = []
    for row in schools:
        check = check_resource_indicator(level, indicator, row["students"], row["amount"], reg)
        values.append((str(row.get("school", "")), check.students, check.value))
    return check_cv(level, indicator, values, reg)


def check_county(level: str, school_checks: Sequence[SchoolCheck], registry: Registry | None = None) -> CountyCheck:
    """差异系数 of every resource indicator across the level's schools."""
    reg = _registry(registry)
    rows = [s for s in school_checks if s.level == level]
    cv_checks = []
    for ind in reg.resource_indicators:
        values = [(s.school or "", s.students, c.value) for s in rows for c in s.checks
                  if c.keys[0] == ind.key and c.value is not None]
        if values:
            cv_checks.append(check_cv(level, ind.key, values, reg))
    if not cv_checks:
        raise ValueError(f"{level}没有学校数据，无法计算差异系数")
    met = _all_met(c.met for c in cv_checks)
    failing = [c.keys[0] for c in cv_checks if c.met is False]
    steps = tuple(f"{c.title}：{c.numbers['cv']}（{c.numbers['limit']}），{_status(c.met)}" for c in cv_checks)
    limit = reg.get("resource_cv_limit").threshold_text(level)
    if failing:
        names = "、".join(reg.get(k).name for k in failing)
        text = f"{level}差异系数超标的指标：{names}（标准{limit}）。"
    else:
        text = f"{level}各项资源配置指标校际差异系数均{limit}。" if met else f"{level}部分指标差异系数无法计算。"
    numbers = {"schools": len(rows), "students": sum(s.students for s in rows), "failing": failing}
    keys = tuple(c.keys[0] for c in cv_checks) + ("resource_cv_limit",)
    return CountyCheck(keys, f"{level}校际差异系数", {"level": level}, numbers, met, steps,
                       _verdict(met, text), level, tuple(cv_checks))


# ---------- percentage targets ----------

def check_rate(
    key: str,
    part: Number,
    whole: Number,
    *,
    level: str | None = None,
    part_name: str,
    whole_name: str,
    unit: str = "人",
    registry: Registry | None = None,
) -> Check:
    """part ÷ whole as a percentage against a "%" indicator; also the minimum part that passes."""
    ind = _registry(registry).get(key)
    if ind.unit != "%":
        raise ValueError(f"“{ind.name}”不是百分比指标")
    whole_units = unit in WHOLE_UNITS
    p = _non_negative(part, part_name, whole_units)
    w = _positive(whole, whole_name, whole_units)
    threshold = ind.threshold(level)
    rate = p / w * 100
    met = ind.passes(rate, level)
    rate_text = shown(rate, ind.comparison, met, threshold=threshold)
    required_exact = Fraction(threshold) / 100 * w
    required = _ceil_unit(required_exact, unit)
    gap = _ceil_unit(max(Fraction(0), required_exact - p), unit)
    scope = f"（{level}）" if level else ""
    steps = [
        f"{ind.name} = {part_name} ÷ {whole_name} = {plain(p)} ÷ {plain(w)} × 100% {_eq(rate)} {rate_text}%",
        f"标准{scope}：{ind.threshold_text(level)}；{rate_text}% {_sign(met, ind.comparison)} {threshold}%，{_status(met)}",
        _requirement_step(part_name, f"{plain(w)} × {threshold}%", required_exact, required, unit),
    ]
    if gap:
        steps.append(f"还差 {_amount(required, unit)} − {plain(p)} = {_with_unit(gap, unit)}")
    text = f"{ind.name}{scope}为 {rate_text}%，标准{ind.threshold_text(level)}。"
    if not met:
        text += f"{part_name}至少需要 {_with_unit(required, unit)}，还差 {_with_unit(gap, unit)}。"
    inputs = {"part": _json(p), "whole": _json(w), **({"level": level} if level else {})}
    numbers = {"rate_percent": rate_text, "threshold_percent": str(threshold),
               "required": _amount(required, unit), "gap": _amount(gap, unit), "unit": unit}
    return Check((ind.key,), ind.name, inputs, numbers, met, tuple(steps), _verdict(met, text))


PERCENT_TARGETS = {
    # key → (part name, whole name[, unit]); the generic percentage tool accepts these, and the
    # question layer names the missing figures by them.
    "certified_teachers_rate": ("持证上岗专任教师数", "专任教师总数"),
    "training_hours_completion_rate": ("已完成规定学时培训的教师数", "应参训教师数"),
    "quota_allocation_ratio": ("分配到初中的优质高中招生名额", "优质高中招生计划总数"),
    "migrant_children_public_ratio": ("在公办学校和政府购买服务的民办学校就读的随迁子女数", "符合条件的随迁子女总数"),
    "disabled_children_enrolment_rate": ("入学的残疾儿童少年数", "适龄残疾儿童少年总数"),
    "junior_consolidation_rate": ("初三在校生数", "三年前初一入学人数"),
    "enrolment_rate": ("已入学适龄儿童数", "适龄儿童总数"),
    "social_recognition": ("认可的受访人数", "受访总人数"),
    "teacher_salary_vs_civil_servants": ("教师平均工资收入", "当地公务员平均工资收入", "元"),
}


def check_percentage_target(key: str, part: Number, whole: Number, registry: Registry | None = None) -> Check:
    if key not in PERCENT_TARGETS:
        raise ValueError(f"不支持的百分比指标“{key}”，可选：{'、'.join(PERCENT_TARGETS)}")
    part_name, whole_name, *_ = PERCENT_TARGETS[key]
    return check_rate(key, part, whole, part_name=part_name, whole_name=whole_name, unit=percent_unit(key),
                      registry=registry)


def percent_unit(key: str) -> str:
    """What a percentage target's part and whole count: people unless PERCENT_TARGETS says (元)."""
    return (PERCENT_TARGETS[key][2:] or ("人",))[0]


def check_consolidation_rate(initial_students: Number, current_students: Number,
                             registry: Registry | None = None) -> Check:
    """初中三年巩固率 = 初三在校生 ÷ 三年前初一入学人数."""
    return check_percentage_target("junior_consolidation_rate", current_students, initial_students, registry)


def check_enrolment_rate(enrolled: Number, eligible_children: Number, registry: Registry | None = None) -> Check:
    return check_percentage_target("enrolment_rate", enrolled, eligible_children, registry)


def check_admission_ratio(level: str, nearby_admitted: Number, total_admitted: Number, area: str | None = None,
                          registry: Registry | None = None) -> Check:
    """就近划片入学比例: 小学 and 初中 have different targets; the rule covers the public schools of
    城区 and 镇区 (`area`, when given, must be one of them); boarding schools are excluded."""
    _choice(level, LEVELS)
    if area is not None:
        _choice(area, AREAS, "学校所在区域")
    return check_rate("nearby_admission_ratio", nearby_admitted, total_admitted, level=level,
                      part_name="就近划片入学人数", whole_name="招生总人数", registry=registry)


def check_rotation(eligible_teachers: Number | None, rotated_teachers: Number, backbone_rotated: Number | None = None,
                   registry: Registry | None = None) -> Check:
    """交流轮岗 ≥10% of eligible teachers, of whom 骨干教师 ≥20% of those rotated. Without the
    eligible count only the 骨干 share is judged."""
    reg = _registry(registry)
    if eligible_teachers is None:
        if backbone_rotated is None:
            raise ValueError("请提供符合交流轮岗条件的教师总数")
        backbone = check_rate("backbone_rotation_ratio", backbone_rotated, rotated_teachers,
                              part_name="交流轮岗的骨干教师数", whole_name="交流轮岗教师总数", registry=reg)
        inputs = {"rotated_teachers": _json(to_fraction(rotated_teachers)),
                  "backbone_rotated": _json(to_fraction(backbone_rotated))}
        return _combine("骨干教师交流轮岗", [backbone], inputs, {"backbone": dict(backbone.numbers)})
    rotation = check_rate("teacher_rotation_ratio", rotated_teachers, eligible_teachers,
                          part_name="交流轮岗教师数", whole_name="符合交流轮岗条件教师总数", registry=reg)
    checks = [rotation]
    extra = []
    numbers: dict[str, Any] = {"rotation": dict(rotation.numbers)}
    rotated = to_fraction(rotated_teachers)
    if backbone_rotated is not None and rotated > 0:
        if to_fraction(backbone_rotated, "骨干教师交流人数") > rotated:
            raise ValueError("交流轮岗的骨干教师数不能多于交流轮岗教师总数")
        backbone = check_rate("backbone_rotation_ratio", backbone_rotated, rotated,
                              part_name="交流轮岗的骨干教师数", whole_name="交流轮岗教师总数", registry=reg)
        checks.append(backbone)
        numbers["backbone"] = dict(backbone.numbers)
    if not rotation.met:
        share = reg.get("backbone_rotation_ratio").threshold()
        minimum = Fraction(rotation.numbers["required"])
        backbone_min = math.ceil(minimum * Fraction(share) / 100)
        extra.append(f"若按最低 {plain(minimum)} 人交流，其中骨干教师至少 {backbone_min} 人（{share}%）")
        numbers["backbone_required_at_minimum"] = backbone_min
    inputs = {"eligible_teachers": _json(to_fraction(eligible_teachers)), "rotated_teachers": _json(rotated)}
    if backbone_rotated is not None:
        inputs["backbone_rotated"] = _json(to_fraction(backbone_rotated))
    return _combine("教师交流轮岗", checks, inputs, numbers, extra)


def check_training_funds(public_budget_yuan: Number, training_funds_yuan: Number | None = None,
                         registry: Registry | None = None) -> Check:
    """教师培训经费 ≥ 5% of the year's 公用经费预算总额."""
    if training_funds_yuan is not None:
        return check_rate("training_funds_ratio", training_funds_yuan, public_budget_yuan,
                          part_name="教师培训经费", whole_name="年度公用经费预算总额", unit="元", registry=registry)
    ind = _registry(registry).get("training_funds_ratio")
    budget = _positive(public_budget_yuan, "年度公用经费预算总额", whole=False)
    share = ind.threshold()
    exact = budget * Fraction(share) / 100
    required = _ceil_unit(exact, "元")
    step = _requirement_step("教师培训经费", f"{plain(budget)} × {share}%", exact, required, "元")
    text = f"年度公用经费预算总额 {plain(budget)}元，教师培训经费至少应安排 {_with_unit(required, '元')}（{share}%）。"
    return Check((ind.key,), ind.name, {"whole": _json(budget)},
                 {"required": _amount(required, "元"), "threshold_percent": str(share), "unit": "元"},
                 None, (step,), _verdict(None, text))


def check_small_school_funding(students: Number, per_student_yuan: Number | None = None,
                               registry: Registry | None = None) -> Check:
    """村小学和教学点 with fewer than 100 students are funded as if they had 100."""
    ind = _registry(registry).get("small_school_funding_basis")
    pupils = _non_negative(students, "学生数", whole=True)
    basis = Fraction(ind.threshold())
    funded = max(pupils, basis)
    rule = "不足" if pupils < basis else "不少于"
    steps = [f"学生数 {plain(pupils)}人，{rule}{plain(basis)}人，按 {plain(funded)} 名学生核定公用经费"]
    numbers: dict[str, Any] = {"funded_students": _json(funded)}
    inputs: dict[str, Any] = {"students": _json(pupils)}
    text = f"按 {plain(funded)} 名学生核定公用经费"
    if per_student_yuan is not None:
        rate = _non_negative(per_student_yuan, "生均公用经费标准")
        total = funded * rate
        inputs["per_student_yuan"] = _json(rate)
        numbers["funding_yuan"] = _amount(total, "元")
        steps.append(f"核定公用经费 = {plain(funded)} × {plain(rate)} = {_with_unit(total, '元')}")
        text += f"，合计 {_with_unit(total, '元')}"
    return Check((ind.key,), ind.name, inputs, numbers, None, tuple(steps), _verdict(None, text + "。"))


def check_special_ed_funding(per_student_yuan: Number | None = None, total_yuan: Number | None = None,
                             students: Number | None = None, registry: Registry | None = None) -> Check:
    """特殊教育学校生均公用经费 against the registry's figure (a plan's own, higher than the national
    rule's, which is shown beside it)."""
    ind = _registry(registry).get("special_ed_funding_per_student")
    inputs: dict[str, Any] = {}
    steps = []
    if per_student_yuan is not None:
        per = _non_negative(per_student_yuan, "生均公用经费")
        inputs["per_student_yuan"] = _json(per)
    elif total_yuan is not None and students is not None:
        total = _non_negative(total_yuan, "公用经费总额")
        pupils = _positive(students, "学生数")
        per = total / pupils
        inputs.update(total_yuan=_json(total), students=_json(pupils))
    else:
        raise ValueError("请提供生均公用经费，或公用经费总额和学生数")
    # The figure judged by is the registry's (a plan's, where one sets it); the national rule's, which
    # the registry states in its summary source beside the plan's clause, is shown for comparison.
    local = ind.threshold()
    national = next((src.value if src.value is not None else local for src in ind.sources if not src.verbatim), None)
    met = ind.passes(per)
    per_text = shown(per, ">=", met, threshold=local)
    if "total_yuan" in inputs:
        steps.append(f"生均公用经费 = {plain(total)} ÷ {plain(pupils)} {_eq(per)} {per_text}元")
    gap = _ceil_unit(max(Fraction(0), Fraction(local) - per), "元")
    steps.append(f"标准：≥{local}元；{per_text} {_sign(met, '>=')} {local}，{_status(met)}")
    text = f"特殊教育学校生均公用经费为 {per_text}元，标准为不低于{local}元"
    numbers = {"per_student_yuan": per_text, "local_threshold": str(local), "gap_per_student": _amount(gap, "元")}
    if national is not None and national != local:
        met_national = per >= Fraction(national)
        steps += [f"国家办法标准：≥{national}元；{per_text} {'≥' if met_national else '<'} {national}，"
                  f"{_status(met_national)}", ind.note or ""]
        text += f"（方案的标准高于国家办法的{national}元，以方案为准）"
        numbers.update(national_threshold=str(national), met_national=met_national)
    text += "。" + (f"每生还差 {_with_unit(gap, '元')}。" if not met else "")
    return Check((ind.key,), ind.name, inputs, numbers, met, tuple(s for s in steps if s), _verdict(met, text))


# ---------- class size, school size, special rooms ----------

def check_class_size(level: str, class_sizes: Sequence[Number], registry: Registry | None = None) -> Check:
    """Every class must be within the level's limit (小学45, 初中50)."""
    ind = _registry(registry).get("class_size")
    _choice(level, LEVELS)
    if not class_sizes:
        raise ValueError("请至少提供一个班级的学生数")
    sizes = [int(_positive(s, f"第{i}个班的学生数")) for i, s in enumerate(class_sizes, 1)]
    limit = int(ind.threshold(level))
    over = [(i, s) for i, s in enumerate(sizes, 1) if not ind.passes(s, level)]
    met = not over
    steps = [f"班额标准（{level}）：{ind.threshold_text(level)}；共 {len(sizes)} 个班，最大班额 {max(sizes)}人"]
    steps += [f"第{i}个班 {s}人，超出 {s - limit}人" for i, s in over]
    text = (f"{level}{len(sizes)}个班均不超过{limit}人。" if met else
            f"{len(over)}个班超过{level}班额上限{limit}人（最大 {max(sizes)}人）。")
    numbers = {"limit": limit, "largest": max(sizes), "over_limit_classes": len(over),
               "excess_students": sum(s - limit for _, s in over)}
    return Check((ind.key,), ind.name, {"level": level, "class_sizes": sizes}, numbers, met,
                 tuple(steps), _verdict(met, text))


def check_average_class_size(level: str, students: Number | None = None, classes: Number | None = None,
                             average: Number | None = None, registry: Registry | None = None) -> Check:
    """From totals (students, classes) or a stated average: an average over the limit is a fail;
    an average within it is not yet proof, since every class must be within it."""
    ind = _registry(registry).get("class_size")
    _choice(level, LEVELS)
    limit = ind.threshold(level)
    given = average is not None  # "平均班额48人": the user's own average, no totals to recompute it from
    if not given and (students is None or classes is None):
        raise ValueError("请提供学生总数和班级数，或平均班额")
    if given:
        mean = _positive(average, "平均班额")
    else:
        pupils, count = _positive(students, "学生数"), _positive(classes, "班级数")
        mean = pupils / count
    met = False if not ind.passes(mean, level) else None
    avg_text = shown(mean, "<=", met, threshold=limit)
    standard = f"标准（{level}）：{ind.threshold_text(level)}"
    numbers = {"average": avg_text, "limit": str(limit)}
    if given:
        steps = [f"平均班额（您给出）{avg_text}人；{standard}"]
        inputs, need = {"level": level, "average": _json(mean)}, ""
    else:
        numbers["min_classes"] = min_classes = math.ceil(pupils / Fraction(limit))
        steps = [f"平均班额 = {plain(pupils)} ÷ {plain(count)} {_eq(mean)} {avg_text}人；{standard}",
                 f"不超标至少需要班级数 = {plain(pupils)} ÷ {limit} 向上取整 = {min_classes}个"]
        inputs, need = {"level": level, "students": _json(pupils), "classes": _json(count)}, f"，至少需要 {min_classes} 个班"
    if met is False:
        text = f"平均班额 {avg_text}人，已超过{level}上限{limit}人{need}。"
    else:
        text = f"平均班额 {avg_text}人，未超过{level}上限{limit}人；但标准要求每个班都不超过{limit}人，请逐班核对。"
    return Check((ind.key,), ind.name, inputs, numbers, met, tuple(steps), _verdict(met, text))


def check_school_size(kind: str, students: Number, registry: Registry | None = None) -> Check:
    """小学、初中 ≤2000人; 九年/十二年一贯制 (义务教育阶段) ≤2500人."""
    ind = _registry(registry).get("school_size")
    _choice(kind, SCHOOL_KINDS, "学校类型")
    pupils = int(_positive(students, "在校生数"))
    limit = int(ind.threshold(kind))
    met = ind.passes(pupils, kind)
    steps = [f"学校规模标准（{kind}）：{ind.threshold_text(kind)}；{pupils} {_sign(met, '<=')} {limit}，{_status(met)}"]
    text = f"{kind}在校生 {pupils}人，上限{limit}人" + ("。" if met else f"，超出 {pupils - limit}人。")
    return Check((ind.key,), ind.name, {"kind": kind, "students": pupils},
                 {"limit": limit, "excess": max(0, pupils - limit)}, met, tuple(steps), _verdict(met, text))


def check_music_art_rooms(classes: Number, music_rooms: Number | None, art_rooms: Number | None,
                          music_room_areas: Sequence[Number] = (), art_room_areas: Sequence[Number] = (),
                          registry: Registry | None = None) -> Check:
    """每12个班级 音乐、美术专用教室各1间以上; each room's area ≥96㎡ (音乐) / ≥90㎡ (美术).
    A subject whose room count is not given (None) is not judged."""
    reg = _registry(registry)
    ind = reg.get("music_art_rooms_per_12_classes")
    count = int(_positive(classes, "班级数"))
    per_block = ind.threshold()
    required = math.ceil(Fraction(count, CLASSES_PER_ROOM)) * int(per_block)
    given = {"音乐": music_rooms, "美术": art_rooms}
    if all(v is None for v in given.values()):
        raise ValueError("请提供音乐或美术专用教室数")
    rooms = {subject: int(_non_negative(v, f"{subject}专用教室数", True)) for subject, v in given.items() if v is not None}
    steps = [f"所需专用教室数 = {count} ÷ {CLASSES_PER_ROOM} 向上取整 × {per_block} = 音乐、美术各 {required}间"]
    problems, parts = [], []
    numbers: dict[str, Any] = {"required_each": required}
    for subject, field_name in (("音乐", "music_gap"), ("美术", "art_gap")):
        if subject not in rooms:
            continue
        have = rooms[subject]
        ok = have >= required
        # The same rule read as a ratio (rooms per 12 classes ≥ 1): the figure users compare.
        per12 = Fraction(have * CLASSES_PER_ROOM, count)
        per12_text = shown(per12, ">=", ok, threshold=per_block)
        steps.append(f"{subject}专用教室 {have}间，每12个班 {have} × {CLASSES_PER_ROOM} ÷ {count} {_eq(per12)} "
                     f"{per12_text}间，{_status(ok)}" + ("" if ok else f"，还差 {required - have}间"))
        numbers[field_name] = max(0, required - have)
        parts.append(Check((ind.key,), f"{subject}专用教室（每12个班级）", {"classes": count, "rooms": have},
                           {"per_12_classes": per12_text, "unit": "间", "threshold": str(per_block), "gap": max(0, required - have)},
                           ok, (steps[-1],), _verdict(ok, f"{subject}专用教室每12个班 {per12_text}间")))
        if not ok:
            problems.append(f"{subject}专用教室还差 {required - have}间")
    if len(parts) == 1:
        numbers["per_12_classes"] = parts[0].numbers["per_12_classes"]
    keys, fine = [ind.key], []  # fine: rooms whose area passes, said even when the count fails
    for subject, key, areas in (("音乐", "music_room_area", music_room_areas), ("美术", "art_room_area", art_room_areas)):
        area_ind = reg.get(key)
        for i, area in enumerate(areas, 1):
            size = _non_negative(area, f"第{i}间{subject}专用教室面积")
            ok = area_ind.passes(size)
            steps.append(f"第{i}间{subject}专用教室 {plain(size)}㎡，标准{area_ind.threshold_text()}，{_status(ok)}")
            parts.append(Check((key,), f"第{i}间{subject}专用教室面积", {"area_m2": _json(size)},
                               {"area": plain(size), "unit": "㎡", "threshold": str(area_ind.threshold())}, ok,
                               (steps[-1],), _verdict(ok, f"第{i}间{subject}专用教室 {plain(size)}㎡")))
            if not ok:
                problems.append(f"第{i}间{subject}专用教室面积 {plain(size)}㎡ 小于{area_ind.threshold()}㎡")
            else:
                fine.append(f"第{i}间{subject}专用教室面积 {plain(size)}㎡，达到{area_ind.threshold()}㎡的标准")
        if areas:
            keys.append(key)
    met = not problems
    have_text = "、".join(f"{subject} {n}间" for subject, n in rooms.items())
    text = (f"{count}个班需音乐、美术专用教室各 {required}间；现有{have_text}。"
            + ("符合要求。" if met else "；".join(problems) + "。")
            + ("" if met else "".join(f"{line}。" for line in fine)))
    inputs = {"classes": count, "music_rooms": rooms.get("音乐"), "art_rooms": rooms.get("美术"),
              "music_room_areas": [_json(to_fraction(a)) for a in music_room_areas],
              "art_room_areas": [_json(to_fraction(a)) for a in art_room_areas]}
    return Check(tuple(keys), "音乐、美术专用教室配置", inputs, numbers, met, tuple(steps), _verdict(met, text),
                 parts=tuple(parts) if len(parts) > 1 else ())


# ---------- figures the user states directly, and several checks judged together ----------



def check_reported_rate(key: str, rate_percent: Any, level: str | None = None, registry: Registry | None = None) -> Check:
    """A figure the user states directly ("巩固率93.5%", "音乐专用教室85平方米") against its
    target; the user's own figure is compared exactly and shown as given."""
    ind = _registry(registry).get(key)
    rate = to_fraction(rate_percent, ind.name)
    if rate < 0:
        raise ValueError(f"{ind.name}不能为负数")
    threshold = ind.threshold(level)
    met = ind.passes(rate, level)
    rate_text = plain(rate)
    unit = ind.unit
    scope = f"（{level}）" if level else ""
    sign = (_FAIL_SIGN if not met else _MET_SIGN)[ind.comparison]
    gap = abs(Fraction(threshold) - rate)
    steps = [
        f"{ind.name}{scope}：按您给出的 {rate_text}{unit} 计",
        f"标准{scope}：{ind.threshold_text(level)}；{rate_text}{unit} {sign} {threshold}{unit}，{_status(met)}",
    ]
    text = f"{ind.name}{scope}为 {rate_text}{unit}，标准{ind.threshold_text(level)}。"
    numbers: dict[str, Any] = {"rate_percent": rate_text, "threshold_percent": str(threshold), "unit": unit}
    if not met:
        gap_text = f"{plain(gap)} 个百分点" if unit == "%" else f"{plain(gap)}{unit}"
        steps.append(f"相差 {threshold} − {rate_text} = {gap_text}"
                     if ind.comparison == ">=" else f"超出 {gap_text}")
        text += f"相差 {gap_text}。"
        numbers["gap_points"] = plain(gap)
    inputs = {"key": key, "rate_percent": rate_text, **({"level": level} if level else {})}
    return Check((ind.key,), ind.name, inputs, numbers, met, tuple(steps), f"**{_status(met)}**：{text}")


def same_for_all_levels(key: str, registry: Registry | None = None) -> bool:
    ind = _registry(registry).get(key)
    return len({ind.threshold(level) for level in LEVELS}) == 1


def check_indicator_values(level: str | None, values: Mapping[str, Number],
                           registry: Registry | None = None) -> Check:
    """Several resource indicators' values of one school, each judged as given."""
    checks = [check_indicator_value(level, key, value, registry) for key, value in values.items()]
    inputs = {"level": level, "values": {key: _json(to_fraction(v)) for key, v in values.items()}}
    return _combine("资源配置指标", checks, inputs, {})


def _both_levels(check: Check, indicator: str, registry: Registry | None) -> Check:
    """A check computed for 小学 restated for both levels (they share the threshold)."""
    stand_in, both = LEVELS[0], "、".join(LEVELS)
    bar = _registry(registry).get(indicator).threshold_text(stand_in)
    steps = tuple(step.replace(f"标准（{stand_in}）", f"标准（{both}相同）") for step in check.steps)
    verdict = check.verdict.replace(f"：{stand_in}{check.title}", f"：{check.title}", 1).replace(
        bar, f"{bar}（{both}相同）", 1)
    inputs = {k: v for k, v in check.inputs.items() if k != "level"}
    return replace(check, inputs=inputs, steps=steps, verdict=verdict, level=both)


def check_reported_rates(rates: list[dict[str, Any]], registry: Registry | None = None) -> Check:
    """Several stated rates at once (交流轮岗比例 and 骨干教师占比), judged together."""
    checks = [check_reported_rate(**r, registry=registry) for r in rates]
    return checks[0] if len(checks) == 1 else _together("百分比指标", checks, {"rates": rates})


def check_reported_cv(level: str, cv: Any, registry: Registry | None = None) -> Check:
    """A 差异系数 the user states directly, against the level's limit (小学0.50, 初中0.45)."""
    ind = _registry(registry).get("resource_cv_limit")
    if level not in LEVELS:
        raise ValueError(f"学段应为{'或'.join(LEVELS)}，收到“{level}”")
    value = to_fraction(cv, "差异系数")
    if value < 0:
        raise ValueError("差异系数不能为负数")
    limit = ind.threshold(level)
    met = ind.passes(value, level)
    text_value = plain(value)
    sign = (_FAIL_SIGN if not met else _MET_SIGN)[ind.comparison]
    steps = (f"差异系数：按您给出的 {text_value} 计",
             f"标准（{level}）：{ind.threshold_text(level)}；{text_value} {sign} {limit}，{_status(met)}")
    text = f"{level}校际差异系数为 {text_value}，标准{ind.threshold_text(level)}。"
    return Check((ind.key,), ind.name, {"level": level, "cv": text_value},
                            {"cv": text_value, "limit": str(limit)}, met, steps, f"**{_status(met)}**：{text}")


def check_cv_from_moments(level: str, mean: Number, sd: Number, registry: Registry | None = None) -> Check:
    """A 差异系数 from the county's mean and standard deviation of an indicator (差异系数 = 标准差 ÷
    平均数), against the level's limit."""
    ind = _registry(registry).get("resource_cv_limit")
    _choice(level, LEVELS)
    average, spread = _positive(mean, "平均数", whole=False), _non_negative(sd, "标准差")
    value = spread / average
    limit = ind.threshold(level)
    met = ind.passes(value, level)
    text_value = shown(value, ind.comparison, met, threshold=limit)
    sign = (_FAIL_SIGN if not met else _MET_SIGN)[ind.comparison]
    steps = (f"差异系数 = 标准差 ÷ 平均数 = {plain(spread)} ÷ {plain(average)} {_eq(value)} {text_value}"
             + truncation_note(value, ind.comparison, met, limit),
             f"标准（{level}）：{ind.threshold_text(level)}；{text_value} {sign} {limit}，{_status(met)}")
    text = f"{level}校际差异系数为 {text_value}，标准{ind.threshold_text(level)}。"
    return Check((ind.key,), ind.name, {"level": level, "mean": plain(average), "sd": plain(spread)},
                 {"cv": text_value, "limit": str(limit)}, met, steps, _verdict(met, text))


def check_cv_values(level: str, indicator: str, schools: list[dict[str, Any]], registry: Registry | None = None) -> Check:
    """差异系数 from per-school indicator values the user already computed (每百名/生均)."""
    rows = [(s["school"], s["students"], to_fraction(s["value"])) for s in schools]
    return check_cv(level, indicator, rows, registry)


def county_variations(level: str, indicators: list[dict[str, Any]], registry: Registry | None = None) -> Check:
    """差异系数 of several indicators over the same schools."""
    checks = [
        county_variation(level, spec["indicator"], spec["schools"], registry) if "amount" in spec["schools"][0]
        else check_cv_values(level, spec["indicator"], spec["schools"], registry)
        for spec in indicators
    ]
    return checks[0] if len(checks) == 1 else _together(f"{level}校际差异系数", checks, {"level": level})


def _together(title: str, checks: list[Check], inputs: dict[str, Any]) -> Check:
    flags = [c.met for c in checks]
    met = False if False in flags else None if None in flags else True
    keys = tuple(dict.fromkeys(k for c in checks for k in c.keys))
    steps = tuple(s for c in checks for s in (f"【{c.title}】", *c.steps))
    text = " ".join(c.verdict.split("：", 1)[1] for c in checks)
    numbers = {c.keys[0]: dict(c.numbers) for c in checks}
    return Check(keys, title, inputs, numbers, met, steps, f"**{_status(met)}**：{text}")


# ---------- one name per operation, shared by the langchain tools and the deterministic path ----------

OPERATIONS: dict[str, Callable[..., Check]] = {
    "check_resource_indicator": check_resource_indicator,
    "check_school_resources": check_school,
    "check_school_rule": check_school_rule,
    "county_variation": county_variation,
    "check_rotation": check_rotation,
    "check_training_funds": check_training_funds,
    "check_admission_ratio": check_admission_ratio,
    "check_special_ed_funding": check_special_ed_funding,
    "check_class_size": check_class_size,
    "check_average_class_size": check_average_class_size,
    "check_school_size": check_school_size,
    "check_music_art_rooms": check_music_art_rooms,
    "check_small_school_funding": check_small_school_funding,
    "check_percentage_target": check_percentage_target,
    "check_indicator_value": check_indicator_value,
    "check_indicator_values": check_indicator_values,
    "check_reported_rate": check_reported_rate,
    "check_reported_rates": check_reported_rates,
    "check_cv_values": check_cv_values,
    "check_reported_cv": check_reported_cv,
    "check_cv_from_moments": check_cv_from_moments,
    "county_variations": county_variations,
}
