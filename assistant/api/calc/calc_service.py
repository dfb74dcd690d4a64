"""The calculator for one school's figures, and a schools table read and evaluated exactly as the
web app does it (same size and type limits, same Chinese errors, same child-process time limit)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from assistant.api.calc.calc_models import IndicatorResult, SchoolFigures, SchoolResult, TableReport
from assistant.api.errors import ApiError
from assistant.domain import calculator, schools



def check_school(figures: SchoolFigures) -> SchoolResult:
    # str() first: a JSON 0.1 is the binary float 0.1000000000000000055…; the table reads the text "0.1"
    amounts = {key: Decimal(str(value)) for key, value in figures.amounts().items()}
    try:
        check = calculator.check_school(figures.level, figures.students, school=figures.school, **amounts)
    except ValueError as exc:  # the calculator's messages are Chinese sentences
        raise ApiError(422, "invalid_figures", str(exc)) from None
    indicators = [IndicatorResult(key=c.keys[0], name=c.title, met=c.met, steps=list(c.steps), verdict=c.verdict,
                                  **c.numbers) for c in check.checks]
    return SchoolResult(school=figures.school, level=check.level, students=check.students, indicators=indicators,
                        met_count=check.met_count, given=check.numbers["given"], passes=check.met,
                        verdict=check.verdict, steps=list(check.steps))


def check_upload(filename: str, size: int, max_mb: int) -> str:
    """The upload's own name, checked by the web app's rule and words (schools.upload_problem)."""
    name = Path(filename or "").name
    problem = schools.upload_problem(name, size, max_mb)
    if problem:
        kind, message = problem
        raise ApiError(*((422, "unsupported_type") if kind == "type" else (413, "payload_too_large")), message)
    return name


def evaluate_table(data: bytes, name: str) -> TableReport:
    try:
        rows = schools.parse_table(data, name)
        report = schools.evaluate_within(rows)  # a child process, stopped after CALC_TIME_LIMIT_S
    except (schools.SchoolsTableError, ValueError) as exc:
        raise ApiError(422, "invalid_table", str(exc)) from None
    return TableReport(filename=name, rows=len(rows), levels=report["levels"])
