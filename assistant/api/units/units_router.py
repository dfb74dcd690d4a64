"""GET /api/units and GET /api/units/{name}, each for one region's plan (default: the home plan)."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from assistant.api.errors import COMMON_RESPONSES, ErrorResponse
from assistant.api.units.units_service import UnitDetail, UnitSummary, all_units, unit_detail

router = APIRouter(prefix="/api", tags=["成员单位"])
REGION = Query(default="", max_length=40, description="地区，如“汶河区”；不填为本地方案的地区（ASSISTANT_HOME_REGION）。"
                                                       "单位取自该地区现行方案自己的附件")
NO_REGION = {404: {"model": ErrorResponse, "description": "该地区没有现行方案（提示中列出有方案的地区）"}}


class UnitList(BaseModel):
    region: str = Field(description="地区")
    doc_id: str = Field(description="单位所在方案的文档编号")
    plan: str = Field(description="该方案的简称")
    units: list[UnitSummary] = Field(description="该方案附件所列的成员单位，按附件顺序")


@router.get("/units", response_model=UnitList, summary="成员单位列表",
            description="一个地区现行方案附件中的成员单位及其简称。", responses={**COMMON_RESPONSES, **NO_REGION})
async def units(request: Request, region: str = REGION) -> UnitList:
    plan, listed = all_units(request.app.state.assistant.index, region)
    return UnitList(region=plan.region, doc_id=plan.doc_id, plan=plan.name, units=listed)


@router.get("/units/{name}", response_model=UnitDetail, summary="一个单位的职责",
            description="name 可以是正式名称或简称（如“财政局”“人社局”“教体局”），在 region 地区的方案中查找"
                        "（“区财政局”要写 region=汶河区）。返回附件中的职责（逐句原文）、方案其他条款中提到该单位的句子，"
                        "以及该单位的专班成员。",
            responses={**COMMON_RESPONSES, 404: {"model": ErrorResponse, "description": "没有这个单位或这个地区的方案"}})
async def unit(name: str, request: Request, region: str = REGION) -> UnitDetail:
    index = request.app.state.assistant.index  # read once: a rebuilt index may be switched in meanwhile
    return await request.app.state.workers.answer(unit_detail, index, name, region)
