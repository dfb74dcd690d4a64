"""指标测算 tab: a schools table (upload or edited in the page) → `schools.evaluate` → table, chart,
差异系数, downloads; and three small forms over the plan-target checks of `calculator`."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from assistant.domain import calculator, schools
from assistant.domain.indicators import COMPARISONS, Registry, default_registry
from assistant.settings import REPO_ROOT
from assistant.ui import charts
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
# Full-width digits and signs a Chinese input method may type in the small forms.
FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
# Said after an error: the page no longer shows results of an earlier table as if they were this one's.
STALE = "之前的测算结果已清除；下方表格中仍是上一次的数据。"
REPORT_NAME, TEMPLATE_NAME = "学校指标测算报告", "学校数据表模板"
# Column widths of the XLSX report, in Excel's character units (a Chinese character is about two).
MIN_WIDTH, MAX_WIDTH = 8, 34
CSS = """
/* Result tables scroll sideways on a phone instead of breaking headers one character per line. */
#calc-results table { display: block; overflow-x: auto; max-width: 100%; }
#calc-results th { min-width: 5.5em; }
#calc-results td { white-space: nowrap; }
#calc-results td:first-child, #calc-results th:first-child { white-space: normal; min-width: 8em; }
#calc-status:not(:empty) { font-size: 1.05em; }
#upload-guard { display: none; }
"""


@dataclass
class TableResult:
    status: str  # markdown: what was read, or the readable error
    markdown: str = ""  # per-school results, 差异系数, school rule (from schools.to_markdown)
    report: dict | None = None  # schools.evaluate's report, which the chart picker redraws from
    csv_path: Path | None = None
    xlsx_path: Path | None = None
    rows: list[schools.SchoolRow] | None = None

    @property
    def ok(self) -> bool:
        return self.rows is not None

    @property
    def page_status(self) -> str:
        """The status at the top of the tab; after an error it also says the earlier results are gone."""
        return f"{self.status}\n\n{STALE}" if self.status.startswith("❌") else self.status


def failed(message: str) -> TableResult:
    return TableResult(f"❌ {inert(message)}")


def chart(report: dict | None, key: str | None = None, registry: Registry | None = None):
    """The chart of one resource indicator (the first when `key` is not one), or None without a report."""
    if not report:
        return None
    registry = registry or default_registry()
    indicators = registry.resource_indicators
    ind = next((i for i in indicators if i.key == key), indicators[0])
    return charts.indicator_chart(report, ind)


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
    """Read, evaluate and write the reports; any problem becomes a one-line Chinese message."""
    registry = registry or default_registry()
    try:
        rows = schools.parse_table(data, filename)
        report = schools.evaluate_within(rows)  # in a child process, stopped after CALC_TIME_LIMIT_S
    except (schools.SchoolsTableError, ValueError) as exc:
        return failed(str(exc))
    folder = fresh_dir(out_root)
    csv_path, xlsx_path = folder / f"{REPORT_NAME}.csv", folder / f"{REPORT_NAME}.xlsx"
    tables = report_tables(report, registry)
    write_csv(tables, csv_path)
    write_xlsx(tables, xlsx_path)
    status = f"✅ 已读取“{inert(filename)}”：{len(rows)}行学校数据。"
    # School names are the uploader's text: escaped as markdown (no image, link or forged table row).
    markdown = schools.to_markdown(report, registry, escape=inert, limit=MAX_TABLE_SCHOOLS)
    return TableResult(status, markdown, report, csv_path, xlsx_path, rows)


def evaluate_upload(path: str | None, max_mb: int, out_root: Path) -> TableResult:
    if not path:
        return TableResult("请先选择要上传的 CSV 或 XLSX 文件。")
    try:
        data, name = take_upload(path, UPLOAD_TYPES, max_mb)
    except UploadRejected as exc:
        return failed(str(exc))
    return evaluate_bytes(data, name, out_root)


def evaluate_frame(frame, out_root: Path) -> TableResult:
    return evaluate_bytes(frame_to_bytes(frame), TABLE_NAME, out_root)


def oversized(name, size, max_mb: int) -> TableResult:
    """A file the browser refused to send (it checks the size first, see UPLOAD_GUARD_JS): the same
    Chinese sentence the server gives, instead of gradio's English toast."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        size = max_mb * 1024 * 1024 + 1
    problem = schools.upload_problem(str(name), size, max_mb) if name else None
    return failed(problem[1] if problem else f"文件过大，上限为 {max_mb} MB。")


