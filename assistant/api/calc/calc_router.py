"""POST /api/calc/school and POST /api/calc/table."""
from __future__ import annotations

from fastapi import APIRouter, File, Request, UploadFile

from assistant.api.calc.calc_models import SchoolFigures, SchoolResult, TableReport
from assistant.api.calc.calc_service import check_school, check_upload, evaluate_table
from assistant.api.errors import COMMON_RESPONSES

router = APIRouter(prefix="/api/calc", tags=["指标测算"])


@router.post("/school", response_model=SchoolResult, summary="一所学校的资源配置指标",
             description="给出学段、在校生数和原始数量（人数、面积、金额、间数），按方案标准精确计算七项资源配置指标，"
                         "给出每项的计算步骤；七项齐全时判断学校达标规则。与问答中的测算使用同一个计算器。",
             responses=COMMON_RESPONSES)
async def school(body: SchoolFigures, request: Request) -> SchoolResult:
    return await request.app.state.workers.answer(check_school, body)


@router.post("/table", response_model=TableReport, summary="学校数据表测算（县域报告）",
             description="以 multipart/form-data 上传 CSV 或 XLSX（字段名 file，列同网页“指标测算”）。返回各校指标、"
                         "分学段校际差异系数与小结。大小上限与错误提示与网页相同（ASSISTANT_MAX_UPLOAD_MB）。",
             responses=COMMON_RESPONSES)
async def table(request: Request, file: UploadFile = File(description="学校数据表（.csv 或 .xlsx）")) -> TableReport:
    max_mb = request.app.state.settings.max_upload_mb
    name = check_upload(file.filename or "", file.size or 0, max_mb)  # the body's limit let it in; the file's may not
    data = await file.read()
    return await request.app.state.workers.table(evaluate_table, data, name)
