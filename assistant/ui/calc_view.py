"""指标测算 tab: a schools table (upload or edited in the page) → `schools.evaluate` → table, chart,
差异系数, downloads; and three small forms over the plan-target checks of `calculator`."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from assistant.domain import calculator, schools
from assistant.domain.indicators import Registry, default_registry
from assistant.settings import REPO_ROOT
from assistant.ui.charts import indicator_chart
from assistant.ui.files import UploadRejected, fresh_dir, take_upload
from assistant.ui.links import unlinked
from assistant.ui.text import inert, safe_markdown

SAMPLE = REPO_ROOT / "eval" / "sample_schools.csv"
UPLOAD_TYPES = schools.TABLE_TYPES
HEADERS = [name for _, name, _ in schools.COLUMNS]
TABLE_NAME = "页面表格.csv"  # what the edited table is called in error messages
# Schools listed per level on the page (markdown of thousands of rows takes minutes to render);
# the downloads always hold every school. The table itself is capped at schools.MAX_ROWS.
MAX_TABLE_SCHOOLS = 100
# The small forms take a typed number: the same bound as a table cell.
FORM_MAX = float(schools.MAX_CELL_VALUE)


@dataclass
class TableResult:
    status: str  # markdown: what was read, or the readable error
    markdown: str = ""  # per-school results, 差异系数, school rule (from schools.to_markdown)
    figure: Figure | None = None
    csv_path: Path | None = None
    xlsx_path: Path | None = None
    rows: list[schools.SchoolRow] | None = None

    @property
    def ok(self) -> bool:
        return self.rows is not None


def rows_to_frame(rows: list[schools.SchoolRow]) -> pd.DataFrame:
    keys = [key for key, _, _ in schools.COLUMNS[3:]]
    data = [[r.school, r.level, r.students, *(_plain(r.amounts[k]) for k in keys)] for r in rows]
    return pd.DataFrame(data, columns=HEADERS)


def _plain(value) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def sample_frame() -> pd.DataFrame:
    """The shipped sample, so the page opens with something to compute; empty if it is absent."""
    try:
        return rows_to_frame(schools.read_table(SAMPLE))
    except schools.SchoolsTableError:
        return pd.DataFrame([], columns=HEADERS)


def frame_to_bytes(frame: pd.DataFrame | list | None) -> bytes:
    """The edited table as CSV, so it passes the very same validation as an uploaded file."""
    if frame is None:
        return b""
    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(frame)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow(["" if _missing(v) else v for v in row])
    return out.getvalue().encode("utf-8")


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def evaluate_bytes(data: bytes, filename: str, out_root: Path, registry: Registry | None = None) -> TableResult:
    """Read, evaluate, chart and write the reports; any problem becomes a one-line Chinese message."""
    registry = registry or default_registry()
    try:
        rows = schools.parse_table(data, filename)
        report = schools.evaluate_within(rows)  # in a child process, stopped after CALC_TIME_LIMIT_S
    except (schools.SchoolsTableError, ValueError) as exc:
        return TableResult(f"❌ {inert(str(exc))}")
    folder = fresh_dir(out_root)
    csv_path, xlsx_path = folder / "学校指标测算报告.csv", folder / "学校指标测算报告.xlsx"
    schools.write_csv(report, csv_path)
    schools.write_xlsx(report, xlsx_path)
    status = f"✅ 已读取“{inert(filename)}”：{len(rows)}行学校数据。"
    # School names are the uploader's text: escaped as markdown (no image, link or forged table row).
    markdown = schools.to_markdown(report, registry, escape=inert, limit=MAX_TABLE_SCHOOLS)
    return TableResult(status, markdown, indicator_chart(report, registry), csv_path, xlsx_path, rows)


def evaluate_upload(path: str | None, max_mb: int, out_root: Path) -> TableResult:
    if not path:
        return TableResult("请先选择要上传的 CSV 或 XLSX 文件。")
    try:
        data, name = take_upload(path, UPLOAD_TYPES, max_mb)
    except UploadRejected as exc:
        return TableResult(f"❌ {inert(str(exc))}")
    return evaluate_bytes(data, name, out_root)


def evaluate_frame(frame, out_root: Path) -> TableResult:
    return evaluate_bytes(frame_to_bytes(frame), TABLE_NAME, out_root)


def columns_help() -> str:
    names = "、".join(f"“{name}”" for name in HEADERS)
    return (f"表格第1行为表头，需包含以下列：{names}。“学段”填小学或初中（九年一贯制学校分两行填写）；"
            "资源列填原始数量（人数、面积㎡、金额元、间数），生均和每百名学生指标由系统计算。")


# ---------------------------------------------------------------- plan-target forms

def check_markdown(check: calculator.Check, registry: Registry | None = None) -> str:
    """Verdict, every step, and the clauses the thresholds come from."""
    registry = registry or default_registry()
    lines = [unlinked(safe_markdown(check.verdict)), "", "计算过程："]
    lines += [f"{i}. {inert(step)}" for i, step in enumerate(check.steps, 1)]
    sources = [s for key in check.keys if key in registry for s in registry.get(key).sources]
    if sources:
        lines += ["", "标准依据："]
        for s in sources:
            label = f"（{s.label}）" if s.label else ""
            lines.append(f"- 《{inert(s.doc_title)}》{inert(s.clause)}{label}：“{inert(s.quote)}”")
    return "\n".join(lines)


def _run(operation, required: tuple, *args) -> str:
    """Calculator errors are Chinese sentences already; show them instead of a traceback."""
    if any(_optional(v) is None for v in required):
        return "❌ 请先填写必填的数字。"
    if any(isinstance(v, (int, float)) and not abs(v) <= FORM_MAX for v in args):  # also inf and nan
        return f"❌ 数字超出范围：应不超过 {schools.MAX_CELL_VALUE:,}（一万亿）。"
    try:
        return check_markdown(operation(*args))
    except ValueError as exc:
        return f"❌ {inert(str(exc))}"


def rotation_form(eligible, rotated, backbone=None) -> str:
    return _run(calculator.check_rotation, (eligible, rotated), eligible, rotated, _optional(backbone))


def training_form(budget, funds=None) -> str:
    return _run(calculator.check_training_funds, (budget,), budget, _optional(funds))


def admission_form(area, nearby, total) -> str:
    if area not in calculator.AREAS:
        return f"❌ 请选择学校所在区域（{'或'.join(calculator.AREAS)}）。"
    return _run(calculator.check_admission_ratio, (nearby, total), area, nearby, total)


def _optional(value):
    return None if value is None or value == "" else value