def upload_guard_js(max_mb: int) -> str:
    """Runs once in the page: a file over the limit chosen or dropped on #upload is stopped before
    gradio sees it (gradio would refuse it with an English toast) and reported to the server as a click
    on the guard, which answers in Chinese at the top of the tab."""
    return """
if (!window.__policyUploadGuard) {
  window.__policyUploadGuard = true;
  const limit = %d;
  const tooBig = (files) => Array.from(files || []).find((f) => f.size > limit);
  const refuse = (event, file) => {
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.target instanceof HTMLInputElement) event.target.value = '';
    trigger('click', {name: file.name, size: file.size});
  };
  for (const kind of ['change', 'input']) {
    document.addEventListener(kind, (event) => {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || input.type !== 'file' || !input.closest('#upload')) return;
      const file = tooBig(input.files);
      if (file) refuse(event, file);
    }, true);
  }
  document.addEventListener('drop', (event) => {
    if (!(event.target instanceof Element) || !event.target.closest('#upload')) return;
    const file = tooBig(event.dataTransfer && event.dataTransfer.files);
    if (file) refuse(event, file);
  }, true);
}
""" % (max_mb * 1024 * 1024)


def columns_help() -> str:
    names = "、".join(f"“{name}”" for name in HEADERS)
    return (f"表格第1行为表头，需包含以下列：{names}。“学段”填小学或初中（九年一贯制学校分两行填写）；"
            "资源列填原始数量（人数、面积㎡、金额元、间数），生均和每百名学生指标由系统计算。"
            "可先下载模板，填好后上传。")


# ---------------------------------------------------------------- downloads

def column_units(registry: Registry | None = None) -> dict[str, str]:
    """The unit of each raw column: the unit of the indicator computed from it (人, ㎡, 元, 间)."""
    registry = registry or default_registry()
    units = {"students": "人"}
    units.update({ind.measure.input: ind.unit for ind in registry.resource_indicators})
    return units


def template_header(registry: Registry | None = None) -> list[str]:
    """The schools table's header with units, e.g. 教学及辅助用房面积（㎡）: the reader ignores （…）."""
    units = column_units(registry)
    return [f"{name}（{units[key]}）" if key in units else name for key, name, _ in schools.COLUMNS]


def write_templates(out_root: Path, registry: Registry | None = None) -> tuple[Path, Path]:
    """An empty schools table to fill in, as CSV and XLSX (with a sheet of instructions)."""
    folder = fresh_dir(out_root)
    header = template_header(registry)
    csv_path, xlsx_path = folder / f"{TEMPLATE_NAME}.csv", folder / f"{TEMPLATE_NAME}.xlsx"
    write_csv([("学校数据", [header])], csv_path)
    help_rows = [["填写说明"], [columns_help()], ["每所学校一行；九年一贯制学校的小学部和初中部各填一行。"]]
    write_xlsx([("学校数据", [header]), ("填写说明", help_rows)], xlsx_path)
    return csv_path, xlsx_path


def report_tables(report: dict, registry: Registry | None = None) -> list[tuple[str, list[list]]]:
    """(sheet name, rows) of the report: per school, then 差异系数. Numbers are Decimal or int, so the
    XLSX gets numeric cells Excel can sum and sort; every header that holds a number names its unit."""
    reg = registry or default_registry()
    inds = reg.resource_indicators
    header = ["学段", "学校名称", "在校生数（人）"]
    for ind in inds:
        sign = COMPARISONS[ind.comparison]
        header += [f"{ind.name}（{ind.unit}）", f"{ind.name}标准（{sign}，{ind.unit}）", f"{ind.name}是否达标",
                   f"{ind.name}差额：还需{ind.measure.input_name}（{ind.unit}）"]
    header += ["达标项数", "学校是否达标"]
    rows: list[list] = [header]
    for level, data in report["levels"].items():
        for s in data["schools"]:
            row = [level, s["school"], s["students"]]
            for ind in inds:
                item = s["indicators"][ind.key]
                row += [_number(item["value"]), ind.threshold(level), _yes(item["met"]), _number(item["gap"])]
            rows.append(row + [s["met_count"], _yes(s["passes"])])
    cv = [["学段", "指标", "加权平均值", "单位", "差异系数", "差异系数标准（≤）", "是否达标"]]
    for level, data in report["levels"].items():
        for key, item in data["county"]["indicators"].items():
            cv.append([level, item["name"], _number(item["mean"]), reg.get(key).unit,
                       _number(item["cv"]) if item["cv"] is not None else "无法计算", _number(item["limit"]),
                       _yes(item["met"])])
    return [("各校指标", rows), ("差异系数", cv)]


def _number(text) -> Decimal | str:
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return str(text)


def _yes(met: bool | None) -> str:
    return {True: "是", False: "否", None: "—"}[met]


def write_csv(tables: list[tuple[str, list[list]]], path: Path) -> None:
    """The tables one after another, a blank line between; UTF-8 with BOM so Excel reads it, and text
    that a spreadsheet would run as a formula prefixed with an apostrophe."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for i, (_, rows) in enumerate(tables):
            if i:
                writer.writerow([])
            for row in rows:
                writer.writerow([schools.spreadsheet_text(str(c)) if isinstance(c, str) else c for c in row])


def write_xlsx(tables: list[tuple[str, list[list]]], path: Path) -> None:
    """One sheet per table: numbers as numbers, text as text (formula-like text with Excel's quote prefix,
    never a live formula), the header row bold, wrapped and frozen, columns as wide as their content."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for title, rows in tables:
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, str):
                    cell.value, cell.data_type = value, "s"
                    cell.quotePrefix = schools.spreadsheet_text(value) != value
                else:
                    cell.value = value
                if r == 1:
                    cell.font = Font(bold=True)
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for c in range(1, max((len(row) for row in rows), default=0) + 1):
            sheet.column_dimensions[get_column_letter(c)].width = column_width(row[c - 1] for row in rows if len(row) >= c)
        sheet.freeze_panes = "C2" if title == "各校指标" else "A2"  # header row, and the school's name
    book.save(path)


def column_width(values) -> float:
    """Excel width for a column: its longest line (a wide character counts two), within bounds."""
    def width(value) -> int:
        return max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in str(value).split("\n")), default=0)

    longest = max((width(v) for v in values), default=0)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


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
    """Calculator errors are Chinese sentences already (a box holding no number is named in one);
    show them instead of a traceback."""
    if any(_given(v) is None for v in required):
        return "❌ 请先填写必填的数字。"
    values = [_given(v) for v in args]
    if any(not _in_range(v) for v in values):
        return f"❌ 数字超出范围：应不超过 {schools.MAX_CELL_VALUE:,}（一万亿）。"
    try:
        return check_markdown(operation(*values))
    except ValueError as exc:
        return f"❌ {inert(str(exc))}"


def _in_range(value) -> bool:
    """False for a number beyond the table's bound, and for inf and nan; text that is no number is
    left to the calculator, which names the box."""
    if value is None:
        return True
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return True
    return number.is_finite() and abs(number) <= schools.MAX_CELL_VALUE


def rotation_form(eligible, rotated, backbone=None) -> str:
    return _run(calculator.check_rotation, (eligible, rotated), eligible, rotated, backbone)


def training_form(budget, funds=None) -> str:
    return _run(calculator.check_training_funds, (budget,), budget, funds)


def admission_form(level, nearby, total) -> str:
    if level not in calculator.LEVELS:
        return f"❌ 请选择学段（{'或'.join(calculator.LEVELS)}）。"
    return _run(calculator.check_admission_ratio, (nearby, total), level, nearby, total)


def _given(value):
    """A form box's value, or None when it was left empty ("not given": an optional box then means the
    minimum to budget). The boxes are text boxes (gradio's number box shows and sends 0 when empty), so
    a value is text: trimmed, full-width digits made ASCII (１２０ from a Chinese input method)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        value = value.strip().translate(FULL_WIDTH).replace(" ", "")
        return value or None
    return value
